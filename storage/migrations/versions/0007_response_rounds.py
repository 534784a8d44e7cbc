"""responses.round: each ongoing-feedback round is its own response

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("responses") as batch:
        batch.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="0"))
        batch.drop_constraint("uq_responses_campaign_id_partner_id", type_="unique")
        batch.create_unique_constraint(
            "uq_responses_campaign_id_partner_id_round", ["campaign_id", "partner_id", "round"]
        )


def downgrade() -> None:
    # Earlier rounds of ongoing feedback cannot share one row again: keep each partner's latest.
    op.execute(
        "DELETE FROM responses WHERE round <> (SELECT MAX(r.round) FROM responses r "
        "WHERE r.campaign_id = responses.campaign_id AND r.partner_id = responses.partner_id)"
    )
    with op.batch_alter_table("responses") as batch:
        batch.drop_constraint("uq_responses_campaign_id_partner_id_round", type_="unique")
        batch.create_unique_constraint("uq_responses_campaign_id_partner_id", ["campaign_id", "partner_id"])
        batch.drop_column("round")
