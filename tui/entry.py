"""The ``flowdeck`` console script.

``flowdeck`` with global options only opens the TUI straight away; anything
else is the command line (``tui.cli``), built only when needed.
"""

from __future__ import annotations

import sys


def main() -> None:
    from .failures import finish, run_tui_only
    from .invocation import tui_only

    state = tui_only(sys.argv[1:])
    if state is not None:
        finish(run_tui_only(state))
    from .cli import main as command_line

    command_line()
