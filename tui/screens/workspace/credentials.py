"""The Credentials tab of a workspace: secrets shown masked; add, change, delete, reveal."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.text import Text
from textual import work

from store.components import COMPONENTS
from store.errors import FlowdeckError, InvalidInput
from store.names import name_problem
from store.services.credentials import parse_secret_pairs
from store.views import CredentialView, WorkspaceView

from ...format import short_when
from ...widgets.table import Column
from ..base import ASKING, Gate
from ..confirm import ConfirmScreen
from ..form import FormField, FormScreen
from ..reveal import RevealScreen
from .pane import Gates, RecordPane, WorkspaceData


def _secrets_problem(text: str) -> str | None:
    try:
        parse_secret_pairs(text.split())
    except InvalidInput as exc:
        return str(exc)
    return None


class CredentialsPane(RecordPane):
    def __init__(self) -> None:
        super().__init__("Credentials", "credentials", [
            Column("name", "Credential", width=20), Column("component", "Component", width=9),
            Column("fields", "Secret fields", width=22), Column("used", "Used by", width=16),
        ])
        self.credentials: list[CredentialView] = []

    def show(self, data: WorkspaceData, now: datetime) -> None:
        self.credentials = data.credentials
        if (table := self.table) is not None:
            matches = self.deck.matches
            table.sync(table.sort_rows([
                (str(c.id), [Text(c.name, style="bold"), c.component,
                             ", ".join(f"{k}={v}" for k, v in c.masked.items()),
                             ", ".join(c.used_by) or "—"])
                for c in data.credentials if matches(c.name, c.component)]))

    def current(self) -> CredentialView | None:
        key = self.current_key
        return next((c for c in self.credentials if str(c.id) == key), None)

    def describe(self, data: WorkspaceData) -> str:
        c = self.current()
        if c is None:
            return "No credentials yet. Press n to add one."
        return (f"{c.name}: {c.component} credential with {', '.join(c.fields)}; "
                f"updated {short_when(c.updated_at, self.deck.fd.clock.now())} by "
                f"{c.updated_by or 'unknown'}. Secrets stay masked; v reveals (recorded).")

    def gates(self, ws: WorkspaceView | None) -> Gates:
        c = self.current()
        row = {"row": "credential", "selected": c is not None}
        return {
            "new": lambda: Gate("credential.create", ws),
            "edit": lambda: Gate("credential.edit", c or ws, **row),
            "delete": lambda: Gate("credential.edit", c or ws, **row),
            "reveal": lambda: Gate("credential.reveal", c or ws, **row),
        }

    # -- actions ------------------------------------------------------------------------------
    @work(group=ASKING, exit_on_error=False)
    async def new(self) -> None:
        deck = self.deck
        svc, path = deck.fd.svc, deck.path
        takers = [c.name for c in COMPONENTS.values() if c.takes_credential]
        if await self.app.push_screen_wait(FormScreen(f"New credential in {path}", [
            FormField("name", "Name:", placeholder="e.g. CRM token", check=name_problem),
            FormField("component", "Component:", options=[(c, c) for c in takers]),
            FormField("secrets", "Secrets (KEY=VALUE, space-separated):", password=True,
                      placeholder="token=…  or  username=… password=…", check=_secrets_problem,
                      hint="stored encrypted; shown masked"),
        ], lambda v: svc.add_credential(f"{path}/{v['name']}", v["component"],
                                        parse_secret_pairs(v["secrets"].split())),
                submit_label="Add")):
            deck.done("Credential added")

    @work(group=ASKING, exit_on_error=False)
    async def edit(self) -> None:
        if (cred := self.current()) is None:
            return
        svc = self.deck.fd.svc
        if await self.app.push_screen_wait(FormScreen(f"Change secrets of {cred.name}", [
            FormField("secrets", "New values (KEY=VALUE, space-separated):", password=True,
                      placeholder=" ".join(f"{f}=…" for f in cred.fields), check=_secrets_problem,
                      hint=f"fields: {', '.join(cred.fields)}; unnamed fields keep their value"),
        ], lambda v: svc.update_credential(cred.path, parse_secret_pairs(v["secrets"].split())),
                submit_label="Save")):
            self.deck.done(f"Credential {cred.name} updated")

    @work(group=ASKING, exit_on_error=False)
    async def delete(self) -> None:
        if (cred := self.current()) is None:
            return
        users = f" Flows that use it ({', '.join(cred.used_by)}) lose it." if cred.used_by else ""
        if await self.app.push_screen_wait(ConfirmScreen(
                f"Delete credential {cred.name}?", f"Its secrets are destroyed.{users}",
                confirm_label="Delete")):
            self.deck.act(self.deck.fd.svc.delete_credential, cred.path, yes=True,
                          done=f"Credential {cred.name} deleted")

    @work(group="act", exit_on_error=False)
    async def reveal(self) -> None:
        """The secrets in clear, once the store has recorded that they were shown."""
        if (cred := self.current()) is None:
            return
        try:
            fields = await asyncio.to_thread(self.deck.fd.svc.reveal_credential, cred.path)
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        self.app.push_screen(RevealScreen(cred.path, fields))
        self.deck.reload()
