"""The guided tour (``flowdeck demo --tour``), walked by keys over a copy of the demo.

Every step must take the app to its screen, highlight the widget it talks
about and say so in the panel; ``]`` and ``[`` move, Escape leaves (but
still closes a dialog first). The eight-hour step runs a time lapse in
which the watched flow really stops. One step is kept as a snapshot.
"""

from __future__ import annotations

from on_screen import wait_until
from reach_helpers import NOW
from textual.pilot import Pilot

from store.services import Flowdeck
from tui.tour.panel import TimeLapseClock, TourPanel

SCREENS = {"contracts": "ContractsScreen", "contract": "ContractScreen",
           "workspace": "WorkspaceScreen", "flow": "FlowScreen"}
TITLES = ["The contract", "Workspaces", "Limited and Full badges", "Flows", "Credentials",
          "The countdown", "The eight-hour stop", "Asking support to convert"]


async def until(pilot: Pilot, check, timeout: float = 30.0) -> None:  # generous: a busy CI
    await pilot.pause()
    await wait_until(pilot, check, timeout)


async def shown(pilot: Pilot, index: int) -> None:
    tour = pilot.app.tour
    await until(pilot, lambda: tour.shown == index)


def panel_title(app) -> str:
    return str(app.screen.query_one(TourPanel).border_title)


async def test_the_tour_walks_from_start_to_end_by_keys(demo):
    app = demo.app(tour=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, 0)
        tour = app.tour
        assert [s.title for s in tour.steps] == TITLES
        for index, step in enumerate(tour.steps):
            await shown(pilot, index)
            assert panel_title(app) == f"Tour {index + 1}/8 · {step.title}"
            assert type(app.screen).__name__ == SCREENS[step.screen]
            targets = app.screen.query(".tour-target")
            assert [f"#{w.id}" for w in targets] == [step.target], step
            assert sum(len(s.query(TourPanel)) for s in app.screen_stack) == 1  # one, in view
            await pilot.press("right_square_bracket")
        await until(pilot, lambda: not tour.active)
        assert not app.screen.query(TourPanel) and not app.screen.query(".tour-target")
        assert not [b for bs in app._bindings.key_to_bindings.values() for b in bs
                    if b.action.startswith("tour(")]  # its keys are gone with it
        # the app goes on as usual: Escape goes back again
        depth = len(app.screen_stack)
        await pilot.press("escape")
        await until(pilot, lambda: len(app.screen_stack) == depth - 1)


async def test_the_tour_points_at_the_real_things(demo):
    app = demo.app(tour=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, 0)
        steps = app.tour.steps
        assert steps[0].row == "Northwind Traders"
        assert steps[1].path == steps[2].path == "Northwind Traders"
        assert steps[2].row == "Production"  # a Full workspace, next to the Limited ones
        assert steps[3].path == "Northwind Traders/Staging"
        watched = steps[5].path
        assert watched == steps[6].path == "Northwind Traders/Staging/Order Sync"  # 9 min left
        for _ in range(2):
            await pilot.press("right_square_bracket")
        await shown(pilot, 2)
        detail = str(app.screen.query_one("#detail").render())
        assert "Full" in detail and "Production" in detail  # the line the step points at


async def test_back_and_leave_at_any_time(demo):
    app = demo.app(tour=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, 0)
        for _ in range(4):
            await pilot.press("right_square_bracket")
        await shown(pilot, 4)
        await pilot.press("left_square_bracket")
        await shown(pilot, 3)
        assert app.tour.index == 3
        # Escape closes a dialog first, and the filter; then it leaves the tour
        await pilot.press("question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "WorkspaceScreen")
        assert app.tour.active
        await pilot.press("slash")
        await until(pilot, lambda: type(app.focused).__name__ == "FilterBar")
        await pilot.press("escape")
        await until(pilot, lambda: type(app.focused).__name__ != "FilterBar")
        assert app.tour.active
        await pilot.press("escape")
        await until(pilot, lambda: not app.tour.active)
        assert type(app.screen).__name__ == "WorkspaceScreen"  # left the tour, stayed here
        assert not app.screen.query(TourPanel)


async def test_the_eight_hour_step_shows_a_flow_stopping_in_a_time_lapse(demo, monkeypatch):
    import tui.tour.panel

    monkeypatch.setattr(tui.tour.panel, "LAPSE_SPEED", 3000.0)  # nine minutes in about 0.2 s
    clock = TimeLapseClock(NOW, 0)  # still, like the frozen clock, until the tour speeds it
    app = demo.app(tour=True, clock=clock, tick_seconds=0.1)
    svc = Flowdeck(demo.store, None)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, 0)
        watched = app.tour.steps[6].path
        before = svc.get_flow(watched)
        assert before.status == "active" and before.deadline is not None
        for _ in range(6):
            await pilot.press("right_square_bracket")
        await shown(pilot, 6)
        assert clock.speed == 3000.0
        await until(pilot, lambda: "stopped" in str(app.screen.query_one("#state").render()))
        flow = svc.get_flow(watched)
        assert (flow.status, flow.stop_reason, flow.stopped_at) == \
            ("stopped", "work_time_limit", before.deadline)
        await pilot.press("right_square_bracket")
        await shown(pilot, 7)
        assert clock.speed == 0  # back to the speed it had
    stop = next(e for e in svc.list_events(watched) if e.kind == "flow.auto_stopped")  # newest
    assert (stop.actor, stop.at) == ("system", before.deadline)


async def test_without_the_tour_its_keys_do_nothing(demo):
    app = demo.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: getattr(app.screen, "_revision", None) is not None)
        await pilot.press("right_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert app.tour is None and not app.screen.query(TourPanel)


def test_snapshot_of_the_badges_step(snap_compare, demo):
    app = demo.app(tour=True)

    async def run_before(pilot: Pilot) -> None:
        await shown(pilot, 0)
        for _ in range(2):
            await pilot.press("right_square_bracket")
        await shown(pilot, 2)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
