"""Factories and helpers for the registrations tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from registrations.models import Deal, DomainRegistration, RegistrationStatus


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


@pytest.fixture
def fill(db):
    """`fill(partner, n, status=…)`: give a partner n registrations at once."""

    def make(partner, n: int, status: str = RegistrationStatus.REGISTERED, **extra):
        if status == RegistrationStatus.REGISTERED:
            extra.setdefault("expires_on", dt.date(2030, 1, 1))
        return DomainRegistrationFactory.create_batch(n, partner=partner, status=status, **extra)

    return make
