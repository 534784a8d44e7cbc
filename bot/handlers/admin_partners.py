"""Admin partner directory: /import (CSV document), /invite, /invites, /partners.

For ADMIN_IDS only; anyone else gets a refusal and nothing changes.
"""

from __future__ import annotations

import csv
import io
import logging

import aiohttp
from aiogram import Bot, Router, html
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.types import BufferedInputFile, Document, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_import import full_report, rejected_csv, summary_text
from bot.filters import HasDocument, IsAdmin, PrivateChat
from bot.i18n import Translate
from bot.long_messages import answer_long
from bot.sending.texts import split_text
from bot.services import Services
from storage.models import utcnow
from storage.repo import directory, imports
from storage.repo.partner_import import FatalImport, ImportReport
from storage.text import safe_row
from storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

COMMANDS = ("import", "invite", "invites", "partners")
MESSAGE_LIMIT = 4000  # Telegram allows 4096; leave room for the HTML entities


async def _link(bot: Bot, code: str) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={code}"


async def import_csv(message: Message, uow: UnitOfWork, bot: Bot, services: Services, _: Translate) -> None:
    """Import the partner or KPI CSV sent with the caption /import (storage.repo.imports);
    report every rejected row."""
    document = message.document
    if document is None:
        await message.answer(_("import-usage"))
        return
    if document.file_size is not None and document.file_size > imports.MAX_CSV_BYTES:
        report = ImportReport(fatal=FatalImport("too-large", str(imports.MAX_CSV_BYTES // (1024 * 1024))))
    else:
        data = await _download(bot, document)
        if data is None:
            await message.answer(_("import-download-failed"))
            return
        if isinstance(data, FatalImport):
            report = ImportReport(fatal=data)
        else:
            await uow.commit()  # the import writes in short transactions of its own
            day = imports.today(utcnow(), services.settings.tz)
            _kind, report = await imports.import_csv(services.sessionmaker, data, day)
    text = full_report(_, report)
    if len(text) <= MESSAGE_LIMIT:
        await message.answer(text)
        return
    await answer_long(message, summary_text(_, report) + "\n" + _("import-rejected-attached"))
    await message.answer_document(BufferedInputFile(rejected_csv(_, report), filename="rejected.csv"))


async def document_without_import(message: Message, _: Translate) -> None:
    """A file from an admin without the /import caption: say how to send it (nothing imported)."""
    await message.answer(_("import-no-caption"))


async def _download(bot: Bot, document: Document) -> bytes | FatalImport | None:
    """The file's bytes; a FatalImport when Telegram will not hand it out (over the Bot API's
    20 MB), None when the download failed (worth sending again)."""
    try:
        downloaded = await bot.download(document)
    except TelegramBadRequest as exc:
        log.info("Import file refused by Telegram: %s", exc)
        if "too big" in exc.message:
            return FatalImport("too-large", "20")  # the Bot API's limit for files bots download
        return None
    except TelegramAPIError as exc:
        log.info("Import file not downloaded: %s", exc)
        return None
    except aiohttp.ClientResponseError as exc:  # str(exc) holds the file URL, token included
        log.info("Import file not downloaded: HTTP %s", exc.status)
        return None
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        log.info("Import file not downloaded: %s", type(exc).__name__)
        return None
    return downloaded.read() if downloaded is not None else None


async def invite(message: Message, command: CommandObject, uow: UnitOfWork, bot: Bot, _: Translate) -> None:
    """A partner's personal /start link."""
    session = uow.session
    external_id = (command.args or "").strip()
    if not external_id:
        await message.answer(_("invite-usage"))
        return
    partner = await directory.by_external_id(session, external_id)
    if partner is None:
        await message.answer(_("invite-not-found", id=html.quote(external_id)))
        return
    code = await directory.ensure_invite_code(session, partner)
    await uow.commit()
    name = html.quote(partner.name or external_id)
    await message.answer(_("invite-link", name=name, link=await _link(bot, code)))


async def invites(message: Message, session: AsyncSession, bot: Bot, _: Translate) -> None:
    """CSV of every imported partner's link (external_id, name, segment, link)."""
    rows = await directory.all_invites(session)
    if not rows:
        await message.answer(_("invites-empty"))
        return
    base = await _link(bot, "")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "name", "segment", "link"])
    for row in rows:
        writer.writerow(safe_row([row.external_id, row.name or "", row.segment or "", base + row.code]))
    await message.answer_document(
        BufferedInputFile(out.getvalue().encode("utf-8-sig"), filename="invites.csv"),
        caption=_("invites-caption", count=len(rows)),
    )


async def partners_summary(message: Message, session: AsyncSession, _: Translate) -> None:
    """Partners by segment and status."""
    segments = await directory.summary(session)
    if not segments:
        await message.answer(_("partners-empty"))
        return
    lines = [_("partners-title", total=str(sum(s.total for s in segments)))]
    for s in segments:
        n = s.by_status
        lines.append(
            _(
                "partners-segment",
                segment=html.quote(s.segment) if s.segment else _("partners-no-segment"),
                total=str(s.total),
                active=str(n[directory.ACTIVE]),
                notstarted=str(n[directory.NOT_STARTED]),
                optedout=str(n[directory.OPTED_OUT]),
                blocked=str(n[directory.BLOCKED]),
                erased=str(n[directory.ERASED]),
            )
        )
    for chunk in split_text(lines, limit=MESSAGE_LIMIT):
        await message.answer(chunk)


async def refuse(message: Message, _: Translate) -> None:
    """Anyone but an admin."""
    await message.answer(_("admin-only"))


def get_router() -> Router:
    """A fresh router with this module's handlers (aiogram attaches a router to one parent for good)."""
    router = Router(name=__name__)
    router.message.register(import_csv, Command("import"), IsAdmin())
    router.message.register(
        document_without_import, IsAdmin(), PrivateChat(), HasDocument(), StateFilter(None)
    )
    router.message.register(invite, Command("invite"), IsAdmin())
    router.message.register(invites, Command("invites"), IsAdmin())
    router.message.register(partners_summary, Command("partners"), IsAdmin())
    router.message.register(refuse, Command(*COMMANDS))
    return router
