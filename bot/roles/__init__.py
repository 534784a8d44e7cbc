"""What each role runs; ``bot.app.build_app`` composes a role from these typed parts.

- ``run`` (the embedded default, one process): long polling + handlers + the worker part.
- ``web`` (any number of replicas): a receiver (webhook app, :mod:`bot.roles.web`) + handlers.
- ``worker`` (one active): :mod:`bot.roles.worker` - the bulk sender (``bot/sending``) and the
  scheduled jobs (``scheduler/``).

Shared by every role: settings (``bot/config.py``), the Bot, the database (``storage/``), the
dispatcher with its handlers (``bot/handlers``), :class:`bot.services.Services`, and the domain
operations (``bot/operations.py``) that handlers, jobs and the CLI call.
"""
