"""What community pages say about time and status: past events are not upcoming; a decided PUG row says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from community.models import HugEvent, PugApplication, PugStatus
from community.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_past_event_is_not_listed_under_upcoming_events(frozen, hug, partner_member, client_for):
    HugEvent.objects.create(group=hug, title="September meetup", starts_at=TODAY - dt.timedelta(days=180))
    HugEvent.objects.create(group=hug, title="April workshop", starts_at=TODAY + dt.timedelta(days=20))
    HugEvent.objects.create(group=hug, title="Earlier today", starts_at=TODAY - dt.timedelta(hours=1))
    response = client_for(partner_member).get(reverse("community:hug-detail", args=[hug.pk]))
    assert [e.title for e in response.context["events"]] == ["April workshop"]
    assert [e.title for e in response.context["past_events"]] == ["Earlier today", "September meetup"]
    body = response.content.decode()
    upcoming = body[body.index('id="hug-events"') : body.index("</table>", body.index('id="hug-events"'))]
    assert "April workshop" in upcoming and "September meetup" not in upcoming
    past = body[body.index('id="hug-past-events"') :]
    assert "September meetup" in past


def test_a_group_with_only_past_events_says_none_are_upcoming(frozen, hug, partner_member, client_for):
    HugEvent.objects.create(group=hug, title="September meetup", starts_at=TODAY - dt.timedelta(days=180))
    body = client_for(partner_member).get(reverse("community:hug-detail", args=[hug.pk])).content.decode()
    assert "No upcoming events yet." in body
    assert 'id="hug-events"' not in body


@pytest.mark.parametrize(
    ("status", "label"),
    [(PugStatus.SUBMITTED, "Submitted"), (PugStatus.ACCEPTED, "Accepted"), (PugStatus.WAITLISTED, "Waitlisted")],
)
def test_a_pug_row_shows_its_applications_status_not_just_applied(
    frozen, partner, partner_admin, pug_group, cycle, client_for, status, label
):
    PugApplication.objects.create(
        group=pug_group, cycle=cycle, partner=partner, submitted_by=partner_admin, status=status
    )
    body = client_for(partner_admin).get(reverse("community:index")).content.decode()
    row = body[body.index(f'id="pug-{pug_group.pk}"') : body.index("</tr>", body.index(f'id="pug-{pug_group.pk}"'))]
    assert f'data-status="{status}">{label}</span>' in row
    assert "Applied" not in row
