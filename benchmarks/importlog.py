"""Run a program with ``-X importtime``'s log in a file while it paints on the terminal.

    python -X importtime benchmarks/importlog.py LOG (flowdeck ARGS… | SCRIPT.py)

Textual paints on stderr, where ``-X importtime`` also writes; this moves the
log (file descriptor 2) to LOG and gives Python's stderr the terminal.
"""

import os
import runpy
import sys

log, program, *args = sys.argv[1:]
terminal = os.dup(2)
os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
sys.__stderr__ = sys.stderr = os.fdopen(terminal, "w", encoding="utf-8", errors="replace")
sys.argv = [program, *args]
if program == "flowdeck":
    from tui.entry import main

    main()
else:
    runpy.run_path(program, run_name="__main__")
