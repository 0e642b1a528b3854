"""Contracts: create, list, rename, suspend and resume."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlmodel import col

from ..actions import CONTRACT_ACTIONS, Subject, offer, refuse
from ..errors import Conflict
from ..models import Contract, ContractMember, ContractRole, ContractStatus
from ..names import check_name, name_key
from ..rows import ident
from ..views import ContractView
from ..worktime import stop_contract_flows
from .base import ServiceBase, Tx, reads, writes


class ContractService(ServiceBase):
    def _contract_view(self, t: Tx, c: Contract, role: str | None) -> ContractView:
        visible = self._visible_workspace_ids(t, c, role)
        return ContractView(id=ident(c), name=c.name, status=cast(ContractStatus, c.status),
                            role=cast(ContractRole | None, role),
                            created_at=c.created_at, workspaces=self._count(t, visible),
                            offer=offer(self._contract_subject(t, c, role), CONTRACT_ACTIONS))

    def _unique_contract_name(self, t: Tx, name: str, exclude: int | None = None) -> None:
        clash = t.s.scalars(select(Contract).where(col(Contract.name_key) == name_key(name))).first()
        if clash is not None and clash.id != exclude:
            raise Conflict(f"a contract named {clash.name!r} already exists")

    @writes
    def create_contract(self, t: Tx, name: str) -> ContractView:
        if t.user is None:
            raise Conflict("the system cannot own a contract")
        refuse("contract.create", Subject(readonly=self.readonly, support=t.is_support))
        name = check_name(name, "contract name")
        self._unique_contract_name(t, name)
        contract = Contract(name=name, name_key=name_key(name), created_at=t.now)
        t.s.add(contract)
        t.s.flush()
        t.s.add(ContractMember(contract_id=ident(contract), user_id=t.person_id, role="owner"))
        t.event("contract.created", contract=contract, path=name, detail={"name": name})
        return ContractView(id=ident(contract), name=name, status="active", role="owner",
                            created_at=t.now, workspaces=0, offer=offer(
                                self._contract_subject(t, contract, "owner"), CONTRACT_ACTIONS))

    @reads
    def list_contracts(self, t: Tx) -> list[ContractView]:
        if t.user is None or t.is_support:
            rows = t.s.execute(
                select(Contract, col(ContractMember.role)).outerjoin(
                    ContractMember,
                    (col(ContractMember.contract_id) == col(Contract.id))
                    & (col(ContractMember.user_id) == (t.user.id if t.user else -1)),
                ).order_by(col(Contract.name_key))
            ).all()
        else:
            rows = t.s.execute(
                select(Contract, col(ContractMember.role))
                .join(ContractMember, col(ContractMember.contract_id) == col(Contract.id))
                .where(col(ContractMember.user_id) == t.user.id)
                .order_by(col(Contract.name_key))
            ).all()
        return [self._contract_view(t, c, role) for c, role in rows]

    @reads
    def get_contract(self, t: Tx, name: str) -> ContractView:
        contract, role = self._contract(t, name)
        return self._contract_view(t, contract, role)

    @writes
    def rename_contract(self, t: Tx, name: str, new_name: str) -> ContractView:
        contract, role = self._contract(t, name)
        refuse("contract.rename", self._contract_subject(t, contract, role))
        new_name = check_name(new_name, "contract name")
        self._unique_contract_name(t, new_name, exclude=contract.id)
        old = contract.name
        contract.name, contract.name_key = new_name, name_key(new_name)
        t.s.add(contract)
        t.event("contract.renamed", contract=contract, path=new_name,
                detail={"from": old, "to": new_name})
        return self._contract_view(t, contract, role)

    @writes
    def suspend_contract(self, t: Tx, name: str) -> ContractView:
        refuse("contract.suspend", Subject(readonly=self.readonly, support=t.is_support))
        contract, role = self._contract(t, name)
        if contract.status == "suspended":
            raise Conflict(f"contract {contract.name} is already suspended")
        contract.status = "suspended"
        t.s.add(contract)
        t.s.flush()
        stopped = stop_contract_flows(t.s, ident(contract), t.now, t.actor_id)
        t.event("contract.suspended", contract=contract, path=contract.name,
                detail={"stopped_flows": len(stopped),
                        "lost_messages": sum(r[1] for r in stopped)})
        return self._contract_view(t, contract, role)

    @writes
    def resume_contract(self, t: Tx, name: str) -> ContractView:
        refuse("contract.suspend", Subject(readonly=self.readonly, support=t.is_support))
        contract, role = self._contract(t, name)
        if contract.status != "suspended":
            raise Conflict(f"contract {contract.name} is not suspended")
        contract.status = "active"
        t.s.add(contract)
        t.event("contract.resumed", contract=contract, path=contract.name)
        return self._contract_view(t, contract, role)
