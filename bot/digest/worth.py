"""The digest's "What it's worth" part: NPS read against churn and revenue (storage/analytics/worth.py)."""

from __future__ import annotations

from bot.digest import fmt
from bot.i18n import Translate
from storage.analytics.retention import money
from storage.analytics.worth import Worth


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{fmt.percent(value)}%"


def worth_block(worth: Worth | None, _: Translate, locale: str, min_size: int) -> str:
    """Churn by category (or when the window completes), revenue before/after, key partners'
    NPS, revenue at risk; empty without KPIs."""
    if worth is None:
        return ""
    lines = [_("dg-worth-title")]
    if worth.pending_title is not None:
        lines.append(
            _("dg-worth-pending", title=fmt.clip(worth.pending_title, 80), months=str(worth.pending_months))
        )
    table = worth.retention
    if table is not None:
        p, s, d = (table.categories[name] for name in ("promoter", "passive", "detractor"))
        lines.append(
            _(
                "dg-worth-churn",
                title=fmt.clip(worth.retention_title, 80),
                month=table.month,
                p=_rate(p.churn_rate),
                s=_rate(s.churn_rate),
                d=_rate(d.churn_rate),
            )
        )
        diff = table.churn_difference
        if diff is not None:
            key = "dg-worth-diff-significant" if table.significant else "dg-worth-diff-not-significant"
            lines.append(_(key, points=fmt.signed(diff * 100, 1, locale)))
        lines.append(
            _(
                "dg-worth-revenue",
                pb=fmt.count(p.revenue_before, locale),
                pa=fmt.count(p.revenue_after, locale),
                sb=fmt.count(s.revenue_before, locale),
                sa=fmt.count(s.revenue_after, locale),
                db=fmt.count(d.revenue_before, locale),
                da=fmt.count(d.revenue_after, locale),
            )
        )
    if worth.key_partners:
        nps = worth.key_nps
        if nps.n >= min_size and nps.nps is not None:
            lines.append(
                _(
                    "dg-worth-key",
                    n=str(worth.key_partners),
                    nps=fmt.signed(nps.nps, 0, locale),
                    answers=str(nps.n),
                )
            )
        else:
            lines.append(_("dg-worth-key-few", n=str(worth.key_partners), answers=str(nps.n)))
    if worth.at_risk_cents > 0:
        lines.append(_("dg-worth-risk", amount=fmt.count(money(worth.at_risk_cents), locale)))
    return "\n".join(lines) if len(lines) > 1 else ""
