"""64-bit Telegram ids

Telegram user ids are past 2**31 now and supergroup/channel ids look like -100xxxxxxxxxx, so every
column that holds a Telegram user, chat or message id becomes BIGINT. PostgreSQL rewrites the
columns in place; SQLite stores 64-bit integers whatever the declared type, and batch mode copies
each table so the declared type matches the models too.

Revision ID: 0002_bigint_ids
Revises: 0001
Create Date: 2026-12-01 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_bigint_ids"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> columns that were 32-bit in 0001 (the others, e.g. partners.telegram_id, already were 64).
COLUMNS: dict[str, tuple[str, ...]] = {
    "campaigns": ("created_by", "progress_chat_id", "progress_message_id"),
    "responses": ("question_message_id",),
    "deliveries": ("message_id",),
    "alerts": ("message_id",),
}


def _retype(old: type[sa.types.TypeEngine[int]], new: type[sa.types.TypeEngine[int]]) -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=old(), type_=new(), existing_nullable=True)


def upgrade() -> None:
    _retype(sa.Integer, sa.BigInteger)


def downgrade() -> None:
    # Fails on PostgreSQL if an id past 2**31 is stored: better than truncating it.
    _retype(sa.BigInteger, sa.Integer)
