"""Indexes for the digest's aggregates over a million answers

- ``ix_partners_segment_revenue`` (segment, id, revenue) replaces ``ix_partners_segment`` (its
  prefix): the segment breakdown walks partners in segment order and probes each one's answer,
  grouping as rows come with the revenue at hand (no sort of the campaign's answers, no lookups).
- ``ix_responses_quotes`` (campaign, score, answered_at) over commented answers only: the
  digest's quotes (best or worst score first, newest first) are read from its end and stop
  after a few rows instead of visiting every promoter of the campaign.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENTED = sa.text("comment IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_partners_segment_revenue", "partners", ["segment", "id", "monthly_revenue"])
    op.drop_index("ix_partners_segment", table_name="partners")
    op.create_index(
        "ix_responses_quotes",
        "responses",
        ["campaign_id", "score", "answered_at"],
        sqlite_where=COMMENTED,
        postgresql_where=COMMENTED,
    )


def downgrade() -> None:
    op.drop_index("ix_responses_quotes", table_name="responses")
    op.create_index("ix_partners_segment", "partners", ["segment"])
    op.drop_index("ix_partners_segment_revenue", table_name="partners")
