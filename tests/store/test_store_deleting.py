"""DESIGN section 2a: deleting a workspace (the confirmation it needs, what goes, what stays)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from store_checks import count

from store.errors import ConfirmationRequired, NotFound
from store.models import Credential, Event, Flow, FlowStep, Message, Workspace, WorkspaceMember


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
