"""Scoped reads of the directory (public listings, a partner's own profile and reviews)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from directory.models import AuditEntry
from portal.history import HistoryItem, audit_history_items
from portal.models import Partner


def partner_history_items(partner: Partner, limit: int) -> list[HistoryItem]:
    """Directory audit entries about one partner (listing hidden, reviews moderated), for its history page."""
    return audit_history_items(AuditEntry, partner=partner, limit=limit, kind=_("Solutions Directory"))
