"""HUG inactivity flags are reviewed on a staff page with the group's events and closed through a service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from community import services
from community.models import AuditEntry, HugEvent, HugInactivityFlag
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flag(hug, partner):
    hug.leader_partner = partner
    hug.save()
    HugEvent.objects.create(
        group=hug, title="Paid masterclass", starts_at=dt.datetime(2022, 2, 1, tzinfo=dt.UTC), is_free=False
    )
    HugEvent.objects.create(group=hug, title="Spring meetup", starts_at=dt.datetime(2022, 4, 20, tzinfo=dt.UTC))
    services.hug_flag_inactive_leaders(quarter="2022-Q1")
    return HugInactivityFlag.objects.get(group=hug, quarter="2022-Q1")


def _close(client, flag, **data):
    return client.post(reverse("community:hug-flag-close", args=[flag.pk]), data)


def test_reviewer_sees_the_flag_with_the_groups_events(client_for, staff, flag):
    response = client_for(staff).get(reverse("community:hug-flags"))

    (shown,) = response.context["flags"]
    assert shown == flag
    assert [e.title for e in shown.recent_events] == ["Spring meetup", "Paid masterclass"]
    page = response.content.decode()
    assert "Tokyo Automation HUG" in page and "Spring meetup" in page and "Paid masterclass" in page


def test_resolving_closes_the_flag_once_with_an_audit_row(client_for, staff, flag):
    client = client_for(staff)

    _close(client, flag, outcome="resolved")
    again = _close(client, flag, outcome="resolved")

    flag.refresh_from_db()
    assert flag.resolved
    closed = AuditEntry.objects.filter(subject="hug_inactivity_flag", to_state="resolved")
    assert [(a.actor, a.from_state, a.object_id, a.partner_id) for a in closed] == [
        (staff, "flagged", flag.group_id, flag.leader_partner_id)
    ]
    assert "already been closed" in client.get(again.url).content.decode()
    assert client.get(reverse("community:hug-flags")).context["flags"] == []


def test_dismissing_needs_a_reason_and_records_it(client_for, staff, flag):
    client = client_for(staff)

    _close(client, flag, outcome="dismissed", reason="  ")
    flag.refresh_from_db()
    assert not flag.resolved

    _close(client, flag, outcome="dismissed", reason="Leader on parental leave; co-lead runs Q2.")
    flag.refresh_from_db()
    assert flag.resolved
    entry = AuditEntry.objects.get(subject="hug_inactivity_flag", to_state="dismissed")
    assert entry.reason == "Leader on parental leave; co-lead runs Q2."


def test_only_reviewers_may_see_or_close_flags(client_for, partner_admin, flag):
    outsider = StaffFactory(email="ops@example.test", groups=["Partner operations"])
    assert client_for(partner_admin).get(reverse("community:hug-flags")).status_code == 404
    assert _close(client_for(partner_admin), flag, outcome="resolved").status_code == 404
    assert client_for(outsider).get(reverse("community:hug-flags")).status_code == 403
    assert _close(client_for(outsider), flag, outcome="resolved").status_code == 403
    flag.refresh_from_db()
    assert not flag.resolved


def test_flags_are_not_edited_in_the_admin(client_for, staff, flag):
    client = client_for(staff)
    change = reverse("admin:community_huginactivityflag_change", args=[flag.pk])

    client.post(change, {"group": flag.group_id, "quarter": flag.quarter, "resolved": "on"})

    assert not HugInactivityFlag.objects.get(pk=flag.pk).resolved
    assert client.get(reverse("admin:community_huginactivityflag_changelist")).status_code == 200


def test_flag_page_query_count_is_constant(client_for, staff, hug, partner, django_assert_max_num_queries):
    from community.models import HugGroup

    for i in range(12):
        group = HugGroup.objects.create(
            name=f"Group {i}", topic="crm", region="japan", language="ja", format="virtual", leader_partner=partner
        )
        HugEvent.objects.create(group=group, title=f"Event {i}", starts_at=dt.datetime(2021, 12, 1, tzinfo=dt.UTC))
    services.hug_flag_inactive_leaders(quarter="2022-Q1")
    client = client_for(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("community:hug-flags"))
    assert len(response.context["flags"]) == 12
