"""A partner's whole history on one page, composed from every app without `portal` importing them.

Each feature app registers a source in its `AppConfig.ready()` (`history_source_register`); a source
returns the partner's recent history rows as `HistoryItem`s. `partner_history` merges them, newest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.models import AuditEntryBase, Partner, User

HISTORY_LIMIT = 300  # per source; the page says when a source has more


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime
    kind: str  # what changed, for the person reading ("Tier", "Domain registration", …)
    subject: str  # which thing (a domain, a deal, a field)
    old: str
    new: str
    actor: User | None
    actor_label: str = ""  # a job name when no person acted
    reason: str = ""


HistorySource = Callable[[Partner, int], list[HistoryItem]]
_SOURCES: list[HistorySource] = []


def audit_history_items(model: type[AuditEntryBase], *, partner: Partner, limit: int, kind: str) -> list[HistoryItem]:
    """One feature app's audit entries about a partner (an `AuditEntryBase` table), labelled for people."""
    entries = model.objects.filter(partner=partner).select_related("actor").order_by("-at", "-pk")[:limit]
    return [
        HistoryItem(
            at=entry.at,
            kind=str(kind),
            subject=f"{entry.subject_label()} #{entry.object_id}",
            old=entry.from_label() or "∅",
            new=entry.to_label(),
            actor=entry.actor,
            reason=entry.reason_label(),
        )
        for entry in entries
    ]


def history_source_register(source: HistorySource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def partner_history(*, partner: Partner, limit: int = HISTORY_LIMIT) -> list[HistoryItem]:
    items: list[HistoryItem] = []
    for source in [_partner_config_history, *_SOURCES]:
        items.extend(source(partner, limit))
    return sorted(items, key=lambda item: item.at, reverse=True)


def _display(field_name: str, value, related: dict) -> str:
    if value in (None, ""):
        return "∅"
    field = Partner._meta.get_field(field_name)
    if field.is_relation:
        return str(related.get((field_name, value), value))
    if not isinstance(value, str) and isinstance(value, Iterable):
        # A list in one column (target industries, operating countries): each item's label.
        labels = dict(field.flatchoices or [])
        return gettext(", ").join(str(getattr(v, "name", None) or labels.get(v, v)) for v in value) or "∅"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _related_objects(changes: list) -> dict:
    """One query per related model for every id a change mentions (CAM and CC are users)."""
    wanted: dict = {}
    for change in changes:
        field = Partner._meta.get_field(change.field)
        if field.is_relation:
            wanted.setdefault(field, set()).update(v for v in (change.old, change.new) if v not in (None, ""))
    related = {}
    for field, ids in wanted.items():
        for obj in field.related_model.objects.filter(pk__in=ids):
            related[(field.name, obj.pk)] = obj
    return related


def _partner_config_history(partner: Partner, limit: int) -> list[HistoryItem]:
    """Edits of the partner record itself (CAM/CC, name, country, …) from django-simple-history."""
    records = list(partner.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    created = [r for r in records if r.history_type == "+"]
    diffs = [
        (record, record.diff_against(previous).changes)
        for record, previous in zip(records, records[1:], strict=False)
        if record.history_type != "+"
    ]
    related = _related_objects([change for _record, changes in diffs for change in changes])
    items = [
        HistoryItem(r.history_date, str(_("Partner")), str(_("created")), "∅", partner.partner_id, r.history_user)
        for r in created
    ]
    for record, changes in diffs:
        for change in changes:
            items.append(
                HistoryItem(
                    at=record.history_date,
                    kind=str(_("Partner")),
                    subject=str(Partner._meta.get_field(change.field).verbose_name),
                    old=_display(change.field, change.old, related),
                    new=_display(change.field, change.new, related),
                    actor=record.history_user,
                    reason=record.history_change_reason or "",
                )
            )
    return items
