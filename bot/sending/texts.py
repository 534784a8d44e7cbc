"""What bulk messages and the launch progress bar say (words live in campaigns.ftl)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html

from bot.i18n import Translate
from bot.keyboards.survey import score_question
from storage.models import campaign as c
from storage.repo.deliveries import Counts

BAR_WIDTH = 20


def invitation_text(_: Translate) -> str:
    """A short intro and question 1, so one tap on the keyboard answers."""
    return f"{_('campaign-invite')}\n\n{score_question(_)}"


def reminder_text(_: Translate) -> str:
    """The one reminder: same question, reminder wording."""
    return f"{_('campaign-reminder')}\n\n{score_question(_)}"


def announcement_text(text: str) -> str:
    """Admin-written plain text, escaped for HTML parse mode."""
    return html.quote(text)


def progress_bar(done: int, total: int) -> str:
    """``▓▓▓░░░ 50%``."""
    share = done / total if total else 1.0
    filled = round(share * BAR_WIDTH)
    return f"{'▓' * filled}{'░' * (BAR_WIDTH - filled)} {share * 100:.0f}%"


def eta(seconds: float | None) -> str:
    """``m:ss`` or a dash when unknown."""
    if seconds is None:
        return "—"
    s = max(0, round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def progress_text(
    _: Translate, *, campaign_id: int, title: str, status: str, counts: Counts, rate: float | None
) -> str:
    """The live progress message of a launch; the final summary once nothing is outstanding."""
    args = {
        "id": str(campaign_id),
        "title": html.quote(title),
        "bar": progress_bar(counts.done, counts.total),
        "sent": str(counts.sent),
        "total": str(counts.total),
        "blocked": str(counts.blocked),
        "failed": str(counts.failed),
    }
    if counts.outstanding == 0:
        return _("camp-progress-done", **args)
    if status == c.PAUSED:
        return _("camp-progress-paused", **args)
    if status != c.RUNNING:
        return _("camp-progress-stopped", **args, status=_(f"camp-status-{status}"))
    left = counts.outstanding
    return _(
        "camp-progress",
        **args,
        rate=f"{rate:.1f}" if rate else "—",
        eta=eta(left / rate if rate else None),
    )


def split_text(parts: Sequence[str], *, limit: int = 4000, separator: str = "\n") -> list[str]:
    """Join ``parts`` into as few messages as fit under Telegram's 4096 characters."""
    chunks: list[str] = []
    current = ""
    for part in parts:
        while len(part) > limit:  # a single oversized part: cut it (never happens with our lines)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(part[:limit])
            part = part[limit:]
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) > limit:
            chunks.append(current)
            current = part
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks
