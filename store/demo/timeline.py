"""The demo's timeline: a fresh store filled with three days of a realistic integration platform.

``build_demo(store)`` uses only the public services, so every rule is
checked and every event is real. To give the store a past, it runs on a
frozen clock moved through the three days before "now" (the store's own
clock when that is a ``FrozenClock``, otherwise a stand-in that is swapped
back at the end), executing a timeline sorted by time. Timings are planned
backwards from now, so at now: some limited flows have 4, 9, 14 and 40
minutes left, others hours; flows that were never stopped were stopped by
the store's own sweep at their deadline, with their queues lost; Full
workspaces have flows that have run for days.

Every secret is an obviously fake demo value.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from store.clock import FrozenClock
from store.demo.data import (
    CONTRACTS,
    CREDENTIALS,
    GX,
    NW,
    OWNER,
    PEOPLE,
    SUPPORT,
    WORKSPACES,
    D,
    FlowPlan,
    H,
    M,
    flows,
    payload,
)
from store.engine import Store
from store.errors import Conflict
from store.services import Flowdeck

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoInfo:
    owner: str  # the email the TUI opens as
    users: list[str]
    summary: str
    support: str = ""
    now: datetime | None = None
    contracts: list[str] = field(default_factory=list)


# -- the timeline -------------------------------------------------------------------


class _Timeline:
    """Actions at offsets from now, run in time order (ties in the order they were added)."""

    def __init__(self) -> None:
        self.items: list[tuple[timedelta, int, str | None, Callable[[Flowdeck], Any]]] = []

    def at(self, when: timedelta, who: str | None, fn: Callable[[Flowdeck], Any]) -> None:
        self.items.append((when, len(self.items), who, fn))

    def call(self, when: timedelta, who: str | None, method: str, *args: Any, **kw: Any) -> None:
        self.at(when, who, lambda fd: getattr(fd, method)(*args, **kw))


def _plan() -> _Timeline:
    tl = _Timeline()
    support = SUPPORT[0]
    email = {key: e for key, (e, _) in PEOPLE.items()}
    t0 = -3 * D
    # people, contracts, workspaces, members
    tl.call(t0, None, "add_user", *SUPPORT)
    for i, (e, name) in enumerate(PEOPLE.values()):
        tl.call(t0 + i * M, support, "add_user", e, name)
    for c, (contract, (owner, invitees)) in enumerate(CONTRACTS.items()):
        when = t0 + (10 + 10 * c) * M
        tl.call(when, email[owner], "create_contract", contract)
        for who, role in invitees.items():
            tl.call(when + M, email[owner], "invite_member", contract, email[who], role)
    for w, (path, (creator, members)) in enumerate(WORKSPACES.items()):
        when = t0 + (30 + 2 * w) * M
        tl.call(when, email[creator], "create_workspace", path)
        for who, role in members.items():
            tl.call(when + M, email[creator], "add_workspace_member", path, email[who], role)
    # conversions and support requests
    tl.call(t0 + H, support, "convert_workspace", f"{NW}/Production", "full")
    requests: dict[str, int] = {}

    def ask(when: timedelta, who: str, path: str, reason: str) -> None:
        tl.at(when, email[who],
              lambda fd: requests.__setitem__(path, fd.request_full(path, reason).id))

    ask(-2 * D - 8 * H, "grace", f"{GX}/Production",
        "Customer shipment tracking goes live on Monday; these flows must run around the clock.")
    tl.at(-2 * D, support, lambda fd: fd.approve_request(requests[f"{GX}/Production"]))
    ask(-D - 10 * H, "aiko", f"{NW}/Partner Sandbox",
        "Partners test against this sandbox overnight and lose messages at the eight-hour stop.")
    tl.at(-D - 8 * H, support, lambda fd: fd.decline_request(
        requests[f"{NW}/Partner Sandbox"],
        "Sandboxes stay Limited; point partner traffic at Production, which is Full."))
    ask(-40 * M, "tom", f"{NW}/Staging",
        "Peak-season load test has to run over the weekend without the eight-hour stop.")
    # credentials, one rotation and one reveal
    for when, who, path, secrets in CREDENTIALS:
        tl.call(when, email[who], "add_credential", path, "http", secrets)
    tl.call(-D, email["tom"], "update_credential", f"{NW}/Staging/Shop API",
            {"password": "demo-password-rotated"})
    tl.call(-D - 2 * H, email["jonas"], "reveal_credential", f"{NW}/Staging/ERP API")
    # flows
    for plan in flows():
        _plan_flow(tl, plan, email)
    return tl


def _plan_flow(tl: _Timeline, plan: FlowPlan, email: dict[str, str]) -> None:
    by = email[plan.by]
    if plan.copy_of:
        source = f"{plan.copy_of}/{plan.path.rsplit('/', 1)[1]}"
        tl.call(plan.created, by, "copy_flow", source, plan.path.rsplit("/", 1)[0])
    else:
        tl.call(plan.created, by, "create_flow", plan.path,
                [(comp, cred) for comp, cred, _ in plan.steps], realtime=plan.realtime)
        for position, (_, _, settings) in enumerate(plan.steps, start=1):
            for key, value in settings.items():
                tl.call(plan.created, by, "set_step", plan.path, position, key, value)
    batch = 0
    jitter = random.Random(f"flowdeck-demo:{plan.path}")  # seeded: the same demo every time
    for when, op, count, who in plan.life:
        if when <= plan.created:
            raise AssertionError(f"demo plan: {plan.path} acts before it exists")
        actor = email[who] if who else by
        if op == "send":  # a few seconds off the round minute, so the log looks lived in
            when += timedelta(seconds=jitter.randrange(5, 240))
            tl.call(when, actor, "send_messages", plan.path, count, payload(plan.topic, batch))
            batch += 1
        elif op == "realtime":
            tl.call(when, actor, "set_flow_type", plan.path, "realtime")
        else:
            tl.call(when, actor, f"{op}_flow", plan.path)


# -- building -----------------------------------------------------------------------


def build_demo(store: Store, progress: Progress | None = None) -> DemoInfo:
    """Fill a fresh ``store`` with the demo; refuse (Conflict) if it has users already."""
    if Flowdeck(store, None).has_users():
        raise Conflict("the store already has users; the demo fills only a fresh store")
    original = store.clock
    now = original.now()
    clock = original if isinstance(original, FrozenClock) else FrozenClock(now)
    store.clock = clock
    try:
        items = sorted(_plan().items, key=lambda item: (item[0], item[1]))
        total = len(items) + 1
        callers: dict[str | None, Flowdeck] = {}
        for done, (when, _, who, fn) in enumerate(items, start=1):
            clock.set(now + when)
            if who not in callers:
                callers[who] = Flowdeck(store, who)
            fn(callers[who])
            if progress:
                progress(done, total)
        clock.set(now)
        summary = _summary(Flowdeck(store, None))
        if progress:
            progress(total, total)
    finally:
        if clock is original:
            clock.set(now)
        else:
            store.clock = original
    return DemoInfo(
        owner=PEOPLE[OWNER][0], users=[SUPPORT[0], *(e for e, _ in PEOPLE.values())],
        summary=summary, support=SUPPORT[0], now=now, contracts=list(CONTRACTS))


def _summary(fd: Flowdeck) -> str:
    contracts = fd.list_contracts()
    workspaces = fd.list_workspaces()
    everything = fd.list_flows(with_steps=False)
    active = sum(f.status == "active" for f in everything)
    full = sum(w.kind == "full" for w in workspaces)
    queued = sum(f.queued_messages for f in everything)
    return (f"{len(contracts)} contracts, {len(workspaces)} workspaces ({full} full), "
            f"{len(everything)} flows ({active} active), {queued} queued messages")
