"""The Core table behind a model, for statements built once at import.

Hot statements are built on the ``Table`` rather than the mapped class: they return plain rows
and skip the ORM's per-execution work (no entities to load, no session state to synchronise).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from storage.models.base import Base


def table_of(model: type[Base]) -> Table:
    """``model.__table__``, typed as the ``Table`` it is (declarative types it as FromClause)."""
    return cast(Table, model.__table__)
