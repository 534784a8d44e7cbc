"""Inline keyboards."""
