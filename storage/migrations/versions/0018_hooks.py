"""hook_endpoints and hook_deliveries: signed webhooks out (Standard Webhooks) and their outbox;
responses indexed by (updated_at, id) for the read API's pages of changes

An event is queued in the transaction of the write that caused it, one row per subscribed
endpoint, and delivered at least once by the worker (bot/hooks/sender.py).

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-06 21:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models.base

revision: str = "0018"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("events", sa.String(length=512), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("allow_private", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("failing_since", storage.models.base.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("retry_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.Column("alerted_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hook_endpoints")),
        sa.UniqueConstraint("url", name=op.f("uq_hook_endpoints_url")),
    )
    op.create_table(
        "hook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("msg_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", storage.models.base.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("lease_until", storage.models.base.UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", storage.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["hook_endpoints.id"],
            name=op.f("fk_hook_deliveries_endpoint_id_hook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hook_deliveries")),
    )
    op.create_index("ix_hook_deliveries_due", "hook_deliveries", ["status", "next_attempt_at"], unique=False)
    op.create_index(
        "ix_hook_deliveries_order",
        "hook_deliveries",
        ["endpoint_id", "partner_id", "status", "id"],
        unique=False,
    )

    op.create_index("ix_responses_changes", "responses", ["updated_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_responses_changes", table_name="responses")
    op.drop_index("ix_hook_deliveries_order", table_name="hook_deliveries")
    op.drop_index("ix_hook_deliveries_due", table_name="hook_deliveries")
    op.drop_table("hook_deliveries")
    op.drop_table("hook_endpoints")
