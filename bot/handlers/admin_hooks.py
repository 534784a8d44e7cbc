"""Admin commands for outbound webhooks: /hooks, /hook_add, /hook_remove, /hook_test.

For ADMIN_IDS only; anyone else gets a refusal and nothing changes. A new endpoint's secret is
shown once, in the reply to /hook_add, and never logged; /hooks shows its last four characters.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiogram import Router, html
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.filters import IsAdmin
from bot.hooks.guard import GuardedResolver, Refused, check_literal, parse_ip, url_problem
from bot.i18n import Translate
from bot.long_messages import answer_long
from bot.services import Services
from storage.ids import parse_id
from storage.models import utcnow
from storage.repo import hook_endpoints, hook_events, hook_outbox
from storage.repo.hook_endpoints import EVENT_TYPES, TEST_EVENT, mask, parse_events
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

COMMANDS = ("hooks", "hook_add", "hook_remove", "hook_test")


async def address_problem(url: str, *, allow_loopback: bool) -> str | None:
    """Why the URL's host may not be reached (checked again before every delivery)."""
    try:
        check_literal(url, allow_loopback=allow_loopback, allow_private=False)
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parse_ip(host) is None:
            resolver = GuardedResolver(allow_loopback=allow_loopback, allow_private=False)
            await resolver.resolve(host, parts.port or 443)
    except Refused as exc:
        return exc.reason
    except OSError:
        return "the host name does not resolve"
    return None


async def hook_add(
    message: Message, command: CommandObject, uow: UnitOfWork, services: Services, _: Translate
) -> None:
    """Add an endpoint: /hook_add <https-url> [events]; the secret is shown once."""
    session = uow.session
    words = (command.args or "").split()
    if not words:
        await message.answer(_("hooks-add-usage", events=", ".join(EVENT_TYPES)))
        return
    url, rest = words[0], words[1:]
    allow_http = services.settings.hooks_allow_http
    problem = url_problem(url, allow_http=allow_http)
    if problem is None:
        problem = await address_problem(url, allow_loopback=allow_http)
    if problem is not None:
        await message.answer(_("hooks-bad-url", reason=html.quote(problem)))
        return
    try:
        events = parse_events(rest)
    except ValueError as exc:
        await message.answer(_("hooks-bad-event", name=html.quote(str(exc)), events=", ".join(EVENT_TYPES)))
        return
    if await hook_endpoints.by_url(session, url) is not None:
        await message.answer(_("hooks-exists"))
        return
    user = message.from_user
    endpoint = await hook_endpoints.add(session, url, events, created_by=user.id if user else None)
    await uow.commit()
    log.info("Webhook endpoint %s added by %s", endpoint.id, user.id if user else None)
    await message.answer(
        _(
            "hooks-added",
            id=str(endpoint.id),
            url=html.quote(url),
            events=html.quote(events),
            secret=html.quote(endpoint.secret),
        )
    )


async def hooks(message: Message, session: AsyncSession, _: Translate) -> None:
    """Every endpoint: events, health, what it is owed."""
    endpoints = await hook_endpoints.listed(session)
    if not endpoints:
        await message.answer(_("hooks-none", events=", ".join(EVENT_TYPES)))
        return
    counts = await hook_outbox.counts(session)
    lines = [_("hooks-title")]
    for e in endpoints:
        c = counts.get(e.id, hook_outbox.EndpointCounts())
        if not e.enabled:
            state = _("hooks-state-disabled", reason=html.quote(e.disabled_reason or "?"))
        elif e.failing_since is not None:
            state = _(
                "hooks-state-failing",
                since=e.failing_since.strftime("%Y-%m-%d %H:%M UTC"),
                error=html.quote(e.last_error or "?"),
            )
        else:
            state = _("hooks-state-ok")
        lines.append(
            _(
                "hooks-line",
                id=str(e.id),
                url=html.quote(e.url),
                events=html.quote(e.events),
                secret=html.quote(mask(e.secret)),
                source=e.source,
                state=state,
                pending=str(c.pending),
                delivered=str(c.delivered),
                failed=str(c.failed),
            )
        )
    await answer_long(message, "\n\n".join(lines))


async def hook_remove(message: Message, command: CommandObject, uow: UnitOfWork, _: Translate) -> None:
    """Delete an endpoint and the events it was still owed."""
    session = uow.session
    endpoint_id = parse_id(command.args)
    endpoint = await hook_endpoints.get(session, endpoint_id) if endpoint_id is not None else None
    if endpoint is None:
        await message.answer(_("hooks-unknown", id=html.quote((command.args or "").strip()[:20])))
        return
    from_file = endpoint.source == "file"
    await hook_endpoints.remove(session, endpoint.id)
    await uow.commit()
    log.info("Webhook endpoint %s removed", endpoint.id)
    await message.answer(_("hooks-removed-file" if from_file else "hooks-removed", id=str(endpoint.id)))


async def hook_test(message: Message, command: CommandObject, uow: UnitOfWork, _: Translate) -> None:
    """Queue a signed hook.test event for one endpoint (turning a disabled one back on)."""
    session = uow.session
    endpoint_id = parse_id(command.args)
    endpoint = await hook_endpoints.get(session, endpoint_id) if endpoint_id is not None else None
    if endpoint is None:
        await message.answer(_("hooks-unknown", id=html.quote((command.args or "").strip()[:20])))
        return
    enabled_again = not endpoint.enabled
    if enabled_again:
        await hook_endpoints.enable(session, endpoint.id)
    data = {"endpoint_id": endpoint.id, "message": "partner-pulse test event"}
    msg_id = await hook_events.enqueue(
        session, TEST_EVENT, data, partner_id=None, endpoint_ids=[endpoint.id], now=utcnow()
    )
    await uow.commit()
    key = "hooks-test-queued-enabled" if enabled_again else "hooks-test-queued"
    await message.answer(_(key, id=str(endpoint.id), msg_id=msg_id))


async def refuse(message: Message, _: Translate) -> None:
    """Anyone but an admin."""
    await message.answer(_("admin-only"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(hooks, Command("hooks"), IsAdmin())
    router.message.register(hook_add, Command("hook_add"), IsAdmin())
    router.message.register(hook_remove, Command("hook_remove"), IsAdmin())
    router.message.register(hook_test, Command("hook_test"), IsAdmin())
    router.message.register(refuse, Command(*COMMANDS))
    return router
