"""Reaching the console from elsewhere: ``ssh`` (an SSH server, one TUI per client, the user
from the client's key) and ``web`` (the browser, through textual-serve)."""
