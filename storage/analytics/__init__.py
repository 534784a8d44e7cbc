"""Figures for managers, computed by SQL aggregates (never by loading every answer).

* :mod:`~storage.analytics.nps` — NPS, its 95% margin of error, significance of a change;
* :mod:`~storage.analytics.campaigns` — what "current", "previous" and "quarter" mean;
* :mod:`~storage.analytics.report` — everything a digest says about one campaign;
* :mod:`~storage.analytics.breakdown` — by segment / tier / geo with small groups folded, revenue;
* :mod:`~storage.analytics.drivers`, :mod:`~storage.analytics.comments`,
  :mod:`~storage.analytics.movement`, :mod:`~storage.analytics.rates` — the parts of a report;
* :mod:`~storage.analytics.themes` — the comment classifier the reports use.
"""
