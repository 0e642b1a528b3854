"""Editing a flow by keys, its History tab, rolling back and promoting (DESIGN 2b).

Each confirmed action is one revision; Cancel, and whatever the store
refuses (step 1, shown in the dialog in its words), change nothing.
"""

from __future__ import annotations

from tui_helpers import NW, OWNER, highlight, notifications, press, settle, table_rows

from tui.screens.flow import FlowScreen
from tui.screens.flow.review import ReviewScreen
from tui.screens.flow.tryout import TryTransformScreen, try_expression
from tui.screens.form import FormScreen

UPSERT = f"{NW}/Staging/Customer Upsert"
ORDER_SYNC = f"{NW}/Staging/Order Sync"


async def _open(pilot, path: str) -> FlowScreen:
    await settle(pilot)
    pilot.app.jump(path)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FlowScreen)
    screen.query_one("#steps-table").focus()
    await settle(pilot)
    return screen


async def test_steps_added_moved_and_removed_by_keys_each_one_revision(demo):
    svc = demo.as_(OWNER)
    async with demo.app().run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, UPSERT)
        await press(pilot, "n")
        assert isinstance(pilot.app.screen, FormScreen)
        await press(pilot, "ctrl+s")  # a transform at the end (position 4)
        assert isinstance(pilot.app.screen, FlowScreen)
        f = svc.get_flow(UPSERT)
        assert (f.revision, [s.component for s in f.steps]) == (
            5, ["webhook", "transform", "http", "transform"])
        await highlight(pilot, "steps-table", "2")
        await press(pilot, "J")  # the transform at 2 moves to 3
        f = svc.get_flow(UPSERT)
        assert (f.revision, [s.component for s in f.steps]) == (
            6, ["webhook", "http", "transform", "transform"])
        assert screen.current_step().position == 3  # the cursor went with it
        await press(pilot, "X")
        assert isinstance(pilot.app.screen, ReviewScreen)
        await press(pilot, "enter")  # Cancel is focused: nothing happens
        assert svc.get_flow(UPSERT).revision == 6
        await press(pilot, "X", "tab", "enter")
        f = svc.get_flow(UPSERT)
        assert (f.revision, len(f.steps)) == (7, 3)
        assert "removed step 3" in table_rows(screen, "flow-history")["7"][3]


async def test_removing_step_1_is_refused_in_the_dialog_changing_nothing(demo):
    async with demo.app().run_test(size=(80, 24)) as pilot:
        await _open(pilot, UPSERT)
        await press(pilot, "X", "tab", "enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, ReviewScreen)
        said = str(dialog.query_one("#review-error").render())
        assert "step 1 is the flow's only trigger" in said
        await press(pilot, "escape")
    assert demo.as_(OWNER).get_flow(UPSERT).revision == 4


async def test_an_expression_is_tried_as_typed_and_a_bad_one_refused_inline(demo):
    assert try_expression("a.b", '{"a": {"b": 2}}') == (True, "2")
    assert try_expression("a.(", "{}")[0] is False
    async with demo.app().run_test(size=(120, 36)) as pilot:
        await _open(pilot, UPSERT)
        await highlight(pilot, "steps-table", "2")
        await press(pilot, "e")
        form = pilot.app.screen
        assert isinstance(form, TryTransformScreen)
        assert "C-2202" in form.query_one("#field-sample").value  # the step's last message
        assert "externalId" in str(form.query_one("#try-result").render())
        form.query_one("#field-expression").value = "customer.("
        await settle(pilot)
        assert "does not parse" in str(form.query_one("#try-result").render())
        await press(pilot, "enter")
        assert pilot.app.screen is form
        assert "not JSONata" in str(form.query_one("#form-error").render())
        await press(pilot, "escape")
    assert demo.as_(OWNER).get_flow(UPSERT).revision == 4


def _change_staging(demo) -> None:
    demo.as_(OWNER).add_step(ORDER_SYNC, ("log", None))


async def _promote_dialog(pilot) -> ReviewScreen:
    await _open(pilot, ORDER_SYNC)
    await press(pilot, "P")
    assert isinstance(pilot.app.screen, FormScreen)
    await press(pilot, "enter", "down", "enter")  # Production, not Development
    await press(pilot, "ctrl+s")
    dialog = pilot.app.screen
    assert isinstance(dialog, ReviewScreen), notifications(pilot.app)
    return dialog


async def test_promote_shows_the_diff_and_cancel_changes_nothing(demo):
    svc = demo.as_(OWNER)
    _change_staging(demo)
    before = svc.get_flow(f"{NW}/Production/Order Sync")
    async with demo.app().run_test(size=(120, 36)) as pilot:
        dialog = await _promote_dialog(pilot)
        lines = str(dialog.query_one("#review-lines").render())
        planned = svc.plan_promotion(ORDER_SYNC, f"{NW}/Production")
        assert len(lines.splitlines()) == len(planned.differences) > 0
        assert pilot.app.focused.id == "cancel"
        await press(pilot, "enter")
    after = svc.get_flow(f"{NW}/Production/Order Sync")
    assert (after.revision, after.status, after.started_at) == (
        before.revision, before.status, before.started_at)


async def test_promote_confirmed_makes_a_revision_of_production(demo):
    svc = demo.as_(OWNER)
    _change_staging(demo)
    before = svc.get_flow(f"{NW}/Production/Order Sync")
    async with demo.app().run_test(size=(120, 36)) as pilot:
        await _promote_dialog(pilot)
        await press(pilot, "tab", "enter")
        assert isinstance(pilot.app.screen, FlowScreen)
    after = svc.get_flow(f"{NW}/Production/Order Sync")
    assert after.revision == before.revision + 1
    assert (after.status, after.started_at) == (before.status, before.started_at)
    assert svc.plan_promotion(ORDER_SYNC, f"{NW}/Production").differences == []
    assert [s.component for s in after.steps][-1] == "log"


async def test_rollback_from_the_history_tab(demo):
    svc = demo.as_(OWNER)
    async with demo.app().run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot, UPSERT)
        await press(pilot, "4")
        assert screen.tab == "history"
        await highlight(pilot, "flow-history", "2")
        await press(pilot, "b")
        assert isinstance(pilot.app.screen, ReviewScreen)
        assert pilot.app.focused.id == "cancel"
        await press(pilot, "tab", "enter")
        assert isinstance(pilot.app.screen, FlowScreen)
    f = svc.get_flow(UPSERT)
    assert f.revision == 5
    assert svc.flow_history(UPSERT)[0].change == "rolled back to revision 2"
    assert f.steps[2].settings == {}


async def test_a_promotion_without_a_credential_there_names_the_step_in_the_form(demo):
    svc = demo.as_(OWNER)
    before = [f.revision for f in svc.list_flows(f"{NW}/Development")]
    async with demo.app().run_test(size=(80, 24)) as pilot:
        await _open(pilot, ORDER_SYNC)
        await press(pilot, "P", "ctrl+s")  # into Development, which has no 'ERP API'
        form = pilot.app.screen
        assert isinstance(form, FormScreen)
        said = str(form.query_one("#form-error").render())
        assert "step 3" in said and "ERP API" in said, said
        await press(pilot, "escape")
    assert [f.revision for f in svc.list_flows(f"{NW}/Development")] == before


def test_revision_events_say_what_changed():
    from datetime import UTC, datetime

    from store.views import EventView
    from tui.screens.event_rows import event_detail

    def event(kind: str, **detail) -> EventView:
        return EventView(id=1, at=datetime(2026, 3, 10, tzinfo=UTC), actor="a@b.example",
                         kind=kind, path="Acme/Production/Order sync", detail=detail)

    assert event_detail(event("flow.changed", revision=5, change="added step 4 (log)"),
                        with_name=False) == "r5: added step 4 (log)"
    assert event_detail(event("flow.rolled_back", to=2, revision=6)) == \
        "Order sync r6: back to r2"
    assert event_detail(event("flow.promoted", source="Acme/Staging/Order sync",
                              source_revision=4, target="Acme/Production/Order sync",
                              revision=3, created=False), with_name=False) == \
        "Acme/Staging/Order sync r4 → Acme/Production/Order sync r3"
