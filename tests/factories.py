"""factory_boy factories shared by every test suite: people, partners, domain and deal registrations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from portal.models import Partner, PartnerKind, Region, Role, User
from registrations.models import Deal, DomainRegistration, RegistrationStatus

TEST_PASSWORD = "correct-horse-battery"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    partner_id = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Test Agency {n}")
    kind = PartnerKind.SOLUTIONS_PARTNER
    country = "US"
    region = Region.NORTH_AMERICA
    joined_on = dt.date(2020, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    role = Role.PARTNER_MEMBER
    password = factory.django.Password(TEST_PASSWORD)


class PartnerUserFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)


class CamFactory(UserFactory):
    role = Role.CAM


class StaffFactory(UserFactory):
    """Programme staff. By default in every duty group (not a superuser: rights come from the groups).

    `StaffFactory(groups=["Auditors"])` makes a narrower persona; `groups=[]` a staff login with no rights.
    """

    role = Role.STAFF
    is_staff = True
    is_superuser = False

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if not create:
            return
        from django.contrib.auth.models import Group

        from portal.access import GROUP_NAMES, groups_ensure

        names = GROUP_NAMES if extracted is None else extracted
        groups_ensure()  # a transactional test may have flushed the groups the migration made
        self.groups.set(Group.objects.filter(name__in=names))


class DomainRegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DomainRegistration

    domain = factory.Sequence(lambda n: f"prospect{n}.com")
    company_name = factory.Sequence(lambda n: f"Prospect {n} Inc")
    status = RegistrationStatus.PENDING
    submitted_at = factory.LazyFunction(timezone.now)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    company_name = factory.Sequence(lambda n: f"Deal Co {n}")
    domain = factory.Sequence(lambda n: f"dealco{n}.com")
    products = factory.LazyFunction(lambda: ["marketing"])
    expected_mrr = Decimal("1200.00")
    currency = "USD"
    expected_close_on = dt.date(2026, 12, 31)
    submitted_at = factory.LazyFunction(timezone.now)
