"""What the TUI's tests share besides fixtures: the demo's people and places, and how to
wait, press, type and read the screen. (A module of its own: test modules import it by
name, which a conftest.py in every test folder would make ambiguous.
``screenshots/make_screenshots.py`` imports it too, so the README's pictures are taken
as the tests see the screens.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.worker import WorkerCancelled, WorkerFailed

# the group of the screens' workers that ask the operator on the way (push_screen_wait)
from tui.screens.flow_actions import ASKING

#: The instant of the demo: the frozen clocks of every TUI test start here.
NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)

OWNER = "maria.santos@northwind.example"  # the demo's owner; the app opens as her
SUPPORT = "priya.raman@flowdeck.example"
GUEST = "lena.fischer@northwind.example"  # guest in Northwind Traders/Staging and /Production
INTEGRATOR = "jonas.berg@northwind.example"

NW = "Northwind Traders"
GX = "Globex Logistics"



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
        if await _asking(pilot, pending):
            return
        for worker in pending:
            if worker.group == ASKING:
                continue
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




async def _asking(pilot: Pilot, pending: list) -> bool:
    """Whether a worker of the screen is waiting for the operator's answer in a dialog (then
    the test answers it): its reads done, the dialog on top. Until then, wait for it."""
    asking = [w for w in pending if w.group == ASKING]
    if not asking:
        return False
    for _ in range(1000):
        if all(w.is_finished for w in asking):
            return False
        if isinstance(pilot.app.screen, ModalScreen) and all(
                w.is_finished for w in pilot.app.workers if w.group != ASKING):
            await pilot.pause()
            return True
        await pilot.pause(0.005)
    raise AssertionError("a dialog never came: " + ", ".join(w.name for w in asking))


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


@asynccontextmanager
async def running(app, *where: str, size: tuple[int, int] = (80, 24), **options) -> AsyncIterator[Pilot]:
    """The app running under Pilot (80x24 unless told), its first screen loaded, then walked
    by keys to ``where``: a contract, one of its workspaces, one of its flows."""
    async with app.run_test(size=size, **options) as pilot:
        if where:
            await open_by_keys(pilot, *where)
        else:
            await settle(pilot)
        yield pilot


def run_before_at(contract: str | None = None, workspace: str | None = None, flow: str | None = None,
                  *then: str, expect: type | None = None) -> Callable[[Pilot], Awaitable[None]]:
    """A snapshot's ``run_before``: go there, press ``then``, wait for the data, and check the
    screen is an ``expect``.

    It goes there the way Ctrl+P does (``app.jump``), which is quicker than
    walking with the arrows; the pilot tests walk by keys.
    """

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        path = "/".join(p for p in (contract, workspace, flow) if p)
        if path:
            pilot.app.jump(path)
            await settle(pilot)
        await press(pilot, *then)
        if expect is not None:
            assert isinstance(pilot.app.screen, expect), pilot.app.screen

    return run_before


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
