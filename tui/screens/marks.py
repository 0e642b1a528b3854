"""Marked flows, and start, stop or restart of several flows as one change (DESIGN 2c).

A list of flows keeps the ids its user marked (space), across pages, sorts and
reloads. Start, stop and restart then act on the marked flows: the store plans
the change (how many flows, how many queued messages dropped in all), the user
confirms (Cancel is the default), and one ``run_flows`` call changes all of
them or none; a refusal names its flow (``marked.MarkedFlows`` asks and runs).
"""

from __future__ import annotations

from rich.text import Text

from store.views import FlowRunView

from .confirm import ConfirmScreen

MARK = "●"
PROMOTION = "≠"
#: the verbs of the keys, as the confirmation says them
_VERBS = {"start": "Start", "stop": "Stop", "restart": "Restart"}


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


class Marks:
    """The ids of the marked flows of one list."""

    def __init__(self) -> None:
        self.ids: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, fid: object) -> bool:
        return fid in self.ids

    def toggle(self, fid: int) -> bool:
        """Mark the flow, or unmark it: True when it is marked now."""
        if fid in self.ids:
            self.ids.discard(fid)
            return False
        self.ids.add(fid)
        return True

    def add(self, ids: list[int]) -> int:
        """Mark these too; how many were not marked yet."""
        before = len(self.ids)
        self.ids.update(ids)
        return len(self.ids) - before

    def clear(self) -> None:
        self.ids.clear()

    def keep(self, still: set[int]) -> None:
        """Forget marks of flows that are gone from the list (stopped, deleted)."""
        self.ids &= still

    def cell(self, fid: int, promoted: bool = False) -> Text:
        """The mark column: the mark, then the promotion marker."""
        return Text.assemble((MARK if fid in self.ids else " ", "bold"),
                             (PROMOTION if promoted else " ", "bold"))

    def words(self) -> str:
        return plural(len(self.ids), "flow") + " marked" if self.ids else ""


def confirmation(plan: FlowRunView) -> ConfirmScreen:
    """The numbers of a planned change, asked first."""
    action = plan.action
    flows = plural(plan.changed, "flow")
    lost = (f"{plural(plan.lost_messages, 'queued message')} will be dropped in all"
            if plan.lost_messages else "no queued message is dropped")
    what = {"start": "start", "stop": "stop now",
            "restart": "stop and start again with a fresh work time where Limited"}[action]
    return ConfirmScreen(f"{_VERBS[action]} {flows}?",
                         f"The {flows} {what}; {lost}. All of them change, or none does.",
                         confirm_label=f"{_VERBS[action]} {plan.changed:,}",
                         danger=action != "start" and plan.lost_messages > 0)


def summary(done: FlowRunView) -> str:
    verb = {"start": "started", "stop": "stopped", "restart": "restarted"}[done.action]
    return (f"{plural(done.changed, 'flow')} {verb}; "
            f"{plural(done.lost_messages, 'queued message')} dropped")

