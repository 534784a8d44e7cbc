"""bot_state, held_posts, model_cache: the managers' chat as Telegram last told us, the digests
held for it, and the trained comment classifier

model_cache: the classifier was trained from its corpus at every start of every process
(3.4-4.7 s of CPU); it is now trained once per corpus version and loaded (storage/analytics/
themes/model.py).

A group upgraded to a supergroup gets a new id (MANAGER_CHAT_ID goes stale); a bot removed from
the managers' chat cannot post there until it is added back. The bot remembers the new id and
keeps the digests it could not post (bot/managers_chat.py).

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0016"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bot_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_bot_state")),
    )
    op.create_table(
        "held_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.Column("chart", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_posts")),
    )

    op.create_table(
        "model_cache",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_model_cache")),
    )


def downgrade() -> None:
    op.drop_table("model_cache")
    op.drop_table("held_posts")
    op.drop_table("bot_state")
