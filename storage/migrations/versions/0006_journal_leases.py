"""journal rows claimed with owner + lease, and the ordering key of their partner or chat

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_updates") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("lease_until", storage.models.base.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("ordering_key", sa.BigInteger(), nullable=True))
        batch.create_index("ix_inbox_updates_ordering_key", ["ordering_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox_updates") as batch:
        batch.drop_index("ix_inbox_updates_ordering_key")
        batch.drop_column("ordering_key")
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
