"""The demo store: built only through the services, in a state worth looking at."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import backends
import pytest

from store.clock import Clock, FrozenClock
from store.demo.timeline import DemoInfo, build_demo
from store.engine import open_store
from store.errors import Conflict
from store.names import name_problem
from store.policy import COUNTDOWN_ALARM, COUNTDOWN_WARNING, queue_cap
from store.services import Flowdeck

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _open(path, clock=None):
    return open_store(backends.store_url(path), clock or FrozenClock(NOW))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = _open(tmp_path_factory.mktemp("demo") / "demo.db")
    calls: list[tuple[int, int]] = []
    started = time.perf_counter()
    info = build_demo(store, progress=lambda done, total: calls.append((done, total)))
    elapsed = time.perf_counter() - started
    yield store, info, calls, elapsed
    store.close()
    backends.drop(store.url)


@pytest.fixture(scope="module")
def system(demo):
    return Flowdeck(demo[0], None)


@pytest.fixture(scope="module")
def all_flows(system):
    return system.list_flows()


def test_info_and_speed(demo):
    store, info, calls, elapsed = demo
    assert isinstance(info, DemoInfo)
    assert info.owner in info.users
    assert len(set(info.users)) == len(info.users) >= 8
    assert info.summary.startswith("2 contracts, ")
    assert "queued messages" in info.summary
    assert elapsed < 10  # about one second here; the brief says well under five
    assert store.clock.now() == NOW  # the frozen clock is back at "now"


def test_progress_runs_to_its_total(demo):
    calls = demo[2]
    assert calls
    totals = {t for _, t in calls}
    assert len(totals) == 1
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == calls[-1][1]


def test_contracts_and_workspaces(system):
    contracts = system.list_contracts()
    assert len(contracts) == 2
    assert all(c.status == "active" for c in contracts)
    workspaces = system.list_workspaces()
    assert len(workspaces) >= 6
    assert {w.kind for w in workspaces} == {"limited", "full"}
    for c in contracts:
        assert name_problem(c.name) is None
        assert {w.kind for w in workspaces if w.contract == c.name} == {"limited", "full"}
    for w in workspaces:
        assert name_problem(w.name) is None


def test_roles_and_support(demo, system):
    store, info = demo[0], demo[1]
    users = system.list_users()
    assert [u.email for u in users if u.support] == [info.support]
    contract_roles, ws_roles = set(), set()
    for c in system.list_contracts():
        members = system.list_members(c.name)
        assert any(m.role == "owner" for m in members)
        contract_roles |= {m.role for m in members}
    for w in system.list_workspaces():
        ws_roles |= {m.role for m in system.list_workspace_members(w.path)}
    assert contract_roles == {"owner", "admin", "member"}
    assert ws_roles == {"owner", "admin", "integrator", "guest"}
    owner = Flowdeck(store, info.owner)
    mine = owner.list_contracts()
    assert "owner" in {c.role for c in mine}
    assert len(owner.list_workspaces()) == len(system.list_workspaces())


def test_flows_in_every_state(all_flows):
    assert 25 <= len(all_flows) <= 40
    statuses = {f.status for f in all_flows}
    assert statuses == {"inactive", "active", "stopped"}
    reasons = {f.stop_reason for f in all_flows if f.status == "stopped"}
    assert {"manual", "work_time_limit"} <= reasons
    assert {f.type for f in all_flows} == {"ordinary", "realtime"}
    assert {f.workspace_kind for f in all_flows if f.status == "active"} == {"limited", "full"}
    for f in all_flows:
        assert name_problem(f.name) is None
        assert 2 <= len(f.steps) <= 4
        assert f.steps[0].component in ("webhook", "timer")


def test_auto_stopped_flows_lost_messages(system, all_flows):
    auto = [f for f in all_flows if f.stop_reason == "work_time_limit"]
    assert len(auto) >= 3
    for f in auto:
        assert f.lost_messages > 0
        assert f.deadline is None and f.remaining_seconds is None
        assert f.stopped_at == f.started_at + timedelta(hours=8)
        events = system.list_events(f.path, kinds=["flow.auto_stopped"])
        assert events and events[0].actor == "system"
        assert events[0].at == f.stopped_at
        assert events[0].detail["lost_messages"] == f.lost_messages


def test_countdowns(all_flows):
    limited = [f for f in all_flows if f.status == "active" and f.workspace_kind == "limited"]
    left = sorted(f.remaining_seconds for f in limited)
    assert all(s is not None and 0 < s <= 8 * 3600 for s in left)
    alarm, warning = COUNTDOWN_ALARM.total_seconds(), COUNTDOWN_WARNING.total_seconds()
    assert sum(s < alarm for s in left) >= 2
    assert any(alarm <= s < warning for s in left)
    assert any(s >= 2 * 3600 for s in left)
    full = [f for f in all_flows if f.status == "active" and f.workspace_kind == "full"]
    assert full and all(f.deadline is None for f in full)
    assert any(NOW - f.started_at >= timedelta(days=1) for f in full)


def test_queued_messages_within_caps(all_flows):
    total = sum(f.queued_messages for f in all_flows)
    assert 100 <= total <= 2000
    for f in all_flows:
        assert f.queued_messages <= queue_cap(f.workspace_kind)
        if f.status != "active":
            assert f.queued_messages == 0


def test_step_settings(all_flows):
    settings = [(s.component, s.settings) for f in all_flows for s in f.steps]
    assert any(c == "timer" and len(v.get("cron", "").split()) == 5 for c, v in settings)
    assert any(c == "transform" and "$sum(" in v.get("expression", "") for c, v in settings)
    assert any(c == "http" and v.get("url", "").startswith("http://127.0.0.1:") for c, v in settings)
    assert any(s.component == "http" and s.credential for f in all_flows for s in f.steps)


def test_support_requests(system):
    by_status = {}
    for r in system.list_requests():
        by_status.setdefault(r.status, []).append(r)
    assert set(by_status) == {"open", "approved", "declined"}
    assert len(by_status["open"]) == 1
    assert by_status["open"][0].workspace_kind == "limited"
    assert by_status["approved"][0].workspace_kind == "full"
    assert by_status["declined"][0].decision
    converted = system.list_events(kinds=["workspace.converted"])
    assert len(converted) >= 2 and all(e.actor != "system" for e in converted)


def test_credentials_are_fake_and_shared_by_name(demo, system):
    store, info = demo[0], demo[1]
    names: dict[str, set[str]] = {}
    for w in system.list_workspaces():
        creds = system.list_credentials(w.path)
        assert all(c.component == "http" for c in creds)
        names[w.path] = {c.name for c in creds}
    for contract in {w.contract for w in system.list_workspaces()}:
        staging = names[f"{contract}/Staging"]
        assert staging and staging <= names[f"{contract}/Production"]  # copies map by name
    owner = Flowdeck(store, info.owner)
    path = next(c.path for w in owner.list_workspaces() if w.role == "owner"
                for c in owner.list_credentials(w.path))
    secret = owner.reveal_credential(path)
    assert secret and all(v.startswith("demo-") for v in secret.values())


def test_events_are_in_the_past(system):
    events = system.list_events(limit=10_000)
    kinds = {e.kind for e in events}
    assert {"flow.started", "flow.stopped", "flow.auto_stopped", "flow.copied",
            "support.requested", "support.approved", "support.declined",
            "credential.created", "member.invited"} <= kinds
    assert min(e.at for e in events) >= NOW - timedelta(days=3)
    assert max(e.at for e in events) <= NOW


def test_building_twice_is_refused(demo):
    store = demo[0]
    before = store.revision()
    with pytest.raises(Conflict):
        build_demo(store)
    assert store.revision() == before


def test_deterministic_and_restores_a_real_clock(tmp_path, all_flows):
    store = _open(tmp_path / "again.db")
    store.clock = clock = Clock(start=NOW)  # runs forward from NOW, like --now
    info = build_demo(store)
    assert store.clock is clock
    flows = Flowdeck(store, None).list_flows()
    key = lambda f: (f.path, f.status, f.type, f.stop_reason, f.queued_messages,  # noqa: E731
                     f.lost_messages, f.started_at)
    assert [key(f) for f in flows] == [key(f) for f in all_flows]
    assert info.summary.startswith("2 contracts")
    store.close()
    backends.drop(store.url)
