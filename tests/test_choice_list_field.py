"""`ChoiceListField`: a list of choice codes in one column, filtered by whole code."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portal.models import Industry, Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_a_list_round_trips_and_has_matches_whole_codes_only():
    retail = PartnerFactory(industries=[Industry.RETAIL, Industry.REAL_ESTATE])
    PartnerFactory(industries=[Industry.OTHER])
    PartnerFactory(industries=[])

    assert Partner.objects.get(pk=retail.pk).industries == ["retail", "real_estate"]
    assert list(Partner.objects.filter(industries__has="retail")) == [retail]
    assert list(Partner.objects.filter(industries__has="real_estate")) == [retail]
    # Part of a code, or a code with '_' read as a wildcard, matches nothing.
    assert not Partner.objects.filter(industries__has="real").exists()
    assert not Partner.objects.filter(industries__has="real-estate").exists()


def test_a_code_outside_the_choices_is_refused_by_name():
    partner = PartnerFactory(industries=["retail", "crypto"])
    with pytest.raises(ValidationError) as refused:
        partner.full_clean()
    assert "crypto" in str(refused.value.message_dict["industries"])


def test_the_form_field_offers_the_translated_choices():
    field = Partner._meta.get_field("industries").formfield()
    assert ("healthcare", Industry.HEALTHCARE.label) in list(field.choices)
    assert field.clean(["healthcare", "retail"]) == ["healthcare", "retail"]
    with pytest.raises(ValidationError):
        field.clean(["crypto"])
