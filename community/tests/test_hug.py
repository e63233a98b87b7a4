from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from community import services, tasks
from community.models import AuditEntry, HugEvent, HugGroup, HugInactivityFlag, HugLeaderApplication, HugMembership
from community.services import ProgrammeError
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _groups():
    HugGroup.objects.bulk_create(
        [
            HugGroup(
                name="Osaka ABM HUG", topic="abm", region="japan", language="ja", format="in_person", city="Osaka"
            ),
            HugGroup(name="Berlin Education HUG", topic="education", region="emea", language="de", format="online"),
            HugGroup(name="Online Automation (EN)", topic="automation", region="na", language="en", format="online"),
        ]
    )


def test_directory_filters_by_topic_language_and_search(frozen, partner_member, hug, client_for):
    _groups()
    client = client_for(partner_member)
    url = reverse("community:hug-directory")
    by_topic = client.get(url, {"topic": "automation"}).content.decode()
    assert "Tokyo Automation HUG" in by_topic and "Online Automation (EN)" in by_topic and "Osaka ABM" not in by_topic
    by_language = client.get(url, {"topic": "automation", "language": "ja"}).content.decode()
    assert "Tokyo Automation HUG" in by_language and "Online Automation (EN)" not in by_language
    by_search = client.get(url, {"q": "berlin", "format": "online"}).content.decode()
    assert "Berlin Education HUG" in by_search and "Tokyo" not in by_search


def test_directory_htmx_request_gets_only_the_results_partial(frozen, partner_member, hug, client_for):
    response = client_for(partner_member).get(
        reverse("community:hug-directory"), {"region": "japan"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="hug-results">') and "Tokyo Automation HUG" in body
    assert "<html" not in body


def test_directory_page_links_keep_the_filters_and_swap_the_results(frozen, partner_member, client_for):
    HugGroup.objects.bulk_create(
        HugGroup(name=f"Online HUG {i:02d}", topic="automation", region="na", language="en", format="online")
        for i in range(30)
    )
    body = client_for(partner_member).get(reverse("community:hug-directory"), {"topic": "automation"}).content.decode()
    link = "?topic=automation&amp;page=2"
    assert f'<a href="{link}" hx-get="{link}">' in body
    # Where the swap goes is said once, on the container of the filters and the results.
    assert body.count('hx-target="#hug-results"') == 1


def test_directory_query_count_is_bounded(frozen, partner_member, client_for, django_assert_max_num_queries):
    HugGroup.objects.bulk_create(
        [HugGroup(name=f"HUG {i}", topic="crm", region="emea", language="en", format="online") for i in range(60)]
    )
    client = client_for(partner_member)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("community:hug-directory")).content.decode()
    assert "60 groups" in body


def test_partner_user_joins_and_leaves_and_both_are_audited(frozen, partner_member, hug, client_for):
    client = client_for(partner_member)
    url = reverse("community:hug-membership", args=[hug.pk])
    response = client.post(url, {"action": "join"}, HTTP_HX_REQUEST="true")
    assert "Leave" in response.content.decode()
    assert HugMembership.objects.filter(user=partner_member, group=hug).exists()
    client.post(url, {"action": "leave"})
    assert not HugMembership.objects.filter(user=partner_member).exists()
    assert list(
        AuditEntry.objects.filter(subject="hug_membership").order_by("pk").values_list("to_state", flat=True)
    ) == [
        "member",
        "left",
    ]


def test_joining_twice_is_refused_with_a_message_and_changes_nothing(frozen, partner_member, hug, client_for):
    client = client_for(partner_member)
    url = reverse("community:hug-membership", args=[hug.pk])
    client.post(url, {"action": "join"})
    response = client.post(url, {"action": "join"}, follow=True)
    assert "already a member of Tokyo Automation HUG" in response.content.decode()
    assert HugMembership.objects.count() == 1


def test_events_are_listed_on_the_group_page(frozen, partner_member, hug_event, client_for):
    body = client_for(partner_member).get(reverse("community:hug-detail", args=[hug_event.group_id])).content.decode()
    assert "Workflows 101" in body


def test_hug_pages_are_404_for_cams(frozen, cam, hug, client_for):
    client = client_for(cam)
    assert client.get(reverse("community:hug-directory")).status_code == 404
    assert client.get(reverse("community:hug-detail", args=[hug.pk])).status_code == 404
    assert client.post(reverse("community:hug-membership", args=[hug.pk])).status_code == 404


def test_applying_to_lead_while_not_a_partner_user_is_refused_and_changes_nothing(staff, hug):
    with pytest.raises(ProgrammeError, match="work for a partner"):
        services.hug_lead_apply(user=staff, group=hug)
    assert not HugLeaderApplication.objects.exists()


def test_staff_applying_to_lead_through_the_page_gets_a_message(frozen, staff, hug, client_for):
    response = client_for(staff).post(reverse("community:hug-lead-apply", args=[hug.pk]), follow=True)
    assert "Only people who work for a partner" in response.content.decode()
    assert not HugLeaderApplication.objects.exists()


def test_a_second_open_lead_application_is_refused(partner_member, hug):
    services.hug_lead_apply(user=partner_member, group=hug)
    with pytest.raises(ProgrammeError, match="already applied to lead"):
        services.hug_lead_apply(user=partner_member, group=hug)
    assert HugLeaderApplication.objects.count() == 1


def test_accepting_a_lead_application_makes_the_partner_leader_and_emails(
    staff, partner, partner_member, partner_admin, hug, mailoutbox, django_capture_on_commit_callbacks
):
    application = services.hug_lead_apply(user=partner_member, group=hug, motivation="We run meetups")
    with django_capture_on_commit_callbacks(execute=True):
        services.hug_lead_decide(application=application, accept=True, actor=staff)
    hug.refresh_from_db()
    assert hug.leader_partner == partner
    # One message per recipient: the org admins and the member who applied.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([partner_admin.email, partner_member.email])


def _led(hug, partner):
    hug.leader_partner = partner
    hug.save(update_fields=["leader_partner"])
    return hug


def test_a_led_group_without_a_free_event_in_the_quarter_is_flagged_once(partner, hug):
    _led(hug, partner)
    other = HugGroup.objects.create(
        name="Active HUG", topic="crm", region="na", language="en", format="online", leader_partner=partner
    )
    HugEvent.objects.create(group=other, title="Free meetup", starts_at=dt.datetime(2022, 2, 10, 18, tzinfo=dt.UTC))
    paid = HugGroup.objects.create(
        name="Paid-only HUG", topic="crm", region="na", language="en", format="online", leader_partner=partner
    )
    HugEvent.objects.create(group=paid, title="Paid", starts_at=dt.datetime(2022, 2, 10, tzinfo=dt.UTC), is_free=False)
    HugGroup.objects.create(name="Leaderless HUG", topic="crm", region="na", language="en", format="online")

    created = services.hug_flag_inactive_leaders(quarter="2022-Q1")
    assert sorted(f.group.name for f in created) == ["Paid-only HUG", "Tokyo Automation HUG"]
    assert services.hug_flag_inactive_leaders(quarter="2022-Q1") == []
    assert HugInactivityFlag.objects.count() == 2
    assert AuditEntry.objects.filter(subject="hug_inactivity_flag").count() == 2


def test_flag_command_takes_a_quarter_and_is_idempotent(partner, hug, capsys):
    _led(hug, partner)
    call_command("flag_inactive_hug_leaders", "--quarter", "2022-Q2")
    call_command("flag_inactive_hug_leaders", "--quarter", "2022-Q2")
    assert list(HugInactivityFlag.objects.values_list("quarter", flat=True)) == ["2022-Q2"]
    assert "0 new flag(s)" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["2022-Q5", "22-Q1", "2022Q1", "2022-Qx"])
def test_flag_command_rejects_a_bad_quarter_and_writes_nothing(partner, hug, bad):
    _led(hug, partner)
    with pytest.raises(CommandError, match="YYYY-Qn"):
        call_command("flag_inactive_hug_leaders", "--quarter", bad)
    assert not HugInactivityFlag.objects.exists()


def test_celery_task_defaults_to_the_previous_quarter(frozen, partner, hug):
    _led(hug, partner)
    assert tasks.flag_inactive_hug_leaders.name == "community.tasks.flag_inactive_hug_leaders"
    assert tasks.flag_inactive_hug_leaders.apply().get() == 1
    assert HugInactivityFlag.objects.get().quarter == "2021-Q4"


def test_flags_show_in_the_staff_review_queue(frozen, staff, partner, hug, client_for):
    _led(hug, partner)
    services.hug_flag_inactive_leaders(quarter="2021-Q4")
    body = client_for(staff).get(reverse("community:review")).content.decode()
    assert "Q4 2021" in body and "Tokyo Automation HUG" in body


def test_other_partners_leader_applications_are_not_shown_to_a_partner(
    frozen, partner_admin, other_partner_user, hug, client_for
):
    PartnerFactory()
    services.hug_lead_apply(user=other_partner_user, group=hug, motivation="secret plan")
    body = client_for(partner_admin).get(reverse("community:hug-detail", args=[hug.pk])).content.decode()
    assert "secret plan" not in body and "Other Agency" not in body
