"""The Flows tab of a workspace: the paged list, its marks, and the keys that act on flows.

Space marks the highlighted flow, ``L`` marks every flow the time limit
stopped (the store names them: a list of 100,000 flows is never read whole),
``U`` clears the marks. Start, stop and restart act on the marked flows when
there are any (``MarkedFlows``: one confirmation with the totals, one
change), else on the highlighted one; the screen binds those keys, as the
flow screen shares them (``FlowActions``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding

from store.components import COMPONENTS, check_flow_steps
from store.errors import FlowdeckError, InvalidInput
from store.names import name_problem
from store.services.flows import parse_step
from store.views import FlowView, WorkspaceView

from ...format import KIND_EXPLANATION, badge
from ...widgets.paged_table import PagedTable
from ..base import ASKING, Gate
from ..flow_actions import STORE_ACTIONS
from ..flow_list import COLUMNS, FirstPage, FlowSource
from ..form import FormField, FormScreen
from ..marks import PROMOTION, plural
from .pane import Gates, WorkspaceData, WorkspacePane

BINDINGS = [
    Binding("space", "mark", "Mark", key_display="␣", id="workspace.mark"),
    Binding("L", "mark_stopped", "Mark all the limit stopped", show=False,
            id="workspace.mark_stopped"),
    Binding("U", "clear_marks", "Clear marks", show=False, id="workspace.clear_marks"),
]

TRIGGERS = [c.name for c in COMPONENTS.values() if c.kind == "trigger"]
ACTIONS = [c.name for c in COMPONENTS.values() if c.kind == "action"]


def parse_steps(text: str) -> list[tuple[str, str | None]]:
    return [parse_step(part) for part in text.split(",") if part.strip()]


def _steps_problem(text: str) -> str | None:
    """The store's answer to the steps as typed (the flow itself is checked when created)."""
    try:
        check_flow_steps([comp for comp, _ in parse_steps(text)])
    except InvalidInput as exc:
        return str(exc)
    return None


class FlowsPane(WorkspacePane):
    def __init__(self) -> None:
        super().__init__("Flows", id="flows")
        self.table = PagedTable(COLUMNS, id="flows-table")
        self.source: FlowSource | None = None  # what the list shows now

    def compose(self) -> ComposeResult:
        yield self.table

    # -- the list ---------------------------------------------------------------------------
    def preload(self, first: FirstPage) -> None:
        """Rows read before the screen opened: shown at once."""
        self.source = first.source
        self.table.preload(first.source, first.count, first.rows)

    def show_flows(self, path: str, *, fresh: bool = False) -> None:
        """The list for the screen's filter and the table's sort: kept when those are as they
        were (the table's source stays, and with it what it learnt), unless ``fresh``."""
        deck = self.deck
        source = FlowSource(deck.fd, deck.watch, path, deck.filter_text,
                            self.table.sort_key or "name", self.table.sort_reverse, deck.marks)
        old = self.source
        if old is not None and old.key() == source.key() and not fresh:
            self.table.refresh_data()
        else:
            self.source = source
            self.table.set_source(source)

    def show(self, data: WorkspaceData, now: datetime) -> None:
        self.show_flows(data.workspace.path)

    def current_flow(self) -> FlowView | None:
        row = self.table.current_row
        return row.payload if row is not None else None

    def describe(self, data: WorkspaceData) -> Text:
        ws = data.workspace
        f = self.current_flow()
        text = badge(ws.kind)
        if f is None:
            text.append("  No flows match." if self.deck.filter_text else
                        "  No flows yet. Press n to create one.")
        else:
            extra = self._flow_detail(f)
            text.append(f"  {f.name}: {extra + ' ' if extra else ''}"
                        f"{KIND_EXPLANATION[ws.kind]}")
        return text

    def _flow_detail(self, f: FlowView) -> str:
        """The words after the badge for the highlighted flow: marks and promotion first."""
        parts = []
        marks = self.deck.marks
        if marks:
            parts.append(f"{plural(len(marks), 'flow')} marked (s x R act on them).")
        others = self.source.promoted.get(f.id) if self.source is not None else None
        if others:
            where = ", ".join(o.rsplit("/", 1)[-1] for o in others)
            parts.append(f"{PROMOTION} differs from its namesake in {where}.")
        return " ".join(parts)

    def gates(self, ws: WorkspaceView | None) -> Gates:
        # the flows' keys follow the caller's role in the workspace, not the highlighted flow's
        # state: they stay put as the cursor moves (the store answers for the flow itself)
        f = self.current_flow()
        flow = {"row": "flow", "selected": f is not None}
        return {
            "open": lambda: Gate(**flow),
            "new": lambda: Gate("flow.create", ws),
            "mark": lambda: Gate(**flow),
            "mark_stopped": lambda: Gate(),
            "clear_marks": lambda: Gate(row="mark", selected=bool(self.deck.marks),
                                        missing="no flow is marked"),
            **{key: (lambda action=action: Gate(action, ws, **flow))
               for key, action in STORE_ACTIONS.items()},
        }

    # -- marks ------------------------------------------------------------------------------
    def repaint_marks(self) -> None:
        table, marks = self.table, self.deck.marks
        promoted = self.source.promoted if self.source is not None else {}
        with self.app.batch_update():
            for index, row in table.visible_rows():
                table.set_cell(index, "mark", marks.cell(row.payload.id,
                                                         row.payload.id in promoted))

    def mark(self) -> None:
        """Mark the highlighted flow (or unmark it), and go on to the next, as file managers
        do."""
        table = self.table
        if (f := self.current_flow()) is None:
            return
        marks = self.deck.marks
        marks.toggle(f.id)
        promoted = self.source.promoted if self.source is not None else {}
        table.set_cell(table.cursor, "mark", marks.cell(f.id, f.id in promoted))
        if table.cursor < table.row_count - 1:
            table.cursor += 1

    @work(group="act", exit_on_error=False)
    async def mark_stopped(self) -> None:
        """Mark every flow of the workspace that the time limit stopped."""
        deck = self.deck
        try:
            ids = await asyncio.to_thread(deck.fd.svc.flow_ids, deck.path, status="stopped",
                                          stop_reason="work_time_limit")
        except FlowdeckError as exc:
            self.notify(exc.line(), severity="error")
            return
        added = deck.marks.add(ids)
        self.notify(f"{plural(len(ids), 'flow')} stopped by the time limit; {added:,} newly "
                    f"marked, {plural(len(deck.marks), 'flow')} marked in all"
                    if ids else "No flow here was stopped by the time limit")
        deck.repaint_marks_shown()

    # -- actions ------------------------------------------------------------------------------
    @work(group=ASKING, exit_on_error=False)
    async def new(self) -> None:
        deck = self.deck
        svc, path = deck.fd.svc, deck.path
        credentials = deck.data.credentials if deck.data else []
        creds = ", ".join(f"{c.name} ({c.component})" for c in credentials) or "none yet"
        if await self.app.push_screen_wait(FormScreen(f"New flow in {path}", [
            FormField("name", "Name:", placeholder="e.g. Order sync", check=name_problem,
                      hint="3–40 letters, digits, spaces, - and _"),
            FormField("steps", "Steps (COMPONENT[:CREDENTIAL], comma-separated):",
                      value="webhook, transform, http", check=_steps_problem,
                      hint=f"triggers: {', '.join(TRIGGERS)}; actions: {', '.join(ACTIONS)}; "
                           f"credentials: {creds}"),
            FormField("type", "Type:", options=[("ordinary", "ordinary"),
                                                ("realtime", "realtime")]),
        ], lambda v: svc.create_flow(f"{path}/{v['name']}", parse_steps(v["steps"]),
                                     realtime=v["type"] == "realtime"), submit_label="Create",
                intro="The new flow is inactive until you start it.")):
            deck.done("Flow created (inactive); s starts it")
