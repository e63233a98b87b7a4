"""The admin rule-set editor accepts Phase 2 requirements per tier and refuses ones that make no sense."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tiers.models import Metric, TierRequirement
from tiers.tests.test_rule_set_editor import _post_data, _seed_like_rule_set

pytestmark = pytest.mark.django_db


def _with_requirements(data: dict[str, str], rows: list[tuple[str, str, str]], rule_set) -> dict[str, str]:
    total = int(data["requirements-TOTAL_FORMS"])
    extra = {}
    for index, (tier, metric, threshold) in enumerate(rows, start=total):
        extra |= {
            f"requirements-{index}-tier": tier,
            f"requirements-{index}-metric": metric,
            f"requirements-{index}-threshold": threshold,
            f"requirements-{index}-rule_set": str(rule_set.pk),
        }
    return {**data, **extra, "requirements-TOTAL_FORMS": str(total + len(rows))}


def _post(client, rule_set, rows, **headers):
    url = reverse("admin:tiers_ruleset_change", args=[rule_set.pk])
    return client.post(url, _with_requirements(_post_data(client.get(url, **headers)), rows, rule_set), **headers)


def test_staff_require_certified_people_on_every_tier_from_gold(client_for, staff):
    rule_set = _seed_like_rule_set()
    rows = [
        (tier, "certified_people", people)
        for tier, people in zip(("gold", "platinum", "diamond", "elite"), "2358", strict=True)
    ]

    response = _post(client_for(staff), rule_set, rows)

    assert response.status_code == 302
    stored = dict(rule_set.requirements.filter(metric=Metric.CERTIFIED_PEOPLE).values_list("tier", "threshold"))
    assert stored == {"gold": Decimal(2), "platinum": Decimal(3), "diamond": Decimal(5), "elite": Decimal(8)}


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("gold", "certified_people", "2")], "Gold requires Certified people, so Platinum must require it too."),
        ([("elite", "customer_revenue_retention", "120")], "Customer revenue retention (%) cannot be above 100."),
        ([("elite", "certified_people", "2.5")], "People and accreditations are counted in whole numbers."),
    ],
)
def test_phase2_requirements_that_make_no_sense_are_refused(client_for, staff, rows, message):
    rule_set = _seed_like_rule_set()

    response = _post(client_for(staff), rule_set, rows)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TierRequirement.objects.filter(rule_set=rule_set, metric=rows[0][1]).exists()


def test_the_refusal_reads_in_japanese(client_for, staff):
    rule_set = _seed_like_rule_set()
    response = _post(client_for(staff), rule_set, [("gold", "certified_people", "2")], HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 200
    assert "Goldで認定資格保有者数が必須のため、Platinumでも必須にしてください。" in response.content.decode()
