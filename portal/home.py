"""What the home pages say needs attention now, contributed by the feature apps.

`portal` imports no feature app (STYLE.md: imports point inward), so each app
registers its own providers from `<app>/home.py` when Django starts
(`AppConfig.ready`). A provider takes the already scoped partner (or the CAM)
and returns zero or more `Attention` items; each links to the page that acts on it.

The staff home (the programme overview) is assembled the same way: each app
contributes `OverviewSection`s (its own charts and figures, in its own templates)
and `WaitingDecisions` rows for the one "decisions waiting" table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet
from django.utils import formats

from portal.models import Partner, User


@dataclass(frozen=True)
class Attention:
    key: str  # stable name, for tests and CSS hooks ("expiring", "tier-outlook", …)
    text: str
    url: str
    link_text: str
    level: str = "info"  # "warn" (act soon), "info", "ok"
    order: int = 50  # lower first


def window_open_attention(*, window, key: str, order: int, text: str, url: str, link_text: str) -> Attention:
    """An item saying applications to `window` (a PUG review cycle, a DEI&B cohort, an accreditation
    window: `ApplicationWindowBase`) are open: `text` names it `%(name)s` and its last day `%(date)s`."""
    closes = formats.date_format(window.closes_on, "DATE_FORMAT")
    return Attention(
        key=key, order=order, text=text % {"name": window.name, "date": closes}, url=url, link_text=link_text
    )


def counted_attention(n: int, *, text, params: dict | None = None, **attention) -> list[Attention]:
    """One item when `n` things wait, none when nothing does: `text` is an `ngettext_lazy(…, "n")` message."""
    return [Attention(text=text % {"n": n, **(params or {})}, **attention)] if n else []


def _register_once(registry: list, func):
    """Add a provider to a registry (a second registration, e.g. a reloaded module, changes nothing)."""
    if func not in registry:
        registry.append(func)
    return func


PartnerProvider = Callable[..., list[Attention]]
CamProvider = Callable[..., list[Attention]]

_PARTNER: list[PartnerProvider] = []
_CAM: list[CamProvider] = []


def partner_attention_provider(func: PartnerProvider) -> PartnerProvider:
    """Register `func(*, partner, user, today) -> list[Attention]` for the partner home."""
    return _register_once(_PARTNER, func)


def cam_attention_provider(func: CamProvider) -> CamProvider:
    """Register `func(*, user, today) -> list[Attention]` for the CAM home."""
    return _register_once(_CAM, func)


_LEVEL_ORDER = {"warn": 0, "info": 1, "ok": 2}


def _sorted(items: list[Attention]) -> list[Attention]:
    return sorted(items, key=lambda a: (_LEVEL_ORDER.get(a.level, 1), a.order, a.key))


def partner_attention(*, partner: Partner, user: User, today: dt.date) -> list[Attention]:
    """Everything that needs the partner's attention today, most urgent first."""
    return _sorted([item for provider in _PARTNER for item in provider(partner=partner, user=user, today=today)])


def cam_attention(*, user: User, today: dt.date) -> list[Attention]:
    return _sorted([item for provider in _CAM for item in provider(user=user, today=today)])


# --- the staff home: the programme overview ---------------------------------------------------------


@dataclass(frozen=True)
class OverviewSection:
    key: str  # stable name, for tests and anchors ("tier-distribution", …)
    title: str
    template: str  # the contributing app's partial, rendered with `section` in its context
    data: dict = field(default_factory=dict)
    order: int = 50
    stylesheets: tuple[str, ...] = ()  # static paths the partial needs, linked once in the page head


# Ages of a waiting decision, in days since it was submitted: the table's columns.
AGE_BUCKETS = (2, 7)


@dataclass(frozen=True)
class WaitingDecisions:
    key: str
    label: str
    url: str  # the list of exactly these decisions
    recent: int  # under AGE_BUCKETS[0] days
    week: int  # AGE_BUCKETS[0] to AGE_BUCKETS[1] days
    older: int  # over AGE_BUCKETS[1] days
    oldest: dt.datetime | None
    order: int = 50

    @property
    def total(self) -> int:
        return self.recent + self.week + self.older


def waiting_by_age(queryset: QuerySet, *, since: str, now: dt.datetime) -> dict:
    """One aggregate query: how many rows by age of `since` (recent/week/older), and the oldest."""
    young, old = (now - dt.timedelta(days=days) for days in AGE_BUCKETS)
    return queryset.order_by().aggregate(
        recent=Count("pk", filter=Q(**{f"{since}__gt": young})),
        week=Count("pk", filter=Q(**{f"{since}__lte": young, f"{since}__gt": old})),
        older=Count("pk", filter=Q(**{f"{since}__lte": old})),
        oldest=Min(since),
    )


StaffProvider = Callable[..., list[OverviewSection]]
DecisionsProvider = Callable[..., list[WaitingDecisions]]
_STAFF: list[StaffProvider] = []
_DECISIONS: list[DecisionsProvider] = []


def staff_overview_provider(func: StaffProvider) -> StaffProvider:
    """Register `func(*, user, today) -> list[OverviewSection]` for the staff home."""
    return _register_once(_STAFF, func)


def decisions_waiting_provider(func: DecisionsProvider) -> DecisionsProvider:
    """Register `func(*, user, now) -> list[WaitingDecisions]` for the staff home's "decisions waiting".

    Providers (like section providers) return only what the user's duty may open: rows link to admin lists.
    """
    return _register_once(_DECISIONS, func)


def staff_overview(*, user: User, today: dt.date) -> list[OverviewSection]:
    return sorted(
        (section for provider in _STAFF for section in provider(user=user, today=today)),
        key=lambda s: (s.order, s.key),
    )


def stylesheets_of(sections: list[OverviewSection]) -> list[str]:
    """Each stylesheet the sections need, once, in the order they first ask for it."""
    return list(dict.fromkeys(path for section in sections for path in section.stylesheets))


def decisions_waiting(*, user: User, now: dt.datetime) -> list[WaitingDecisions]:
    rows = (row for provider in _DECISIONS for row in provider(user=user, now=now))
    return sorted(rows, key=lambda r: (r.order, r.key))
