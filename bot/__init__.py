"""Telegram layer of partner-pulse."""
