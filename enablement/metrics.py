"""Knowledge metrics of the tier engine (Phase 2, docs/rules.md): certified people and accreditations held.

Registered with `tiers.metric_sources` when Django starts (EnablementConfig.registers), so the
engine joins them into a judged month without importing enablement. Each answers one
aggregate SELECT of `(partner_id, value)` as of the month's last day.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection

from enablement.models import AccreditationStatus, Certification, PartnerAccreditation
from portal.months import month_end
from tiers.metric_sources import Metric, metric_source


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@metric_source(Metric.CERTIFIED_PEOPLE)
def certified_people(month: dt.date) -> tuple[str, list[object]]:
    """Distinct people holding a certification on the month's last day.

    A certification counts when issued on or before that day and not expired by it
    (no expiry date, or expiring after it: one expiring on the last day no longer counts).
    A person is their lower-cased email, else their name (trimmed, lower-cased): two
    certifications of one person count once.
    """
    end = month_end(month)
    sql = (
        "SELECT partner_id, COUNT(DISTINCT COALESCE(NULLIF(LOWER(TRIM(holder_email)), ''), "
        "'name:' || LOWER(TRIM(holder_name)))) AS value "
        f"FROM {_table(Certification)} "
        "WHERE issued_on <= %s AND (expires_on IS NULL OR expires_on > %s) "
        "GROUP BY partner_id"
    )
    return sql, [end, end]


@metric_source(Metric.ACCREDITATIONS)
def accreditations_held(month: dt.date) -> tuple[str, list[object]]:
    """Accreditations held on the month's last day.

    Held = granted on or before that day, and either still on record (active, or referred
    to the review board, which keeps it until the board decides) or lapsed at a re-evaluation
    due after that day: a lapse happens at the re-evaluation due on `next_review_on`, which a
    lapse leaves unchanged, so a lapsed holding counts until its last due date. A re-grant
    moves `granted_on` to the new grant, so months before it read as not held.
    """
    end = month_end(month)
    sql = (
        "SELECT partner_id, COUNT(*) AS value "
        f"FROM {_table(PartnerAccreditation)} "
        "WHERE granted_on <= %s AND (status <> %s OR next_review_on > %s) "
        "GROUP BY partner_id"
    )
    return sql, [end, str(AccreditationStatus.LAPSED), end]
