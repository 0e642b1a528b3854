"""What the views offer (``allowed`` / ``refused``) is what the services do, cell by cell.

Each line ties an action id of ``store/actions.py`` on one view of the world
to an action of the role grid (tests/role_grid.py): where the grid says
``ok`` the view allows it, where it says ``PD`` the view refuses it with the
very line the service's refusal gives, where it says ``NF`` the view is not
there to ask. A read-only session refuses every change, and a suspended
contract every change but the few the design exempts, with their reasons.
"""

from __future__ import annotations

import pytest
from role_grid import COLUMNS, EXPECTED

from store.errors import FlowdeckError, NotFound

IDLE, ORDERS = "Acme/Staging/Idle", "Acme/Staging/Orders"


def _request(fd):
    return fd.list_requests(workspace="Acme/Production")[0]


#: (view getter, action id, grid action, the service call whose refusal the view must give)
LINES = [
    (lambda fd: fd.me(), "contract.create", "create_contract", lambda fd: fd.create_contract("Initech")),
    (lambda fd: fd.me(), "support.requests", "all_requests", lambda fd: fd.list_requests()),
    (lambda fd: fd.me(), "support.users", "add_user", lambda fd: fd.add_user("x@y.example", "X")),
    (lambda fd: fd.get_contract("Acme"), "contract.rename", "rename_contract",
     lambda fd: fd.rename_contract("Acme", "Acme Corp")),
    (lambda fd: fd.get_contract("Acme"), "contract.members", "invite_member",
     lambda fd: fd.invite_member("Acme", "nina@acme.example", "member")),
    (lambda fd: fd.get_contract("Acme"), "contract.suspend", "suspend_contract",
     lambda fd: fd.suspend_contract("Acme")),
    (lambda fd: fd.get_contract("Acme"), "workspace.create", "create_workspace",
     lambda fd: fd.create_workspace("Acme/Research")),
    (lambda fd: fd.list_members("Acme")[0], "contract.members", "set_member_role",
     lambda fd: fd.set_member_role("Acme", "mia@acme.example", "admin")),
    *[(lambda fd: fd.get_workspace("Acme/Staging"), action, grid, call) for action, grid, call in [
        ("workspace.rename", "rename_workspace", lambda fd: fd.rename_workspace("Acme/Staging", "Box")),
        ("workspace.members", "add_workspace_member",
         lambda fd: fd.add_workspace_member("Acme/Staging", "mia@acme.example", "guest")),
        ("workspace.delete", "delete_workspace", lambda fd: fd.delete_workspace("Acme/Staging", yes=True)),
        ("workspace.convert", "convert_workspace",
         lambda fd: fd.convert_workspace("Acme/Staging", "full")),
        ("workspace.request_full", "request_full", lambda fd: fd.request_full("Acme/Staging", "live")),
        ("credential.create", "add_credential",
         lambda fd: fd.add_credential("Acme/Staging/Billing", "http", {"token": "b"})),
        ("credential.edit", "update_credential",
         lambda fd: fd.update_credential("Acme/Staging/CRM token", {"token": "n"})),
        ("credential.reveal", "reveal_credential",
         lambda fd: fd.reveal_credential("Acme/Staging/CRM token")),
        ("flow.create", "create_flow", lambda fd: fd.create_flow("Acme/Staging/Invoices")),
        ("flow.start", "start_flow", lambda fd: fd.start_flow(IDLE)),
        ("flow.stop", "stop_flow", lambda fd: fd.stop_flow(ORDERS)),
        ("flow.send", "send_messages", lambda fd: fd.send_messages(ORDERS)),
        ("flow.type", "set_flow_type", lambda fd: fd.set_flow_type(IDLE, "realtime")),
        ("flow.copy", "copy_flow", lambda fd: fd.copy_flow(ORDERS, "Acme/Production")),
        ("failed.handle", "retry_failed", None),
    ]],
    (lambda fd: fd.list_workspace_members("Acme/Staging")[0], "workspace.members",
     "remove_workspace_member", lambda fd: fd.remove_workspace_member("Acme/Staging", "gus@acme.example")),
    (lambda fd: fd.get_credential("Acme/Staging/Spare key"), "credential.edit", "delete_credential",
     lambda fd: fd.delete_credential("Acme/Staging/Spare key", yes=True)),
    (lambda fd: fd.get_flow(IDLE), "flow.start", "start_flow", lambda fd: fd.start_flow(IDLE)),
    (lambda fd: fd.get_flow(IDLE), "flow.type", "set_flow_type",
     lambda fd: fd.set_flow_type(IDLE, "realtime")),
    (lambda fd: fd.get_flow(ORDERS), "flow.stop", "stop_flow", lambda fd: fd.stop_flow(ORDERS)),
    (lambda fd: fd.get_flow(ORDERS), "flow.restart", "restart_flow", lambda fd: fd.restart_flow(ORDERS)),
    (lambda fd: fd.get_flow(ORDERS), "flow.send", "send_messages", lambda fd: fd.send_messages(ORDERS)),
    (lambda fd: fd.get_flow(ORDERS), "flow.copy", "copy_flow",
     lambda fd: fd.copy_flow(ORDERS, "Acme/Production")),
    (lambda fd: fd.get_flow(ORDERS), "flow.edit", "create_flow", None),
    (lambda fd: fd.get_flow(ORDERS).steps[2], "step.settings", "set_step",
     lambda fd: fd.set_step(ORDERS, 3, "method", "PUT")),
    (lambda fd: fd.get_flow(ORDERS).steps[2], "step.credential", "set_step_credential",
     lambda fd: fd.set_step_credential(ORDERS, 3, "Spare key")),
    (_request, "request.decide", "approve_request", lambda fd: fd.approve_request(_request(fd).id)),
]

#: changes a suspended contract still allows (DESIGN section 3: support's, a reveal, a new contract)
SUSPENSION_FREE = {"create_contract", "reveal_credential", "suspend_contract", "add_user"}
READS = {"all_requests"}


def _view(get, fd):
    try:
        return get(fd)
    except NotFound:
        return None


def _refusal(call, fd) -> str:
    with pytest.raises(FlowdeckError) as refused:
        call(fd)
    return refused.value.line()


def _check(w, role: str, *, readonly: bool = False, suspended: bool = False) -> None:
    fd = w.as_(role, readonly=readonly)
    for get, action, grid, call in LINES:
        expected = EXPECTED[(grid, role)]
        view = _view(get, fd)
        where = f"{role} {action} ({grid})"
        if expected == "NF" or view is None:
            assert view is None or grid in ("all_requests", "add_user"), where
            continue
        if readonly and grid not in READS:
            assert not view.may(action), where
            assert "read-only" in view.refused[action], where
        elif expected == "PD":
            assert not view.may(action), where
            assert view.refused[action].startswith("permission denied: "), where
        elif suspended and grid not in SUSPENSION_FREE | READS:
            assert not view.may(action), where
            assert "is suspended" in view.refused[action], where
        else:
            assert view.may(action), f"{where}: {view.refused.get(action)}"
            continue
        if call is not None:  # the view's reason is the service's refusal, word for word
            assert _refusal(call, fd) == view.refused[action], where


@pytest.mark.parametrize("role", COLUMNS)
def test_views_offer_what_the_grid_allows(fresh_world, role):
    _check(fresh_world, role)


@pytest.mark.parametrize("role", COLUMNS)
def test_a_readonly_session_is_offered_no_change(fresh_world, role):
    _check(fresh_world, role, readonly=True)


@pytest.mark.parametrize("role", COLUMNS)
def test_a_suspended_contract_is_offered_no_change(fresh_world, role):
    fresh_world.as_("support").suspend_contract("Acme")
    _check(fresh_world, role, suspended=True)


def test_the_state_of_a_flow_is_part_of_the_offer(fresh_world):
    fd = fresh_world.as_("integrator")
    orders, idle = fd.get_flow(ORDERS), fd.get_flow(IDLE)
    assert not orders.may("flow.start") and not orders.may("flow.type")
    assert orders.refused["flow.start"] == _refusal(lambda f: f.start_flow(ORDERS), fd)
    assert orders.refused["flow.type"] == _refusal(lambda f: f.set_flow_type(ORDERS, "realtime"), fd)
    assert not idle.may("flow.stop") and not idle.may("flow.send")
    assert idle.refused["flow.stop"] == _refusal(lambda f: f.stop_flow(IDLE), fd)
    assert idle.may("flow.restart")  # a flow at rest restarts by starting
    # a workspace judges its flows by the role alone, whatever their state
    assert {"flow.start", "flow.stop", "flow.type"} <= fd.get_workspace("Acme/Staging").allowed
    webhook = orders.steps[0]
    assert not webhook.may("step.settings") and not webhook.may("step.credential")
    assert "takes no credential" in webhook.refused["step.credential"]
    # the request's state: once decided, there is nothing left to decide
    support = fresh_world.as_("support")
    req = _request(support)
    support.approve_request(req.id)
    done = _request(support)
    assert done.refused["request.decide"] == _refusal(lambda f: f.decline_request(req.id), support)
    assert not support.get_workspace("Acme/Production").may("workspace.request_full")


def test_the_permissions_entry_answers_for_a_path_and_checks(fresh_world):
    guest = fresh_world.as_("guest")
    assert guest.allowed() == guest.me().offer
    assert guest.allowed("Acme/Staging") == guest.get_workspace("Acme/Staging").offer
    offer = guest.allowed(IDLE)
    assert not offer.may("flow.start")
    with pytest.raises(FlowdeckError) as refused:
        offer.check("flow.start")
    assert refused.value.line() == offer.why("flow.start") == _refusal(lambda f: f.start_flow(IDLE), guest)
    with pytest.raises(NotFound):
        fresh_world.as_("outsider").allowed("Acme/Staging")
    assert fresh_world.as_("integrator").allowed(IDLE).may("flow.start")
