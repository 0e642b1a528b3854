"""The workspace screen: its flows, credentials, members and events, a pane per tab."""

from .pane import WorkspaceData
from .screen import WorkspaceScreen

__all__ = ["WorkspaceData", "WorkspaceScreen"]
