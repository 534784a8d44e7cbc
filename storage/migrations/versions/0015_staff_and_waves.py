"""partners.role (admins and managers are not partners) and campaigns.wave_id (pilot -> launch)

- ``partners.role``: NULL for an ordinary partner; "staff" for an admin or manager who pressed
  Start (known to the bot, never surveyed or counted); "partner" for staff who opted in
  explicitly (``/start partner``), so a later /start does not make them staff again.
- ``campaigns.wave_id``: on a pilot (a ``sample=`` campaign), the campaign whose launch completed
  its wave; the wave's figure pools both and the launch does not invite the pilot's audience again.

Revision ID: 0015
Revises: 0014 (reserved as 0015 on 0013; re-chained onto main's head when main was merged)
Create Date: 2026-12-06 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: no table rebuild (SQLite's batch copy would drop and
    # recreate campaigns, which the answers and deliveries reference).
    op.add_column("partners", sa.Column("role", sa.String(length=16), nullable=True))
    op.add_column("campaigns", sa.Column("wave_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("wave_id")
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("role")
