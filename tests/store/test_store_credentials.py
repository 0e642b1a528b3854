"""DESIGN sections 1 and 2a: credentials (scoped, in use, masked) and copying flows with them."""

from __future__ import annotations

import pytest
from flowdeck_world import IDLE, ORDERS
from store_checks import table_counts

from store.errors import ConfirmationRequired, InvalidInput, NotFound, PermissionDenied, RuleViolation

# -- credentials -------------------------------------------------------------------


def test_credential_scoped_to_workspace_and_component(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    integ.add_credential("Acme/Production/Prod only", "http", {"token": "p"})
    # a step may use only a credential of its own workspace...
    with pytest.raises(NotFound):
        integ.create_flow("Acme/Staging/Sync", [("webhook", None), ("http", "Prod only")])
    with pytest.raises(NotFound):
        integ.set_step_credential(IDLE, 2, "Prod only")
    # ...and of the step's component
    with pytest.raises(InvalidInput):
        integ.create_flow("Acme/Staging/Sync", [("webhook", "CRM token"), ("http", None)])
    with pytest.raises(InvalidInput):
        integ.create_flow("Acme/Staging/Sync", [("webhook", None), ("log", "CRM token")])
    with pytest.raises(InvalidInput):
        integ.add_credential("Acme/Staging/Hook key", "webhook", {"token": "t"})
    with pytest.raises(InvalidInput):  # an http credential holds token, or username+password
        integ.add_credential("Acme/Staging/Odd", "http", {"apikey": "t"})
    flow = integ.set_step_credential(IDLE, 2, "CRM token")
    assert flow.steps[1].credential == "CRM token"
    assert integ.get_credential("Acme/Staging/CRM token").used_by == ["Idle", "Orders"]
    assert integ.get_credential("Acme/Production/CRM token").used_by == []


def test_credential_used_by_active_flow_cannot_be_deleted(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    before = w.store.revision()
    with pytest.raises(RuleViolation) as refused:
        integ.delete_credential("Acme/Staging/CRM token", yes=True)
    assert "Orders" in str(refused.value)
    assert w.store.revision() == before
    w.clock.advance(hours=8)  # Orders auto-stops: the credential is free
    with pytest.raises(ConfirmationRequired):
        integ.delete_credential("Acme/Staging/CRM token")
    integ.delete_credential("Acme/Staging/CRM token", yes=True)
    assert integ.get_flow(ORDERS).steps[2].credential is None
    assert [c.name for c in integ.list_credentials("Acme/Staging")] == ["Spare key"]


def test_credential_secrets_are_masked_in_views(fresh_world):
    cred = fresh_world.as_("integrator").get_credential("Acme/Staging/Spare key")
    assert cred.fields == ["password", "username"]
    assert set(cred.masked) == {"password", "username"}
    assert "pw-spare" not in str(cred.to_json())


# -- copying flows -----------------------------------------------------------------


def test_copy_flow_maps_credentials_by_name_or_choice_and_refuses_without_match(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    # by name: Production has its own "CRM token"
    copy = integ.copy_flow(ORDERS, "Acme/Production")
    assert copy.path == "Acme/Production/Orders" and copy.status == "inactive"
    assert copy.deadline is None and copy.queued_messages == 0
    assert [(s.component, s.credential) for s in copy.steps] == [
        ("webhook", None), ("transform", None), ("http", "CRM token")]
    assert copy.steps[2].settings == {"url": "https://crm.example/orders"}
    assert integ.get_credential("Acme/Production/CRM token").used_by == ["Orders"]
    assert integ.get_credential("Acme/Staging/CRM token").used_by == ["Orders"]  # never crosses
    # without a match the copy is refused, naming the step
    wowner = w.as_("workspace_owner")
    wowner.create_workspace("Acme/Preprod")
    wowner.add_workspace_member("Acme/Preprod", w.emails["integrator"], "integrator")
    before = (w.store.revision(), table_counts(w.store))
    with pytest.raises(InvalidInput) as refused:
        integ.copy_flow(ORDERS, "Acme/Preprod")
    assert "step 3" in str(refused.value)
    integ.add_credential("Acme/Preprod/Hook token", "http", {"token": "t"})
    before = (w.store.revision(), table_counts(w.store))
    with pytest.raises(InvalidInput):
        integ.copy_flow(ORDERS, "Acme/Preprod")
    with pytest.raises(InvalidInput):  # a choice that names nothing there is no match
        integ.copy_flow(ORDERS, "Acme/Preprod", {"CRM token": "Nothing here"})
    assert (w.store.revision(), table_counts(w.store)) == before
    # chosen by the person
    copy = integ.copy_flow(ORDERS, "Acme/Preprod", {"CRM token": "hook TOKEN"})
    assert copy.steps[2].credential == "Hook token" and copy.status == "inactive"
    (event,) = integ.list_events("Acme/Preprod/Orders", kinds=["flow.copied"])
    assert event.detail["from"] == ORDERS


def test_copy_flow_stays_within_its_contract_and_needs_integrator_in_both(fresh_world):
    w = fresh_world
    integ = w.as_("integrator")
    with pytest.raises((InvalidInput, NotFound)):
        w.as_("outsider").copy_flow("Globex/Lab/Nothing", "Acme/Staging")
    w.as_("workspace_owner").set_workspace_member_role("Acme/Production", w.emails["integrator"], "guest")
    with pytest.raises(PermissionDenied):
        integ.copy_flow(ORDERS, "Acme/Production")
    w.as_("workspace_owner").set_workspace_member_role("Acme/Production", w.emails["integrator"], "admin")
    w.as_("workspace_owner").set_workspace_member_role("Acme/Staging", w.emails["integrator"], "guest")
    with pytest.raises(PermissionDenied):
        integ.copy_flow(ORDERS, "Acme/Production")
    # across contracts: someone who is a member of both still cannot
    w.as_("contract_owner").invite_member("Acme", w.emails["outsider"], "member")
    w.as_("workspace_owner").add_workspace_member("Acme/Staging", w.emails["outsider"], "integrator")
    with pytest.raises(InvalidInput):
        w.as_("outsider").copy_flow(ORDERS, "Globex/Lab")
