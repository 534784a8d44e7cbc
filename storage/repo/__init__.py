"""Queries and writes, grouped by what they are about. Handlers call these, never SQL."""
