"""A small world for tests: one user for every role of DESIGN section 3.

Imported by ``tests/conftest.py`` (fixtures ``clock``, ``store``, ``world``)
and by tests that need its constants. No pytest here, so a worker process
can import it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from store.clock import FrozenClock
from store.engine import Store
from store.services import Flowdeck

#: The instant every frozen clock starts at: a Monday morning, in UTC.
T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

#: A secret value that must never leave the credential it is stored in.
SECRET = "tok-7Qf3-SEKRIT-9a1c"

#: The users of the world, by role. Contract roles and workspace roles are
#: kept apart: the contract owner and admin belong to no workspace, the
#: workspace roles are plain contract members.
EMAILS = {
    "support": "sue@support.example",
    "contract_owner": "olivia@acme.example",
    "contract_admin": "adam@acme.example",
    "contract_member": "mia@acme.example",
    "workspace_owner": "wendy@acme.example",
    "workspace_admin": "walt@acme.example",
    "integrator": "ivan@acme.example",
    "guest": "gus@acme.example",
    "outsider": "otto@globex.example",
    "newcomer": "nina@acme.example",  # registered, member of nothing yet
}
ROLES = tuple(r for r in EMAILS if r != "newcomer")

#: The world's two flows (see ``build_world``): Orders active since T0 in a
#: limited workspace with 3 queued messages, so due to stop at T0+8h; Idle
#: never started.
ORDERS = "Acme/Staging/Orders"
IDLE = "Acme/Staging/Idle"


@dataclass
class World:
    """A store filled by ``build_world``; ``as_(role)`` acts as that role's user."""

    store: Store
    clock: FrozenClock
    request_id: int = 0
    emails: dict[str, str] = field(default_factory=lambda: dict(EMAILS))

    def as_(self, role: str | None, *, readonly: bool = False) -> Flowdeck:
        """The facade for the user holding ``role`` (None: the system)."""
        return Flowdeck(self.store, self.emails[role] if role else None, readonly=readonly)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def build_world(store: Store) -> World:
    """Users for every role, contract ``Acme`` and its workspaces, at the store's clock.

    - ``Acme`` (owner olivia, admin adam, members mia, wendy, walt, ivan, gus)
    - ``Acme/Staging`` (limited; owner wendy, admin walt, integrator ivan, guest gus)
      with credentials ``CRM token`` (http, token ``SECRET``) and ``Spare key``
      (http, username+password, unused), flow ``Orders`` (webhook, transform,
      http:CRM token) active with 3 queued messages, and flow ``Idle``
      (webhook, http without credential) never started
    - ``Acme/Production`` (limited; same members as Staging) with credential
      ``CRM token`` and an open support request asking for Full
    - ``Globex/Lab``, the outsider's own contract and workspace
    """
    clock = store.clock
    assert isinstance(clock, FrozenClock)
    world = World(store, clock)
    e = world.emails
    Flowdeck(store, None).add_user(e["support"], "Sue Support")  # the first user: support staff
    support = world.as_("support")
    for role, email in e.items():
        if role != "support":
            support.add_user(email, role.replace("_", " ").title())
    owner = world.as_("contract_owner")
    owner.create_contract("Acme")
    for role, crole in [("contract_admin", "admin"), ("contract_member", "member"),
                        ("workspace_owner", "member"), ("workspace_admin", "member"),
                        ("integrator", "member"), ("guest", "member")]:
        owner.invite_member("Acme", e[role], crole)
    wowner = world.as_("workspace_owner")
    for ws in ("Acme/Staging", "Acme/Production"):
        wowner.create_workspace(ws)
        for role, wrole in [("workspace_admin", "admin"), ("integrator", "integrator"),
                            ("guest", "guest")]:
            wowner.add_workspace_member(ws, e[role], wrole)
        wowner.add_credential(f"{ws}/CRM token", "http", {"token": SECRET})
    wowner.add_credential("Acme/Staging/Spare key", "http", {"username": "svc", "password": "pw-spare"})
    integ = world.as_("integrator")
    integ.create_flow("Acme/Staging/Orders",
                      [("webhook", None), ("transform", None), ("http", "CRM token")])
    integ.set_step("Acme/Staging/Orders", 3, "url", "https://crm.example/orders")
    integ.create_flow("Acme/Staging/Idle", [("webhook", None), ("http", None)])
    integ.start_flow("Acme/Staging/Orders")
    integ.send_messages("Acme/Staging/Orders", count=3)
    world.request_id = wowner.request_full("Acme/Production", "we go live on Friday").id
    outsider = world.as_("outsider")
    outsider.create_contract("Globex")
    outsider.create_workspace("Globex/Lab")
    return world


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
