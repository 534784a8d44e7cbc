"""campaign_figures: a closed campaign's answer counts, sealed once for the digest's trend

The weekly digest's trend and quarter figures counted every answer of the last eight campaigns
on each run (a million index entries at 125,000 answers a campaign). A campaign closed for a
while takes no more answers, so its counts are stored once (storage/analytics/sealed.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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


def downgrade() -> None:
    op.drop_table("campaign_figures")
