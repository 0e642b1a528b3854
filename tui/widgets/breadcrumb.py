"""Where you are: 'Contract / Workspace ◔ Limited / Flow'."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from ..format import plain
from .badge import KindBadge


class Breadcrumb(Horizontal):
    DEFAULT_CSS = """
    Breadcrumb { height: 1; width: 1fr; background: $panel; }
    Breadcrumb > .crumb { width: auto; padding: 0 0 0 1; text-style: bold; }
    Breadcrumb > .sep { width: auto; padding: 0 0 0 1; color: $text-muted; }
    Breadcrumb > KindBadge { padding: 0 0 0 1; }
    Breadcrumb > .who {
        width: 1fr; min-width: 0; content-align: right middle; padding: 0 1;
        color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, contract: str | None = None, workspace: str | None = None,
                 kind: str | None = None, flow: str | None = None, who: str = "",
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.parts = (contract, workspace, kind, flow)
        self.who = who

    def compose(self) -> ComposeResult:
        contract, workspace, kind, flow = self.parts
        yield Static("Contracts" if contract is None else plain(contract), classes="crumb",
                     id="crumb-contract")
        if workspace is not None:
            yield Static("/", classes="sep")
            yield Static(plain(workspace), classes="crumb", id="crumb-workspace")
            if kind is not None:
                yield KindBadge(kind, id="crumb-badge")
        if flow is not None:
            yield Static("/", classes="sep")
            yield Static(plain(flow), classes="crumb", id="crumb-flow")
        yield Static(plain(self.who), classes="who")

    def set_who(self, who: str) -> None:
        self.who = who
        for part in self.query(".who"):
            part.update(plain(who))

    def set_kind(self, kind: str) -> None:
        for badge in self.query(KindBadge):
            badge.set_kind(kind)
