"""The steps of the guided tour, chosen from what the user can see in the store.

``plan_tour(svc)`` picks a contract, a Limited workspace with running flows
(the one with the most), a Full workspace if there is one, and the flow
with the least work time left, then writes the eight steps around them:
the contract, workspaces, the Limited and Full badges, flows, credentials,
the countdown, the eight-hour stop (watched in a time lapse) and asking
support to convert. On the demo store that is Northwind Traders, its
Staging workspace and Order Sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from store.views import ContractView, FlowView, WorkspaceView
from tui.format import KIND_GLYPH, hms

#: How many times as fast the clock runs while the tour shows the eight-hour stop
LAPSE_SPEED = 60.0

#: Preferred when present (the demo); any other store gets its own picks
DEMO_CONTRACT = "Northwind Traders"


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    screen: str  # contracts | contract | workspace | flow
    path: str | None = None  # of the contract, workspace or flow the screen shows
    target: str = ""  # CSS selector of the widget the step points at
    table: str | None = None  # a table whose cursor goes to ``row``
    row: str | None = None  # the name in the first column of that row
    tab: str | None = None
    lapse: bool = False  # run the clock fast while this step is shown


@dataclass(frozen=True)
class Picks:
    contract: ContractView
    limited: WorkspaceView | None
    full: WorkspaceView | None
    flows: list[FlowView]
    credentials: int
    watched: FlowView | None  # the active flow with the least time left
    open_request: bool


def _pick(svc) -> Picks | None:
    contracts = svc.list_contracts()
    if not contracts:
        return None
    contract = next((c for c in contracts if c.name == DEMO_CONTRACT), None) or \
        next((c for c in contracts if c.role == "owner"), contracts[0])
    workspaces = svc.list_workspaces(contract.name)
    limited = [w for w in workspaces if w.kind == "limited"]
    full = next((w for w in workspaces if w.kind == "full"), None)
    ws = max(limited, key=lambda w: (w.active_flows, w.flows, w.credentials), default=None)
    flows: list[FlowView] = svc.list_flows(ws.path, with_steps=False) if ws else []
    running = [f for f in flows if f.status == "active" and f.remaining_seconds]
    watched = min(running, key=lambda f: f.remaining_seconds or 0, default=None)
    credentials = len(svc.list_credentials(ws.path)) if ws else 0
    open_request = bool(ws and svc.list_requests(workspace=ws.path, status="open"))
    return Picks(contract, ws, full, flows, credentials, watched, open_request)


def plan_tour(svc, *, lapse_speed: float | None) -> list[Step]:
    """The tour's steps for this user (runs in a thread: it reads the store)."""
    picks = _pick(svc)
    if picks is None:
        return [Step("Flowdeck", "You belong to no contract yet, so there is nothing to show. "
                     "Press n to create one; you become its owner.", "contracts",
                     target="#contracts")]
    c, ws, full, watched = picks.contract, picks.limited, picks.full, picks.watched
    who = f"You are {c.role} of {c.name}" if c.role else f"You see {c.name} as support staff"
    steps = [
        Step("The contract",
             f"A contract is a subscription to the platform. {who}; it holds {c.workspaces} "
             "workspace(s) you can see. Enter opens a contract, / filters, Ctrl+P jumps by "
             "name, ? lists the keys.",
             "contracts", target="#contracts", table="#contracts", row=c.name),
        Step("Workspaces",
             "A contract holds workspaces: separate places for development, staging and "
             "production, each with its own flows, credentials and members. New workspaces "
             "(n) start Limited.",
             "contract", c.name, target="#workspaces-table", table="#workspaces-table",
             row=ws.name if ws else None),
        Step("Limited and Full badges",
             f"{KIND_GLYPH['limited']} Limited is a sandbox: running flows stop eight hours after "
             f"their start and drop their queued messages. {KIND_GLYPH['full']} Full is "
             "production: no time limit. The line above explains the highlighted row.",
             "contract", c.name, target="#detail", table="#workspaces-table",
             row=(full or ws).name if (full or ws) else None),
    ]
    if ws is None:
        return steps
    first = next((f for f in picks.flows if f.status == "active"), None) or \
        (picks.flows[0] if picks.flows else None)
    steps += [
        Step("Flows",
             "A flow moves messages through steps: a trigger (webhook, timer), then actions "
             "(transform, http, log). s starts the highlighted flow, x stops it (asking first, "
             "saying what is lost), Enter opens it.",
             "workspace", ws.path, target="#flows-table", table="#flows-table",
             row=first.name if first else None, tab="flows"),
        Step("Credentials",
             "Credentials hold the secrets steps use, encrypted at rest and masked here. Owners, "
             "admins and integrators may reveal one (v); every reveal is recorded. A step uses "
             "only a credential of its own workspace.",
             "workspace", ws.path, target="#credentials-table", table="#credentials-table",
             tab="credentials"),
    ]
    if watched is not None:
        left = hms(watched.remaining_seconds or 0)
        steps.append(Step(
            "The countdown",
            "An active flow in a Limited workspace counts down its eight hours as H:MM:SS, "
            f"marked ! under an hour and !! under ten minutes. {watched.name} had {left} left "
            "when the tour began.",
            "flow", watched.path, target="#countdown"))
        if lapse_speed:
            watch = (f"The clock now runs {lapse_speed:g}x as fast until you leave this step. "
                     f"Watch {watched.name}:")
        else:
            watch = f"Watch {watched.name}:"
        steps.append(Step(
            "The eight-hour stop",
            f"{watch} at zero it stops by itself (reason: work-time limit), drops its queued "
            "messages, and stays stopped until a person restarts it (R).",
            "flow", watched.path, target="#state", lapse=bool(lapse_speed)))
    pending = f" {ws.name} already has an open request." if picks.open_request else ""
    steps.append(Step(
        "Asking support to convert",
        "Flows that must run around the clock need a Full workspace. Owners and admins ask "
        "support to convert: F on the workspace, with a reason. Support approves (Full at once) or "
        f"declines; both are recorded.{pending}",
        "workspace", ws.path, target="#banner", table="#flows-table", tab="flows"))
    return steps
