"""Bulk sending engine: global rate limit, per-chat spacing, durable outbox."""
