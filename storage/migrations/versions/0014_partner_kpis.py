"""partner_kpis: a partner's figures by month; partners' joined_at and manager; answers keep
the partner's segment, tier, geo, niche and manager as they were when they answered

Existing answers are filled from the partner's current record (the best there is).

Revision ID: 0014
Revises: 0016
Create Date: 2026-12-06 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base
import storage.models.kpi

revision: str = "0014"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SNAPSHOT = ("segment", "tier", "geo", "niche", "manager")


def upgrade() -> None:
    op.create_table(
        "partner_kpis",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("revenue", storage.models.kpi.Money(), nullable=True),
        sa.Column("payout", storage.models.kpi.Money(), nullable=True),
        sa.Column("conversions", sa.Integer(), nullable=True),
        sa.Column("clicks", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("updated_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_kpis_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "month", name=op.f("pk_partner_kpis")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_partner_kpis_month", "partner_kpis", ["month", "partner_id", "revenue"])
    with op.batch_alter_table("partners") as batch:
        batch.add_column(sa.Column("joined_at", sa.Date(), nullable=True))
        batch.add_column(sa.Column("manager", sa.String(length=64), nullable=True))
    with op.batch_alter_table("responses") as batch:
        for name in SNAPSHOT:
            batch.add_column(sa.Column(name, sa.String(length=64), nullable=True))
    sets = ", ".join(
        f"{n} = (SELECT p.{n} FROM partners p WHERE p.id = responses.partner_id)" for n in SNAPSHOT
    )
    op.execute(sa.text(f"UPDATE responses SET {sets}"))
    op.create_index(
        "ix_responses_campaign_segment", "responses", ["campaign_id", "segment", "score", "partner_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_responses_campaign_segment", table_name="responses")
    with op.batch_alter_table("responses") as batch:
        for name in SNAPSHOT:
            batch.drop_column(name)
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("manager")
        batch.drop_column("joined_at")
    op.drop_index("ix_partner_kpis_month", table_name="partner_kpis")
    op.drop_table("partner_kpis")
