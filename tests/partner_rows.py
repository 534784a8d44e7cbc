"""Hot statements on the partners table, shared by the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select

from storage.hot_sql import HotStatement
from storage.models import Partner

P = cast(Table, Partner.__table__)
ADD = HotStatement(
    insert(P).values(
        external_id=bindparam("ext"),
        opted_out=False,
        started_at=bindparam("at"),
        created_at=bindparam("at"),
        updated_at=bindparam("at"),
    )
)
NAMES = HotStatement(select(P.c.external_id).order_by(P.c.id))
AT = datetime(2026, 11, 23, 12, 30, 15, 123456, tzinfo=UTC)
