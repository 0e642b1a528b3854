"""One flow: its state and countdown, its steps with their queues, its events."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Static

from store.components import COMPONENTS
from store.permissions import EDIT_FLOWS, RUN_FLOWS, SEND_MESSAGES, may
from store.views import CredentialView, EventView, FlowView

from ..format import KIND_EXPLANATION, LIMITED_BANNER, STOP_REASON_WORDS, short_when, status_text, when
from ..live import FlowWatch
from ..widgets.breadcrumb import Breadcrumb
from ..widgets.table import Column, RecordTable
from . import flow_actions, workspace_forms
from .base import FilterBar, FlowdeckScreen
from .form import FormField, FormScreen
from .workspace import event_detail, who


@dataclass
class FlowData:
    flow: FlowView
    events: list[EventView]
    credentials: list[CredentialView]


class FlowScreen(FlowdeckScreen):
    CSS_PATH = "flow.tcss"
    BINDINGS = [
        Binding("s", "start", "Start", id="flow.start"),
        Binding("x", "stop", "Stop", id="flow.stop"),
        Binding("R", "restart", "Restart", id="flow.restart"),
        Binding("m", "send", "Send messages", id="flow.send"),
        Binding("e", "edit_step", "Edit step", id="flow.edit"),
        Binding("k", "step_credential", "Step credential", show=False, id="flow.credential"),
        Binding("t", "switch_type", "Switch ordinary/realtime", show=False, id="flow.type"),
        Binding("c", "copy", "Copy to workspace", show=False, id="flow.copy"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.data: FlowData | None = None
        self.watch = None
        self.screen_name = f"Flow {path}"

    def compose(self) -> ComposeResult:
        contract, workspace, name = self.path.split("/")
        yield Breadcrumb(contract, workspace, "limited", name, who=self.fd.who)
        yield Static(LIMITED_BANNER, classes="banner", id="banner")
        with Horizontal(id="summary"):
            yield Static("", id="state")
            yield Static("", id="countdown")
        yield Static("Steps", classes="section")
        yield RecordTable([
            Column("pos", "#", width=2, sortable=False),
            Column("component", "Component", width=10, sortable=False),
            Column("credential", "Credential", width=16, sortable=False),
            Column("settings", "Settings", width=30, sortable=False),
            Column("queued", "Queued", width=6, sortable=False),
        ], id="steps-table", sort="pos")
        yield Static("Events", classes="section")
        yield RecordTable([
            Column("at", "At", width=16, sortable=False),
            Column("actor", "Who", width=14, sortable=False),
            Column("kind", "What", width=18, sortable=False),
            Column("detail", "Detail", sortable=False),
        ], id="flow-events", sort="at")
        yield Static("", classes="detail", id="detail")
        yield FilterBar(placeholder="filter events")
        yield Footer()

    def on_mount(self) -> None:
        self.watch = FlowWatch(self.app)
        super().on_mount()

    # -- data ---------------------------------------------------------------------------
    def load(self) -> FlowData:
        svc = self.fd.svc
        flow = svc.get_flow(self.path)
        ws_path = "/".join(flow.path.split("/")[:2])
        return FlowData(flow, svc.list_events(flow.path, limit=200),
                        svc.list_credentials(ws_path))

    def show(self, data: FlowData) -> None:
        self.data = data
        f = data.flow
        self.path = f.path
        self.query_one(Breadcrumb).set_kind(f.workspace_kind)
        self.query_one("#banner", Static).display = f.workspace_kind == "limited"
        self.watch.update([f])
        now = self.fd.clock.now()
        self._state(now)
        steps = self.query_one("#steps-table", RecordTable)
        steps.sync([
            (str(s.position), [str(s.position), Text(s.component, style="bold"),
                               s.credential or ("—" if not COMPONENTS[s.component].takes_credential
                                                else Text("none", style="yellow")),
                               " ".join(f"{k}={v}" for k, v in s.settings.items()) or "—",
                               Text(str(s.queued), justify="right")])
            for s in f.steps])
        events = self.query_one("#flow-events", RecordTable)
        events.sync([(str(e.id), [short_when(e.at, now), who(e.actor), e.kind,
                                   event_detail(e, with_name=False)])
                     for e in data.events if self.matches(e.kind, e.actor)])
        self._describe()
        self.refresh_bindings()

    def _state(self, now) -> None:
        f = self.data.flow
        state = status_text(f.status)
        state.append(f"  {f.type}", style="bold")
        state.append(f"  · {f.queued_messages} queued")
        if f.started_at:
            state.append(f"\nstarted {when(f.started_at)}")
        if f.deadline:
            state.append(f" · stops at {when(f.deadline)}")
        if f.status == "stopped":
            state.append(f"\nstopped {when(f.stopped_at)}: "
                         f"{STOP_REASON_WORDS.get(f.stop_reason or '', f.stop_reason)}")
            if f.lost_messages:
                state.append(f", {f.lost_messages} queued messages lost", style="bold red")
        self.query_one("#state", Static).update(state)
        self.query_one("#countdown", Static).update(self.watch.cell(f, now))

    def tick(self) -> None:
        if self.data is None:
            return
        cells, due = self.watch.tick(self.fd.clock.now())
        cell = cells.get(str(self.data.flow.id))
        if cell is not None:
            self.query_one("#countdown", Static).update(cell)
        if due:
            self.reload()

    def apply_filter(self) -> None:
        if self.data:
            self.show(self.data)

    # -- the highlighted step ------------------------------------------------------------
    def current_step(self):
        if self.data is None:
            return None
        key = self.query_one("#steps-table", RecordTable).current_key
        return next((s for s in self.data.flow.steps if str(s.position) == key), None)

    def _describe(self) -> None:
        if self.data is None:
            return
        f = self.data.flow
        s = self.current_step()
        text = Text()
        if s is not None:
            comp = COMPONENTS[s.component]
            text.append(f"Step {s.position} — {comp.name} ({comp.kind}): {comp.summary}. ")
        text.append(KIND_EXPLANATION[f.workspace_kind], style="dim")
        self.query_one("#detail", Static).update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.refresh_bindings()

    # -- what is offered -------------------------------------------------------------------
    def allowed(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.data is None:
            return None
        f = self.data.flow
        writable = not self.fd.readonly
        role = f.role
        if action == "start":
            return writable and f.status != "active" and may(RUN_FLOWS, role)
        if action in ("stop", "restart"):
            return writable and f.status == "active" and may(RUN_FLOWS, role)
        if action == "send":
            return writable and f.status == "active" and may(SEND_MESSAGES, role)
        if action == "switch_type":
            return writable and f.status != "active" and may(EDIT_FLOWS, role)
        if action in ("edit_step", "copy"):
            return writable and may(EDIT_FLOWS, role) and (action == "copy" or bool(
                self.current_step() and COMPONENTS[self.current_step().component].settings))
        if action == "step_credential":
            step = self.current_step()
            return writable and may(EDIT_FLOWS, role) and step is not None and \
                COMPONENTS[step.component].takes_credential
        return True

    # -- actions ------------------------------------------------------------------------------
    def action_start(self) -> None:
        flow_actions.start(self, self.data.flow)

    def action_stop(self) -> None:
        flow_actions.stop(self, self.data.flow)

    def action_restart(self) -> None:
        flow_actions.restart(self, self.data.flow)

    def action_send(self) -> None:
        flow_actions.send(self, self.data.flow)

    def action_switch_type(self) -> None:
        flow_actions.switch_type(self, self.data.flow)

    def action_copy(self) -> None:
        workspace_forms.copy_flow(self, self.data.flow)

    def action_edit_step(self) -> None:
        step = self.current_step()
        if step is None:
            return
        comp = COMPONENTS[step.component]
        svc, path = self.fd.svc, self.path
        key0 = comp.settings[0]
        form = FormScreen(f"Step {step.position} ({comp.name}) of {self.data.flow.name}", [
            FormField("key", "Setting:", options=[(k, k) for k in comp.settings], value=key0),
            FormField("value", "Value:", value=str(step.settings.get(key0, "")),
                      hint=_SETTING_HINTS.get(comp.name, "")),
        ], lambda v: svc.set_step(path, step.position, v["key"], v["value"]), submit_label="Set")
        self.app.push_screen(form, lambda r: r and self.reload())

    def action_step_credential(self) -> None:
        step = self.current_step()
        if step is None:
            return
        svc, path = self.fd.svc, self.path
        options = [(c.name, c.name) for c in self.data.credentials if c.component == step.component]
        if not options:
            self.notify(f"This workspace has no {step.component} credential yet; add one on "
                        "the workspace's Credentials tab", severity="warning")
            return
        form = FormScreen(f"Credential for step {step.position} ({step.component})", [
            FormField("credential", "Credential:", options=options,
                      value=step.credential or options[0][1]),
        ], lambda v: svc.set_step_credential(path, step.position, v["credential"]),
            submit_label="Use")
        self.app.push_screen(form, lambda r: r and self.reload())


_SETTING_HINTS = {
    "transform": 'JSONata, e.g. {"id": order.id, "total": $sum(order.lines.price)}',
    "http": "url: http(s)://…; method: GET, POST, PUT, PATCH or DELETE",
    "timer": "cron: five fields, e.g. */5 * * * *",
}
