"""response_themes: themes of each comment (classifier's, with confidence) and managers' tags

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "response_themes",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("areas", sa.String(length=400), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("classified_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("manual", sa.String(length=400), nullable=True),
        sa.Column("tagged_by", sa.BigInteger(), nullable=True),
        sa.Column("tagged_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name=op.f("fk_response_themes_response_id_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", name=op.f("pk_response_themes")),
    )


def downgrade() -> None:
    op.drop_table("response_themes")
