"""``flowdeck demo``: a fresh demo store; piped, it prints how to open it instead of the TUI."""

from __future__ import annotations

import pytest

pytest.importorskip("store.demo.timeline")


def test_demo_into_an_explicit_db_then_refuses_a_used_one(cli, tmp_path):
    target = tmp_path / "mine.db"
    r = cli("--db", str(target), "demo")
    summary, how = r.lines
    assert "contracts" in summary and "flows" in summary
    assert how.startswith(f"open it again with: flowdeck --db sqlite:///{target} --user ")
    owner = how.rsplit(" ", 1)[1]
    contracts = cli("--db", str(target), "contract", "list", "--json", user=owner).json
    assert contracts and all(c["role"] for c in contracts)
    r = cli("--db", str(target), "demo", expect=1)
    assert "already holds a Flowdeck store" in r.err
    cli("demo", "--speed", "-1", expect=2)


def test_demo_default_file_is_replaced_each_time(bare_cli, tmp_path):
    cli = bare_cli
    env = {"FLOWDECK_DB": ""}
    first = cli("demo", env=env)
    [demo_db] = tmp_path.rglob("demo.db")  # in the data directory, which HOME/XDG put here
    assert f"sqlite:///{demo_db}" in first.out
    second = cli("demo", env=env)
    assert second.lines[0] == first.lines[0]
    assert not cli.db.exists()
