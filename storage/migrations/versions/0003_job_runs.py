"""job_runs: the scheduler's catch-up memory; APScheduler's own job table is no longer used

Revision ID: 0003
Revises: 0002_bigint_ids
Create Date: 2026-12-01 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0003"
down_revision: str | None = "0002_bigint_ids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=64), nullable=False),
        sa.Column("started_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job", "period_key", name=op.f("pk_job_runs")),
    )
    # Schedules live in code now; the table APScheduler's SQLAlchemyJobStore left behind is dropped.
    op.execute("DROP TABLE IF EXISTS apscheduler_jobs")


def downgrade() -> None:
    op.drop_table("job_runs")
