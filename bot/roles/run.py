"""The ``run`` role, the embedded default: one process receives, handles and sends everything.

Long polling + handlers + the worker part (bot/roles/worker.py), with the HTTP server beside
polling when API_TOKEN or PUBLIC_URL is set; with WEBHOOK_URL set it receives by webhook instead
(bot/roles/web.py's receiver, which serves the HTTP API itself).
"""

from __future__ import annotations

from aiogram import Dispatcher

from bot.config import Settings
from bot.polling import DurablePolling
from bot.roles.shared import App, BuildOptions, Receiver, create_core, create_dispatcher
from bot.roles.web import webhook_receiving
from bot.roles.worker import create_worker
from bot.web.app import create_web_app
from bot.web.server import WebServer

# Updates handled at once by long polling (the embedded default). No permit is held across a
# Telegram call (bot/middlewares/requests.py), so this bounds work on this process's CPU and
# database only; more at once made every SQLite write transaction longer (each statement waits
# for its turn on a crowded event loop) and the bursts slower (docs/benchmarks.md).
POLLING_CONCURRENCY = 16


def build(settings: Settings, options: BuildOptions) -> App:
    """``nps-bot run``: see the module docstring."""
    core = create_core(settings, options, shared_budget=False)  # one process sends everything
    services = core.services
    worker = create_worker(core, options.clock)
    dp: Dispatcher
    receiver: Receiver
    web_server = None
    if settings.webhook_url is not None:
        dp, receiver = webhook_receiving(services, owner=worker.holder)
    else:
        dp = create_dispatcher(services)
        receiver = DurablePolling(
            services.bot,
            dp,
            services.sessionmaker,
            polling_timeout=options.polling_timeout,
            max_concurrency=POLLING_CONCURRENCY,
        )
        if (settings.api_token or settings.public_url) is not None:
            web_app = create_web_app(services, clock=options.clock)
            web_server = WebServer(web_app, settings.web_host, settings.web_port)
    app = App(
        role="run",
        services=services,
        dispatcher=dp,
        engine=core.engine,
        receiver=receiver,
        worker=worker,
        web=web_server,
        report_engine=core.report_engine,
    )
    if web_server is not None:
        app.starters.append(lambda _app: web_server.start())
        app.stoppers.append(lambda _app: web_server.stop())
    from bot.theme_setup import install as install_themes

    install_themes(app)  # the roles that receive updates classify the comments in them
    return app
