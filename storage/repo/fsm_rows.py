"""Rows of aiogram's FSM in ``fsm_states``: read one, upsert many (both databases, one path)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import upsert as dialect_upsert
from storage.models import FsmRecord
from storage.tables import table_of

_TABLE = table_of(FsmRecord)
_READ = select(_TABLE.c.state, _TABLE.c.data).where(_TABLE.c.key == bindparam("fsm_key"))


def _build_upsert(make: Any) -> Any:
    stmt = make(_TABLE)
    return stmt.on_conflict_do_update(
        index_elements=[_TABLE.c.key], set_={"state": stmt.excluded.state, "data": stmt.excluded.data}
    )


_UPSERT = dialect_upsert.per_dialect(_build_upsert)


async def read(session: AsyncSession, key: str) -> tuple[str | None, str | None]:
    """(state, data JSON) of one key; (None, None) when it has no row."""
    row = (await session.execute(_READ, {"fsm_key": key})).first()
    return (row[0], row[1]) if row is not None else (None, None)


async def upsert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Write rows (``key``, ``state``, ``data``) in the caller's transaction, one executemany."""
    if rows:
        await session.execute(dialect_upsert.pick(session, _UPSERT), rows)
