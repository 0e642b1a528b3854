"""The Members tab of a workspace: who has which role here; add, change a role, remove."""

from __future__ import annotations

from datetime import datetime

from textual import work

from store.models import WORKSPACE_ROLES
from store.views import MemberView, WorkspaceView

from ...widgets.table import Column
from ..base import ASKING, Gate
from ..confirm import ConfirmScreen
from ..form import FormField, FormScreen
from .pane import Gates, RecordPane, WorkspaceData

ROLES = [(r, r) for r in WORKSPACE_ROLES]


class MembersPane(RecordPane):
    def __init__(self) -> None:
        super().__init__("Members", "members", [
            Column("email", "Email", width=30), Column("name", "Name", width=22),
            Column("role", "Role", width=10),
        ])
        self.members: list[MemberView] = []

    def show(self, data: WorkspaceData, now: datetime) -> None:
        self.members = data.members
        if (table := self.table) is not None:
            matches = self.deck.matches
            table.sync(table.sort_rows([
                (m.email, [m.email, m.name, m.role])
                for m in data.members if matches(m.email, m.name)]))

    def current(self) -> MemberView | None:
        key = self.current_key
        return next((m for m in self.members if m.email == key), None)

    def describe(self, data: WorkspaceData) -> str:
        m = self.current()
        return f"{m.name} <{m.email}> is {m.role} of {data.workspace.path}" if m else ""

    def gates(self, ws: WorkspaceView | None) -> Gates:
        m = self.current()
        row = {"row": "member", "selected": m is not None}
        return {
            "new": lambda: Gate("workspace.members", ws),
            "edit": lambda: Gate("workspace.members", m or ws, **row),
            "delete": lambda: Gate("workspace.members", m or ws, **row),
        }

    # -- actions ------------------------------------------------------------------------------
    @work(group=ASKING, exit_on_error=False)
    async def new(self) -> None:
        svc, path = self.deck.fd.svc, self.deck.path
        if await self.app.push_screen_wait(FormScreen(f"Add a member to {path}", [
            FormField("email", "Email (a member of the contract):", placeholder="name@example.com"),
            FormField("role", "Role:", options=ROLES, value="integrator"),
        ], lambda v: svc.add_workspace_member(path, v["email"], v["role"]), submit_label="Add")):
            self.deck.done("Member added")

    @work(group=ASKING, exit_on_error=False)
    async def edit(self) -> None:
        if (m := self.current()) is None:
            return
        svc, path = self.deck.fd.svc, self.deck.path
        if await self.app.push_screen_wait(FormScreen(f"Role of {m.email} in {path}", [
            FormField("role", "Role:", options=ROLES, value=m.role),
        ], lambda v: svc.set_workspace_member_role(path, m.email, v["role"]),
                submit_label="Change")):
            self.deck.done(f"{m.email}'s role changed")

    @work(group=ASKING, exit_on_error=False)
    async def delete(self) -> None:
        if (m := self.current()) is None:
            return
        svc, path = self.deck.fd.svc, self.deck.path
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Remove {m.email} from {path}?", f"{m.name} loses the {m.role} role here.",
                confirm_label="Remove")):
            self.deck.act(svc.remove_workspace_member, path, m.email, done=f"{m.email} removed")
