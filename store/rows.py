"""Typed ways into rows and statements where SQLModel's and SQLAlchemy's types are looser
than what the store knows: a table class's Core ``Table``, a stored row's ``id`` and the
number of rows an UPDATE or DELETE touched."""

from __future__ import annotations

from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, Result, Table
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, col


class _Stored(Protocol):
    id: int | None


def table_of(model: type[SQLModel]) -> Table:
    """The Core ``Table`` behind a table class (SQLModel sets ``__table__``; its stubs do not say so)."""
    found: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel's metaclass, not in its stubs
    return found


def ident(row: _Stored) -> int:
    """The ``id`` of a row that is in the database (SQLModel types it ``int | None`` because a
    new object has none until it is flushed)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it has not been flushed")
    return row.id


def touched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE statement changed (``Session.execute`` types its
    result as a plain ``Result``; for those statements it is a ``CursorResult``)."""
    return cast(CursorResult[Any], result).rowcount


def id_col(column: int | None) -> Mapped[int]:
    """``Model.id`` in a query, typed as it is in every stored row: ``int`` (the model types it
    ``int | None`` for an object not yet flushed)."""
    return cast("Mapped[int]", col(column))
