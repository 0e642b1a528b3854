"""DESIGN section 2b at run time: a staging flow edited and promoted onto a running production
flow. Production gets a new revision with its own credential; nothing queued is dropped;
messages queued before the promotion run through the old steps and later ones through the
new, at a real target on loopback."""

from __future__ import annotations

import json

from flowdeck_world import SECRET, T0
from runtime_helpers import ORDERS
from sqlalchemy import inspect, text

PROD = "Acme/Production/Orders"
PROD_TOKEN = "prod-9c1d-TOKEN-77e2"


def table_counts(store) -> dict[str, int]:
    def body(s):
        names = inspect(s.connection()).get_table_names()
        return {n: s.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}

    return store.run(body, write=False)


def _order(tag: str) -> dict:
    return {"id": tag, "lines": [{"price": 2}, {"price": 3}]}


def test_promotion_onto_a_running_flow_drops_nothing_and_never_mixes_revisions(running):
    integ = running.as_("integrator")
    target = running.target
    integ.update_credential("Acme/Production/CRM token", {"token": PROD_TOKEN})
    integ.copy_flow(ORDERS, "Acme/Production")
    started = integ.start_flow(PROD)
    for tag in ("OLD-1", "OLD-2"):
        integ.send_messages(PROD, payload=_order(tag))

    # staging changes: a step added, a setting changed, a step moved
    integ.add_step(ORDERS, "log")
    integ.set_step(ORDERS, 3, "url", f"{target.url}/v2")
    integ.set_step(ORDERS, 2, "expression", '{"order": id, "v": 2}')
    integ.move_step(ORDERS, 4, 2)

    # the dry run shows exactly the differences and changes nothing
    before = table_counts(running.store), running.store.revision()
    plan = integ.plan_promotion(ORDERS, "Acme/Production")
    assert [(d.step, d.change, d.field) for d in plan.differences] == [
        (2, "added", None), (3, "changed", "settings.expression"), (4, "changed", "settings.url")]
    assert (table_counts(running.store), running.store.revision()) == before
    shown = json.dumps(plan.to_json(), ensure_ascii=False)
    assert SECRET not in shown and PROD_TOKEN not in shown

    done = integ.promote_flow(ORDERS, "Acme/Production")
    assert (done.target_revision, done.created) == (2, False)
    for tag in ("NEW-1", "NEW-2"):
        integ.send_messages(PROD, payload=_order(tag))

    prod = integ.get_flow(PROD)
    assert (prod.status, prod.started_at, prod.deadline) == ("active", T0, started.deadline)
    assert (prod.revision, prod.queued_messages, prod.queued_on_older_revisions) == (2, 4, 2)
    assert [s.queued for s in prod.steps] == [2, 0, 0, 0]

    assert running.worker().drain() == 4
    assert integ.get_flow(PROD).queued_messages == 0
    got = {r.body["order"]: r for r in target.requests}
    assert sorted(got) == ["NEW-1", "NEW-2", "OLD-1", "OLD-2"]
    for tag in ("OLD-1", "OLD-2"):  # the old steps: old path, old mapping
        assert (got[tag].path, got[tag].body) == ("/orders", {"order": tag, "total": 5})
    for tag in ("NEW-1", "NEW-2"):  # the new steps, as promoted
        assert (got[tag].path, got[tag].body) == ("/v2", {"order": tag, "v": 2})
    # production's own token reached the target, never staging's
    assert {r.headers["Authorization"] for r in target.requests} == {f"Bearer {PROD_TOKEN}"}
    # each message's path: the old revision has no log step, the new one logs at step 2
    runs = integ.list_executions(PROD, limit=100)
    by_message: dict[int, list[tuple[int, str]]] = {}
    for e in reversed(runs):
        by_message.setdefault(e.message, []).append((e.step, e.component))
    paths = sorted(by_message.values())
    old = [(1, "webhook"), (2, "transform"), (3, "http")]
    new = [(1, "webhook"), (2, "log"), (3, "transform"), (4, "http")]
    assert sorted([old, old, new, new]) == paths
