"""The admin index is organised by duty: programme areas first, technical tables grouped last, in both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _groups(response) -> list[tuple[str, list[str]]]:
    return [(app["app_label"], [m["label"] for m in app["models"]]) for app in response.context["app_list"]]


def test_index_lists_programme_areas_then_people_then_technical_tables(client_for, staff):
    groups = _groups(client_for(staff).get(reverse("admin:index")))

    assert [label for label, _models in groups] == [
        "tiers",
        "registrations",
        "community",
        "enablement",
        "directory",
        "portal",
        "technical",
    ]
    models = dict(groups)
    assert models["tiers"][:2] == ["tiers.RuleSet", "tiers.ProgrammeTargets"]
    assert models["registrations"][0] == "registrations.DomainRegistration"
    assert models["community"][:3] == [
        "community.PugApplication",
        "community.HugLeaderApplication",
        "community.DeibApplication",
    ]
    assert models["directory"][0] == "directory.PartnerProfile"
    assert models["portal"] == ["portal.Partner", "portal.User", "auth.Group", "portal.EmailOptOut"]
    assert set(models["technical"]) == {
        "portal.JobRun",
        "portal.OutgoingEmail",
        "axes.AccessAttempt",
        "axes.AccessFailureLog",
        "axes.AccessLog",
        "api.ApiToken",
        "otp_totp.TOTPDevice",
        "otp_static.StaticDevice",
    }
    assert not any(label in models["portal"] for label in models["technical"])


def test_every_group_and_model_is_named_in_japanese(client_for, staff):
    client = client_for(staff)
    client.cookies["django_language"] = "ja"
    response = client.get(reverse("admin:index"))
    names = {app["app_label"]: str(app["name"]) for app in response.context["app_list"]}

    assert names["portal"] == "パートナーと担当者"
    assert names["technical"] == "技術的なテーブル"
    assert names["tiers"] == "ティアとポイント"
    for app in response.context["app_list"]:
        for model in app["models"]:
            assert not str(model["name"]).isascii() or str(model["name"]) in {"Accreditation"}, model["label"]


def test_an_app_page_still_lists_all_of_its_own_models(client_for, staff):
    response = client_for(staff).get(reverse("admin:app_list", args=["portal"]))
    labels = [m["label"] for app in response.context["app_list"] for m in app["models"]]
    assert labels[:2] == ["portal.Partner", "portal.User"]
    assert "portal.JobRun" in labels and "portal.OutgoingEmail" in labels


def test_a_narrow_duty_sees_only_its_areas_and_no_empty_group(client_for):
    from tests.factories import StaffFactory

    reviewer = StaffFactory(email="reviewer@example.test", groups=["Reviewers"])
    groups = dict(_groups(client_for(reviewer).get(reverse("admin:index"))))
    assert "tiers" not in groups and "technical" not in groups
    assert "community" in groups and all(groups.values())
