"""The tier engine's admin: a rule set that judged a month is read-only; publishing goes through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PartnerFactory
from tiers import services
from tiers.models import RuleSet, TierChange
from tiers.tests.factories import (
    points_rules,
)

pytestmark = pytest.mark.django_db


def test_judged_rule_set_is_read_only_in_the_admin(client_for, staff):
    rule_set = points_rules()
    PartnerFactory()
    services.month_evaluate(month=dt.date(2022, 8, 1))
    client = client_for(staff)
    url = reverse("admin:tiers_ruleset_change", args=[rule_set.pk])

    page = client.get(url)
    client.post(url, {"name": "Renamed", "framework": "legacy", "effective_from": "2020-01-01"})

    assert page.status_code == 200
    assert b'name="name"' not in page.content  # shown, not editable
    assert RuleSet.objects.get().name == "Points 2022"
    assert client.post(reverse("admin:tiers_ruleset_delete", args=[rule_set.pk]), {"post": "yes"}).status_code == 403


def test_unused_rule_set_is_editable_and_the_publish_action_publishes_it(client_for, staff):
    draft = points_rules(draft=True)
    client = client_for(staff)

    assert b'name="name"' in client.get(reverse("admin:tiers_ruleset_change", args=[draft.pk])).content
    client.post(reverse("admin:tiers_ruleset_changelist"), {"action": "publish", "_selected_action": [str(draft.pk)]})

    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at is not None


def test_history_lists_are_read_only(client_for, staff):
    client = client_for(staff)
    assert client.get(reverse("admin:tiers_monthlysnapshot_changelist")).status_code == 200
    assert client.get(reverse("admin:tiers_monthlysnapshot_add")).status_code == 403
    assert client.get(reverse("admin:portal_jobrun_add")).status_code == 403
    assert client.get(reverse("admin:tiers_emergingmarket_changelist")).status_code == 200


# --- manual tier change from the admin ----------------------------------------------------


def _manual_change(client, partner, **overrides):
    data = {"partner": partner.pk, "to_tier": "platinum", "effective_on": "2026-11-20", "note": "Strategic account"}
    return client.post(reverse("admin:tiers_tierchange_add"), {**data, **overrides})


@pytest.mark.django_db
def test_staff_record_a_manual_tier_change_through_the_service(client_for, staff, partner):
    response = _manual_change(client_for(staff), partner)
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.tier, partner.tier_since) == ("platinum", dt.date(2026, 11, 20))
    change = TierChange.objects.get(partner=partner)
    assert (change.from_tier, change.to_tier, change.reason) == ("solutions_partner", "platinum", "manual")
    assert (change.changed_by, change.note) == (staff, "Strategic account")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"to_tier": "solutions_partner"}, "to_tier", "already has this tier"),
        ({"note": ""}, "note", "This field is required"),
        ({"effective_on": "not-a-date"}, "effective_on", "Enter a valid date"),
    ],
)
def test_bad_manual_tier_change_rerenders_and_writes_nothing(client_for, staff, partner, overrides, field, message):
    response = _manual_change(client_for(staff), partner, **overrides)
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    partner.refresh_from_db()
    assert partner.tier == "solutions_partner"
    assert not TierChange.objects.exists()


@pytest.mark.django_db
def test_provider_cannot_get_a_tier_by_hand(client_for, staff):
    provider = PartnerFactory(kind="provider")
    response = _manual_change(client_for(staff), provider)
    assert "Providers have no tier ladder." in response.content.decode()
    assert not TierChange.objects.exists()


@pytest.mark.django_db
def test_recorded_tier_changes_stay_read_only(client_for, staff, partner):
    _manual_change(client_for(staff), partner)
    change = TierChange.objects.get()
    client = client_for(staff)
    client.post(reverse("admin:tiers_tierchange_change", args=[change.pk]), {"note": "edited"})
    assert client.post(reverse("admin:tiers_tierchange_delete", args=[change.pk]), {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert change.note == "Strategic account"
