"""One flow: its state and countdown, its steps with their queues and the messages it
processes per minute, its executions, failed messages and events."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Sparkline, Static, TabbedContent

from store.components import COMPONENTS
from store.views import ExecutionView, FailedMessageView, FlowView, RevisionView

from ...format import (
    KIND_EXPLANATION,
    LIMITED_BANNER,
    STOP_REASON_WORDS,
    plain,
    status_text,
    when,
)
from ...live import FlowWatch
from ...widgets.breadcrumb import Breadcrumb
from ...widgets.detail import DetailLine
from ...widgets.table import RecordTable
from .. import flow_runs
from ..base import FilterBar, Gate
from ..flow_actions import STORE_ACTIONS, FlowActions
from .data import FlowData
from .events import EventsPane
from .history import HistoryActions, HistoryPane
from .promote import PromoteActions
from .runs import ExecutionsPane, FailedActions, FailedPane
from .steps import StepEditing, StepsTable


class FlowScreen(StepEditing, HistoryActions, PromoteActions, FailedActions, FlowActions):
    CSS_PATH = "flow.tcss"
    BINDINGS = [
        Binding("s", "start", "Start", id="flow.start"),
        Binding("x", "stop", "Stop", id="flow.stop"),
        Binding("R", "restart", "Restart", show=False, id="flow.restart"),
        Binding("m", "send", "Send messages", show=False, id="flow.send"),
        Binding("e", "edit_step", "Edit step", id="flow.edit"),
        Binding("k", "step_credential", "Step credential", show=False, id="flow.credential"),
        Binding("n", "add_step", "Add step", id="flow.add_step"),
        Binding("X", "remove_step", "Remove step", show=False, id="flow.remove_step"),
        Binding("J", "move_down", "Move step down", show=False, id="flow.move_down"),
        Binding("K", "move_up", "Move step up", show=False, id="flow.move_up"),
        Binding("P", "promote", "Promote", id="flow.promote"),
        Binding("b", "rollback", "Roll back to revision", show=False, id="flow.rollback"),
        Binding("t", "switch_type", "Switch ordinary/realtime", show=False, id="flow.type"),
        Binding("c", "copy", "Copy to workspace", show=False, id="flow.copy"),
        Binding("r", "retry", "Retry", show=False, id="flow.retry"),
        Binding("d", "discard", "Discard", show=False, id="flow.discard"),
        Binding("a", "retry_all", "Retry all failed", show=False, id="flow.retry_all"),
        Binding("D", "discard_all", "Discard all failed", show=False, id="flow.discard_all"),
        Binding("1", "tab('executions')", "Executions tab", show=False, id="flow.tab1"),
        Binding("2", "tab('failed')", "Failed tab", show=False, id="flow.tab2"),
        Binding("3", "tab('events')", "Events tab", show=False, id="flow.tab3"),
        Binding("4", "tab('history')", "History tab", show=False, id="flow.tab4"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.data: FlowData | None = None
        self.watch: FlowWatch | None = None
        self.screen_name = f"Flow {path}"
        self._shown_once = False
        self._quiet_tab = False
        # the tables, kept (a key check asks for the highlighted rows: no DOM walk for that)
        self.steps = StepsTable()
        self.executions = ExecutionsPane()
        self.failed = FailedPane()
        self.events = EventsPane()
        self.history = HistoryPane()
        self._tabs: TabbedContent | None = None

    def compose(self) -> ComposeResult:
        contract, workspace, name = self.path.split("/")
        yield Breadcrumb(contract, workspace, "limited", name, who=self.fd.who)
        yield Static(LIMITED_BANNER, classes="banner", id="banner")
        with Horizontal(id="summary"):
            yield Static("", id="state")
            yield Static("", id="countdown")
        with Horizontal(id="steps-head"):
            yield Static("Steps", classes="section", id="steps-label")
            yield Static(f"processed/min, {flow_runs.RATE_MINUTES} min ", id="rate-label")
            yield Sparkline([0] * flow_runs.RATE_MINUTES, summary_function=max, id="rate")
            yield Static("", id="rate-now")
        yield self.steps
        with TabbedContent(id="flow-tabs", initial="executions"):
            yield from (self.executions, self.failed, self.events, self.history)
        yield DetailLine(id="detail")
        yield FilterBar(placeholder="filter events")
        yield Footer(compact=True, show_command_palette=False)  # fits 80 columns

    def on_mount(self) -> None:
        self._tabs = self.query_one(TabbedContent)
        self.watch = FlowWatch(self.fd)
        super().on_mount()

    # -- data ---------------------------------------------------------------------------
    def load(self) -> FlowData:
        svc = self.fd.svc
        flow = svc.get_flow(self.path)
        ws_path = "/".join(flow.path.split("/")[:2])
        return FlowData(flow, flow_runs.events_without_executions(svc, flow.path, 200),
                        svc.list_credentials(ws_path), svc.list_executions(flow.path, limit=100),
                        svc.list_failed(flow.path, limit=500),
                        svc.flow_throughput(flow.path, flow_runs.RATE_MINUTES),
                        svc.flow_history(flow.path))

    def show(self, data: FlowData) -> None:
        self.data = data
        f = data.flow
        self.path = f.path
        self.query_one(Breadcrumb).set_kind(f.workspace_kind)
        self.query_one("#banner", Static).display = f.workspace_kind == "limited"
        self.watch.update([f])
        now = self.fd.clock.now()
        self._state(now)
        self.steps.show(f.steps)
        self.history.show(data, now, self.matches)
        self.events.show(data, now, self.matches)
        self._show_runs(data, now)
        self._describe()
        self.offer()

    def follow_step(self, position: int) -> None:
        self.steps.follow(position)

    def _show_runs(self, data: FlowData, now) -> None:
        if not self._shown_once:  # on first sight, a flow where nothing ran yet shows its history
            self._shown_once = True
            if not data.executions and not data.failed:
                self._quiet_tab = True  # not a person's choice: keep the focus where it is
                self.query_one(TabbedContent).active = "events"
        self.query_one("#rate", Sparkline).data = data.rate
        self.query_one("#rate-now", Static).update(flow_runs.rate_now(data.rate))
        self.executions.show(data, now, self.matches)
        label = self.failed.show(data, now, self.matches)
        self.query_one(TabbedContent).get_tab("failed").label = label

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
        self.query_one("#state", Static).update(plain(state))
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
        key = self.steps.current_key
        return next((s for s in self.data.flow.steps if str(s.position) == key), None)

    def current_failed(self) -> FailedMessageView | None:
        if self.data is None or self.tab != "failed":
            return None
        key = self.failed.table.current_key
        return next((m for m in self.data.failed if str(m.id) == key), None)

    def current_execution(self) -> ExecutionView | None:
        if self.data is None:
            return None
        key = self.executions.table.current_key
        return next((e for e in self.data.executions if str(e.id) == key), None)

    def current_revision(self) -> RevisionView | None:
        if self.data is None or self.tab != "history":
            return None
        key = self.history.table.current_key
        return next((r for r in self.data.history if str(r.revision) == key), None)

    @property
    def tab(self) -> str:
        tabs = self._tabs or self.query_one(TabbedContent)
        return tabs.active or "executions"

    def _describe(self) -> None:
        if self.data is None:
            return
        f = self.data.flow
        focused = self.focused.id if self.focused is not None else None
        if focused == "flow-failed" and (m := self.current_failed()):
            may_act = f.may("failed.handle")
            self.query_one("#detail", DetailLine).update(flow_runs.failed_detail(m, may_act))
            return
        if focused == "flow-executions" and (e := self.current_execution()):
            self.query_one("#detail", DetailLine).update(flow_runs.execution_detail(e))
            return
        s = self.current_step()
        text = Text()
        if s is not None:
            comp = COMPONENTS[s.component]
            text.append(f"Step {s.position} — {comp.name} ({comp.kind}): {comp.summary}. ")
        text.append(KIND_EXPLANATION[f.workspace_kind], style="dim")
        self.query_one("#detail", DetailLine).update(text)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._describe()
        self.offer()

    def on_descendant_focus(self, _event) -> None:
        self._describe()
        self.offer()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "flow-tabs" and self._quiet_tab:
            self._quiet_tab = False
        elif event.tabbed_content.id == "flow-tabs" and self._shown_once:  # a person chose it
            table = {"executions": "#flow-executions", "failed": "#flow-failed",
                     "history": "#flow-history"}.get(self.tab, "#flow-events")
            self.call_after_refresh(self.query_one(table, RecordTable).focus)
        self._describe()
        self.offer()

    # -- what is offered (the store decides: store/actions.py) -----------------------------
    def gate(self, action: str) -> Gate | None:
        if action == "tab":
            return None
        f = self.data.flow if self.data else None
        step, failed = self.current_step(), self.current_failed()
        on_step = {"row": "step", "selected": step is not None}
        if action in STORE_ACTIONS:
            return Gate(STORE_ACTIONS[action], f)
        if action in ("add_step", "promote"):
            return Gate("flow.edit" if action == "add_step" else "flow.promote", f)
        if action in ("remove_step", "move_down", "move_up"):
            return Gate("flow.edit", f, **on_step)
        if action == "rollback":
            return Gate("flow.rollback", f, row="revision",
                        selected=self.current_revision() is not None,
                        elsewhere=None if self.tab == "history" else
                        "that key works on the History tab (4)")
        if action in ("edit_step", "step_credential"):
            which = "step.settings" if action == "edit_step" else "step.credential"
            return Gate(which, step, **on_step)
        if action in ("retry", "discard"):
            return Gate("failed.handle", f, row="failed message", selected=failed is not None,
                        elsewhere=None if self.tab == "failed" else
                        "that key works on the Failed tab (2)")
        if action in ("retry_all", "discard_all"):
            return Gate("failed.handle", f, row="failed message",
                        selected=bool(self.data and self.data.failed),
                        missing=f"{f.name if f else 'the flow'} has no failed messages")
        return None

    # -- actions ------------------------------------------------------------------------------
    def current_flow(self) -> FlowView | None:
        return self.data.flow if self.data else None

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_retry(self) -> None:
        if m := self.current_failed():
            self.retry_failed(self.data.flow, [m.id])

    def action_discard(self) -> None:
        if m := self.current_failed():
            self.discard_failed(self.data.flow, [m.id], 1)

    def action_retry_all(self) -> None:
        if self.data and self.data.failed:
            self.retry_failed(self.data.flow, None)

    def action_discard_all(self) -> None:
        if self.data and self.data.failed:
            self.discard_failed(self.data.flow, None, len(self.data.failed))
