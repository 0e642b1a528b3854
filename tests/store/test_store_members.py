"""DESIGN sections 1 and 2a: users and callers, contracts and their members, workspaces and
who sees them.
"""

from __future__ import annotations

import pytest
from flowdeck_world import T0

from store.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RuleViolation


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
