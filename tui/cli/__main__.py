"""``python -m tui.cli``: the command line (the browser server starts its sessions this way)."""

from tui.cli.main import main

main()
