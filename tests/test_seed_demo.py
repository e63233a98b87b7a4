"""seed_demo: deterministic, big enough to be realistic, and safe to re-run."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from demo.people import seed_people
from portal.models import Partner, PartnerKind, Role, User

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    """Undo one seeding (people are never deleted, so the test rolls back instead)."""


def _people_fingerprint(seed: int) -> list[tuple]:
    try:
        with transaction.atomic():
            seed_people(rng=random.Random(seed), password="demo-password", today=dt.date(2026, 11, 26))
            rows = list(
                Partner.objects.order_by("partner_id").values_list(
                    "partner_id", "name", "kind", "country", "cam__email"
                )
            )
            raise _Rollback(rows)
    except _Rollback as done:
        return done.args[0]


def test_same_seed_gives_same_partners_and_another_seed_differs():
    first, again, other = _people_fingerprint(7), _people_fingerprint(7), _people_fingerprint(8)
    assert first == again
    assert first != other


def test_demo_people_cover_regions_kinds_and_roles():
    seed_people(rng=random.Random(2022), password="demo-password", today=dt.date(2026, 11, 26))
    assert Partner.objects.count() >= 300
    assert Partner.objects.values("region").distinct().count() == 5
    assert Partner.objects.filter(kind=PartnerKind.PROVIDER).exists()
    assert User.objects.filter(role=Role.CAM).count() >= 20
    demo_partner = Partner.objects.get(partner_id="P00001")
    assert User.objects.get(email="partner@example.com").partner == demo_partner
    assert User.objects.get(email="partner@example.com").role == Role.PARTNER_ADMIN
    assert demo_partner.cam.email == "cam@example.com"
    staff = User.objects.get(email="admin@example.com")
    assert staff.is_staff and staff.check_password("demo-password")
    assert staff.groups.count() == 4


@pytest.mark.parametrize(
    ("email", "group", "may", "may_not"),
    [
        ("manager@example.com", "Programme managers", "tiers.publish_ruleset", "community.review_applications"),
        ("reviewer@example.com", "Reviewers", "community.review_applications", "tiers.publish_ruleset"),
        ("operations@example.com", "Partner operations", "portal.change_partner", "tiers.set_tier_manually"),
        ("auditor@example.com", "Auditors", "registrations.view_registrationevent", "portal.change_partner"),
    ],
)
def test_demo_has_one_login_per_duty(email, group, may, may_not):
    seed_people(rng=random.Random(2022), password="demo-password", today=dt.date(2026, 11, 26))
    person = User.objects.get(email=email)
    assert list(person.groups.values_list("name", flat=True)) == [group]
    assert person.check_password("demo-password") and not person.is_superuser
    assert person.has_perm(may) and not person.has_perm(may_not)


def test_seed_demo_refuses_a_non_empty_database_unless_if_empty(partner):
    with pytest.raises(CommandError, match="already holds partners"):
        call_command("seed_demo")
    call_command("seed_demo", "--if-empty")  # keeps what is there
    assert list(Partner.objects.all()) == [partner]
