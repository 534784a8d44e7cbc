"""The digest as HTML blocks (paragraphs), in the managers' language.

Each block is valid HTML by itself; :func:`bot.digest.split.pack` fits them into messages.
Partner-written text is always escaped and shortened (:func:`bot.digest.fmt.clip`).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.digest import fmt
from bot.i18n import Translate
from storage.analytics.breakdown import Breakdown, Mover
from storage.analytics.comments import Quote
from storage.analytics.nps import MIN_ANSWERS, NpsChange, NpsResult
from storage.analytics.people import PartnerRef
from storage.analytics.report import CampaignReport, Comparison
from storage.models import campaign as c

GROUPS_SHOWN = 8  # per dimension; the rest of a long list adds nothing at a glance
DRIVERS_SHOWN = 4
THEMES_SHOWN = 4
NAMES_SHOWN = 8


def area_name(area: str, _: Translate) -> str:
    """Localised name of a driver area / theme."""
    return _(f"area-{area}")


def nps_line(nps: NpsResult, _: Translate, locale: str) -> str:
    """``NPS +23 ± 4.1 · 120 answers``; under MIN_ANSWERS no margin and "too few answers"."""
    return _("dg-nps", nps=fmt.signed(nps.nps), n=nps.n, **small_numbers(nps, _, locale))


def small_numbers(nps: NpsResult, _: Translate, locale: str) -> dict[str, str]:
    """The ``margin`` and ``few`` arguments of an NPS line (see :mod:`storage.analytics.nps`)."""
    few = " " + _("dg-few-answers", min=MIN_ANSWERS) if 0 < nps.n < MIN_ANSWERS else ""
    return {"margin": fmt.margin_suffix(nps.margin, locale), "few": few}


def verdict(change: NpsChange, _: Translate) -> str:
    """Whether a change is beyond the margin of error; no verdict on too few answers."""
    if change.too_few:
        return _("dg-too-few", min=MIN_ANSWERS)
    return _("dg-significant") if change.significant else _("dg-noise")


def header(report: CampaignReport, _: Translate, tz: ZoneInfo) -> str:
    """What the campaign is and when it ran."""
    camp = report.campaign
    if not camp.regular:
        return _("dg-campaign-ongoing", id=str(camp.id))
    if camp.status == c.CLOSED and camp.closed_at is not None:
        return _(
            "dg-campaign-closed",
            id=str(camp.id),
            launched=fmt.day(camp.launched_at, tz),
            closed=fmt.day(camp.closed_at, tz),
        )
    return _("dg-campaign-running", id=str(camp.id), date=fmt.day(camp.launched_at, tz))


def headline(report: CampaignReport, _: Translate, locale: str) -> str:
    """NPS, its changes, the split and the rates."""
    nps = report.nps
    if nps.n == 0:
        return _("dg-no-answers")
    lines = [nps_line(nps, _, locale)]
    if report.vs_previous is not None:
        lines.append(_vs_campaign(report.vs_previous, _, locale))
    if report.vs_quarter is not None and report.quarter is not None:
        lines.append(
            _(
                "dg-vs-quarter",
                quarter=report.quarter,
                previous=report.vs_quarter.label,
                delta=fmt.signed(report.vs_quarter.change.delta, 1, locale),
                verdict=verdict(report.vs_quarter.change, _),
            )
        )
    lines.append(
        _(
            "dg-split",
            p=fmt.percent(nps.promoters / nps.n),
            s=fmt.percent(nps.passives / nps.n),
            d=fmt.percent(nps.detractors / nps.n),
        )
    )
    rates = report.rates
    if rates.response_rate is not None:
        lines.append(
            _(
                "dg-rates",
                rate=fmt.percent(rates.response_rate),
                responded=fmt.count(rates.responded, locale),
                delivered=fmt.count(rates.delivered, locale),
                comments=fmt.percent(rates.comment_rate),
            )
        )
    else:
        lines.append(_("dg-rates-no-deliveries", comments=fmt.percent(rates.comment_rate)))
    return "\n".join(lines)


def _vs_campaign(vs: Comparison, _: Translate, locale: str) -> str:
    return _(
        "dg-vs-campaign",
        title=fmt.clip(vs.label, 60),
        delta=fmt.signed(vs.change.delta, 1, locale),
        verdict=verdict(vs.change, _),
    )


def movers_block(ups: tuple[Mover, ...], downs: tuple[Mover, ...], _: Translate, locale: str) -> str:
    """Segments that went up and down most against the previous campaign."""
    if not ups and not downs:
        return ""
    lines = [_("dg-movers-title")]
    for key, movers in (("dg-mover-up", ups), ("dg-mover-down", downs)):
        for m in movers:
            mark = _("dg-mover-significant-mark") if m.change.significant else ""
            lines.append(
                _(
                    key,
                    name=fmt.group_name(m.key, "segment", _),
                    now=fmt.signed(m.current.nps),
                    delta=fmt.signed(m.change.delta, 1, locale),
                    mark=mark,
                )
            )
    return "\n".join(lines)


def groups_block(breakdown: Breakdown, min_size: int, _: Translate, locale: str) -> str:
    """One dimension on one line: ``blogger +23 (120) · shop −4 (40) · other +10 (9)``."""
    title = _(f"dg-dim-{breakdown.dimension}")
    if breakdown.hidden:
        return f"{title}: {_('dg-groups-hidden', min=str(min_size))}"
    if not breakdown.groups:
        return ""
    items = [
        _(
            "dg-group",
            name=fmt.group_name(g.key, breakdown.dimension, _),
            nps=fmt.signed(g.nps.nps),
            n=fmt.count(g.nps.n, locale),
        )
        for g in breakdown.groups[:GROUPS_SHOWN]
    ]
    return f"{title}: " + " · ".join(items)


def drivers_block(report: CampaignReport, min_size: int, _: Translate) -> str:
    """Most chosen areas with their NPS (count only for groups below the anonymity minimum)."""
    if not report.drivers:
        return ""
    lines = [_("dg-drivers-title")]
    for d in report.drivers[:DRIVERS_SHOWN]:
        if d.count >= min_size:
            share, nps = fmt.percent(d.share), fmt.signed(d.nps.nps)
            lines.append(_("dg-driver", area=area_name(d.area, _), share=share, nps=nps))
        else:
            lines.append(_("dg-driver-small", area=area_name(d.area, _), count=d.count))
    return "\n".join(lines)


def themes_block(report: CampaignReport, _: Translate, locale: str) -> str:
    """Theme shares of the campaign's comments (confident or tagged), unclassified ones, phrases."""
    summary = report.comments
    if not summary.sampled and not summary.commented:
        return ""
    lines = [_("dg-themes-of", total=summary.commented)]
    for t in summary.themes[:THEMES_SHOWN]:
        lines.append(_("dg-theme", area=area_name(t.area, _), share=fmt.percent(t.share)))
    if summary.unclassified:
        lines.append(_("dg-themes-unclassified", count=fmt.count(summary.unclassified, locale)))
    if summary.phrases:
        phrases = ", ".join(f"«{fmt.clip(p, 40)}» ({n})" for p, n in summary.phrases[:6])
        lines.append(_("dg-phrases", phrases=phrases))
    return "\n".join(lines)


def movement_block(report: CampaignReport, _: Translate, locale: str, anonymous: bool) -> str:
    """Who went promoter → detractor and back since the previous campaign."""
    moved, vs = report.movement, report.vs_previous
    if moved is None or vs is None or moved.both == 0:
        return ""
    down, up = moved.count("promoter", "detractor"), moved.count("detractor", "promoter")
    lines = [
        _("dg-movement-title", title=fmt.clip(vs.label, 60), both=moved.both),
        _("dg-movement-counts", down=fmt.count(down, locale), up=fmt.count(up, locale)),
    ]
    if not anonymous:
        lists = (("dg-movement-down", moved.to_detractor, down), ("dg-movement-up", moved.to_promoter, up))
        for key, refs, total in lists:
            if not refs:
                continue
            names = ", ".join(fmt.partner_label(r, _) for r in refs[:NAMES_SHOWN])
            if total > min(len(refs), NAMES_SHOWN):
                names += " " + _("dg-more", n=fmt.count(total - min(len(refs), NAMES_SHOWN), locale))
            lines.append(_(key, names=names))
    return "\n".join(lines)


def revenue_block(report: CampaignReport, min_size: int, _: Translate, locale: str) -> str:
    """Revenue by category and revenue at risk, when enough revenues are known."""
    rev = report.revenue
    shares = rev.shares()
    if rev.known < min_size or shares is None:
        return ""
    avg = rev.averages()
    return "\n".join(
        [
            _("dg-revenue-title", n=fmt.count(rev.known, locale)),
            _(
                "dg-revenue-shares",
                p=fmt.percent(shares[0]),
                s=fmt.percent(shares[1]),
                d=fmt.percent(shares[2]),
            ),
            _(
                "dg-revenue-avg",
                p="—" if avg[0] is None else fmt.count(avg[0], locale),
                s="—" if avg[1] is None else fmt.count(avg[1], locale),
                d="—" if avg[2] is None else fmt.count(avg[2], locale),
            ),
            _("dg-revenue-risk", amount=fmt.count(rev.at_risk, locale)),
        ]
    )


def quotes_block(report: CampaignReport, _: Translate, anonymous: bool) -> str:
    """Two short quotes from detractors and two from promoters."""
    pairs: list[tuple[str, Quote]] = [("detractor", q) for q in report.detractor_quotes]
    pairs += [("promoter", q) for q in report.promoter_quotes]
    if not pairs:
        return ""
    lines = [_("dg-quotes-title")]
    for kind, q in pairs:
        if anonymous:
            key = "dg-quote-detractor-anon" if kind == "detractor" else "dg-quote-promoter-anon"
            lines.append(_(key, score=str(q.score), text=fmt.clip(q.text)))
        else:
            key = "dg-quote-detractor" if kind == "detractor" else "dg-quote-promoter"
            who = fmt.partner_label(q.partner, _)
            lines.append(_(key, score=str(q.score), text=fmt.clip(q.text), who=who))
    return "\n".join(lines)


def shown_partners(
    report: CampaignReport, _: Translate, anonymous: bool
) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Each partner the blocks name or quote, with the strings of theirs they show (label as
    rendered, quotes as clipped): an erasure edits the posted parts that hold them (bot/erasure.py)."""
    shown: dict[int, set[str]] = {}

    def named(ref: PartnerRef) -> None:
        if not anonymous and (ref.name or ref.username or ref.external_id):  # not a bare "#id"
            shown.setdefault(ref.partner_id, set()).add(fmt.partner_label(ref, _))

    for q in (*report.detractor_quotes, *report.promoter_quotes):
        shown.setdefault(q.partner.partner_id, set()).add(fmt.clip(q.text))  # anonymous ones too
        named(q.partner)
    if report.movement is not None:
        for ref in (*report.movement.to_detractor[:NAMES_SHOWN], *report.movement.to_promoter[:NAMES_SHOWN]):
            named(ref)
    return tuple((pid, tuple(sorted(marks))) for pid, marks in sorted(shown.items()))


def report_blocks(
    report: CampaignReport,
    _: Translate,
    *,
    locale: str,
    tz: ZoneInfo,
    min_size: int,
    anonymous: bool,
) -> list[str]:
    """Every block of a campaign digest after the title, in reading order."""
    blocks = [header(report, _, tz), headline(report, _, locale)]
    if report.nps.n:
        blocks.append(movers_block(report.ups, report.downs, _, locale))
        blocks.append(
            "\n".join(
                b for b in (groups_block(bd, min_size, _, locale) for bd in report.breakdowns.values()) if b
            )
        )
        blocks += [
            drivers_block(report, min_size, _),
            themes_block(report, _, locale),
            movement_block(report, _, locale, anonymous),
            revenue_block(report, min_size, _, locale),
            quotes_block(report, _, anonymous),
        ]
    return [b for b in blocks if b]
