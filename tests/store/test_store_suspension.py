"""DESIGN section 2a: a suspended contract (its flows stopped, changes refused) and resuming it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import IDLE, ORDERS, T0
from store_checks import count, table_counts

from store.errors import Conflict, PermissionDenied
from store.models import Message


def test_suspended_contract_stops_flows_and_refuses_changes(fresh_world):
    w = fresh_world
    integ, support = w.as_("integrator"), w.as_("support")
    integ.start_flow(IDLE)
    integ.send_messages(IDLE, count=2)
    w.clock.advance(minutes=5)
    support.suspend_contract("Acme")
    for path, lost in ((ORDERS, 3), (IDLE, 2)):
        flow = integ.get_flow(path)
        assert (flow.status, flow.stop_reason, flow.queued_messages) == ("stopped", "contract_suspended", 0)
        assert flow.stopped_at == T0 + timedelta(minutes=5)
        (stop,) = integ.list_events(path, kinds=["flow.stopped"])
        assert stop.detail["lost_messages"] == lost
    assert integ.get_contract("Acme").status == "suspended"
    assert count(w.store, Message) == 0
    before = (w.store.revision(), table_counts(w.store))
    e = w.emails
    changes = {
        "rename contract": lambda: w.as_("contract_owner").rename_contract("Acme", "Acme Two"),
        "invite": lambda: w.as_("contract_owner").invite_member("Acme", e["newcomer"], "member"),
        "set role": lambda: w.as_("contract_owner").set_member_role("Acme", e["guest"], "admin"),
        "remove member": lambda: w.as_("contract_owner").remove_member("Acme", e["guest"]),
        "create workspace": lambda: w.as_("contract_member").create_workspace("Acme/New"),
        "delete workspace": lambda: w.as_("contract_owner").delete_workspace("Acme/Staging", yes=True),
        "rename workspace": lambda: w.as_("workspace_owner").rename_workspace("Acme/Staging", "Other"),
        "add ws member": lambda: w.as_("workspace_owner").add_workspace_member(
            "Acme/Staging", e["contract_member"], "guest"),
        "set ws role": lambda: w.as_("workspace_owner").set_workspace_member_role(
            "Acme/Staging", e["guest"], "admin"),
        "remove ws member": lambda: w.as_("workspace_owner").remove_workspace_member(
            "Acme/Staging", e["guest"]),
        "create flow": lambda: integ.create_flow("Acme/Staging/New flow"),
        "start": lambda: integ.start_flow(IDLE),
        "restart": lambda: integ.restart_flow(ORDERS),
        "set type": lambda: integ.set_flow_type(IDLE, "realtime"),
        "set step": lambda: integ.set_step(ORDERS, 2, "expression", "$"),
        "set step credential": lambda: integ.set_step_credential(IDLE, 2, "CRM token"),
        "copy flow": lambda: integ.copy_flow(ORDERS, "Acme/Production"),
        "add credential": lambda: integ.add_credential("Acme/Staging/New key", "http", {"token": "t"}),
        "update credential": lambda: integ.update_credential("Acme/Staging/CRM token", {"token": "n"}),
        "delete credential": lambda: integ.delete_credential("Acme/Staging/Spare key", yes=True),
        "send": lambda: integ.send_messages(ORDERS),
        "request full": lambda: w.as_("workspace_owner").request_full("Acme/Staging", "please"),
        "convert": lambda: support.convert_workspace("Acme/Staging", "full"),
        "approve": lambda: support.approve_request(w.request_id),
        "decline": lambda: support.decline_request(w.request_id, "no"),
    }
    for what, change in changes.items():
        with pytest.raises(Conflict, match="suspended"):
            change()
            pytest.fail(f"{what} was allowed in a suspended contract")
    assert (w.store.revision(), table_counts(w.store)) == before
    # reading goes on
    assert integ.get_flow(ORDERS).status == "stopped"
    assert len(integ.list_credentials("Acme/Staging")) == 2
    # only support staff suspend and resume
    with pytest.raises(PermissionDenied):
        w.as_("contract_owner").resume_contract("Acme")
    support.resume_contract("Acme")
    assert integ.get_flow(ORDERS).status == "stopped"  # resuming restarts nothing
    assert integ.start_flow(IDLE).status == "active"
    kinds = [e.kind for e in support.list_events("Acme", limit=5)]
    assert "contract.suspended" in kinds and "contract.resumed" in kinds
