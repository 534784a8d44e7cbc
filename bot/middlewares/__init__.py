"""Middlewares: database session per update, partner and locale, Telegram request policy."""
