"""What the workspace screen's tabs share: the data they show and the pane they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.lazy import Lazy
from textual.widgets import TabPane

from store.views import CredentialView, EventView, MemberView, WorkspaceView

from ...widgets.table import Column, RecordTable
from ..base import Gate

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from .screen import WorkspaceScreen

#: a tab's keys -> what each needs (see ``WorkspaceScreen.gate``)
Gates = dict[str, Callable[[], Gate]]


@dataclass
class WorkspaceData:
    """Everything but the flows, which the paged list fetches itself."""

    workspace: WorkspaceView
    credentials: list[CredentialView]
    members: list[MemberView]
    events: list[EventView]
    open_request: bool


class WorkspacePane(TabPane):
    """One tab of the workspace screen: its table, its rows' words, its keys and actions.

    The screen binds the keys; each key's action is the active pane's method of that name
    (``new``, ``edit``, ``delete``, ``reveal``)."""

    @property
    def deck(self) -> WorkspaceScreen:
        return cast("WorkspaceScreen", self.screen)

    def show(self, data: WorkspaceData, now: datetime) -> None:
        """Fill the table from freshly loaded data (filtered by the screen's filter)."""

    def describe(self, data: WorkspaceData) -> str | Text:
        """The detail line's words for the highlighted row."""
        return ""

    def gates(self, ws: WorkspaceView | None) -> Gates:
        return {}

    def new(self) -> None:
        """n on this tab."""

    def edit(self) -> None:
        """e on this tab."""

    def delete(self) -> None:
        """d on this tab."""


class RecordPane(WorkspacePane):
    """A tab whose table mounts lazily (the tabs out of view are not drawn at first)."""

    def __init__(self, title: str, pane_id: str, columns: list[Column], *,
                 sort: str | None = None) -> None:
        super().__init__(title, id=pane_id)
        self.records = RecordTable(columns, id=f"{pane_id}-table", sort=sort)

    def compose(self) -> ComposeResult:
        yield Lazy(self.records)

    @property
    def table(self) -> RecordTable | None:
        """The table, once it has been mounted."""
        return self.records if self.records.parent is not None else None

    @property
    def current_key(self) -> str | None:
        table = self.table
        return table.current_key if table is not None else None
