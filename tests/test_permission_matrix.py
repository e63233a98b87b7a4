"""Who may do what: each staff duty × each staff page, admin page/action and service → allowed or 403.

The expectations are written out here (not derived from `portal.access.GROUPS`), so a change of the
groups that widens or narrows a duty fails this test until the table below is changed on purpose.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal import access
from portal.access import AUDITORS, PARTNER_OPERATIONS, PROGRAMME_MANAGERS, REVIEWERS, PermissionRefused
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NONE = "no group"
PERSONAS = [PROGRAMME_MANAGERS, REVIEWERS, PARTNER_OPERATIONS, AUDITORS, NONE]
ALL = {PROGRAMME_MANAGERS, REVIEWERS, PARTNER_OPERATIONS, AUDITORS}


@pytest.fixture
def persona(request):
    name = request.param
    return StaffFactory(email="duty@example.test", groups=[] if name == NONE else [name])


def _pages(partner) -> list[tuple[str, str, set[str]]]:
    """(method, url, groups allowed). Everyone else gets 403."""
    return [
        ("get", reverse("home"), ALL),
        ("get", reverse("tiers:whatif"), {PROGRAMME_MANAGERS}),
        ("post", reverse("tiers:whatif-publish"), {PROGRAMME_MANAGERS}),
        ("get", reverse("community:review"), {REVIEWERS}),
        ("post", reverse("community:review-pug", args=[999]), {REVIEWERS}),
        ("post", reverse("community:review-hug-lead", args=[999]), {REVIEWERS}),
        ("post", reverse("community:review-deib", args=[999]), {REVIEWERS}),
        ("get", reverse("enablement:awards"), {REVIEWERS}),
        ("post", reverse("enablement:award-nominate"), {REVIEWERS}),
        ("post", reverse("enablement:award-publish", args=[999]), {REVIEWERS}),
        (
            "get",
            reverse("partner-history", args=[partner.partner_id]),
            {PROGRAMME_MANAGERS, PARTNER_OPERATIONS, AUDITORS},
        ),
        ("get", reverse("tiers:partner-dashboard", args=[partner.partner_id]), ALL),
        # Admin: views need the view permission, forms the add/change permission.
        ("get", reverse("admin:tiers_tierchange_add"), {PROGRAMME_MANAGERS}),
        ("get", reverse("admin:tiers_tierchange_changelist"), {PROGRAMME_MANAGERS, AUDITORS}),
        ("get", reverse("admin:tiers_ruleset_add"), {PROGRAMME_MANAGERS}),
        ("get", reverse("admin:tiers_emergingmarket_changelist"), {PROGRAMME_MANAGERS, AUDITORS}),
        ("get", reverse("admin:registrations_registrationconfig_changelist"), {PROGRAMME_MANAGERS, AUDITORS}),
        ("get", reverse("admin:community_pugapplication_changelist"), {REVIEWERS, AUDITORS}),
        ("get", reverse("admin:enablement_accreditationapplication_changelist"), {REVIEWERS, AUDITORS}),
        ("get", reverse("admin:enablement_impactaward_changelist"), {REVIEWERS, AUDITORS}),
        ("get", reverse("admin:portal_partner_changelist"), ALL),
        ("get", reverse("admin:portal_partner_add"), {PARTNER_OPERATIONS}),
        ("get", reverse("admin:portal_user_add"), {PARTNER_OPERATIONS}),
        ("get", reverse("admin:portal_user_changelist"), {PARTNER_OPERATIONS, AUDITORS}),
        ("get", reverse("admin:registrations_registrationevent_changelist"), {AUDITORS}),
        ("get", reverse("admin:community_auditentry_changelist"), {AUDITORS}),
    ]


def test_every_permission_named_by_a_duty_exists():
    existing = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
    missing = [perm for duty in access.GROUPS for perm in duty.perms if perm not in existing]
    assert missing == []


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_staff_pages_and_admin_answer_by_duty(client_for, persona, partner):
    client = client_for(persona)
    group = persona.groups.first().name if persona.groups.exists() else NONE
    wrong = []
    for method, url, allowed in _pages(partner):
        status = getattr(client, method)(url).status_code
        if (group in allowed) != (status != 403):
            wrong.append((method, url, status))
        if group in allowed and method == "get":
            assert status == 200, (url, status)
    assert wrong == [], group


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_admin_index_opens_for_every_staff_login(client_for, persona):
    assert client_for(persona).get(reverse("admin:index")).status_code == 200


ADMIN_ACTIONS = [
    ("admin:tiers_ruleset_changelist", "publish", {PROGRAMME_MANAGERS}),
    ("admin:community_pugapplication_changelist", "mark_accepted", {REVIEWERS}),
    ("admin:community_hugleaderapplication_changelist", "accept", {REVIEWERS}),
    ("admin:enablement_accreditationapplication_changelist", "approve", {REVIEWERS}),
    ("admin:enablement_impactaward_changelist", "publish", {REVIEWERS}),
    ("admin:directory_partnerprofile_changelist", "hide", {REVIEWERS}),
]


@pytest.mark.parametrize("persona", [PROGRAMME_MANAGERS, REVIEWERS, AUDITORS], indirect=True)
@pytest.mark.parametrize(("url_name", "action", "allowed"), ADMIN_ACTIONS)
def test_admin_actions_are_offered_only_to_their_duty(client_for, persona, url_name, action, allowed):
    response = client_for(persona).get(reverse(url_name))
    group = persona.groups.get().name
    if response.status_code == 403:
        assert group not in allowed
        return
    action_form = response.context["action_form"]  # None when no action is offered at all
    offered = {name for name, _label in action_form.fields["action"].choices} if action_form else set()
    assert (action in offered) == (group in allowed), (group, action)
    assert "delete_selected" not in offered or url_name == "admin:tiers_ruleset_changelist"


def _services():
    """(name, call, groups allowed). The call gets the acting user; arguments past the check may be junk."""
    from community import services as community
    from directory import services as directory
    from enablement import services as enablement
    from tiers import services as tiers

    return [
        (
            "tier_set_manually",
            lambda u: tiers.tier_set_manually(partner=None, tier="x", acting_user=u),
            {PROGRAMME_MANAGERS},
        ),
        ("rule_set_publish", lambda u: tiers.rule_set_publish(rule_set=None, acting_user=u), {PROGRAMME_MANAGERS}),
        ("rule_set_unpublish", lambda u: tiers.rule_set_unpublish(rule_set=None, acting_user=u), {PROGRAMME_MANAGERS}),
        ("rule_set_import", lambda u: tiers.rule_set_import(data={}, acting_user=u), {PROGRAMME_MANAGERS}),
        ("partner_import", lambda u: tiers.partner_import(lines=[], acting_user=u), {PARTNER_OPERATIONS}),
        ("pug_decide", lambda u: community.pug_decide(application=None, decision="x", actor=u), {REVIEWERS}),
        ("hug_lead_decide", lambda u: community.hug_lead_decide(application=None, accept=True, actor=u), {REVIEWERS}),
        ("deib_select", lambda u: community.deib_select(application=None, sponsor=None, actor=u), {REVIEWERS}),
        ("deib_decline", lambda u: community.deib_decline(application=None, actor=u, reason="x"), {REVIEWERS}),
        (
            "accreditation_decide",
            lambda u: enablement.accreditation_decide(application=None, approve=True, actor=u, today=None),
            {REVIEWERS},
        ),
        (
            "accreditation_mark_record",
            lambda u: enablement.accreditation_mark_record(holding=None, note="x", actor=u),
            {REVIEWERS},
        ),
        (
            "award_nominate",
            lambda u: enablement.award_nominate(year=2024, region="x", category="x", partner=None, actor=u),
            {REVIEWERS},
        ),
        ("award_publish", lambda u: enablement.award_publish(award=None, actor=u), {REVIEWERS}),
        ("profile_hide", lambda u: directory.profile_hide(profile=None, actor=u, reason="x"), {REVIEWERS}),
        ("profile_unhide", lambda u: directory.profile_unhide(profile=None, actor=u), {REVIEWERS}),
    ]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_services_refuse_an_acting_user_without_the_duty(persona):
    group = persona.groups.first().name if persona.groups.exists() else NONE
    wrong = []
    for name, call, allowed in _services():
        try:
            call(persona)
        except PermissionRefused:
            refused = True
        except Exception:  # past the permission check; the junk arguments fail later
            refused = False
        else:
            refused = False
        if refused == (group in allowed):
            wrong.append(name)
    assert wrong == [], group


def test_a_deactivated_manager_is_refused_by_services(partner):
    from tiers import services as tiers

    manager = StaffFactory(email="gone@example.test", groups=[PROGRAMME_MANAGERS], is_active=False)
    with pytest.raises(PermissionRefused):
        tiers.tier_set_manually(partner=partner, tier="gold", acting_user=manager)


def test_a_partner_user_gets_404_on_staff_pages(client_for, partner_admin):
    client = client_for(partner_admin)
    for url in (reverse("tiers:whatif"), reverse("community:review"), reverse("system-status")):
        assert client.get(url).status_code == 404, url
    # The awards address shows a partner its own awards, never the staff's candidates and nominations.
    awards = client.get(reverse("enablement:awards"))
    assert awards.templates[0].name == "enablement/awards_partner.html"
    assert "nominate_form" not in awards.context
