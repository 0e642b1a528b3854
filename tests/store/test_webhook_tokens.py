"""Webhook tokens: one per flow, unguessable, made at creation and copy, replaced by a
rotation (an event without the token), shown only to those who may see secrets; migration
0006 gives the flows of an older store their tokens."""

from __future__ import annotations

import re

import pytest
from flowdeck_world import build_world
from sqlalchemy import text

from store import migrate
from store.engine import init_store, open_store
from store.errors import InvalidInput, PermissionDenied

ORDERS = "Acme/Staging/Orders"
TOKEN = re.compile(r"^/hooks/[A-Za-z0-9_-]{32}$")


def test_who_sees_the_webhook_path(world):
    path = world.as_("integrator").get_flow(ORDERS).webhook_path
    assert TOKEN.match(path)
    for role in ("workspace_owner", "integrator"):
        assert world.as_(role).get_flow(ORDERS).webhook_path == path
        listed = {f.path: f.to_json() for f in world.as_(role).list_flows("Acme/Staging")}
        assert listed[ORDERS]["webhook_path"] == path
    assert world.as_("guest").get_flow(ORDERS).webhook_path is None
    assert all(f.webhook_path is None for f in world.as_("guest").list_flows("Acme/Staging"))


def test_created_and_copied_flows_get_their_own_tokens(world):
    integ = world.as_("integrator")
    one = integ.create_flow("Acme/Staging/Hook one", [("webhook", None)])
    two = integ.create_flow("Acme/Staging/Hook two", [("webhook", None)])
    timer = integ.create_flow("Acme/Staging/Ticker", [("timer", None)])
    assert timer.webhook_path is None
    paths = {one.webhook_path, two.webhook_path, integ.get_flow(ORDERS).webhook_path}
    assert len(paths) == 3 and all(TOKEN.match(p) for p in paths)
    copy = integ.copy_flow("Acme/Staging/Hook one", "Acme/Production")
    assert TOKEN.match(copy.webhook_path) and copy.webhook_path not in paths


def test_rotation_replaces_the_token_and_records_no_secret(world):
    integ = world.as_("integrator")
    old = integ.get_flow(ORDERS).webhook_path
    new = integ.rotate_webhook(ORDERS).webhook_path
    assert TOKEN.match(new) and new != old
    [event] = integ.list_events(ORDERS, limit=1)
    assert event.kind == "flow.webhook_rotated"
    assert old.rsplit("/", 1)[1] not in repr(event) and new.rsplit("/", 1)[1] not in repr(event)
    with pytest.raises(PermissionDenied):
        world.as_("guest").rotate_webhook(ORDERS)
    integ.create_flow("Acme/Staging/Ticker", [("timer", None)])
    with pytest.raises(InvalidInput):
        integ.rotate_webhook("Acme/Staging/Ticker")
    assert integ.get_flow(ORDERS).webhook_path == new  # refusals changed nothing


def test_migration_0006_gives_existing_flows_tokens(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = init_store(url, clock, simulated_clock=True)
    build_world(store)
    from alembic import command

    with store.engine.begin() as conn:  # back to the schema before tokens
        command.downgrade(migrate.alembic_config(conn), "0005")
    store.close()
    store = open_store(url, clock)  # upgrades again
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == migrate.HEAD
            tokens = conn.execute(text("SELECT webhook_token FROM flows")).scalars().all()
        assert tokens and all(t and len(t) == 32 for t in tokens) and len(set(tokens)) == len(tokens)
    finally:
        store.close()
