"""The ``flowdeck`` console script.

``flowdeck`` with global options only opens the TUI straight away; anything
else is the command line (``tui.cli``), built only when needed.

The garbage collector's cyclic passes are paused from here until the TUI has
opened its store: starting allocates a few hundred thousand long-lived
objects (modules, classes, SQLAlchemy's and SQLModel's tables), and each pass
over them finds nothing to free. Pausing them takes about a sixth off the CPU
the start costs (README, *Performance*); the app freezes what it loaded and
resumes collection (``FlowdeckApp.ensure_open``, ``tui.launch``).
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    gc.disable()
    from tui.cli.invocation import tui_only

    from .failures import finish, run_tui_only

    state = tui_only(sys.argv[1:])
    if state is not None:
        finish(run_tui_only(state))
    gc.enable()  # the command line: processes that run one command and end
    from tui.cli.main import main as command_line

    command_line()
