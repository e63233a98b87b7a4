"""The tier engine's admin: a rule set that judged a month is read-only; publishing goes through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PartnerFactory
from tiers import services
from tiers.models import RuleSet
from tiers.tests.factories import (
    points_rules,
    spec_emerging_markets,  # noqa: F401  (autouse fixture)
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
    assert client.get(reverse("admin:tiers_tierchange_add")).status_code == 403
    assert client.get(reverse("admin:tiers_jobrun_add")).status_code == 403
    assert client.get(reverse("admin:tiers_emergingmarket_changelist")).status_code == 200
