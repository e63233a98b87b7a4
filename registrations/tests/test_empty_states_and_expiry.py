"""Empty states read as sentences; a released domain shows no expiry date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from registrations.models import RegistrationStatus
from tests.factories import DealFactory, DomainRegistrationFactory

pytestmark = pytest.mark.django_db


def test_a_deal_without_notes_says_so_without_a_numbered_item(client_for, partner_admin, partner):
    deal = DealFactory(partner=partner, submitted_by=partner_admin)
    body = client_for(partner_admin).get(reverse("registrations:deal", args=[deal.pk])).content.decode()
    assert '<p class="empty-state" data-testid="notes-empty">No notes yet.</p>' in body
    assert '<ol class="notes">' not in body


def test_released_and_rejected_domains_show_no_expiry_date(client_for, partner_admin, partner):
    live = DomainRegistrationFactory(
        partner=partner, domain="live.example", status=RegistrationStatus.REGISTERED, expires_on=dt.date(2030, 4, 30)
    )
    gone = DomainRegistrationFactory(
        partner=partner, domain="gone.example", status=RegistrationStatus.RELEASED, expires_on=dt.date(2030, 5, 31)
    )
    body = client_for(partner_admin).get(reverse("registrations:capacity")).content.decode()

    def expiry_cell(pk: int) -> str:
        row = body[body.index(f'id="registration-{pk}"') :]
        cell = row[row.index('class="expires"') :]
        return cell[: cell.index("</td>")]

    assert "30 Apr 2030" in expiry_cell(live.pk)
    assert "31 May 2030" not in expiry_cell(gone.pk)
