"""DESIGN section 2: the policy's numbers and the queue caps of Limited and Full workspaces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import IDLE, ORDERS
from store_checks import events, queued_rows, to_full

from store import policy
from store.errors import Conflict, QuotaExceeded
from store.models import Message


def test_policy_numbers_are_the_designs():
    numbers = (policy.WORK_TIME, policy.QUEUE_CAP, policy.LOG_RETENTION,
               policy.LOG_MAX_ENTRIES["limited"])
    assert numbers == (timedelta(hours=8), {"limited": 1_000, "full": 75_000},
                       {"limited": timedelta(hours=24), "full": timedelta(days=30)}, 500)


def test_messages_go_only_into_an_active_flow(fresh_world):
    integ = fresh_world.as_("integrator")
    with pytest.raises(Conflict):
        integ.send_messages(IDLE)
    integ.stop_flow(ORDERS)
    with pytest.raises(Conflict):
        integ.send_messages(ORDERS)


def test_limited_queue_cap_refuses_the_next_message(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    flow_id = integ.get_flow(ORDERS).id
    # the cap counts every step's queue: the runtime moved the first 3 on to step 2
    w.store.run(lambda s: s.execute(
        Message.__table__.update().where(Message.flow_id == flow_id).values(step=2)), write=True)
    assert integ.send_messages(ORDERS, count=996) == 999
    with pytest.raises(QuotaExceeded):
        integ.send_messages(ORDERS, count=2)  # all or nothing
    assert integ.send_messages(ORDERS) == 1_000
    before = w.store.revision()
    with pytest.raises(QuotaExceeded) as refused:
        integ.send_messages(ORDERS)
    assert "1,000" in str(refused.value)
    assert w.store.revision() == before
    assert queued_rows(w.store, flow_id) == 1_000
    flow = integ.get_flow(ORDERS)
    assert flow.queued_messages == 1_000
    assert {s.position: s.queued for s in flow.steps} == {1: 997, 2: 3, 3: 0}


def test_full_queue_cap_refuses_the_next_message(fresh_world):
    w = fresh_world
    to_full(w)
    integ = w.as_("integrator")
    assert integ.send_messages(ORDERS, count=74_996) == 74_999
    assert integ.send_messages(ORDERS) == 75_000
    with pytest.raises(QuotaExceeded) as refused:
        integ.send_messages(ORDERS)
    assert "75,000" in str(refused.value)
    flow = integ.get_flow(ORDERS)
    assert flow.queued_messages == 75_000 and queued_rows(w.store, flow.id) == 75_000
    # a stop drops them all
    assert integ.stop_flow(ORDERS).queued_messages == 0
    assert queued_rows(w.store, flow.id) == 0
    assert events(integ, ORDERS, "flow.stopped")[0].detail["lost_messages"] == 75_000


def test_queue_cap_follows_the_workspace_kind_in_the_policy(fresh_world):
    """The cap applied is the policy's number for the flow's workspace kind."""
    w = fresh_world
    integ = w.as_("integrator")
    integ.send_messages(ORDERS, count=policy.queue_cap("limited") - 3)
    with pytest.raises(QuotaExceeded):
        integ.send_messages(ORDERS)
    to_full(w)
    assert integ.send_messages(ORDERS) == policy.queue_cap("limited") + 1
