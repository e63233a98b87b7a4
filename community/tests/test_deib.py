from __future__ import annotations

import pytest
from django.urls import reverse

from community import services
from community.models import AuditEntry, DeibApplication, DeibSelfIdentification
from community.services import ProgrammeError
from portal.models import Role
from tests.factories import PartnerFactory, PartnerUserFactory

pytestmark = pytest.mark.django_db
SECRET = "Founded by two Black women in Osaka"


def _apply_with_consent(*, user, cohort, today):
    """Through the service: the owners self-identify as people of colour, no statement, consent given."""
    return services.deib_apply(
        user=user, cohort=cohort, owners_identify_as_poc=True, statement="", consent=True, today=today
    )


def _apply(client, **extra):
    data = {"owners_identify_as_poc": "on", "statement": SECRET, "consent": "on", **extra}
    return client.post(reverse("community:deib-apply"), data, follow=True)


def test_application_without_consent_is_refused_and_stores_nothing(frozen, partner_admin, cohort, client_for):
    response = _apply(client_for(partner_admin), consent="")
    assert "consent" in response.content.decode()
    assert not DeibApplication.objects.exists() and not DeibSelfIdentification.objects.exists()


def test_double_application_is_refused(frozen, partner_admin, cohort, client_for):
    client = client_for(partner_admin)
    _apply(client)
    response = _apply(client)
    assert "already applied to DEI&amp;B cohort of January 2022" in response.content.decode()
    assert DeibApplication.objects.count() == 1 and DeibSelfIdentification.objects.count() == 1


def test_self_identification_is_shown_to_the_applicants_org_admins(frozen, partner_admin, cohort, client_for):
    body = _apply(client_for(partner_admin)).content.decode()
    assert SECRET in body


def test_self_identification_is_hidden_from_members_cams_and_other_partners(
    frozen, partner_admin, partner_member, cam, other_partner_user, cohort, client_for
):
    _apply(client_for(partner_admin))
    member_page = client_for(partner_member).get(reverse("community:deib")).content.decode()
    assert SECRET not in member_page and "Submitted" in member_page
    assert client_for(cam).get(reverse("community:deib")).status_code == 404
    other_page = client_for(other_partner_user).get(reverse("community:deib")).content.decode()
    assert SECRET not in other_page and "Own Agency" not in other_page


def test_withdraw_is_404_for_another_partner(frozen, partner_admin, other_partner_user, cohort, client_for):
    _apply(client_for(partner_admin))
    application = DeibApplication.objects.get()
    response = client_for(other_partner_user).post(reverse("community:deib-withdraw", args=[application.pk]))
    assert response.status_code == 404
    assert DeibSelfIdentification.objects.exists()


def test_withdrawal_deletes_the_self_identification(frozen, partner_admin, cohort, client_for):
    client = client_for(partner_admin)
    _apply(client)
    application = DeibApplication.objects.get()
    client.post(reverse("community:deib-withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == "withdrawn" and application.consent_at is None
    assert not DeibSelfIdentification.objects.exists()
    assert [e.to_state for e in AuditEntry.objects.filter(subject="deib_application").order_by("pk")] == [
        "submitted",
        "withdrawn",
    ]


def test_self_identification_never_enters_the_audit_trail_or_emails(
    frozen, staff, partner_admin, cohort, sponsor, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    _apply(client_for(partner_admin))
    with django_capture_on_commit_callbacks(execute=True):
        services.deib_select(application=DeibApplication.objects.get(), sponsor=sponsor, actor=staff)
    assert not AuditEntry.objects.filter(reason__icontains="Osaka").exists()
    assert all(SECRET not in m.body for m in mailoutbox)


def test_cohort_capacity_is_enforced_on_selection(frozen, staff, cohort, sponsor):
    applications = []
    for _ in range(6):
        admin = PartnerUserFactory(role=Role.PARTNER_ADMIN, partner=PartnerFactory())
        applications.append(_apply_with_consent(user=admin, cohort=cohort, today=cohort.opens_on))
    for application in applications[:5]:
        services.deib_select(application=application, sponsor=sponsor, actor=staff)
    with pytest.raises(ProgrammeError, match="full"):
        services.deib_select(application=applications[5], sponsor=sponsor, actor=staff)
    assert DeibApplication.objects.filter(status="selected").count() == 5


def test_selected_partner_sees_its_executive_sponsor_and_is_emailed(
    frozen, staff, partner_admin, cohort, sponsor, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    _apply(client_for(partner_admin))
    application = DeibApplication.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            reverse("community:review-deib", args=[application.pk]), {"decision": "select", "sponsor": sponsor.pk}
        )
    assert response.status_code == 302
    body = client_for(partner_admin).get(reverse("community:deib")).content.decode()
    assert "Jordan Exec" in body
    (email,) = mailoutbox
    assert email.to == [partner_admin.email]


def test_staff_review_shows_the_self_identification_to_programme_staff(
    frozen, staff, partner_admin, cohort, client_for
):
    _apply(client_for(partner_admin))
    assert SECRET in client_for(staff).get(reverse("community:review")).content.decode()


def test_admin_list_columns_never_show_the_self_identification(frozen, staff, partner_admin, cohort, client_for):
    _apply(client_for(partner_admin))
    client = client_for(staff)
    for model in ("deibapplication", "deibselfidentification", "auditentry"):
        body = client.get(reverse(f"admin:community_{model}_changelist")).content.decode()
        assert SECRET not in body, model


def test_applying_outside_the_cohort_window_is_refused(partner_admin, cohort):
    import datetime as dt

    with pytest.raises(ProgrammeError, match="open from"):
        _apply_with_consent(user=partner_admin, cohort=cohort, today=dt.date(2022, 4, 1))
    assert not DeibApplication.objects.exists()


@pytest.mark.parametrize("sponsor_value", ["abc", "1; DROP", "²", "99999999999999999999", ""])
def test_a_sponsor_that_is_not_a_sponsor_id_is_a_message_not_a_500(
    frozen, staff, partner_admin, cohort, sponsor, client_for, sponsor_value
):
    _apply(client_for(partner_admin))
    application = DeibApplication.objects.get()
    response = client_for(staff).post(
        reverse("community:review-deib", args=[application.pk]),
        {"decision": "select", "sponsor": sponsor_value},
        follow=True,
    )
    assert response.status_code == 200
    assert "Choose an executive sponsor." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "submitted" and application.sponsor is None
