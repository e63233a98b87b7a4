"""Emails to CAMs and reviewers about decisions waiting for them: one as each arrives, or a daily digest.

`portal` imports no feature app, so each app declares what can wait for a decision as a
`WaitingSource` (`register_waiting(...)` in its `jobs.py`, next to its scheduled jobs):
which rows wait now, who decides them (the partner's CAM, or the Reviewers duty group),
and how to name and link one. Services call `waiting_notify(source=..., pk=...)` where an
item starts waiting; after commit the people who chose "one email for each" hear of it.
The daily job `notification_digests` (registered here) sends everyone who chose the
digest one email with everything that waits for them, once per day (ledger key: the day).

Every message goes through the email outbox in the recipient's language
(`portal.emails.language_for`); a mail server that is down never fails a request.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal import jobs
from portal.access import REVIEWERS
from portal.emails import language_for, render_email, send_in_language
from portal.models import Role, User, WaitingEmails

log = logging.getLogger(__name__)

CAMS = "cams"  # the CAM of the item's partner decides
REVIEWERS_AUDIENCE = "reviewers"  # any member of the Reviewers duty group decides


@dataclass(frozen=True)
class WaitingSource:
    """One kind of item that waits for a decision.

    - `queryset()`: every row waiting now (the rows need a `partner`).
    - `since`: the field holding when it started waiting.
    - `describe(row)`: what the row is, in data words (a domain, a group's name).
    - `path(row)`: the page where the decision is made.
    """

    key: str
    label: str | Promise
    audience: str
    queryset: Callable[[], QuerySet]
    since: str
    describe: Callable[[Any], str]
    path: Callable[[Any], str]
    order: int = 50


@dataclass(frozen=True)
class WaitingItem:
    source: WaitingSource
    row: Any
    partner: str
    since: dt.datetime
    url: str
    cam_id: int | None

    @property
    def text(self) -> str:
        """Described when rendered, so a translated description follows the reader's language."""
        return self.source.describe(self.row)


_SOURCES: dict[str, WaitingSource] = {}


def register_waiting(source: WaitingSource) -> WaitingSource:
    _SOURCES[source.key] = source
    return source


def waiting_sources() -> list[WaitingSource]:
    jobs.registered()  # imports every app's jobs.py, where the sources are declared
    return sorted(_SOURCES.values(), key=lambda s: (s.order, s.key))


def waiting_items(source: WaitingSource, *, pks: Iterable[int] | None = None) -> list[WaitingItem]:
    """The rows of `source` waiting now (only `pks` when given), oldest first: one query."""
    rows = source.queryset().select_related("partner")
    if pks is not None:
        rows = rows.filter(pk__in=list(pks))
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return [
        WaitingItem(
            source=source,
            row=row,
            partner=row.partner.name,
            since=getattr(row, source.since),
            url=base + source.path(row),
            cam_id=row.partner.cam_id,
        )
        for row in rows.order_by(source.since, "pk")
    ]


def _deciders(audience: str, *, mode: str, cam_ids: Iterable[int] = ()) -> list[User]:
    """Active people of `audience` who chose `mode` (one query)."""
    people = User.objects.filter(is_active=True, waiting_emails=mode)
    if audience == CAMS:
        people = people.filter(role=Role.CAM, pk__in=set(cam_ids))
    else:
        people = people.filter(groups__name=REVIEWERS).distinct()
    return list(people.only("email", "language", "partner_id").order_by("email"))


def _for(person: User, items: list[WaitingItem]) -> list[WaitingItem]:
    return [item for item in items if item.source.audience != CAMS or item.cam_id == person.pk]


# --- one email as each item arrives -------------------------------------------------------


def waiting_notify(*, source: str, pk: int) -> None:
    """Call where an item starts waiting: after commit, its deciders who chose "one email for each" hear of it.

    Runs after the transaction commits (a rolled-back submission tells nobody) and never
    fails the request: the messages go to the outbox, and an error is logged.
    """

    def notify() -> None:
        _notify_now(source, pk)

    transaction.on_commit(notify, robust=True)


def _notify_now(key: str, pk: int) -> int:
    source = next(s for s in waiting_sources() if s.key == key)
    items = waiting_items(source, pks=[pk])
    if not items:  # decided or withdrawn before we got here
        return 0
    item = items[0]
    people = _deciders(source.audience, mode=WaitingEmails.IMMEDIATE, cam_ids=[item.cam_id] if item.cam_id else [])
    return send_in_language(
        ((person.email, language_for(person)) for person in people),
        lambda: render_email("email/decision_waiting", {"item": item}),
    )


# --- the daily digest -------------------------------------------------------------------


def digests_send(*, day: dt.date) -> dict[str, int]:
    """One email per person who chose the digest, listing everything that waits for them on `day`.

    1. Read every waiting item of every source (one query per source).
    2. Read the people who chose the digest: CAMs with an item in their book, and reviewers.
    3. Each gets one message, in their language, with their items grouped by source; no items, no email.
    Idempotent per day through the job ledger (`notification_digests`, period = the day).
    """
    items = [item for source in waiting_sources() for item in waiting_items(source)]
    cam_ids = {item.cam_id for item in items if item.source.audience == CAMS and item.cam_id}
    people = _deciders(CAMS, mode=WaitingEmails.DIGEST, cam_ids=cam_ids)
    if any(item.source.audience == REVIEWERS_AUDIENCE for item in items):
        people += [p for p in _deciders(REVIEWERS_AUDIENCE, mode=WaitingEmails.DIGEST) if p not in people]
    sent = 0
    now = timezone.now()
    for person in people:
        mine = _for(person, items)
        if not mine:
            continue
        groups = _grouped(mine)
        sent += send_in_language(
            [(person.email, language_for(person))],
            lambda groups=groups, mine=mine: render_email(
                "email/decisions_digest", {"groups": groups, "count": len(mine), "day": day, "now": now}
            ),
        )
    return {"digests": sent, "items": len(items)}


def _grouped(items: list[WaitingItem]) -> list[tuple[WaitingSource, list[WaitingItem]]]:
    groups: dict[str, tuple[WaitingSource, list[WaitingItem]]] = {}
    for item in items:
        groups.setdefault(item.source.key, (item.source, []))[1].append(item)
    return list(groups.values())


DIGEST_JOB = "notification_digests"
jobs.register(
    jobs.Job(
        name=DIGEST_JOB,
        label=_("Daily digest of waiting decisions"),
        periods=lambda now: jobs.daily_period(now, hour=6),
        run=lambda period, run: digests_send(day=period.value),
    )
)
