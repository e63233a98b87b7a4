from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from community import services
from community.models import AuditEntry, PugApplication, PugStatus
from community.services import ProgrammeError
from portal.models import Role
from tests.factories import PartnerFactory, PartnerUserFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2022, 3, 15)


def _admin_of_new_partner(**kwargs):
    return PartnerUserFactory(role=Role.PARTNER_ADMIN, partner=PartnerFactory(**kwargs))


def test_partner_admin_applies_inside_the_window_and_it_is_audited(partner_admin, pug_group, cycle):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    assert application.status == PugStatus.SUBMITTED
    entry = AuditEntry.objects.get(subject="pug_application", object_id=application.pk)
    assert (entry.actor, entry.from_state, entry.to_state) == (partner_admin, "", "submitted")


def test_double_application_is_refused_with_a_message_and_changes_nothing(
    frozen, partner_admin, pug_group, cycle, client_for
):
    client = client_for(partner_admin)
    url = reverse("community:pug-apply", args=[pug_group.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "already applied to Sales leaders Japan" in response.content.decode()
    assert PugApplication.objects.count() == 1
    assert AuditEntry.objects.filter(subject="pug_application").count() == 1


def test_applying_outside_the_window_is_refused_and_changes_nothing(partner_admin, pug_group, cycle):
    with pytest.raises(ProgrammeError, match="open from 1 Mar 2022 to 31 Mar 2022"):
        services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=dt.date(2022, 4, 1))
    assert not PugApplication.objects.exists()


def test_a_member_who_is_not_an_org_admin_cannot_apply(partner_member, pug_group, cycle):
    with pytest.raises(ProgrammeError, match="admins"):
        services.pug_apply(user=partner_member, group=pug_group, cycle=cycle, today=TODAY)
    assert not PugApplication.objects.exists()


def test_accept_while_seats_remain_then_a_full_group_refuses_and_changes_nothing(staff, pug_group, cycle):
    apps = [
        services.pug_apply(user=_admin_of_new_partner(), group=pug_group, cycle=cycle, today=TODAY) for _ in range(3)
    ]
    services.pug_decide(application=apps[0], decision="accepted", actor=staff)
    services.pug_decide(application=apps[1], decision="accepted", actor=staff)
    with pytest.raises(ProgrammeError, match="is full"):
        services.pug_decide(application=apps[2], decision="accepted", actor=staff)
    apps[2].refresh_from_db()
    assert apps[2].status == PugStatus.SUBMITTED
    assert PugApplication.objects.filter(status="accepted").count() == 2


def test_waitlisted_application_can_later_be_accepted_and_each_step_is_audited(staff, partner_admin, pug_group, cycle):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    services.pug_decide(application=application, decision="waitlisted", actor=staff, reason="full for now")
    services.pug_decide(application=application, decision="accepted", actor=staff)
    steps = list(
        AuditEntry.objects.filter(subject="pug_application", object_id=application.pk)
        .order_by("pk")
        .values_list("from_state", "to_state", "reason")
    )
    assert steps == [("", "submitted", ""), ("submitted", "waitlisted", "full for now"), ("waitlisted", "accepted", "")]


def test_decline_needs_a_reason(staff, partner_admin, pug_group, cycle):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    with pytest.raises(ProgrammeError, match="reason"):
        services.pug_decide(application=application, decision="declined", actor=staff, reason=" ")
    application.refresh_from_db()
    assert application.status == "submitted"


def test_a_decided_application_cannot_be_decided_twice(staff, partner_admin, pug_group, cycle):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    services.pug_decide(application=application, decision="declined", actor=staff, reason="wrong region")
    with pytest.raises(ProgrammeError, match="already been decided"):
        services.pug_decide(application=application, decision="accepted", actor=staff)


def test_decision_email_goes_to_the_partner_admins_in_their_language(
    staff, partner_admin, other_partner_user, pug_group, cycle, mailoutbox, django_capture_on_commit_callbacks
):
    own = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    other = services.pug_apply(user=other_partner_user, group=pug_group, cycle=cycle, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.pug_decide(application=own, decision="accepted", actor=staff)
        services.pug_decide(application=other, decision="declined", actor=staff, reason="Too far away")
    japanese, english = mailoutbox
    assert japanese.to == [partner_admin.email]
    assert "承認" in japanese.subject
    assert english.to == [other_partner_user.email]
    assert "Declined" in english.subject and "Too far away" in english.body


def test_accepted_partner_sees_its_group_members_and_cadence(
    frozen, staff, partner_admin, pug_group, cycle, client_for
):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    services.pug_decide(application=application, decision="accepted", actor=staff)
    client = client_for(partner_admin)
    index = client.get(reverse("community:index")).content.decode()
    assert reverse("community:pug-group", args=[pug_group.pk]) in index
    page = client.get(reverse("community:pug-group", args=[pug_group.pk])).content.decode()
    assert "Monthly, first Tuesday" in page and "Own Agency" in page and "Aiko Tanaka" in page


def test_group_page_is_404_for_a_partner_that_was_not_accepted_and_for_cams(
    frozen, staff, partner_admin, other_partner_user, cam, other_cam, pug_group, cycle, client_for
):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    services.pug_decide(application=application, decision="accepted", actor=staff)
    services.pug_apply(user=other_partner_user, group=pug_group, cycle=cycle, today=TODAY)
    url = reverse("community:pug-group", args=[pug_group.pk])
    for outsider in (other_partner_user, cam, other_cam):
        assert client_for(outsider).get(url).status_code == 404


def test_a_partner_sees_only_its_own_applications(
    frozen, partner_admin, other_partner_user, pug_group, cycle, client_for
):
    services.pug_apply(user=other_partner_user, group=pug_group, cycle=cycle, today=TODAY)
    page = client_for(partner_admin).get(reverse("community:index")).content.decode()
    assert "Other Agency" not in page
    assert "No applications yet." in page


def test_community_pages_are_404_for_cams(frozen, cam, other_cam, cycle, client_for):
    for person in (cam, other_cam):
        client = client_for(person)
        for name in ("community:index", "community:deib", "community:black-at-inbound", "community:review"):
            assert client.get(reverse(name)).status_code == 404, name


def test_review_queue_is_for_programme_staff_only(frozen, partner_admin, cam, cycle, client_for):
    for person in (partner_admin, cam):
        assert client_for(person).get(reverse("community:review")).status_code == 404


def test_staff_accepts_inline_with_htmx_and_gets_the_updated_row(
    frozen, staff, partner_admin, pug_group, cycle, client_for
):
    application = services.pug_apply(user=partner_admin, group=pug_group, cycle=cycle, today=TODAY)
    client = client_for(staff)
    assert "Own Agency" in client.get(reverse("community:review")).content.decode()
    response = client.post(
        reverse("community:review-pug", args=[application.pk]), {"decision": "accepted"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert f'id="pug-app-{application.pk}"' in body and "Accepted" in body and "<html" not in body
    assert "1 / 2" in body
    application.refresh_from_db()
    assert application.status == "accepted"


def test_community_index_query_count_is_bounded(
    frozen, partner_admin, cycle, client_for, django_assert_max_num_queries
):
    from community.models import PugGroup

    PugGroup.objects.bulk_create(
        [PugGroup(name=f"Group {i}", role="sales", region="emea", champion="C") for i in range(30)]
    )
    client = client_for(partner_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("community:index"))
    assert response.content.decode().count('id="pug-') >= 30


def test_index_in_japanese(frozen, partner_admin, cycle, client_for):
    body = client_for(partner_admin).get(reverse("community:index"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "コミュニティプログラム" in body and "パートナーユーザーグループ（PUG）" in body


def test_review_page_query_count_is_bounded(frozen, staff, pug_group, cycle, client_for, django_assert_max_num_queries):
    for _ in range(15):
        services.pug_apply(user=_admin_of_new_partner(), group=pug_group, cycle=cycle, today=TODAY)
    client = client_for(staff)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("community:review")).content.decode()
    assert body.count('id="pug-app-') == 15


def test_applying_through_the_page_when_no_window_is_open_shows_a_message(partner_admin, pug_group, cycle, client_for):
    import time_machine

    with time_machine.travel(dt.datetime(2022, 5, 1, tzinfo=dt.UTC), tick=False):
        response = client_for(partner_admin).post(reverse("community:pug-apply", args=[pug_group.pk]), follow=True)
    assert "No review cycle is open for applications." in response.content.decode()
    assert not PugApplication.objects.exists()
