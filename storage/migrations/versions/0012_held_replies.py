"""inbox_updates.reply: a reply waiting for its send slot survives the process

Under a burst a reply can wait many seconds for the bot's send budget after its update was
marked handled. The reply is written on the journal row while it waits and cleared once sent,
so after ``kill -9`` the process (or replica) that takes the row over sends it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HELD = sa.text("reply IS NOT NULL")


def upgrade() -> None:
    op.add_column("inbox_updates", sa.Column("reply", sa.Text(), nullable=True))
    op.create_index(
        "ix_inbox_updates_held", "inbox_updates", ["lease_until"], sqlite_where=HELD, postgresql_where=HELD
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_updates_held", table_name="inbox_updates")
    with op.batch_alter_table("inbox_updates") as batch:
        batch.drop_column("reply")
