"""The roles, one module each; ``bot.app.build_app`` picks the role's ``build``.

- ``run`` (:mod:`bot.roles.run`; the embedded default, one process): long polling + handlers +
  the worker part; the HTTP server beside polling with API_TOKEN or PUBLIC_URL; the webhook
  receiver instead of polling with WEBHOOK_URL.
- ``web`` (:mod:`bot.roles.web`; any number of replicas): the webhook receiver + handlers; a
  partner's updates one at a time across replicas (:mod:`bot.roles.turns`), a restarted replica's
  journal rows taken back at once (:mod:`bot.roles.restart`).
- ``worker`` (:mod:`bot.roles.worker`; one active, elected by a lease): no handlers; the bulk
  sender (``bot/sending``), webhooks out (``bot/hooks``) and the scheduled jobs (``scheduler/``).

Shared by every role (:mod:`bot.roles.shared`): the Bot, the send budget, the database and
:class:`bot.services.Services`, the dispatcher with its handlers (``bot/handlers``), the
:class:`~bot.roles.shared.App` that runs a built role; and the domain operations
(``bot/operations.py``) that handlers, jobs and the CLI call.
"""
