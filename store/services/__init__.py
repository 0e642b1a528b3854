"""The services: the only way to read or change the store.

``Flowdeck(store, actor)`` is the one facade the command line and the TUI
use; each group of operations lives in its own module.
"""

from __future__ import annotations

from .. import worktime
from ..actions import NO_OFFER, Offer
from ..engine import Store
from ..views import SweepResult
from .contracts import ContractService
from .credentials import CredentialService, parse_secret_pairs
from .events import EventService
from .flows import FlowService, parse_step
from .members import MemberService
from .messages import MessageService, parse_payload
from .promotion import PromotionService
from .runtime import RuntimeService
from .support import SupportService
from .users import UserService
from .workspaces import WorkspaceService


class Flowdeck(
    UserService, ContractService, MemberService, WorkspaceService, CredentialService,
    PromotionService, FlowService, MessageService, EventService, SupportService, RuntimeService,
):
    """Everything one caller (or the system, with ``actor=None``) can do with a store."""

    def __init__(self, store: Store, actor: str | None, *, readonly: bool = False) -> None:
        super().__init__(store, actor, readonly=readonly)

    def sweep(self) -> SweepResult:
        """One enforcement sweep, as the system: stop overdue flows, prune the flow log."""
        return worktime.sweep(self.store)

    def revision(self) -> int:
        return self.store.revision()

    def allowed(self, path: str | None = None) -> Offer:
        """What the caller may do with the contract, workspace or flow at ``path`` (or, with
        no path, as such): ``offer.allowed`` and ``offer.refused`` (``store/actions.py``).

        ``offer.check(action)`` raises the refusal the service would give. What the caller
        may not see is refused as not found, as everywhere.
        """
        if not path:
            me = self.me()
            return me.offer if me is not None else NO_OFFER
        depth = len(path.split("/"))
        if depth == 1:
            return self.get_contract(path).offer
        if depth == 2:
            return self.get_workspace(path, counts=False).offer
        return self.get_flow(path).offer


__all__ = ["Flowdeck", "parse_payload", "parse_secret_pairs", "parse_step"]
