"""A target that echoes every header it receives: no secret of the step's credential, in any
form (plain, the Basic header's base64, ``Bearer …``), reaches the store file, its WAL, the
events, ``--json`` output or the worker's log, whether the step succeeds or fails."""

from __future__ import annotations

import base64
import io
import json
import subprocess
from pathlib import Path

import pytest
from flowdeck_world import SECRET
from processes import FLOWDECK, env_for
from sqlalchemy import inspect, text

from store.logs import EventLog
from store.runtime.scrub import MASK, Scrubber, secret_forms
from store.runtime.worker import Worker

USER, PASSWORD = "svc", "pw-spare"  # the world's 'Spare key' (basic auth)
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
FORBIDDEN = [SECRET, f"Bearer {SECRET}", PASSWORD, BASIC, BASIC.rstrip("="),
             base64.b64encode(SECRET.encode()).decode().rstrip("=")]


def _echo(status: int):
    """Answer with every header, and the credential it got spelled out in plain text."""
    def answer(r):
        scheme, _, value = r.headers.get("Authorization", "").partition(" ")
        plain = base64.b64decode(value).decode() if scheme == "Basic" else value
        return status, {"auth": r.headers.get("Authorization"), "note": f"you are {plain}",
                        "you_sent": r.headers, "body": r.body}  # an error keeps 120 characters
    return answer


def _flows(world, target_url: str) -> list[str]:
    integ = world.as_("integrator")
    integ.stop_flow("Acme/Staging/Orders")  # its three queued messages are not ours
    made = []
    for name, cred in (("Echo bearer", "CRM token"), ("Echo basic", "Spare key")):
        path = f"Acme/Staging/{name}"
        integ.create_flow(path, [("webhook", None), ("http", cred), ("log", None)])
        integ.set_step(path, 2, "url", f"{target_url}/echo")
        integ.start_flow(path)
        made.append(path)
    return made


def _everything_stored(store) -> str:
    """Every row of every table as text (the store's content, whatever the backend)."""
    def body(s):
        out = []
        for table in inspect(s.connection()).get_table_names():
            if table == "credentials":  # sealed secrets: ciphertext by design
                continue
            out += [repr(tuple(row)) for row in s.execute(text(f'SELECT * FROM "{table}"'))]
        return "\n".join(out)
    return store.run(body, write=False)


def _assert_clean(where: str, content: str) -> None:
    for form in FORBIDDEN:
        assert form not in content, f"{form!r} found in {where}"


@pytest.mark.parametrize("status", [200, 500], ids=["echo-ok", "echo-error"])
def test_an_echoing_target_leaves_no_secret_anywhere(world, target, tmp_path, status):
    target.answer = _echo(status)
    flows = _flows(world, target.url)
    integ = world.as_("integrator")
    for path in flows:
        integ.send_messages(path, payload={"order": "SO-1"})
    out = io.StringIO()  # the worker's own log, as `flowdeck work` prints it (text and JSON)
    worker = Worker(world.store, log=EventLog(world.store.clock, out=out, err=out))
    assert worker.drain() == 2
    # the target did get the credentials (the scrubbing is of what is recorded, not sent)
    sent = {r.headers["Authorization"] for r in target.requests}
    assert sent == {f"Bearer {SECRET}", f"Basic {BASIC}"}

    _assert_clean("the worker's log", out.getvalue())
    events = [e.to_json() for e in integ.list_events("Acme/Staging", limit=1000)]
    _assert_clean("the events", json.dumps(events, ensure_ascii=False))
    if status == 200:  # the log step wrote the echoed answer, masked
        logged = json.dumps([e for e in events if e["kind"] == "log.written"], ensure_ascii=False)
        assert MASK in logged and "Bearer •••" in logged and "Basic •••" in logged
    else:
        errors = [m.error for p in flows for m in integ.list_failed(p)] + \
                 [e.error for p in flows for e in integ.list_executions(p) if e.error]
        assert errors and any(MASK in e for e in errors)
        _assert_clean("execution errors", "\n".join(errors))
    _assert_clean("the store's rows", _everything_stored(world.store))

    result = subprocess.run([str(FLOWDECK), "--now", "2026-03-02T09:00:00Z", "--speed", "0",
                             "--user", world.emails["guest"], "events", "Acme/Staging",
                             "--limit", "1000", "--json"],
                            capture_output=True, text=True, env=env_for(world.store.url, tmp_path),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    _assert_clean("`events --json`", result.stdout)
    for path in flows:
        shown = subprocess.run([str(FLOWDECK), "--now", "2026-03-02T09:00:00Z", "--speed", "0",
                                "--user", world.emails["integrator"], "flow", "executions", path],
                               capture_output=True, text=True,
                               env=env_for(world.store.url, tmp_path), timeout=60)
        assert shown.returncode == 0, shown.stderr
        _assert_clean("`flow executions`", shown.stdout + shown.stderr)

    if world.store.db_file:  # the SQLite file and its write-ahead log, byte for byte
        world.store.close()
        db = Path(world.store.db_file)
        for f in (db, db.with_name(db.name + "-wal")):
            if f.exists():
                raw = f.read_bytes()
                for form in FORBIDDEN:
                    assert form.encode() not in raw, f"{form!r} found in {f.name}"


def test_secret_forms_cover_plain_bearer_and_basic_values():
    scrub = Scrubber({"username": USER, "password": PASSWORD})
    assert scrub.text(f"Authorization: Basic {BASIC}") == f"Authorization: Basic {MASK}"
    assert scrub.text(f"pw={PASSWORD}") == f"pw={MASK}"
    assert scrub.data({f"k-{PASSWORD}": [f"x {PASSWORD} y", 7, None]}) == \
        {f"k-{MASK}": [f"x {MASK} y", 7, None]}
    quoted = 'q"uo\\te-123'  # as a JSON text spells it, too
    assert Scrubber({"token": quoted}).text(json.dumps({"t": quoted})) == '{"t": "•••"}'
    assert Scrubber({"token": "ab"}).text("abc") == "abc"  # too short to mask anywhere
    assert secret_forms(None) == [] and not Scrubber({})
