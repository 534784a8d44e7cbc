"""Persistence: models, queries, analytics and migrations."""
