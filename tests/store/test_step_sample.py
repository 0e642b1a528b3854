"""``step_sample``: what a step takes in next, for trying a transform before it is saved."""

from __future__ import annotations

ORDERS = "Acme/Staging/Orders"


def test_the_newest_message_waiting_at_a_step_of_the_current_revision(world):
    integ = world.as_("integrator")
    integ.send_messages(ORDERS, 2, {"order": {"id": 7}})
    assert integ.step_sample(ORDERS, 1) == (True, {"order": {"id": 7}})
    assert integ.step_sample(ORDERS, 2) == (False, None)  # nothing waits there
    integ.add_step(ORDERS, "log")  # a new revision: those messages keep their own steps
    assert integ.step_sample(ORDERS, 1) == (False, None)
    integ.send_messages(ORDERS, 1, {"order": {"id": 8}})
    assert integ.step_sample(ORDERS, 1) == (True, {"order": {"id": 8}})
    assert world.as_("guest").step_sample(ORDERS, 1) == (True, {"order": {"id": 8}})
