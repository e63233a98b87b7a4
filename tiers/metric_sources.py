"""Phase 2 metric values that other apps hold (SPEC §3.7): a registry, so `tiers` imports none of them.

A source answers, for a month, one SQL SELECT of `(partner_id, value)` — each partner's
value of one metric as of that month's last day, one row per partner, the two columns in
that order (the engine names them by position); a partner without a row has 0. The
engine joins it into the judged month (`judged_month_sql`), the what-if and the dashboard
as one more relation (a CTE): set-based, nothing per partner in Python. Only the sources of
metrics the rule set requires run.

    # enablement/metrics.py, imported from EnablementConfig.ready()
    @metric_source(Metric.CERTIFIED_PEOPLE)
    def certified_people(month: dt.date) -> tuple[str, list[object]]:
        return "SELECT partner_id, COUNT(DISTINCT …) AS value FROM … GROUP BY partner_id", [month_end(month)]

Metrics computed from the MRR history (customer revenue retention) belong to the engine
itself and are not registered here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tiers.models import Metric  # re-exported: sources name their metric without reading tiers.models

__all__ = ["Metric", "MetricSql", "metric_source", "metric_source_for", "registered_metrics"]

MetricSql = Callable[[dt.date], tuple[str, list[object]]]

_SOURCES: dict[str, MetricSql] = {}


def metric_source(metric: str) -> Callable[[MetricSql], MetricSql]:
    """Register `func(month) -> (sql, params)` as where `metric`'s values come from."""

    def register(func: MetricSql) -> MetricSql:
        _SOURCES[str(metric)] = func
        return func

    return register


def metric_source_for(metric: str) -> MetricSql | None:
    return _SOURCES.get(str(metric))


def registered_metrics() -> list[str]:
    return sorted(_SOURCES)
