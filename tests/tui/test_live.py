"""Changes made elsewhere show up on screen within two seconds, with no key pressed.

These tests let the screen's real once-a-second timer run: it is what
notices the store's change marker moving.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap

from on_screen import wait_until
from tui_helpers import INTEGRATOR, NOW, NW, current_name, highlight, open_by_keys, running, table_rows

from store.clock import iso

DEV = f"{NW}/Development"
WITHIN = 2.0  # seconds: DESIGN section 4


async def test_another_process_starting_a_flow_shows_up_without_a_keypress(demo):
    app = demo.app()
    flow = "Inventory Sync Draft"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_by_keys(pilot, NW, "Development")
        screen = app.screen
        await highlight(pilot, "flows-table", "Order Intake Prototype")
        assert table_rows(screen, "flows-table")[flow][1] == "○ inactive"

        # another operator's process, on the same SQLite file
        script = textwrap.dedent(f"""
            from store.clock import FrozenClock, parse_instant
            from store.engine import open_store
            from store.services import Flowdeck
            store = open_store({demo.url!r}, FrozenClock(parse_instant({iso(NOW)!r})))
            Flowdeck(store, {INTEGRATOR!r}).start_flow({f"{DEV}/{flow}"!r})
            store.close()
        """)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script)
        assert await proc.wait() == 0

        took = await wait_until(pilot, lambda: table_rows(screen, "flows-table")[flow][1] == "▶ active",
                                timeout=5.0)
        assert took <= WITHIN
        assert "8:00:00" in table_rows(screen, "flows-table")[flow][3]
        assert current_name(screen, "flows-table") == "Order Intake Prototype"  # the cursor stayed


async def test_another_connection_stopping_a_flow_shows_up_on_the_flow_screen(demo):
    app = demo.app()
    async with running(app, NW, "Development", "JSONata Playground") as pilot:
        screen = app.screen
        other = demo.other_connection()
        try:
            from store.services import Flowdeck

            Flowdeck(other, INTEGRATOR).stop_flow(f"{DEV}/JSONata Playground")
        finally:
            other.close()

        def stopped() -> bool:
            return "■ stopped" in screen.query_one("#state").content.plain

        assert await wait_until(pilot, stopped, timeout=5.0) <= WITHIN
        assert "6 queued messages lost" in screen.query_one("#state").content.plain
        assert "by hand" in screen.query_one("#countdown").content.plain
