"""Notifications: CAMs and reviewers hear of decisions waiting for them (each, or a daily digest),
partners choose which emails they receive, and every email is in its recipient's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community import services as community
from community.models import HugGroup
from portal import jobs, notifications
from portal.models import EmailKind, EmailOptOut, JobRun, OutgoingEmail, Role, WaitingEmails
from registrations import services as registrations
from registrations.models import DealStage, Product
from tests.factories import TEST_PASSWORD, PartnerFactory, PartnerUserFactory, StaffFactory

pytestmark = pytest.mark.django_db
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
DEAL = {
    "company_name": "Fuji Foods",
    "products": [Product.SALES],
    "expected_mrr": "1200",
    "currency": "USD",
    "stage": DealStage.DISCOVERY,
    "expected_close_on": dt.date(2031, 1, 31),
}


def _to(mailoutbox, email: str) -> list:
    return [message for message in mailoutbox if email in message.to]


def _submit(partner_admin, domain: str, capture):
    with capture(execute=True):
        return registrations.registration_submit(
            partner=partner_admin.partner, domain=domain, acting_user=partner_admin
        )


# --- CAMs: one email as each arrives -------------------------------------------------------------


def test_a_cam_who_chose_immediate_emails_hears_of_a_new_registration_through_the_outbox(
    cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    registration = _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)

    [message] = _to(mailoutbox, cam.email)
    assert "kyoto-tea.co.jp" in message.subject and "Own Agency" in message.subject
    assert settings.PORTAL_BASE_URL + reverse("registrations:queue") in message.body
    assert registration.status == "pending"
    # Through the outbox: the row was stored (and is sent by the worker, eager here).
    assert OutgoingEmail.objects.filter(to=[cam.email], subject=message.subject, status="sent").exists()


def test_a_deal_waiting_for_the_cam_is_emailed_with_a_link_to_it(
    cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = registrations.deal_submit(partner=partner_admin.partner, acting_user=partner_admin, **DEAL)

    [message] = _to(mailoutbox, cam.email)
    assert "Fuji Foods" in message.subject
    assert reverse("registrations:deal", args=[deal.pk]) in message.body


def test_only_the_partners_own_cam_is_told(
    cam, other_cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)

    assert _to(mailoutbox, other_cam.email) == []
    assert len(_to(mailoutbox, cam.email)) == 1


def test_a_cam_who_chose_the_digest_gets_no_email_per_submission(
    cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    cam.waiting_emails = WaitingEmails.DIGEST
    cam.save(update_fields=["waiting_emails"])

    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)

    assert _to(mailoutbox, cam.email) == []


def test_a_refused_submission_tells_nobody(cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks):
    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with pytest.raises(registrations.DomainTaken), django_capture_on_commit_callbacks(execute=True):
        registrations.registration_submit(
            partner=partner_admin.partner, domain="kyoto-tea.co.jp", acting_user=partner_admin
        )

    assert mailoutbox == []


def test_a_notice_that_cannot_be_composed_never_fails_the_submission(
    cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise ConnectionError("mail is down")

    monkeypatch.setattr(notifications, "send_in_language", broken)

    registration = _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)

    assert registration.pk is not None and mailoutbox == []


# --- reviewers -------------------------------------------------------------------------------------


def test_reviewers_hear_of_a_programme_application_and_cams_do_not(
    cam, partner_member, mailoutbox, django_capture_on_commit_callbacks
):
    reviewer = StaffFactory(email="reviewer@example.test", groups=["Reviewers"])
    auditor = StaffFactory(email="auditor@example.test", groups=["Auditors"])
    group = HugGroup.objects.create(
        name="Tokyo Automation HUG", topic="automation", region="japan", language="ja", format="in_person"
    )

    with django_capture_on_commit_callbacks(execute=True):
        community.hug_lead_apply(user=partner_member, group=group, motivation="We run meetups")

    [message] = _to(mailoutbox, reviewer.email)
    assert "HUG leader applications" in message.subject and "Tokyo Automation HUG" in message.subject
    assert reverse("community:review") in message.body
    assert _to(mailoutbox, auditor.email) == [] and _to(mailoutbox, cam.email) == []


# --- the daily digest ------------------------------------------------------------------------------


def test_the_digest_lists_everything_waiting_for_each_person_once_a_day(
    cam, other_cam, partner_admin, other_partner_user, mailoutbox, django_capture_on_commit_callbacks
):
    for person in (cam, other_cam):
        person.waiting_emails = WaitingEmails.DIGEST
        person.save(update_fields=["waiting_emails"])
    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)
    _submit(partner_admin, "nara-deer.co.jp", django_capture_on_commit_callbacks)
    registrations.deal_submit(partner=partner_admin.partner, acting_user=partner_admin, **DEAL)
    _submit(other_partner_user, "berlin-beer.co.jp", django_capture_on_commit_callbacks)
    mailoutbox.clear()

    now = dt.datetime(2031, 3, 2, 6, 30, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        jobs.run_due(now=now)
        jobs.run_due(now=now + dt.timedelta(hours=1))

    [mine] = _to(mailoutbox, cam.email)
    assert mine.subject == "3 decisions wait for you"
    assert all(text in mine.body for text in ("kyoto-tea.co.jp", "nara-deer.co.jp", "Fuji Foods"))
    assert "berlin-beer.co.jp" not in mine.body
    [theirs] = _to(mailoutbox, other_cam.email)
    assert theirs.subject == "1 decision waits for you" and "berlin-beer.co.jp" in theirs.body
    assert JobRun.objects.filter(job="notification_digests", period="2031-03-02", outcome="done").count() == 1


def test_no_digest_for_people_who_chose_immediate_emails_or_have_nothing_waiting(
    cam, other_cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    other_cam.waiting_emails = WaitingEmails.DIGEST
    other_cam.save(update_fields=["waiting_emails"])
    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)
    mailoutbox.clear()

    counts = notifications.digests_send(day=dt.date(2031, 3, 2))

    assert counts["digests"] == 0 and mailoutbox == []


def test_the_digest_reads_preferences_in_one_query_whatever_the_number_of_items(
    cam, partner, django_assert_num_queries, django_capture_on_commit_callbacks
):
    cam.waiting_emails = WaitingEmails.DIGEST
    cam.save(update_fields=["waiting_emails"])
    admin = PartnerUserFactory(partner=partner, role=Role.PARTNER_ADMIN)
    _submit(admin, "one.co.jp", django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as one:
        notifications.digests_send(day=dt.date(2031, 3, 2))
    for domain in ("two.co.jp", "three.co.jp", "four.co.jp"):
        _submit(admin, domain, django_capture_on_commit_callbacks)
    with django_assert_num_queries(len(one.captured_queries)):
        notifications.digests_send(day=dt.date(2031, 3, 3))


# --- partners choose their emails -----------------------------------------------------------------


def test_a_partner_decision_email_respects_each_persons_opt_out(
    cam, partner_admin, partner_member, mailoutbox, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(user=partner_admin, kind=EmailKind.REGISTRATION_DECISIONS)
    registration = _submit(partner_member, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registrations.registration_approve(registration=registration, acting_user=cam)

    assert [m.to for m in mailoutbox] == [[partner_member.email]]


def test_an_opt_out_of_one_kind_keeps_the_others(cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks):
    EmailOptOut.objects.create(user=partner_admin, kind=EmailKind.REGISTRATION_DECISIONS)
    with django_capture_on_commit_callbacks(execute=True):
        deal = registrations.deal_submit(partner=partner_admin.partner, acting_user=partner_admin, **DEAL)
        registrations.deal_approve(deal=deal, acting_user=cam)

    assert len(_to(mailoutbox, partner_admin.email)) == 1


# --- language per person ------------------------------------------------------------------------------


def test_a_japanese_speaking_cam_gets_the_notice_in_japanese(
    partner_admin, mailoutbox, django_capture_on_commit_callbacks
):
    cam = partner_admin.partner.cam
    cam.language = "ja"
    cam.save(update_fields=["language"])

    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)

    [message] = _to(mailoutbox, cam.email)
    assert JAPANESE.search(message.subject) and "判断" in message.body
    assert "waits for your decision" not in message.body


def test_an_english_speaking_partner_in_japan_gets_english_while_colleagues_get_japanese(
    cam, partner_admin, partner_member, mailoutbox, django_capture_on_commit_callbacks
):
    assert partner_admin.partner.region == "japan"
    partner_member.language = "en"
    partner_member.save(update_fields=["language"])
    registration = _submit(partner_member, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        registrations.registration_approve(registration=registration, acting_user=cam)

    [english] = _to(mailoutbox, partner_member.email)
    [japanese] = _to(mailoutbox, partner_admin.email)
    assert english.subject.startswith("Domain registration approved") and not JAPANESE.search(english.body)
    assert JAPANESE.search(japanese.subject) and JAPANESE.search(japanese.body)


def test_the_set_password_email_follows_the_persons_language(partner, mailoutbox, django_capture_on_commit_callbacks):
    from portal.services import user_set_password_email_send

    user = PartnerUserFactory(partner=partner, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        user_set_password_email_send(user=user)

    [message] = mailoutbox
    assert message.subject == "Your partner portal login: choose a password"


# --- the account page -----------------------------------------------------------------------------


def test_a_partner_chooses_emails_and_language_on_the_account_page(partner_member, client_for):
    client = client_for(partner_member)
    page = client.get(reverse("account")).content.decode()
    assert 'value="ja" selected' in page  # a partner in Japan: Japanese until they choose
    assert "always sent and cannot be turned off" in page or "常に送信され" in page

    kept = [kind for kind in EmailKind.values if kind != EmailKind.EXPIRY_REMINDERS]
    response = client.post(reverse("account"), {"language": "en", "emails": kept})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    partner_member.refresh_from_db()
    assert partner_member.language == "en"
    assert list(partner_member.email_opt_outs.values_list("kind", flat=True)) == [EmailKind.EXPIRY_REMINDERS]
    page = client.get(reverse("account")).content.decode()
    assert 'value="expiry_reminders"' in page and 'value="expiry_reminders" checked' not in page
    assert "Your choices are saved." in page


def test_ticking_an_email_again_removes_the_opt_out(partner_member, client_for):
    EmailOptOut.objects.create(user=partner_member, kind=EmailKind.AWARDS)

    client_for(partner_member).post(reverse("account"), {"language": "ja", "emails": EmailKind.values})

    assert not EmailOptOut.objects.filter(user=partner_member).exists()


def test_a_cam_chooses_the_digest_and_sees_no_partner_email_list(cam, client_for):
    client = client_for(cam)
    page = client.get(reverse("account")).content.decode()
    assert 'name="waiting_emails"' in page and 'name="emails"' not in page

    client.post(reverse("account"), {"language": "ja", "waiting_emails": WaitingEmails.DIGEST})

    cam.refresh_from_db()
    assert (cam.language, cam.waiting_emails) == ("ja", WaitingEmails.DIGEST)


def test_an_unknown_language_is_refused_and_nothing_changes(partner_member, client_for):
    response = client_for(partner_member).post(reverse("account"), {"language": "fr", "emails": []})

    assert response.status_code == 400
    partner_member.refresh_from_db()
    assert partner_member.language == "" and not partner_member.email_opt_outs.exists()


def test_logging_in_sets_the_chosen_language_for_the_pages(client, partner):
    user = PartnerUserFactory(partner=PartnerFactory(region="emea", country="DE"), language="ja")

    response = client.post(reverse("login"), {"username": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    assert '<html lang="ja">' in client.get(reverse("account")).content.decode()


def test_logging_in_without_a_choice_leaves_the_browsers_language(client, partner_member):
    response = client.post(reverse("login"), {"username": partner_member.email, "password": TEST_PASSWORD})

    assert response.status_code == 302 and settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_admin_shows_a_persons_choices_read_only(client_for, staff, partner_member):
    EmailOptOut.objects.create(user=partner_member, kind=EmailKind.AWARDS)

    page = client_for(staff).get(reverse("admin:portal_user_change", args=[partner_member.pk])).content.decode()

    assert "Impact awards published" in page
    assert 'name="language"' not in page and 'name="waiting_emails"' not in page
    listing = client_for(staff).get(reverse("admin:portal_emailoptout_changelist")).content.decode()
    assert partner_member.email in listing and "Impact awards published" in listing
    assert client_for(staff).get(reverse("admin:portal_emailoptout_add")).status_code == 403


def test_the_cam_home_says_how_they_hear_of_waiting_decisions(client_for, cam, partner):
    client = client_for(cam)
    assert "an email for each registration or deal" in client.get("/").content.decode()

    cam.waiting_emails = WaitingEmails.DIGEST
    cam.save(update_fields=["waiting_emails"])

    body = client.get("/").content.decode()
    assert "one daily digest" in body and f'href="{reverse("account")}"' in body


def test_the_digest_command_sends_a_day_once(cam, partner_admin, mailoutbox, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    cam.waiting_emails = WaitingEmails.DIGEST
    cam.save(update_fields=["waiting_emails"])
    _submit(partner_admin, "kyoto-tea.co.jp", django_capture_on_commit_callbacks)
    first, second = StringIO(), StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--on", "2031-03-02", stdout=first)
        call_command("send_digests", "--on", "2031-03-02", stdout=second)

    assert first.getvalue().strip() == "2031-03-02: 1 digest(s) sent"
    assert second.getvalue().strip() == "2031-03-02: already sent (1 digest(s))"
    assert len(_to(mailoutbox, cam.email)) == 1
