"""Time-driven jobs: quarterly campaigns, reminders, auto-close, weekly digest."""
