"""DESIGN sections 1 and 2a: names, members, credentials, copying, deleting, suspending
and support requests.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flowdeck_world import T0
from sqlalchemy import select
from store_checks import count, table_counts

from store.errors import (
    ConfirmationRequired,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RuleViolation,
)
from store.models import Credential, Event, Flow, FlowStep, Message, Workspace, WorkspaceMember

ORDERS = "Acme/Staging/Orders"
IDLE = "Acme/Staging/Idle"


# -- names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "abc", "A" * 40, "Orders 2", "eu-west_1", "Zürich Süd", "東京工場", "Ελλάδα", "Москва-2",
    "٣٤٥ مصنع", "a b", "_-_",
])
def test_names_of_3_to_40_letters_digits_spaces_dash_underscore_are_accepted(fresh_world, name):
    integ = fresh_world.as_("integrator")
    assert integ.create_flow(f"Acme/Staging/{name}").name == name
    assert integ.add_credential(f"Acme/Staging/{name}", "http", {"token": "t"}).name == name
    assert fresh_world.as_("workspace_owner").create_workspace(f"Acme/{name}").name == name
    assert fresh_world.as_("outsider").create_contract(name).name == name


@pytest.mark.parametrize("name", [
    "ab", "A" * 41, "", " abc", "abc ", "a/b c", "abc!", "abc.", "a\tbc", "ab\nc", "ab\x00c",
    "a,b,c", "abc€", "abc🙂", "a\u00a0bc", "a'bc", "ab:c",
])
def test_names_breaking_the_rule_are_refused_and_nothing_is_written(fresh_world, name):
    w = fresh_world
    before = (w.store.revision(), table_counts(w.store))
    attempts = [
        lambda: w.as_("integrator").create_flow(f"Acme/Staging/{name}"),
        lambda: w.as_("integrator").add_credential(f"Acme/Staging/{name}", "http", {"token": "t"}),
        lambda: w.as_("workspace_owner").create_workspace(f"Acme/{name}"),
        lambda: w.as_("workspace_owner").rename_workspace("Acme/Staging", name),
        lambda: w.as_("outsider").create_contract(name),
        lambda: w.as_("contract_owner").rename_contract("Acme", name),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput):
            attempt()
    assert (w.store.revision(), table_counts(w.store)) == before


def test_names_unique_ignoring_case_case_kept(fresh_world):
    w = fresh_world
    integ, wowner = w.as_("integrator"), w.as_("workspace_owner")
    flow = integ.create_flow("Acme/Staging/Invoices EU")
    assert flow.name == "Invoices EU" and flow.path == "Acme/Staging/Invoices EU"
    assert integ.get_flow("acme/STAGING/invoices eu").name == "Invoices EU"
    clashes = [
        lambda: integ.create_flow("Acme/Staging/INVOICES eu"),
        lambda: integ.create_flow("Acme/Staging/orders"),
        lambda: integ.add_credential("Acme/Staging/crm TOKEN", "http", {"token": "t"}),
        lambda: wowner.create_workspace("Acme/STAGING"),
        lambda: wowner.rename_workspace("Acme/Production", "staging"),
        lambda: w.as_("outsider").create_contract("ACME"),
        lambda: w.as_("outsider").rename_contract("Globex", "acme"),
    ]
    for clash in clashes:
        with pytest.raises(Conflict):
            clash()
    # siblings only: the same names are free elsewhere
    assert integ.create_flow("Acme/Production/Orders").name == "Orders"
    assert integ.add_credential("Acme/Production/Spare KEY", "http", {"token": "t"}).name == "Spare KEY"
    assert w.as_("outsider").create_workspace("Globex/Staging").name == "Staging"
    # renaming to another case of its own name keeps the new case
    assert wowner.rename_workspace("Acme/Staging", "STAGING").name == "STAGING"
    assert w.as_("contract_owner").rename_contract("Acme", "ACME").name == "ACME"
    assert [c.name for c in w.as_("contract_owner").list_contracts()] == ["ACME"]


def test_emails_are_unique_and_lower_cased(fresh_world):
    support = fresh_world.as_("support")
    assert support.add_user("Zoe.Q@Example.COM", "Zoe").email == "zoe.q@example.com"
    with pytest.raises(Conflict):
        support.add_user("zoe.q@example.com", "Zoe again")
    assert fresh_world.as_("support").add_user("new@x.example", "N").support is False
    with pytest.raises(InvalidInput):
        support.add_user("not an email", "X")


def test_the_first_user_of_a_store_is_support_staff_and_needs_no_caller(store):
    from store.services import Flowdeck

    first = Flowdeck(store, None).add_user("root@example.com", "Root")
    assert first.support is True
    with pytest.raises(PermissionDenied):
        Flowdeck(store, None).add_user("second@example.com", "Second")


def test_an_unregistered_caller_is_refused(fresh_world):
    from store.services import Flowdeck

    with pytest.raises(NotFound):
        Flowdeck(fresh_world.store, "ghost@nowhere.example").create_contract("Ghost Co")


# -- contracts and members ---------------------------------------------------------


def test_any_registered_user_creates_a_contract_and_becomes_its_owner(fresh_world):
    w = fresh_world
    for role in ("support", "guest", "outsider"):
        view = w.as_(role).create_contract(f"Co of {role}")
        assert view.role == "owner"
        assert [m.role for m in w.as_(role).list_members(view.name)] == ["owner"]


def test_contract_keeps_at_least_one_owner(fresh_world):
    w = fresh_world
    owner = w.as_("contract_owner")
    me = w.emails["contract_owner"]
    before = w.store.revision()
    with pytest.raises(RuleViolation):
        owner.set_member_role("Acme", me, "admin")
    with pytest.raises(RuleViolation):
        owner.remove_member("Acme", me)
    assert w.store.revision() == before
    # with a second owner, the first may step down, and the second is then the last
    owner.set_member_role("Acme", w.emails["contract_admin"], "owner")
    owner.set_member_role("Acme", me, "member")
    second = w.as_("contract_admin")
    with pytest.raises(RuleViolation):
        second.remove_member("Acme", w.emails["contract_admin"])
    second.remove_member("Acme", me)
    roles = {m.email: m.role for m in second.list_members("Acme")}
    assert list(roles.values()).count("owner") == 1 and me not in roles


def test_workspace_member_must_be_contract_member(fresh_world):
    w = fresh_world
    wowner = w.as_("workspace_owner")
    with pytest.raises(RuleViolation):
        wowner.add_workspace_member("Acme/Staging", w.emails["newcomer"], "guest")
    with pytest.raises(RuleViolation):
        wowner.add_workspace_member("Acme/Staging", w.emails["outsider"], "integrator")
    w.as_("contract_owner").invite_member("Acme", w.emails["newcomer"], "member")
    assert wowner.add_workspace_member("Acme/Staging", w.emails["newcomer"], "guest").role == "guest"


def test_removing_a_contract_member_removes_their_workspace_roles(fresh_world):
    w = fresh_world
    w.as_("contract_owner").remove_member("Acme", w.emails["integrator"])
    members = {m.email for m in w.as_("workspace_owner").list_workspace_members("Acme/Staging")}
    assert w.emails["integrator"] not in members
    with pytest.raises(NotFound):
        w.as_("integrator").get_workspace("Acme/Staging")


def test_the_creator_of_a_workspace_becomes_its_owner_and_it_is_limited(fresh_world):
    w = fresh_world
    view = w.as_("contract_member").create_workspace("Acme/Research")
    assert (view.kind, view.role, view.created_by) == ("limited", "owner", w.emails["contract_member"])
    assert view.created_at == T0


def test_new_workspaces_are_limited(fresh_world):
    for role in ("contract_owner", "contract_admin", "contract_member"):
        view = fresh_world.as_(role).create_workspace(f"Acme/New by {role.split('_')[1]}")
        assert view.kind == "limited"


def test_contract_member_sees_only_its_workspaces_owner_and_admin_see_all(fresh_world):
    w = fresh_world
    assert [v.name for v in w.as_("contract_member").list_workspaces("Acme")] == []
    w.as_("contract_member").create_workspace("Acme/Mine")
    assert [v.name for v in w.as_("contract_member").list_workspaces("Acme")] == ["Mine"]
    for role in ("contract_owner", "contract_admin", "support"):
        assert [v.name for v in w.as_(role).list_workspaces("Acme")] == ["Mine", "Production", "Staging"]
    assert [v.name for v in w.as_("guest").list_workspaces("Acme")] == ["Production", "Staging"]


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


# -- deleting workspaces -----------------------------------------------------------


def _workspace_rows(w, ws_id):
    flows = w.store.run(lambda s: list(s.scalars(select(Flow.id).where(Flow.workspace_id == ws_id))),
                        write=False)
    return {
        "flows": len(flows),
        "steps": count(w.store, FlowStep, FlowStep.flow_id.in_(flows)) if flows else 0,
        "messages": count(w.store, Message, Message.flow_id.in_(flows)) if flows else 0,
        "credentials": count(w.store, Credential, Credential.workspace_id == ws_id),
        "log": count(w.store, Event, Event.workspace_id == ws_id, Event.category == "log"),
        "members": count(w.store, WorkspaceMember, WorkspaceMember.workspace_id == ws_id),
    }


def test_delete_limited_workspace_needs_a_confirmation_that_names_what_goes(fresh_world):
    w = fresh_world
    owner = w.as_("contract_owner")
    ws_id = owner.get_workspace("Acme/Staging").id
    assert _workspace_rows(w, ws_id) == {"flows": 2, "steps": 5, "messages": 3, "credentials": 2,
                                         "log": 1, "members": 4}
    before = w.store.revision()
    with pytest.raises(ConfirmationRequired) as asked:
        owner.delete_workspace("Acme/Staging")
    plan = asked.value.plan
    assert (plan.flows, plan.active_flows, plan.credentials, plan.queued_messages) == (2, 1, 2, 3)
    assert "2 flows" in str(asked.value) and "3 queued messages" in str(asked.value)
    assert w.store.revision() == before
    owner.delete_workspace("Acme/Staging", yes=True)
    assert set(_workspace_rows(w, ws_id).values()) == {0}
    assert count(w.store, Workspace, Workspace.id == ws_id) == 0
    with pytest.raises(NotFound):
        owner.get_workspace("Acme/Staging")
    (gone,) = owner.list_events("Acme", kinds=["workspace.deleted"])
    assert gone.detail["lost_messages"] == 3 and gone.actor == w.emails["contract_owner"]


def test_delete_full_workspace_needs_its_name(fresh_world):
    w = fresh_world
    w.as_("support").convert_workspace("Acme/Staging", "full")
    wowner = w.as_("workspace_owner")
    ws_id = wowner.get_workspace("Acme/Staging").id
    before = w.store.revision()
    with pytest.raises(ConfirmationRequired) as asked:
        wowner.delete_workspace("Acme/Staging", yes=True)
    assert asked.value.expected == "Staging"
    with pytest.raises(ConfirmationRequired):
        wowner.delete_workspace("Acme/Staging", yes=True, confirm="Production")
    assert w.store.revision() == before
    assert _workspace_rows(w, ws_id)["flows"] == 2
    wowner.delete_workspace("Acme/Staging", confirm="Staging")
    assert set(_workspace_rows(w, ws_id).values()) == {0}


def test_deleting_a_workspace_keeps_other_workspaces_and_the_audit_trail(fresh_world):
    w = fresh_world
    audit = count(w.store, Event, Event.category == "audit")
    w.as_("contract_admin").delete_workspace("Acme/Staging", yes=True)
    assert count(w.store, Event, Event.category == "audit") == audit + 1
    assert w.as_("integrator").get_credential("Acme/Production/CRM token").name == "CRM token"


# -- suspended contracts -----------------------------------------------------------


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


# -- support requests --------------------------------------------------------------


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
