"""DESIGN section 2a: support requests for a Full workspace (approve, decline, the reason)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import ORDERS, T0

from store.errors import Conflict, InvalidInput, NotFound


def test_support_request_approve_converts_at_once(fresh_world):
    w = fresh_world
    wowner, support, integ = w.as_("workspace_owner"), w.as_("support"), w.as_("integrator")
    w.clock.advance(hours=2)
    with pytest.raises(InvalidInput, match=r"control character \\x0a"):  # DESIGN 2d
        wowner.request_full("Acme/Staging", "production traffic\nfrom Monday")
    req = wowner.request_full("Acme/Staging", "  production traffic   from Monday ")
    assert (req.status, req.reason, req.requested_by) == (
        "open", "production traffic from Monday", w.emails["workspace_owner"])
    with pytest.raises(Conflict):
        wowner.request_full("Acme/Staging", "again")
    assert req.id in [r.id for r in support.list_requests(status="open")]
    w.clock.advance(minutes=1)
    done = support.approve_request(req.id)
    assert (done.status, done.handled_by, done.workspace_kind) == ("approved", w.emails["support"], "full")
    assert done.handled_at == T0 + timedelta(hours=2, minutes=1)
    assert wowner.get_workspace("Acme/Staging").kind == "full"
    orders = integ.get_flow(ORDERS)
    assert orders.status == "active" and orders.deadline is None  # at once: deadlines cleared
    kinds = [e.kind for e in integ.list_events("Acme/Staging", limit=3)]
    assert kinds[:2] == ["support.approved", "workspace.converted"]
    with pytest.raises(Conflict):
        support.approve_request(req.id)
    with pytest.raises(Conflict):
        wowner.request_full("Acme/Staging", "already Full")


def test_support_request_decline_records_reason(fresh_world):
    w = fresh_world
    support = w.as_("support")
    done = support.decline_request(w.request_id, "pay the invoice first")
    assert (done.status, done.decision) == ("declined", "pay the invoice first")
    assert w.as_("workspace_owner").get_workspace("Acme/Production").kind == "limited"
    (event,) = w.as_("workspace_owner").list_events("Acme/Production", kinds=["support.declined"])
    assert event.detail["reason"] == "pay the invoice first" and event.actor == w.emails["support"]
    with pytest.raises(Conflict):
        support.decline_request(w.request_id, "twice")
    with pytest.raises(NotFound):
        support.approve_request(w.request_id + 1000)
    # a new request may be opened after a decline
    assert w.as_("workspace_owner").request_full("Acme/Production", "now paid").status == "open"


def test_support_request_needs_a_reason(fresh_world):
    with pytest.raises(InvalidInput):
        fresh_world.as_("workspace_owner").request_full("Acme/Staging", "   ")
