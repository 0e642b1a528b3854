"""DESIGN section 2b in the store: revisions, step edits, diff, promotion, rollback.

The world's ``Acme/Staging/Orders`` is webhook → transform → http (``CRM token``),
active with three queued messages; ``Acme/Production`` has its own ``CRM token``.
"""

from __future__ import annotations

import json

import pytest
from flowdeck_world import SECRET, T0
from store_checks import table_counts

from store.errors import Conflict, InvalidInput, NotFound
from store.flowdiff import Difference, diff

ORDERS = "Acme/Staging/Orders"
PROD = "Acme/Production/Orders"


def _rows(rows: list[Difference]) -> list[tuple]:
    return [(d.step, d.change, d.field, d.before, d.after) for d in rows]


def test_every_change_is_a_numbered_revision_with_time_author_and_change(world):
    integ = world.as_("integrator")
    assert integ.get_flow(ORDERS).revision == 2  # created, then its url set
    world.clock.advance(seconds=60)
    integ.add_step(ORDERS, "log")
    integ.add_step(ORDERS, ("http", "Spare key"), at=3)
    integ.move_step(ORDERS, 5, 2)
    integ.remove_step(ORDERS, 3)
    integ.set_step(ORDERS, 3, "method", "put")
    history = integ.flow_history(ORDERS)
    assert [r.revision for r in history] == [7, 6, 5, 4, 3, 2, 1]
    assert [r.change for r in history] == [
        'step 3 (http): method = "PUT"', 'removed step 3 (transform)', "moved step 5 (log) to 2",
        "added step 3 (http, credential 'Spare key')", "added step 4 (log)",
        'step 3 (http): url = "https://crm.example/orders"', "created"]
    assert {r.by for r in history} == {world.emails["integrator"]}
    assert history[0].at == T0.replace(minute=1) and history[-1].at == T0
    flow = integ.get_flow(ORDERS)
    assert flow.revision == 7
    assert [(s.component, s.credential) for s in flow.steps] == [
        ("webhook", None), ("log", None), ("http", "Spare key"), ("http", "CRM token")]
    # the flow kept running, with its queue, start time and deadline
    assert (flow.status, flow.queued_messages, flow.queued_on_older_revisions) == ("active", 3, 3)
    assert flow.started_at == T0 and flow.deadline is not None
    kinds = [e.kind for e in integ.list_events(ORDERS, kinds=["flow.changed"])]
    assert len(kinds) == 6
    (last, *_) = integ.list_events(ORDERS, kinds=["flow.changed"])
    assert last.detail["revision"] == 7 and last.detail["change"] == 'step 3 (http): method = "PUT"'


@pytest.mark.parametrize(("edit", "words"), [
    (lambda fd: fd.remove_step(ORDERS, 1), "only trigger: it cannot be removed"),
    (lambda fd: fd.move_step(ORDERS, 1, 3), "only trigger: it stays first"),
    (lambda fd: fd.move_step(ORDERS, 3, 1), "only trigger: no action moves onto it"),
    (lambda fd: fd.add_step(ORDERS, "timer"), "timer is a trigger"),
    (lambda fd: fd.add_step(ORDERS, "webhook", at=2), "webhook is a trigger"),
    (lambda fd: fd.add_step(ORDERS, "log", at=1), "add the step at 2 or later"),
    (lambda fd: fd.add_step(ORDERS, "log", at=9), "goes at 2 to 4"),
    (lambda fd: fd.add_step(ORDERS, "transform:CRM token"), "takes no credential"),
    (lambda fd: fd.add_step(ORDERS, "http:Nope"), "no credential 'Nope'"),
    (lambda fd: fd.add_step(ORDERS, "smtp"), "smtp"),
    (lambda fd: fd.remove_step(ORDERS, 7), "has no step 7"),
    (lambda fd: fd.move_step(ORDERS, 2, 2), "already at 2"),
    (lambda fd: fd.rollback_flow(ORDERS, 9), "no revision 9"),
    (lambda fd: fd.rollback_flow(ORDERS, 2), "is the current revision"),
    (lambda fd: fd.diff_flows(ORDERS, revision=5), "no revision 5"),
], ids=["remove-1", "move-1", "onto-1", "second-timer", "second-webhook", "at-1", "at-9",
        "cred-on-transform", "unknown-cred", "unknown-component", "no-step", "same-place",
        "no-revision", "current", "diff-no-revision"])
def test_bad_edits_are_refused_with_the_rule_and_change_nothing(world, edit, words):
    fd = world.as_("integrator")
    before = table_counts(world.store), world.store.revision()
    with pytest.raises((InvalidInput, NotFound, Conflict)) as refused:
        edit(fd)
    assert words in str(refused.value)
    assert (table_counts(world.store), world.store.revision()) == before


def test_diff_of_revisions_lists_exactly_the_differences(world):
    integ = world.as_("integrator")
    integ.add_step(ORDERS, "log")                               # 3
    integ.set_step(ORDERS, 3, "url", "https://crm.example/v2")  # 4
    integ.move_step(ORDERS, 4, 2)                               # 5
    integ.set_step_credential(ORDERS, 4, "Spare key")           # 6
    log = {"component": "log", "credential": None, "settings": {}}
    assert _rows(integ.diff_flows(ORDERS, revision=2)) == [
        (2, "added", None, None, log),
        (4, "changed", "credential", "CRM token", "Spare key"),
        (4, "changed", "settings.url", "https://crm.example/orders", "https://crm.example/v2"),
    ]
    assert _rows(integ.diff_flows(ORDERS, revision=3, to=5)) == [
        (2, "moved", "position", 4, 2),
        (4, "changed", "settings.url", "https://crm.example/orders", "https://crm.example/v2"),
    ]
    assert _rows(integ.diff_flows(ORDERS, revision=2, to=3)) == [
        (4, "added", None, None, {"component": "log", "credential": None, "settings": {}})]
    assert _rows(integ.diff_flows(ORDERS)) == [
        (4, "changed", "credential", "CRM token", "Spare key")]
    assert [r.change for r in integ.diff_flows(ORDERS, revision=5, to=3)] == ["moved", "changed"]
    assert integ.diff_flows(ORDERS, revision=4, to=4) == []
    integ.set_flow_type("Acme/Staging/Idle", "realtime")
    assert _rows(integ.diff_flows("Acme/Staging/Idle")) == [
        (None, "changed", "type", "ordinary", "realtime")]


def test_the_diff_algorithm_tells_moves_from_shifts_and_removals():
    w, t, h, lg = ({"component": c, "credential": None, "settings": {}}
                   for c in ("webhook", "transform", "http", "log"))
    ha = {**h, "settings": {"url": "https://a.example"}}
    hb = {**h, "settings": {"url": "https://b.example"}}
    # removing one of two http steps is a removal, not a change of the other
    assert _rows(diff("ordinary", [w, ha, hb], "ordinary", [w, hb])) == [
        (2, "removed", None, {"component": "http", "credential": None,
                              "settings": {"url": "https://a.example"}}, None)]
    # an insertion shifts what follows; nothing else is reported
    assert [r.change for r in diff("ordinary", [w, t, h], "ordinary", [w, lg, t, h])] == ["added"]
    # one step moved over two: one move
    assert _rows(diff("ordinary", [w, t, h, lg], "ordinary", [w, lg, t, h])) == [
        (2, "moved", "position", 4, 2)]
    # a URL's password never shows
    secret = {**h, "settings": {"url": f"https://svc:{SECRET}@crm.example/x"}}
    shown = json.dumps([d.to_json() for d in diff("ordinary", [w, h], "ordinary", [w, secret])],
                       ensure_ascii=False)
    assert SECRET not in shown and "•••@crm.example" in shown


def test_rollback_restores_an_earlier_definition_as_a_new_revision(world):
    integ = world.as_("integrator")
    before = integ.get_flow(ORDERS)
    integ.add_step(ORDERS, "log")
    integ.set_step(ORDERS, 2, "expression", "$.order")
    flow = integ.rollback_flow(ORDERS, 2)
    assert flow.revision == 5
    assert [(s.component, s.credential, s.settings) for s in flow.steps] == [
        (s.component, s.credential, s.settings) for s in before.steps]
    assert integ.diff_flows(ORDERS, revision=2, to=5) == []
    assert integ.flow_history(ORDERS)[0].change == "rolled back to revision 2"
    (event,) = integ.list_events(ORDERS, kinds=["flow.rolled_back"])
    assert event.detail == {"to": 2, "revision": 5, "change": "rolled back to revision 2"}
    assert (flow.status, flow.queued_messages, flow.started_at) == ("active", 3, T0)


def test_rollback_to_a_revision_whose_credential_is_gone_names_the_step(world):
    integ = world.as_("integrator")
    integ.set_step_credential("Acme/Staging/Idle", 2, "Spare key")  # revision 2
    integ.set_step_credential("Acme/Staging/Idle", 2, None)  # revision 3
    integ.delete_credential("Acme/Staging/Spare key", yes=True)
    before = table_counts(world.store)
    with pytest.raises(InvalidInput) as refused:
        integ.rollback_flow("Acme/Staging/Idle", 2)
    assert "step 2 (http) of revision 2 used credential 'Spare key', which is gone" in str(
        refused.value)
    assert table_counts(world.store) == before
    # the history still names it
    assert integ.flow_history("Acme/Staging/Idle")[1].steps[1]["credential"] == "Spare key"


def test_promotion_dry_run_shows_the_diff_and_changes_nothing(world):
    integ = world.as_("integrator")
    integ.update_credential("Acme/Production/CRM token", {"token": "prod-token-123"})
    integ.copy_flow(ORDERS, "Acme/Production")
    integ.add_step(ORDERS, "log")
    integ.set_step(ORDERS, 2, "expression", "$.order")
    integ.move_step(ORDERS, 4, 2)
    before = table_counts(world.store), world.store.revision()
    plan = integ.plan_promotion(ORDERS, "Acme/Production")
    assert (plan.dry_run, plan.created, plan.target_revision) == (True, False, None)
    assert _rows(plan.differences) == [
        (2, "added", None, None, {"component": "log", "credential": None, "settings": {}}),
        (3, "changed", "settings.expression", None, "$.order")]
    assert (table_counts(world.store), world.store.revision()) == before
    text = json.dumps(plan.to_json())
    assert SECRET not in text and "prod-token-123" not in text


def test_promotion_applies_the_definition_with_the_targets_credentials(world):
    integ = world.as_("integrator")
    integ.copy_flow(ORDERS, "Acme/Production")
    integ.add_credential("Acme/Production/Prod CRM", "http", {"token": "prod"})
    integ.set_step_credential(PROD, 3, "Prod CRM")
    integ.start_flow(PROD)
    integ.send_messages(PROD, count=2)
    integ.add_step(ORDERS, "log")
    with pytest.raises(InvalidInput) as refused:  # 'CRM token' is matched by name by default
        integ.promote_flow(ORDERS, "Acme/Production", {"Nope": "x"})
    assert "no step of" in str(refused.value)
    done = integ.promote_flow(ORDERS, "Acme/Production", {"CRM token": "Prod CRM"})
    assert (done.target_revision, done.source_revision, done.created) == (3, 3, False)
    prod = integ.get_flow(PROD)
    assert [(s.component, s.credential) for s in prod.steps] == [
        ("webhook", None), ("transform", None), ("http", "Prod CRM"), ("log", None)]
    assert (prod.status, prod.queued_messages, prod.started_at) == ("active", 2, T0)
    assert prod.queued_on_older_revisions == 2
    assert integ.flow_history(PROD)[0].change == (
        "promoted from Acme/Staging/Orders revision 3")
    for path in (ORDERS, PROD):
        (event,) = integ.list_events(path, kinds=["flow.promoted"])
        assert event.detail == {"source": ORDERS, "source_revision": 3, "target": PROD,
                                "revision": 3, "created": False}
    with pytest.raises(Conflict):  # nothing left to promote
        integ.promote_flow(ORDERS, "Acme/Production", {"CRM token": "Prod CRM"})


def test_promotion_refuses_a_step_without_a_credential_in_the_target(world):
    integ = world.as_("integrator")
    integ.add_step(ORDERS, "http:Spare key")
    before = table_counts(world.store)
    for attempt in (integ.plan_promotion, integ.promote_flow):
        with pytest.raises(InvalidInput) as refused:
            attempt(ORDERS, "Acme/Production")
        assert "step 4 (http) uses credential 'Spare key'" in str(refused.value)
    assert table_counts(world.store) == before
    with pytest.raises(NotFound):
        integ.promote_flow(ORDERS, "Globex/Lab")  # another contract: not even seen
    with pytest.raises(InvalidInput):
        integ.promote_flow(ORDERS, "Acme/Staging")


def test_promotion_creates_a_missing_target_inactive_as_a_copy_does(world):
    integ = world.as_("integrator")
    assert integ.workspaces_for_promotion(ORDERS) == ["Acme/Production"]
    assert world.as_("guest").workspaces_for_promotion(ORDERS) == []
    plan = integ.plan_promotion(ORDERS, "Acme/Production")
    assert plan.created and [d.change for d in plan.differences] == ["added"] * 3
    done = integ.promote_flow(ORDERS, "Acme/Production")
    assert (done.created, done.target_revision) == (True, 1)
    prod = integ.get_flow(PROD)
    assert (prod.status, prod.revision, prod.steps[2].credential) == ("inactive", 1, "CRM token")
    assert integ.diff_flows(ORDERS, PROD) == []


def test_promotion_marks_flows_that_differ_from_their_namesakes(world):
    integ = world.as_("integrator")
    integ.copy_flow(ORDERS, "Acme/Production")
    integ.copy_flow("Acme/Staging/Idle", "Acme/Production")
    ids = {f.name: f.id for f in integ.list_flows("Acme/Staging")}
    assert integ.promotion_marks("Acme/Staging", list(ids.values())) == {}
    integ.set_step(ORDERS, 2, "expression", "$")
    marks = integ.promotion_marks("Acme/Staging", list(ids.values()))
    assert marks == {ids["Orders"]: ["Acme/Production"]}
    prod = {f.name: f.id for f in integ.list_flows("Acme/Production")}
    assert integ.promotion_marks("Acme/Production", list(prod.values())) == {
        prod["Orders"]: ["Acme/Staging"]}
    # a workspace the caller may not see is not compared
    assert world.as_("outsider").promotion_marks("Globex/Lab", []) == {}


def test_the_migration_gives_existing_flows_revision_1_and_their_messages_too(world):
    from alembic import command

    from store import migrate
    from store.engine import open_store
    from store.runtime import queue

    integ = world.as_("integrator")
    integ.add_step(ORDERS, "log")
    steps = [(s.component, s.credential, s.settings) for s in integ.get_flow(ORDERS).steps]
    with world.store.engine.connect() as conn:
        command.downgrade(migrate.alembic_config(conn), "0006")
        conn.commit()
    again = open_store(world.store.url, world.clock)  # upgraded to the head as it opens
    try:
        fd = type(integ)(again, world.emails["integrator"])
        flow = fd.get_flow(ORDERS)
        assert (flow.revision, flow.queued_messages, flow.queued_on_older_revisions) == (1, 3, 0)
        assert [(s.component, s.credential, s.settings) for s in flow.steps] == steps
        (only,) = fd.flow_history(ORDERS)
        assert (only.revision, only.change, only.at, only.by) == (
            1, "created", T0, world.emails["integrator"])
        assert [(x["component"], x["credential"]) for x in only.steps] == [
            (c, n) for c, n, _ in steps]
        claim = queue.claim_next(again, "t")
        assert [s.component for s in claim.steps.values()] == [c for c, _, _ in steps]
        assert claim.steps[3].credential == "CRM token" and claim.steps[3].sealed
    finally:
        again.close()


def test_a_credential_that_queued_messages_still_need_cannot_be_deleted(world):
    from sqlalchemy import text

    from store.errors import RuleViolation

    integ = world.as_("integrator")
    integ.set_step_credential(ORDERS, 3, "Spare key")  # the 3 queued messages keep 'CRM token'
    with pytest.raises(RuleViolation) as refused:
        integ.delete_credential("Acme/Staging/CRM token", yes=True)
    assert "Orders" in str(refused.value)
    # a failed message is shown with the step of its own revision
    integ.move_step(ORDERS, 3, 2)
    with world.store.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET failed = true, step = 3 WHERE id = "
                          "(SELECT min(id) FROM messages)"))
    (failed,) = integ.list_failed(ORDERS)
    assert (failed.step, failed.component) == (3, "http")
    assert integ.get_flow(ORDERS).steps[2].component == "transform"


def test_two_editors_at_once_the_second_is_refused_and_nothing_is_half_done(world):
    """The revision moves by a conditional UPDATE: an editor holding a stale flow (another
    committed meanwhile) is refused instead of overwriting or duplicating a revision."""
    from sqlalchemy import select, update

    from store import flowdefs
    from store.models import Flow
    from store.services.base import Tx

    def body(s):
        flow = s.scalars(select(Flow).where(Flow.name == "Orders")).one()
        steps = flowdefs.current_steps(s, flow.id)
        s.execute(update(Flow).where(Flow.id == flow.id).values(revision=Flow.revision + 1),
                  execution_options={"synchronize_session": False})  # the other editor
        steps.append(flowdefs.step("log"))
        with pytest.raises(Conflict, match="changed by someone else"):
            flowdefs.commit(Tx(s, T0, None), flow, steps, flow.type, "added a log")
        s.rollback()

    world.store.run(body, write=True)
    integ = world.as_("integrator")
    assert integ.get_flow(ORDERS).revision == 2 and len(integ.flow_history(ORDERS)) == 2


def test_a_promotion_or_rollback_never_switches_a_running_flows_type(world):
    integ = world.as_("integrator")
    integ.copy_flow(ORDERS, "Acme/Production")
    integ.start_flow(PROD)
    integ.stop_flow(ORDERS)
    integ.set_flow_type(ORDERS, "realtime")
    before = table_counts(world.store)
    with pytest.raises(Conflict, match="stop it first"):
        integ.promote_flow(ORDERS, "Acme/Production")
    assert table_counts(world.store) == before
    assert [d.field for d in integ.plan_promotion(ORDERS, "Acme/Production").differences] == [
        "type"]
    integ.stop_flow(PROD)
    assert integ.promote_flow(ORDERS, "Acme/Production").target_revision == 2
    assert integ.get_flow(PROD).type == "realtime"
    integ.start_flow(PROD)
    with pytest.raises(Conflict, match="stop it first"):
        integ.rollback_flow(PROD, 1)
