"""factory_boy factories for people and partners (feature apps keep their own)."""

from __future__ import annotations

import datetime as dt

import factory

from portal.models import Partner, PartnerKind, Region, Role, User

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
