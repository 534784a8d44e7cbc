"""The launch progress bar: one admin message per campaign, edited in place, then the summary.

Edits are throttled (``interval``, 2 s by default) and skipped when the text would not change:
edits count against Telegram's limits too. The engine tells the board which campaigns it
touched; campaigns launched before a restart are found through ``Campaign.progress_*`` so the
bar keeps moving after a crash. Texts use the admin's language when the handler registered the
message in this process, else DEFAULT_LOCALE.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramRetryAfter

from bot.sending.texts import progress_text
from bot.services import Services
from storage.repo import campaigns, deliveries

log = logging.getLogger(__name__)


@dataclass
class Watch:
    """A progress message and what it showed last."""

    chat_id: int | None = None
    message_id: int | None = None
    locale: str | None = None
    last_text: str | None = None
    last_sent: int | None = None
    last_at: float | None = None
    rate: float | None = None


class ProgressBoard:
    """Keeps every running launch's progress message up to date."""

    def __init__(self, services: Services, *, interval: float = 2.0) -> None:
        self.services = services
        self.interval = interval
        self._watches: dict[int, Watch] = {}
        self._silent: set[int] = set()  # touched campaigns without a progress message
        self._last = 0.0

    def watch(self, campaign_id: int, chat_id: int, message_id: int, locale: str | None = None) -> None:
        """Show campaign ``campaign_id``'s progress in this message."""
        self._silent.discard(campaign_id)
        # The launch starts now with nothing sent: the first edit can already show a rate.
        self._watches[campaign_id] = Watch(chat_id, message_id, locale, last_sent=0, last_at=time.monotonic())

    def touched(self, campaign_ids: Iterable[int]) -> None:
        """Invitations of these campaigns changed state."""
        for cid in campaign_ids:
            if cid not in self._watches and cid not in self._silent:
                self._watches[cid] = Watch()  # message looked up at the next report

    @property
    def active(self) -> bool:
        """True while some progress message is not final yet."""
        return bool(self._watches)

    async def report(self, *, force: bool = False) -> None:
        """Edit the messages whose text changed, at most every ``interval`` seconds."""
        now = time.monotonic()
        if not self._watches or (not force and now - self._last < self.interval):
            return
        self._last = now
        ids = sorted(self._watches)
        async with self.services.sessionmaker() as session:
            targets = await campaigns.progress_targets(session, ids)
            counts = await deliveries.counts(session, ids)
        for cid in ids:
            watch = self._watches[cid]
            target = targets.get(cid)
            if target is not None and watch.chat_id is None:
                watch.chat_id, watch.message_id = target.chat_id, target.message_id
            if target is None or watch.chat_id is None or watch.message_id is None:
                self._watches.pop(cid, None)
                self._silent.add(cid)
                continue
            n = counts[cid]
            if watch.last_sent is not None and watch.last_at is not None and now > watch.last_at:
                current = (n.sent - watch.last_sent) / (now - watch.last_at)
                watch.rate = current if watch.rate is None else 0.5 * watch.rate + 0.5 * current
            watch.last_sent, watch.last_at = n.sent, now
            _ = self.services.translator.bind(watch.locale or self.services.settings.default_locale)
            text = progress_text(
                _, campaign_id=cid, title=target.title, status=target.status, counts=n, rate=watch.rate
            )
            if n.outstanding == 0:
                self._watches.pop(cid, None)  # final summary: this message is done
            if text != watch.last_text:
                watch.last_text = text
                await self._edit(cid, watch, text)

    async def _edit(self, campaign_id: int, watch: Watch, text: str) -> None:
        assert watch.chat_id is not None and watch.message_id is not None
        try:
            await self.services.bot.edit_message_text(
                text=text, chat_id=watch.chat_id, message_id=watch.message_id
            )
        except TelegramRetryAfter as exc:
            watch.last_text = None  # try again next round; bulk sending is not paused for an edit
            log.info("Progress edit of campaign %s rate-limited (%s s)", campaign_id, exc.retry_after)
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message:
                log.info("Progress message of campaign %s gone: %s", campaign_id, exc.message)
                self._watches.pop(campaign_id, None)
                self._silent.add(campaign_id)
        except TelegramAPIError as exc:
            log.warning("Progress edit of campaign %s failed: %s", campaign_id, exc)
