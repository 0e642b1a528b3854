"""Secrets: encrypted at rest, never in an event, a view, a message or a log line;
in clear only for the workspace's owners, admins and integrators, each time recorded.
"""

from __future__ import annotations

import json
import logging
import stat

import pytest
from backends import sqlite_only
from flowdeck_world import SECRET

from store.errors import FlowdeckError
from store.services import parse_secret_pairs

NEW = "n3w-S3KRIT-value-0042"
CHANGED = "chg-S3KRIT-value-0077"
SECRETS = (SECRET, NEW, CHANGED)


def _all_views(w) -> list:
    """Every view the services hand out about the world, as support and as an integrator."""
    views = []
    for role in ("support", "integrator", "workspace_owner"):
        fd = w.as_(role)
        views += [fd.me(), *fd.list_contracts(), fd.get_contract("Acme"), *fd.list_members("Acme"),
                  *fd.list_workspaces(), fd.get_workspace("Acme/Staging"),
                  *fd.list_workspace_members("Acme/Staging"), *fd.list_flows(),
                  *fd.list_requests(workspace="Acme/Production")]
        for ws in ("Acme/Staging", "Acme/Production"):
            for cred in fd.list_credentials(ws):
                views += [cred, fd.get_credential(cred.path)]
            views += [fd.get_flow(f.path) for f in fd.list_flows(ws)]
    support = w.as_("support")
    views += [*support.list_users(), *support.list_requests(),
              w.as_("contract_owner").workspace_deletion_plan("Acme/Staging"), w.as_(None).sweep()]
    return views


def _files(w) -> dict[str, bytes]:
    db = w.store.db_file
    found = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = db.with_name(db.name + suffix)
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


@sqlite_only("reads the store's files byte by byte; tests/ops/test_postgres_store.py reads "
             "every row of a PostgreSQL store instead")
def test_secret_is_nowhere_but_in_a_reveal(fresh_world, caplog):
    w = fresh_world
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement and its parameters
    integ = w.as_("integrator")
    errors = []
    # writing secrets, and getting them wrong
    integ.add_credential("Acme/Staging/Vault", "http", {"username": "svc-user", "password": NEW})
    integ.update_credential("Acme/Production/CRM token", {"token": CHANGED})
    for bad in (lambda: integ.add_credential("Acme/Staging/Odd", "http", {"tokn": NEW}),
                lambda: integ.add_credential("Acme/Staging/Vault", "http", {"token": NEW}),
                lambda: integ.add_credential("Acme/Staging/Hook", "webhook", {"token": NEW}),
                lambda: integ.update_credential("Acme/Staging/Vault", {"apikey": NEW}),
                lambda: w.as_("guest").add_credential("Acme/Staging/Mine", "http", {"token": NEW}),
                lambda: parse_secret_pairs([NEW]),
                lambda: parse_secret_pairs([f"token={NEW}", f"token={NEW}"])):
        with pytest.raises(FlowdeckError) as refused:
            bad()
        errors.append(refused.value.line())
    # reading them in clear: owners, admins and integrators only, each time recorded
    assert integ.reveal_credential("Acme/Staging/CRM token") == {"token": SECRET}
    assert w.as_("workspace_admin").reveal_credential("Acme/Staging/Vault") == {
        "username": "svc-user", "password": NEW}
    assert w.as_("workspace_owner").reveal_credential("Acme/Production/CRM token") == {"token": CHANGED}
    for role in ("guest", "support", "contract_owner"):
        with pytest.raises(FlowdeckError) as refused:
            w.as_(role).reveal_credential("Acme/Staging/CRM token")
        errors.append(refused.value.line())
    # a stopped flow, a deleted credential, a copy: more events and views
    w.clock.advance(hours=9)
    integ.delete_credential("Acme/Staging/Vault", yes=True)
    integ.copy_flow("Acme/Staging/Orders", "Acme/Production")

    events = w.as_("support").list_events(limit=10_000)
    assert len([e for e in events if e.kind == "credential.revealed"]) == 3
    texts = {
        "events": json.dumps([e.to_json() for e in events], ensure_ascii=False),
        "views": json.dumps([v.to_json() for v in _all_views(w)], ensure_ascii=False),
        "errors": "\n".join(errors),
        "log": caplog.text,
    }
    assert "credential" in texts["log"]  # the log did capture the statements
    files = _files(w)
    assert files, "no store file to search"
    w.close()  # the last connection checkpoints the WAL into the file
    files.update({f"{name} (closed)": data for name, data in _files(w).items()})
    for secret in SECRETS:
        for where, text in texts.items():
            assert secret not in text, f"{secret!r} found in the {where}"
        for name, data in files.items():
            assert secret.encode() not in data, f"{secret!r} found in {name}"
            assert secret.encode("utf-16-le") not in data, f"{secret!r} found in {name}"


@sqlite_only("a server store keeps no key file; its key comes from FLOWDECK_SECRET_KEY")
def test_key_file_beside_a_sqlite_store_is_private(world):
    key = world.store.db_file.with_name(world.store.db_file.name + ".key")
    assert key.exists()  # made when the world stored its first credential
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
