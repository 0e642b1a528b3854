"""``flowdeck backup`` and ``flowdeck restore`` (a SQLite store; PostgreSQL points to pg_dump)."""

from __future__ import annotations

import os
import pty
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import processes
import pytest
from backends import sqlite_only
from flowdeck_world import EMAILS, T0
from invariants import problems, sqlite_integrity

from store import backup as backup_module
from store.clock import FrozenClock
from store.engine import open_store
from store.services import Flowdeck

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OWNER = EMAILS["contract_owner"]
SQLITE_ONLY = "backup and restore copy a SQLite file; a PostgreSQL store is refused (tested below)"


def _writer(url: str, seconds: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    proc = subprocess.Popen([sys.executable, str(HERE / "busy_writer.py"), url, str(seconds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    return proc


def _sound_copy(path: Path) -> None:
    assert sqlite_integrity(path) == "ok"
    copy = open_store(f"sqlite:///{path}", FrozenClock(T0))
    try:
        assert problems(copy) == []  # counters and queues agree: one consistent moment
        assert [c.name for c in Flowdeck(copy, OWNER).list_contracts()] == ["Acme"]
    finally:
        copy.close()


@sqlite_only(SQLITE_ONLY)
def test_backups_taken_while_another_process_writes_are_consistent(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    writer = _writer(world.store.url, 6)
    try:
        made = []
        for n in range(3):
            r = processes.run(env, "backup", str(tmp_path / f"b{n}.db"))
            assert r.returncode == 0 and r.stderr == "", r
            assert r.stdout.startswith(f"backed up {world.store.db_file} to {tmp_path / f'b{n}.db'} (")
            assert "schema " in r.stdout and "checked" in r.stdout
            made.append(tmp_path / f"b{n}.db")
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0 and err == "", err
    assert int(out.split()[-1]) > 10  # it really was writing all along
    for path in made:
        _sound_copy(path)
        key = path.with_name(path.name + ".key")
        assert key.read_bytes() == world.store.db_file.with_name("flowdeck.db.key").read_bytes()
        assert oct(key.stat().st_mode & 0o777) == "0o600"
        assert not path.with_name(path.name + ".partial").exists()


@sqlite_only(SQLITE_ONLY)
def test_a_copy_that_writers_keep_restarting_is_made_in_one_step(world, tmp_path, monkeypatch):
    monkeypatch.setattr(backup_module, "STEP_PAGES", 1)
    writer = _writer(world.store.url, 8)
    seen: list[tuple[int, int]] = []

    def slow_progress(done: int, total: int) -> None:  # a page at a time, slowly: writers get in
        seen.append((done, total))
        import time

        time.sleep(0.01)

    try:
        result = backup_module.backup_store(world.store.url, "the store", tmp_path / "b.db", T0,
                                            slow_progress)
    finally:
        writer.kill()
        writer.wait()
    assert result.one_step
    assert seen[-1][0] == seen[-1][1]  # the bar ends full
    _sound_copy(tmp_path / "b.db")


@sqlite_only(SQLITE_ONLY)
def test_backup_never_overwrites_and_a_directory_gets_a_dated_file(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    (tmp_path / "taken.db").write_text("mine")
    r = processes.run(env, "backup", str(tmp_path / "taken.db"))
    assert (r.returncode, r.stderr.count("\n")) == (1, 1) and "already exists" in r.stderr
    assert (tmp_path / "taken.db").read_text() == "mine"
    r = processes.run(env, "backup", str(tmp_path / "no" / "such" / "dir.db"))
    assert r.returncode == 1 and r.stderr.startswith("error: there is no directory")
    (tmp_path / "backups").mkdir()
    r = processes.run(env, "--now", "2026-03-02T09:30:00Z", "backup", str(tmp_path / "backups"))
    assert r.returncode == 0, r
    assert [p.name for p in (tmp_path / "backups").iterdir() if p.suffix == ".db"] == [
        "flowdeck-20260302T093000Z.db"]


@sqlite_only(SQLITE_ONLY)
def test_backup_shows_a_bar_on_a_terminal_and_stays_plain_when_piped(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    piped = processes.run(env, "backup", str(tmp_path / "piped.db"))
    assert piped.returncode == 0 and piped.stderr == ""
    assert "\x1b" not in piped.stdout and len(piped.stdout.splitlines()) == 2
    leader, follower = pty.openpty()
    proc = subprocess.Popen(processes.argv("backup", str(tmp_path / "tty.db")), env=env,
                            stdout=subprocess.PIPE, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    assert b"backing up" in seen  # the bar, drawn on the terminal and cleared again
    assert b"Traceback" not in seen


@sqlite_only(SQLITE_ONLY)
def test_restore_is_refused_while_another_process_has_the_store_open(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    assert processes.run(env, "backup", str(tmp_path / "b.db")).returncode == 0
    Flowdeck(world.store, OWNER).create_contract("After The Backup")
    world.store.close()  # this process lets go; a worker on another process holds it now
    worker = processes.start(env, "enforce", "--interval", "0.2", now=T0, speed="0")
    try:
        worker.wait_for("enforce started")
        before = Path(world.store.db_file).read_bytes()
        r = processes.run(env, "restore", str(tmp_path / "b.db"), "--yes")
        assert r.returncode == 1 and r.stderr.count("\n") == 1, r
        assert "in use" in r.stderr and "another process" in r.stderr
        assert Path(world.store.db_file).read_bytes() == before
    finally:
        assert worker.stop() == 0
    r = processes.run(env, "restore", str(tmp_path / "b.db"))
    assert r.returncode == 1 and "pass --yes" in r.stderr
    r = processes.run(env, "restore", str(tmp_path / "b.db"), "--yes")
    assert r.returncode == 0 and r.stderr == "", r
    assert r.stdout.startswith(f"restored {tmp_path / 'b.db'} (schema ")
    r = processes.run(env, "contract", "list", "--json", user=OWNER)
    assert r.returncode == 0, r
    assert "After The Backup" not in r.stdout and "Acme" in r.stdout
    r = processes.run(env, "credential", "reveal", "Acme/Staging/CRM token", user=EMAILS["integrator"])
    assert r.returncode == 0, r  # the key file came back with the store


@sqlite_only(SQLITE_ONLY)
def test_restore_checks_the_backup_is_a_flowdeck_store_at_a_known_schema(world, tmp_path):
    env = processes.env_for(world.store.url, tmp_path)
    world.store.close()
    before = Path(world.store.db_file).read_bytes()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n" * 100)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    newer = tmp_path / "newer.db"
    shutil.copyfile(world.store.db_file, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    for path, words in [(notes, "not a Flowdeck backup"), (foreign, "not a Flowdeck store"),
                        (newer, "newer than this Flowdeck"), (tmp_path / "missing.db", "no backup file")]:
        r = processes.run(env, "restore", str(path), "--yes")
        assert r.returncode == 1 and r.stderr.count("\n") == 1 and words in r.stderr, r
        assert "Traceback" not in r.stderr
    assert Path(world.store.db_file).read_bytes() == before


def test_a_postgresql_store_is_pointed_to_pg_dump_and_pg_restore(tmp_path):
    env = processes.env_for("postgresql+psycopg://flowdeck@127.0.0.1:1/flowdeck", tmp_path)
    r = processes.run(env, "backup", str(tmp_path / "b.db"))
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r
    assert "PostgreSQL" in r.stderr and "pg_dump" in r.stderr
    r = processes.run(env, "restore", str(tmp_path / "b.db"), "--yes")
    assert r.returncode == 1 and "pg_restore" in r.stderr, r
    assert not (tmp_path / "b.db").exists()


@pytest.mark.parametrize("args", [["backup"], ["restore"], ["backup", "a", "b"]])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args):
    env = processes.env_for(f"sqlite:///{tmp_path / 's.db'}", tmp_path)
    r = processes.run(env, *args)
    assert r.returncode == 2 and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r
