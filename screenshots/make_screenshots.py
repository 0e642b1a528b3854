"""Render the main screens of the TUI from the demo data into screenshots/ (SVG).

    python screenshots/make_screenshots.py [--out DIR]

The demo is built into a temporary store on a frozen clock at a fixed
instant, so every run draws the same pictures. The app is driven by keys,
as a person would, at 100x30; each picture is taken once the screen's data
has loaded. No secret is ever revealed, so none can appear in a picture.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from store.clock import FrozenClock
from store.demo.timeline import build_demo
from store.engine import init_store
from tui.app import FlowdeckApp

HERE = Path(__file__).resolve().parent
# how the TUI's tests wait, press and move (tests/tui/tui_helpers.py), so the pictures
# are taken as the tests see the screens
sys.path.insert(0, str(HERE.parent / "tests" / "tui"))
from tui_helpers import NOW, NW, highlight, press, settle  # noqa: E402

SIZE = (100, 30)


async def shoot(app: FlowdeckApp, out: Path) -> list[Path]:
    saved: list[Path] = []

    def save(name: str) -> None:
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
        saved.append(out / f"{name}.svg")

    async with app.run_test(size=SIZE, tooltips=True) as pilot:
        await settle(pilot)
        save("01-contracts")

        await highlight(pilot, "contracts", NW)
        await press(pilot, "enter")
        save("02-contract-workspaces")

        await highlight(pilot, "workspaces-table", "Staging")
        await press(pilot, "enter")
        save("03-limited-workspace-countdowns")  # ok, warning (under 1 h) and alarm (under 10 min)

        await pilot.hover("#crumb-badge")
        await pilot.pause(app.TOOLTIP_DELAY + 0.3)
        save("04-limited-badge-tooltip")
        await pilot.hover("#detail")
        await pilot.pause(app.TOOLTIP_DELAY + 0.3)

        await highlight(pilot, "flows-table", "Order Sync")
        await press(pilot, "x")
        save("05-stop-confirmation")
        await press(pilot, "escape")  # Cancel: nothing is stopped

        await press(pilot, "enter")
        save("06-flow")

        await press(pilot, "question_mark")
        save("07-help")
        await press(pilot, "escape", "escape", "escape")

        await highlight(pilot, "workspaces-table", "Production")
        await press(pilot, "enter")
        save("08-full-workspace")
        await pilot.app.action_quit()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the SVGs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="flowdeck-screenshots-") as tmp:
        clock = FrozenClock(NOW)
        store = init_store(f"sqlite:///{Path(tmp) / 'demo.db'}", clock, simulated_clock=True)
        try:
            info = build_demo(store)
            app = FlowdeckApp(store=store, user=info.owner, steady=True)
            app.animation_level = "none"
            saved = asyncio.run(shoot(app, args.out))
        finally:
            store.close()
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
