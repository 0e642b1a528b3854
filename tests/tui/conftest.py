"""Fixtures of the TUI's tests: the demo store on a frozen clock, apps over it, and waiting.

The demo (``store.demo.build_demo``) is built once per session at ``NOW`` in
a template store; every ``demo()`` call copies it (the file and its key file,
or on PostgreSQL a database made from it: see ``backends``) and opens the copy
with its own ``FrozenClock`` at ``NOW``, so each test starts from the same
deterministic demo and may change it freely.

Pilot tests are ``async def``: no asyncio plugin is installed, so the
``pytest_pyfunc_call`` hook below runs them with ``asyncio.run``. Snapshot
tests are plain ``def`` (``snap_compare`` runs the app itself).

Data loads in workers, so after each key press a test waits with
``settle(pilot)``: until no worker is pending, re-raising any error a
worker swallowed (the screens start their workers with
``exit_on_error=False``, which would otherwise hide a crash).
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import backends
import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from store.clock import FrozenClock
from store.demo import build_demo
from store.engine import Store, open_store
from store.services import Flowdeck
from tui.app import FlowdeckApp

#: The instant of the demo: the frozen clocks of every TUI test start here.
NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)

OWNER = "maria.santos@northwind.example"  # the demo's owner; the app opens as her
SUPPORT = "priya.raman@flowdeck.example"
GUEST = "lena.fischer@northwind.example"  # guest in Northwind Traders/Staging and /Production
INTEGRATOR = "jonas.berg@northwind.example"

NW = "Northwind Traders"
GX = "Globex Logistics"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function):
    """Run ``async def`` tests in a fresh event loop."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in names}
    asyncio.run(pyfuncitem.obj(**kwargs))
    return True


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """No animations (for processes started here), no inherited colour or theme settings."""
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    for name in ("NO_COLOR", "FLOWDECK_THEME", "FLOWDECK_STEADY", "FLOWDECK_DB", "FLOWDECK_USER"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Demo:
    """One copy of the demo store, opened on its own frozen clock."""

    store: Store
    clock: FrozenClock
    path: Path

    @property
    def url(self) -> str:
        return self.store.url

    def as_(self, email: str | None) -> Flowdeck:
        return Flowdeck(self.store, email)

    def app(self, user: str = OWNER, **kwargs) -> FlowdeckApp:
        """The app over this store, steady: no blinking cursor, no animation."""
        kwargs.setdefault("steady", True)
        app = FlowdeckApp(user=user, store=self.store, **kwargs)
        # Textual reads TEXTUAL_ANIMATIONS once, when it is imported (before any fixture
        # runs), so the environment variable alone does not reach an app made here.
        app.animation_level = "none"
        return app

    def other_connection(self) -> Store:
        """A second, independent store on the same file or database: another operator's process."""
        return open_store(self.url, FrozenClock(self.clock.now()))


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> str:
    """The URL of the session's demo store, which every ``demo()`` copies."""
    base = tmp_path_factory.mktemp("demo-template")
    template = backends.store_url(base / "demo.db")
    store = open_store(template, FrozenClock(NOW))
    build_demo(store)
    store.secret_box()  # make sure the key file exists
    store.close()  # the last connection checkpoints the WAL into the file
    return template


@pytest.fixture
def demo_factory(demo_template: str, tmp_path: Path) -> Iterator[Callable[[], Demo]]:
    counter = itertools.count()
    opened: list[Store] = []

    def make() -> Demo:
        target = tmp_path / f"demo-{next(counter)}.db"
        clock = FrozenClock(NOW)
        store = open_store(backends.clone_url(demo_template, target), clock)
        opened.append(store)
        return Demo(store, clock, target)

    yield make
    for store in opened:
        store.close()
        backends.drop(store.url)


@pytest.fixture
def demo(demo_factory) -> Demo:
    """A fresh copy of the demo store at ``NOW``."""
    return demo_factory()


async def settle(pilot: Pilot, rounds: int = 50, *, after_key: bool = False) -> None:
    """Wait until no worker is pending and the screen has caught up with their results.

    ``pilot.press`` has already waited for the key's messages; what remains is
    the work those started in workers. A finished worker may start another
    (an action reloads the screen), so this loops. A worker cancelled by a
    newer one of its group is fine; one that failed is re-raised here.
    ``after_key``: right after ``pilot.press``, which has just waited for the
    app to go idle, so with no worker pending there is nothing left to wait for.
    """
    app = pilot.app
    for _ in range(rounds):
        pending = [w for w in app.workers if not w.is_finished]
        if after_key and not pending:
            return
        for worker in pending:
            try:
                await worker.wait()
            except WorkerCancelled:
                pass
            except WorkerFailed as exc:
                raise AssertionError(f"worker {worker.name!r} failed: {exc.error!r}") from exc.error
        await pilot.pause()  # let the screen take in what they posted (and mount new screens)
        if all(w.is_finished for w in app.workers):
            return
    raise AssertionError("workers kept running: " + ", ".join(w.name for w in app.workers))


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys one at a time, settling after each."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot, after_key=True)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type text into the focused input, key by key, then settle."""
    await pilot.press(*text)
    await settle(pilot, after_key=True)


def notifications(app) -> list[str]:
    """The texts of every notification the app has raised (shown or not)."""
    return [str(n.message) for n in app._notifications]


def plain(cell: object) -> str:
    return cell.plain if hasattr(cell, "plain") else str(cell)


def table_rows(screen, table_id: str) -> dict[str, list[str]]:
    """The rows of a screen's table as plain text, by their first cell (a name)."""
    table = screen.query_one(f"#{table_id}")
    out = {}
    for key in list(table.keys()):  # row keys in order (a paged table: the rows loaded)
        cells = [plain(c) for c in table.get_row(key)]
        out[cells[0]] = cells
    return out


def current_name(screen, table_id: str) -> str | None:
    table = screen.query_one(f"#{table_id}")
    key = table.current_key
    return None if key is None else plain(table.get_row(key)[0])


async def highlight(pilot: Pilot, table_id: str, name: str) -> None:
    """Move the cursor of the table in view, by arrow keys, to the row named ``name``."""
    screen = pilot.app.screen
    names = list(table_rows(screen, table_id))
    assert name in names, f"{name!r} is not in {table_id}: {names}"
    for _ in range(len(names) + 1):
        here = current_name(screen, table_id)
        if here == name:
            await settle(pilot)
            return
        # moving the cursor starts no worker: no need to settle after each step
        await pilot.press("down" if names.index(here) < names.index(name) else "up")
    raise AssertionError(f"could not reach {name!r} in {table_id}")


async def open_by_keys(pilot: Pilot, contract: str, workspace: str | None = None,
                       flow: str | None = None) -> None:
    """From the contracts screen, walk down to a contract, workspace or flow with arrows and Enter."""
    await settle(pilot)
    await highlight(pilot, "contracts", contract)
    await press(pilot, "enter")
    if workspace is None:
        return
    await highlight(pilot, "workspaces-table", workspace)
    await press(pilot, "enter")
    if flow is None:
        return
    await highlight(pilot, "flows-table", flow)
    await press(pilot, "enter")


def footer_keys(screen) -> list[str]:
    """The keys the footer offers right now."""
    return [k.key for k in screen.query("FooterKey")]


async def tooltip_shown(pilot: Pilot, shown: bool = True, timeout: float = 5.0) -> str:
    """After a hover: wait (the app's TOOLTIP_DELAY, more on a busy machine) until the
    tooltip is shown (or, with ``shown=False``, gone); return its text."""
    from textual.widgets._tooltip import Tooltip

    await pilot.pause(pilot.app.TOOLTIP_DELAY)
    deadline = asyncio.get_running_loop().time() + timeout
    tooltip = pilot.app.screen.query_one(Tooltip)
    while bool(tooltip.display) != shown:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the tooltip was {'never' if shown else 'still'} shown")
        await pilot.pause(0.05)
    await pilot.pause()
    return str(tooltip.content) if shown else ""
