"""DESIGN section 3: who may do what, cell by cell of the grid in tests/role_grid.py.

Each cell runs on a fresh copy of the world (tests/flowdeck_world.py), as
the user who holds exactly that role (the grid's docstring names them).
"""

from __future__ import annotations

import inspect

import pytest
from flowdeck_world import EMAILS, SECRET
from role_grid import COLUMNS, EXPECTED
from store_checks import table_counts

from store.errors import NotFound, PermissionDenied
from store.services import Flowdeck

ORDERS = "Acme/Staging/Orders"
IDLE = "Acme/Staging/Idle"
E = EMAILS

def _suspend_acme(w):
    w.as_("support").suspend_contract("Acme")


#: action -> (what it does, as the caller, on the world; a word its refusal must name)
ACTIONS = {
    "create_contract": (lambda fd, w: fd.create_contract("Initech"), "contract"),
    "list_contracts": (lambda fd, w: fd.list_contracts(), None),
    "get_contract": (lambda fd, w: fd.get_contract("Acme"), None),
    "list_members": (lambda fd, w: fd.list_members("Acme"), None),
    "rename_contract": (lambda fd, w: fd.rename_contract("Acme", "Acme Corp"), "rename"),
    "invite_member": (lambda fd, w: fd.invite_member("Acme", E["newcomer"], "member"), "members"),
    "set_member_role": (lambda fd, w: fd.set_member_role("Acme", E["contract_member"], "admin"),
                        "members"),
    "remove_member": (lambda fd, w: fd.remove_member("Acme", E["contract_member"]), "members"),
    "list_workspaces": (lambda fd, w: fd.list_workspaces("Acme"), None),
    "create_workspace": (lambda fd, w: fd.create_workspace("Acme/Research"), "create"),
    "delete_workspace": (lambda fd, w: fd.delete_workspace("Acme/Staging", yes=True), "delete"),
    "deletion_plan": (lambda fd, w: fd.workspace_deletion_plan("Acme/Staging"), "delete"),
    "get_workspace": (lambda fd, w: fd.get_workspace("Acme/Staging"), None),
    "workspace_events": (lambda fd, w: fd.list_events("Acme/Staging"), None),
    "list_workspace_members": (lambda fd, w: fd.list_workspace_members("Acme/Staging"), None),
    "rename_workspace": (lambda fd, w: fd.rename_workspace("Acme/Staging", "Sandbox"), "rename"),
    "add_workspace_member": (
        lambda fd, w: fd.add_workspace_member("Acme/Staging", E["contract_member"], "guest"), "members"),
    "set_workspace_member_role": (
        lambda fd, w: fd.set_workspace_member_role("Acme/Staging", E["guest"], "integrator"), "members"),
    "remove_workspace_member": (
        lambda fd, w: fd.remove_workspace_member("Acme/Staging", E["guest"]), "members"),
    "request_full": (lambda fd, w: fd.request_full("Acme/Staging", "going live"), "convert"),
    "workspace_requests": (lambda fd, w: fd.list_requests(workspace="Acme/Production"), None),
    "list_flows": (lambda fd, w: fd.list_flows("Acme/Staging"), None),
    "count_flows": (lambda fd, w: fd.count_flows("Acme/Staging"), None),
    "flow_page": (lambda fd, w: fd.flow_page("Acme/Staging"), None),
    "get_flow": (lambda fd, w: fd.get_flow(ORDERS), None),
    "flow_events": (lambda fd, w: fd.list_events(ORDERS), None),
    "create_flow": (lambda fd, w: fd.create_flow("Acme/Staging/Invoices"), "edit flows"),
    "set_step": (lambda fd, w: fd.set_step(ORDERS, 2, "expression", "$.order"), "edit flows"),
    "set_step_credential": (lambda fd, w: fd.set_step_credential(IDLE, 2, "CRM token"), "edit flows"),
    "start_flow": (lambda fd, w: fd.start_flow(IDLE), "start"),
    "stop_flow": (lambda fd, w: fd.stop_flow(ORDERS), "stop"),
    "restart_flow": (lambda fd, w: fd.restart_flow(ORDERS), "start"),
    "run_flows": (lambda fd, w: fd.run_flows("restart", [ORDERS, IDLE]), "start"),
    "plan_flows": (lambda fd, w: fd.plan_flows("restart", [ORDERS, IDLE]), "start"),
    "time_left_page": (lambda fd, w: fd.time_left_page(within="8h"), None),
    "set_flow_type": (lambda fd, w: fd.set_flow_type(IDLE, "realtime"), "realtime"),
    "rotate_webhook": (lambda fd, w: fd.rotate_webhook(ORDERS), "edit flows"),
    "copy_flow": (lambda fd, w: fd.copy_flow(ORDERS, "Acme/Production"), "copy"),
    "send_messages": (lambda fd, w: fd.send_messages(ORDERS, count=2), "messages"),
    "list_executions": (lambda fd, w: fd.list_executions(ORDERS), None),
    "list_failed": (lambda fd, w: fd.list_failed(ORDERS), None),
    "flow_throughput": (lambda fd, w: fd.flow_throughput(ORDERS), None),
    "throughput_rates": (lambda fd, w: fd.throughput_rates("Acme/Staging"), None),
    "retry_failed": (lambda fd, w: fd.retry_failed(ORDERS), "failed"),
    "add_step": (lambda fd, w: fd.add_step(ORDERS, "log"), "edit flows"),
    "remove_step": (lambda fd, w: fd.remove_step(ORDERS, 2), "edit flows"),
    "move_step": (lambda fd, w: fd.move_step(ORDERS, 3, 2), "edit flows"),
    "rollback_flow": (lambda fd, w: fd.rollback_flow(ORDERS, 1), "edit flows"),
    "flow_history": (lambda fd, w: fd.flow_history(ORDERS), None),
    "diff_flows": (lambda fd, w: fd.diff_flows(ORDERS, revision=1), None),
    "promotion_marks": (lambda fd, w: fd.promotion_marks("Acme/Staging", [1, 2]), None),
    "plan_promotion": (lambda fd, w: fd.plan_promotion(ORDERS, "Acme/Production"), "promote"),
    "promote_flow": (lambda fd, w: fd.promote_flow(ORDERS, "Acme/Production"), "promote"),
    "discard_failed": (lambda fd, w: fd.discard_failed(ORDERS), "failed"),
    "list_credentials": (lambda fd, w: fd.list_credentials("Acme/Staging"), None),
    "get_credential": (lambda fd, w: fd.get_credential("Acme/Staging/CRM token"), None),
    "add_credential": (
        lambda fd, w: fd.add_credential("Acme/Staging/Billing", "http", {"token": "b"}), "credentials"),
    "update_credential": (
        lambda fd, w: fd.update_credential("Acme/Staging/CRM token", {"token": "new"}), "credentials"),
    "delete_credential": (lambda fd, w: fd.delete_credential("Acme/Staging/Spare key", yes=True),
                          "credentials"),
    "reveal_credential": (lambda fd, w: fd.reveal_credential("Acme/Staging/CRM token"), "secret"),
    "convert_workspace": (lambda fd, w: fd.convert_workspace("Acme/Staging", "full"), "support"),
    "all_requests": (lambda fd, w: fd.list_requests(), "support"),
    "approve_request": (lambda fd, w: fd.approve_request(w.request_id), "support"),
    "decline_request": (lambda fd, w: fd.decline_request(w.request_id, "not yet"), "support"),
    "suspend_contract": (lambda fd, w: fd.suspend_contract("Acme"), "support"),
    "resume_contract": (lambda fd, w: fd.resume_contract("Acme"), "support"),
    "add_user": (lambda fd, w: fd.add_user("newbie@acme.example", "Newbie"), "support"),
}

def _park_a_message(w) -> None:
    """One of Orders' queued messages ran out of retries (as the runtime would leave it)."""
    from sqlalchemy import text

    with w.store.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET failed = true, attempts = 3, error = 'HTTP 500' "
                          "WHERE id = (SELECT min(m.id) FROM messages m JOIN flows f "
                          "ON f.id = m.flow_id WHERE f.name = 'Orders')"))


#: what must be so before an action can be tried (not part of the action)
SETUP = {"resume_contract": _suspend_acme, "retry_failed": _park_a_message,
         "discard_failed": _park_a_message}

#: the actions that change the store (the rest only read)
WRITES = {
    "create_contract", "rename_contract", "invite_member", "set_member_role", "remove_member",
    "create_workspace", "delete_workspace", "rename_workspace", "add_workspace_member",
    "set_workspace_member_role", "remove_workspace_member", "request_full", "create_flow",
    "set_step", "set_step_credential", "start_flow", "stop_flow", "restart_flow", "run_flows",
    "set_flow_type",
    "copy_flow", "send_messages", "add_credential", "update_credential", "delete_credential",
    "reveal_credential", "convert_workspace", "approve_request", "decline_request",
    "suspend_contract", "resume_contract", "add_user", "retry_failed", "discard_failed",
    "add_step", "remove_step", "move_step", "rollback_flow", "promote_flow", "rotate_webhook",
}




def test_the_grid_covers_every_action_once():
    assert {a for a, _ in EXPECTED} == set(ACTIONS)
    assert len(EXPECTED) == len(ACTIONS) * len(COLUMNS)
    assert set(ACTIONS) >= WRITES


@pytest.mark.parametrize(("action", "role"), list(EXPECTED), ids=[f"{a}-{r}" for a, r in EXPECTED])
def test_permission_matrix(fresh_world, action, role):
    w = fresh_world
    run, needs = ACTIONS[action]
    expected = EXPECTED[(action, role)]
    fd = w.as_(role)
    if action in SETUP:
        SETUP[action](w)
    before = w.store.revision()
    if expected == "ok":
        result = run(fd, w)
        if action in WRITES:
            assert w.store.revision() > before, "an allowed change left no trace"
        else:
            assert w.store.revision() == before, "a read changed the store"
        if action == "reveal_credential":
            assert result == {"token": SECRET}
        return
    error = PermissionDenied if expected == "PD" else NotFound
    with pytest.raises((PermissionDenied, NotFound)) as refused:
        run(fd, w)
    assert type(refused.value) is error, f"{role} {action}: {refused.value!r}"
    assert w.store.revision() == before, "a refusal left a trace"
    if expected == "PD":
        # a refusal names the missing permission, and means exit code 3
        assert refused.value.exit_code == 3
        assert needs.lower() in str(refused.value).lower(), str(refused.value)


# -- what each role sees -------------------------------------------------------------


def test_visible_contracts_and_workspaces_follow_the_roles(fresh_world):
    w = fresh_world
    seen = {role: sorted(c.name for c in w.as_(role).list_contracts()) for role in COLUMNS}
    assert seen == {
        "contract_owner": ["Acme"], "contract_admin": ["Acme"], "contract_member": ["Acme"],
        "workspace_owner": ["Acme"], "workspace_admin": ["Acme"], "integrator": ["Acme"],
        "guest": ["Acme"], "support": ["Acme", "Globex"], "outsider": ["Globex"],
    }
    spaces = {role: sorted(v.path for v in w.as_(role).list_workspaces()) for role in COLUMNS}
    both = ["Acme/Production", "Acme/Staging"]
    assert spaces == {
        "contract_owner": both, "contract_admin": both, "contract_member": [],
        "workspace_owner": both, "workspace_admin": both, "integrator": both, "guest": both,
        "support": [*both, "Globex/Lab"], "outsider": ["Globex/Lab"],
    }
    flows = {role: sorted(f.path for f in w.as_(role).list_flows()) for role in COLUMNS}
    staging = ["Acme/Staging/Idle", ORDERS]
    for role in COLUMNS:
        assert flows[role] == ([] if role in ("contract_member", "outsider") else staging), role


def test_roles_in_views_are_the_callers(fresh_world):
    w = fresh_world
    view = w.as_("contract_admin").get_workspace("Acme/Staging")
    assert (view.contract_role, view.role) == ("admin", None)
    view = w.as_("guest").get_workspace("Acme/Staging")
    assert (view.contract_role, view.role) == ("member", "guest")
    assert w.as_("support").get_contract("Acme").role is None
    assert w.as_("integrator").get_flow(ORDERS).role == "integrator"


def test_contract_admin_who_is_guest_in_a_workspace_browses_but_cannot_change(fresh_world):
    w = fresh_world
    w.as_("workspace_owner").add_workspace_member("Acme/Staging", E["contract_admin"], "guest")
    admin = w.as_("contract_admin")
    assert admin.get_flow(ORDERS).status == "active"
    for change in (lambda: admin.stop_flow(ORDERS), lambda: admin.create_flow("Acme/Staging/Mine"),
                   lambda: admin.reveal_credential("Acme/Staging/CRM token"),
                   lambda: admin.rename_workspace("Acme/Staging", "Mine")):
        with pytest.raises(PermissionDenied):
            change()
    # ...while the contract role still lets it create and delete workspaces
    admin.create_workspace("Acme/Admin space")
    admin.delete_workspace("Acme/Staging", yes=True)


def test_invisible_things_are_not_found(fresh_world):
    """What a caller may not see answers exactly like what does not exist."""
    w = fresh_world
    orders_id = w.as_("integrator").get_flow(ORDERS).id

    def refusal(fd, call):
        with pytest.raises(NotFound) as refused:
            call(fd)
        return str(refused.value)

    probes = [
        ("Acme", "Nowhere Co", lambda fd, c: fd.get_contract(c)),
        ("Acme", "Nowhere Co", lambda fd, c: fd.list_members(c)),
        ("Acme", "Nowhere Co", lambda fd, c: fd.list_events(c)),
        ("Acme/Staging", "Acme/Nowhere", lambda fd, p: fd.get_workspace(p)),
        ("Acme/Staging", "Acme/Nowhere", lambda fd, p: fd.list_flows(p)),
        ("Acme/Staging", "Acme/Nowhere", lambda fd, p: fd.list_credentials(p)),
        ("Acme/Staging", "Acme/Nowhere", lambda fd, p: fd.list_events(p)),
        ("Acme/Staging", "Acme/Nowhere", lambda fd, p: fd.rename_workspace(p, "Mine now")),
        ("Acme/Staging", "Acme/Nowhere", lambda fd, p: fd.delete_workspace(p, yes=True)),
        (ORDERS, "Acme/Nowhere/Orders", lambda fd, p: fd.get_flow(p)),
        (ORDERS, "Acme/Nowhere/Orders", lambda fd, p: fd.stop_flow(p)),
        (ORDERS, "Acme/Nowhere/Orders", lambda fd, p: fd.send_messages(p)),
        ("Acme/Staging/CRM token", "Acme/Nowhere/CRM token", lambda fd, p: fd.reveal_credential(p)),
        ("Acme/Staging/CRM token", "Acme/Nowhere/CRM token", lambda fd, p: fd.get_credential(p)),
    ]
    for role in ("contract_member", "outsider"):
        fd = w.as_(role)
        for real, missing, call in probes:
            if role == "contract_member" and "/" not in real:
                continue  # a contract member sees the contract itself
            said_real = refusal(fd, lambda f, c=call, p=real: c(f, p))
            said_missing = refusal(fd, lambda f, c=call, p=missing: c(f, p))
            if role == "outsider":  # the outsider is told the contract is not there
                said_missing = refusal(fd, lambda f, c=call, p=real.replace("Acme", "Nowhere Co"): c(f, p))
                assert said_real == said_missing.replace("Nowhere Co", "Acme"), (role, real)
            else:
                assert said_real == said_missing.replace("Nowhere", "Staging"), (role, real)
        # nothing of Acme/Staging shows up in their listings either
        assert fd.flow_views_by_id([orders_id]) == {}
        assert all("Acme/Staging" not in e.path for e in fd.list_events(limit=1000))
        assert all(v.path != "Acme/Staging" for v in fd.list_workspaces())


def test_refusal_names_the_missing_permission(fresh_world):
    w = fresh_world
    cases = [
        (lambda: w.as_("guest").start_flow(IDLE), ["start and stop flows", "integrator", "guest"]),
        (lambda: w.as_("contract_admin").rename_contract("Acme", "Mine"), ["rename the contract", "owner"]),
        (lambda: w.as_("integrator").rename_workspace("Acme/Staging", "Mine"),
         ["rename the workspace", "owner", "admin", "integrator"]),
        (lambda: w.as_("guest").reveal_credential("Acme/Staging/CRM token"), ["secret", "guest"]),
        (lambda: w.as_("contract_owner").convert_workspace("Acme/Staging", "full"), ["support"]),
        (lambda: w.as_("contract_owner", readonly=True).rename_contract("Acme", "Mine"), ["read-only"]),
    ]
    for call, words in cases:
        with pytest.raises(PermissionDenied) as refused:
            call()
        message = str(refused.value)
        assert "\n" not in message and refused.value.line().startswith("permission denied: ")
        for word in words:
            assert word in message, (word, message)


def test_reveal_records_event(fresh_world):
    w = fresh_world
    w.clock.advance(minutes=3)
    assert w.as_("integrator").reveal_credential("Acme/Staging/Spare key") == {
        "username": "svc", "password": "pw-spare"}
    (event,) = w.as_("workspace_owner").list_events("Acme/Staging", kinds=["credential.revealed"])
    assert event.actor == E["integrator"]
    assert event.path == "Acme/Staging/Spare key"
    assert event.at == w.clock.now()
    assert "pw-spare" not in str(event.to_json()) and "svc" not in str(event.detail.values())
    # a refused reveal records nothing
    with pytest.raises(PermissionDenied):
        w.as_("guest").reveal_credential("Acme/Staging/Spare key")
    assert len(w.as_("support").list_events(kinds=["credential.revealed"])) == 1


# -- read-only sessions --------------------------------------------------------------

#: the facade's methods that only read (the rest must change something)
READ_METHODS = {
    "me", "list_users", "has_users", "list_contracts", "get_contract", "list_members",
    "list_workspace_members", "list_workspaces", "get_workspace", "workspace_deletion_plan",
    "list_credentials", "get_credential", "list_flows", "count_flows", "get_flow",
    "flow_views_by_id", "workspaces_for_copy", "list_events", "list_requests", "revision",
    "list_executions", "list_failed", "flow_throughput", "throughput_rates", "flow_page",
    "flow_history", "diff_flows", "plan_promotion", "promotion_marks", "workspaces_for_promotion",
    "plan_flows", "time_left_page", "flow_ids", "step_sample",
    "allowed",
    "sweep",  # enforcement, not a change of the caller's: runs in any session
}


def _allowed_role(action: str) -> str:
    return next(role for role in COLUMNS if EXPECTED[(action, role)] == "ok")


@pytest.mark.parametrize("action", sorted(WRITES))
def test_readonly_session_refuses_every_change(fresh_world, action):
    w = fresh_world
    run, _ = ACTIONS[action]
    fd = w.as_(_allowed_role(action), readonly=True)
    if action in SETUP:
        SETUP[action](w)
    before = (w.store.revision(), table_counts(w.store))
    with pytest.raises(PermissionDenied, match="read-only"):
        run(fd, w)
    assert (w.store.revision(), table_counts(w.store)) == before


def test_every_changing_method_of_the_facade_is_in_the_readonly_test():
    public = {name for name, member in inspect.getmembers(Flowdeck, inspect.isfunction)
              if not name.startswith("_")}
    unknown = public - READ_METHODS - WRITES
    assert not unknown, f"classify these as reads or add them to the read-only test: {unknown}"


def test_deleted_workspace_history_stays_invisible_to_those_who_could_not_see_it(fresh_world):
    w = fresh_world
    w.as_("integrator").reveal_credential("Acme/Staging/CRM token")
    mia = w.as_("contract_member")
    seen_before = {(e.kind, e.path) for e in mia.list_events(limit=1000)}
    assert all("/" not in path for _, path in seen_before)  # contract-level events only
    w.as_("contract_owner").delete_workspace("Acme/Staging", yes=True)
    for events in (mia.list_events(limit=1000), mia.list_events("Acme", limit=1000)):
        assert {(e.kind, e.path) for e in events} == seen_before
    # those who saw every workspace still see what happened to it
    kinds = {e.kind for e in w.as_("contract_admin").list_events("Acme", limit=1000)}
    assert {"workspace.deleted", "credential.revealed", "flow.started"} <= kinds
