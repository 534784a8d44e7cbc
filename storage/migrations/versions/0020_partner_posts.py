"""partner_posts: messages the bot posted that show a partner's name or words

A partner's replies relayed into the managers' chat, the Reply prompt naming them and /alerts
lists stayed in Telegram after the partner erased their data: nothing remembered where they
were. Erasure now edits (or deletes) each of them (bot/erasure.py).

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07 00:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0020"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_posts_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_posts")),
    )
    op.create_index(op.f("ix_partner_posts_partner_id"), "partner_posts", ["partner_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_partner_posts_partner_id"), table_name="partner_posts")
    op.drop_table("partner_posts")
