"""Revision 0004: a store of the previous release upgrades with its data, and message ids
are never reused (AUTOINCREMENT on SQLite, an identity column on PostgreSQL)."""

from __future__ import annotations

from flowdeck_world import T0
from sqlalchemy import select, text

from store import migrate
from store.connect import create_engine_for
from store.engine import open_store
from store.models import Contract, Event, Flow, Message, User, Workspace
from store.services import Flowdeck

PATH = "Acme/Staging/Orders"


def _ids(store) -> list[int]:
    return store.run(lambda s: list(s.scalars(select(Message.id).order_by(Message.id))),
                     write=False)


def _webhooks_then_drop(world, count: int = 3) -> list[int]:
    """``count`` messages at the trigger, then a stop that deletes every queued one."""
    integ = world.as_("integrator")
    integ.send_messages(PATH, count=count)
    made = _ids(world.store)
    integ.stop_flow(PATH)
    assert _ids(world.store) == []
    integ.start_flow(PATH)
    return made


def test_message_ids_are_never_reused_after_deletes(world):
    """Three messages, all deleted, three more, deleted again, one more: ids only grow."""
    seen: list[int] = []
    for count in (3, 3, 1):
        made = _webhooks_then_drop(world, count)
        assert len(made) >= count
        seen += made[-count:]
    assert seen == sorted(seen) and len(set(seen)) == len(seen), seen


def _downgrade_to_0003(url: str) -> None:
    """The schema of the previous release (0003), with the data made at the head."""
    from alembic import command

    engine = create_engine_for(url)
    try:
        with engine.connect() as conn, conn.begin():
            command.downgrade(migrate.alembic_config(conn), "0003")
    finally:
        engine.dispose()


def _version(store) -> str:
    return store.run(lambda s: s.execute(text("SELECT version_num FROM alembic_version")).scalar(),
                     write=False)


def test_a_0003_store_with_data_upgrades_keeps_its_data_and_its_names_become_unique(world):
    url = world.store.url
    _webhooks_then_drop(world)  # ids 1.. used, then deleted
    world.as_("integrator").send_messages(PATH, count=1)
    queued_before = _ids(world.store)
    world.store.close()
    _downgrade_to_0003(url)
    old = open_store(url, migrate=False)  # only for raw SQL on the old schema

    def old_release_names(s):
        """Names the previous release let in: they only clash after NFKC."""
        acme = s.execute(text("SELECT id FROM contracts WHERE name = 'Acme'")).scalar_one()
        s.execute(text("INSERT INTO contracts (name, name_key, status, created_at) "
                       "VALUES ('Ａｃｍｅ', 'ａｃｍｅ', 'active', :at)"), {"at": T0.replace(tzinfo=None)})
        s.execute(text("INSERT INTO workspaces (contract_id, name, name_key, kind, created_at) "
                       "VALUES (:c, 'ＳＴＡＧＩＮＧ', 'ｓｔａｇｉｎｇ', 'limited', :at)"),
                  {"c": acme, "at": T0.replace(tzinfo=None)})

    old.run(old_release_names, write=True)
    counts_before = old.run(lambda s: [s.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                                       for table in ("users", "contracts", "workspaces", "flows")],
                            write=False)
    old.close()

    store = open_store(url)  # this release: upgrades to the head (a real-clock store now)
    try:
        assert _version(store) == migrate.HEAD
        counts = store.run(lambda s: [len(s.scalars(select(m)).all())
                                      for m in (User, Contract, Workspace, Flow)], write=False)
        assert counts == counts_before
        assert _ids(store) == queued_before  # queued messages kept, with their ids
        names = store.run(lambda s: {c.name: c.name_key for c in s.scalars(select(Contract))},
                          write=False)
        assert names["Acme"] == "acme" and names["Ａｃｍｅ-2"] == "acme-2" and "Ａｃｍｅ" not in names
        ws = store.run(lambda s: sorted(w.name for w in s.scalars(select(Workspace).join(
            Contract, Contract.id == Workspace.contract_id).where(Contract.name == "Acme"))),
            write=False)
        assert ws == ["Production", "Staging", "ＳＴＡＧＩＮＧ-2"]
        renamed = store.run(lambda s: [(e.path, e.detail["from"], e.detail["to"]) for e in
                                       s.scalars(select(Event).where(
                                           Event.kind == "store.name_changed"))], write=False)
        assert sorted(renamed) == [("Acme/ＳＴＡＧＩＮＧ-2", "ＳＴＡＧＩＮＧ", "ＳＴＡＧＩＮＧ-2"),
                                   ("Ａｃｍｅ-2", "Ａｃｍｅ", "Ａｃｍｅ-2")]
        fd = Flowdeck(store, "olivia@acme.example")
        assert fd.get_workspace("Acme/ｓｔａｇｉｎｇ").name == "Staging"  # found by its new key
        fd2 = Flowdeck(store, "ivan@acme.example")
        fd2.restart_flow(PATH)  # real time now: the eight hours begun at T0 are long over
        fd2.send_messages(PATH, count=2)
        after = _ids(store)
        # ids deleted before the upgrade left no trace on the old SQLite schema; from the
        # upgrade on, none is reused: after what was queued, and after what is deleted now
        assert min(set(after) - set(queued_before)) > max(queued_before)
        fd2.stop_flow(PATH)
        fd2.start_flow(PATH)
        fd2.send_messages(PATH, count=1)
        assert min(_ids(store)) > max(after)
    finally:
        store.close()
