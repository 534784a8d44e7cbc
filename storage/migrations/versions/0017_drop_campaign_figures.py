"""Drop campaign_figures: closed campaigns' counts are counted again, not sealed

The sealed figures saved about 0.1 s on a weekly digest over a million answers and needed an
hourly job, a first-digest write and an unseal in the partner merge. The digest's trend counts
the eight campaigns' answers over the (campaign, score) index instead (docs/internals.md).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0017"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("campaign_figures")


def downgrade() -> None:
    # Recreated empty: the hourly job of the older code seals the closed campaigns again.
    op.create_table(
        "campaign_figures",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("passives", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.Column("sealed_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_figures_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", name=op.f("pk_campaign_figures")),
    )
