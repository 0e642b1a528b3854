"""What the TUI's marks ask of the store: the ids of the flows the time limit stopped (a
list of 100,000 flows is not read for it), and the time-left page's answers of what the
caller may do with each flow."""

from __future__ import annotations

import pytest

from store.errors import InvalidInput, NotFound


def _stopped_overnight(w):
    integ = w.as_("integrator")
    for name in ("Night A", "Night B", "By Hand", "Resting"):
        integ.create_flow(f"Acme/Staging/{name}")
    for name in ("Night A", "Night B", "By Hand"):
        integ.start_flow(f"Acme/Staging/{name}")
    integ.stop_flow("Acme/Staging/By Hand")
    w.clock.advance(hours=9)
    integ.create_flow("Acme/Staging/Morning")
    integ.start_flow("Acme/Staging/Morning")
    return integ


def test_flow_ids_names_the_flows_the_limit_stopped(fresh_world):
    w = fresh_world
    integ = _stopped_overnight(w)
    ids = integ.flow_ids("Acme/Staging", status="stopped", stop_reason="work_time_limit")
    names = {f.id: f.name for f in integ.list_flows("Acme/Staging", with_steps=False)}
    picked = {names[i] for i in ids}
    assert {"Night A", "Night B"} <= picked
    assert not picked & {"By Hand", "Resting", "Morning"}
    assert all(integ.get_flow(f"Acme/Staging/{names[i]}").stop_reason == "work_time_limit"
               for i in ids)
    # a guest reads them too (marking changes nothing); an outsider sees no such workspace
    assert w.as_("guest").flow_ids("Acme/Staging", status="stopped",
                                   stop_reason="work_time_limit") == ids
    with pytest.raises(NotFound):
        w.as_("outsider").flow_ids("Acme/Staging", status="stopped")
    with pytest.raises(InvalidInput):
        integ.flow_ids("Acme/Staging", stop_reason="tired")


def test_time_left_rows_say_what_the_caller_may_do(fresh_world):
    w = fresh_world
    _stopped_overnight(w)
    _count, rows = w.as_("integrator").time_left_page()
    assert rows and all("flow.restart" in f.allowed for f in rows)
    _count, rows = w.as_("guest").time_left_page()
    assert rows and all("flow.restart" not in f.allowed and f.why("flow.restart") for f in rows)
