"""Staff export admin lists (partners with tiers, job runs) with the changelist's filters applied."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from portal.models import JobRun
from tests.export_files import column, export_rows
from tests.factories import PartnerFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _export(client, url: str, fmt: str, query: str = ""):
    """Run the changelist's export action on every row its filters leave ("select all")."""
    data = {"action": f"export_{fmt}", "select_across": "1", "index": "0", helpers.ACTION_CHECKBOX_NAME: ["0"]}
    return client.post(f"{url}{query}", data)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_partner_list_export_holds_the_filtered_partners_with_tiers(client_for, staff, partner, other_partner, fmt):
    PartnerFactory(partner_id="P30003", name="Gold Agency", tier="gold")
    client = client_for(staff)
    url = reverse("admin:portal_partner_changelist")
    on_screen = client.get(f"{url}?tier__exact=gold").context["cl"].result_list
    rows = export_rows(_export(client, url, fmt, "?tier__exact=gold"))
    assert column(rows, "Partner ID") == [p.partner_id for p in on_screen] == ["P30003"]
    assert column(rows, "Tier") == ["Gold"]
    every = export_rows(_export(client, url, fmt))
    assert sorted(column(every, "Partner ID")) == ["P10001", "P20002", "P30003"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_job_runs_export_follows_the_outcome_filter(client_for, staff, fmt):
    now = timezone.now()
    JobRun.objects.create(
        job="tiers_month", period="2025-10", outcome="done", started_at=now, duration=dt.timedelta(seconds=90)
    )
    JobRun.objects.create(job="tiers_month", period="2025-09", outcome="failed", started_at=now, reason="boom")
    client = client_for(staff)
    rows = export_rows(_export(client, reverse("admin:portal_jobrun_changelist"), fmt, "?outcome__exact=failed"))
    assert column(rows, "Period") == ["2025-09"] and column(rows, "Reason") == ["boom"]


def test_staff_without_the_view_right_cannot_export(client_for, partner):
    nobody = StaffFactory(email="nobody@example.test", groups=[])
    response = _export(client_for(nobody), reverse("admin:portal_partner_changelist"), "csv")
    assert response.status_code == 403 or "text/csv" not in response.get("Content-Type", "")
