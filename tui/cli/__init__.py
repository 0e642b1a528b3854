"""The ``flowdeck`` command line: ``main`` builds the Typer app from one module per group of
commands (``flows``, ``org``, ``work``, …); ``invocation`` reads the global options without
Typer (the TUI's fast start uses it too); ``output`` prints tables, JSON and times.

Kept empty so that importing ``tui.cli.invocation`` does not build the command tree."""
