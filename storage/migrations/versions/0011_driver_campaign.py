"""response_drivers.campaign_id: the digest counts one campaign's areas without a scan of all

The digest's area counts joined every campaign's chosen areas to the campaign's answers (a
million-answer program: every area row read for one campaign's). Each area row now carries its
response's campaign, filled here from the responses, with an index (campaign, area, response).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("response_drivers", sa.Column("campaign_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE response_drivers SET campaign_id = "
        "(SELECT responses.campaign_id FROM responses WHERE responses.id = response_drivers.response_id)"
    )
    with op.batch_alter_table("response_drivers") as batch:
        batch.alter_column("campaign_id", existing_type=sa.Integer(), nullable=False)
    op.create_index(
        "ix_response_drivers_campaign", "response_drivers", ["campaign_id", "area", "response_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_response_drivers_campaign", table_name="response_drivers")
    with op.batch_alter_table("response_drivers") as batch:
        batch.drop_column("campaign_id")
