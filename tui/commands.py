"""The command palette (Ctrl+P): jump to any contract, workspace or flow by name, or to the
time-left screen."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from store.errors import FlowdeckError

_LIMIT = 40
_TIME_LEFT = "Time left"
_TIME_LEFT_HELP = "what stops next: every active Limited flow, soonest first (T)"


class JumpProvider(Provider):
    """Finds contracts, workspaces and flows the user may see, by name."""

    async def _targets(self, query: str) -> list[tuple[str, str]]:
        svc = self.app.svc  # type: ignore[attr-defined]
        if svc is None:  # the store is still being opened
            return []

        def find() -> list[tuple[str, str]]:
            out: list[tuple[str, str]] = []
            for c in svc.list_contracts():
                out.append((c.name, "contract"))
            for w in svc.list_workspaces():
                out.append((w.path, f"{w.kind} workspace"))
            needle = query.split("/")[-1].strip() or None
            for f in svc.list_flows(None, search=needle, limit=_LIMIT, with_steps=False):
                out.append((f.path, f"flow, {f.status}"))
            return out

        try:
            return await asyncio.to_thread(find)
        except FlowdeckError:
            return []

    async def discover(self) -> Hits:
        yield DiscoveryHit(_TIME_LEFT, self.app.open_time_left, help=_TIME_LEFT_HELP)  # type: ignore[attr-defined]
        for path, what in (await self._targets(""))[:_LIMIT]:
            yield DiscoveryHit(path, partial(self.app.jump, path), help=what)  # type: ignore[attr-defined]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        if (score := matcher.match(_TIME_LEFT)) > 0:
            yield Hit(score, matcher.highlight(_TIME_LEFT), self.app.open_time_left,  # type: ignore[attr-defined]
                      help=_TIME_LEFT_HELP)
        for path, what in await self._targets(query):
            score = matcher.match(path)
            if score > 0:
                yield Hit(score, matcher.highlight(path), partial(self.app.jump, path),  # type: ignore[attr-defined]
                          help=what)
