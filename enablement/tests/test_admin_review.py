"""Staff decide accreditation applications in Django admin: approve in one step, reject with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enablement import services
from enablement.models import AccreditationApplication, PartnerAccreditation
from tests.factories import PartnerFactory, PartnerUserFactory

JULY = dt.date(2022, 7, 10)
pytestmark = pytest.mark.django_db
CHANGELIST = "admin:enablement_accreditationapplication_changelist"


@pytest.fixture
def applications(partner, partner_admin, advanced_crm, window):
    second = PartnerFactory(tier="elite")
    second_admin = PartnerUserFactory(partner=second, role="partner_admin")
    partner.tier = "elite"
    partner.save()
    return [
        services.accreditation_apply(user=user, accreditation=advanced_crm, today=JULY)
        for user in (partner_admin, second_admin)
    ]


def _post(client, action, applications, **extra):
    data = {"action": action, "_selected_action": [a.pk for a in applications], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_approve_action_grants_every_selected_application(client_for, staff, applications):
    response = _post(client_for(staff), "approve", applications)
    assert response.status_code == 302
    assert set(AccreditationApplication.objects.values_list("status", flat=True)) == {"approved"}
    assert PartnerAccreditation.objects.count() == 2


def test_reject_action_first_asks_for_the_reason_and_changes_nothing(client_for, staff, applications):
    response = _post(client_for(staff), "reject", applications)
    assert response.status_code == 200
    assert 'name="reason"' in response.content.decode()
    assert set(AccreditationApplication.objects.values_list("status", flat=True)) == {"submitted"}


def test_reject_without_a_reason_rerenders_with_an_error(client_for, staff, applications):
    response = _post(client_for(staff), "reject", applications, apply="Reject", reason="  ")
    assert "Give a reason: the partner reads it." in response.content.decode()
    assert set(AccreditationApplication.objects.values_list("status", flat=True)) == {"submitted"}


def test_reject_with_a_reason_rejects_and_emails_it(
    client_for, staff, applications, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client_for(staff), "reject", applications, apply="Reject", reason="No certified consultant")
    assert response.status_code == 302
    rejected = AccreditationApplication.objects.all()
    assert {(a.status, a.decision_reason, a.decided_by) for a in rejected} == {
        ("rejected", "No certified consultant", staff)
    }
    assert not PartnerAccreditation.objects.exists()
    own = [m for m in mailoutbox if m.to == [partner_admin.email]]
    assert len(own) == 1 and "No certified consultant" in own[0].body


def test_a_decision_is_recorded_once_and_a_late_second_one_changes_nothing(staff, applications):
    first, _ = applications
    stale = AccreditationApplication.objects.get(pk=first.pk)
    assert AccreditationApplication.decision_record(
        application=first, from_status="submitted", to_status="approved", actor=staff, reason=""
    )
    assert first.status == "approved" and first.decided_by == staff
    # A second reviewer working from the page they loaded earlier loses the race.
    assert not AccreditationApplication.decision_record(
        application=stale, from_status="submitted", to_status="rejected", actor=staff, reason="late"
    )
    stale.refresh_from_db()
    assert (stale.status, stale.decision_reason) == ("approved", "")
