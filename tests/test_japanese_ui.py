"""A Japanese reader finds no English UI text on any page of the portal.

Every main page — partner, CAM, staff and the Django admin (index, every app,
a changelist, change form and add form of every model) — is rendered in
Japanese over a realistic world where every status and choice occurs
(`tests/japanese_world.py`). The visible text (text nodes, `title`,
`placeholder`, `aria-label`, `alt`, option texts, button values, htmx
confirmations) must contain no English words once names, addresses, numbers
and the small allow-list of `tests/visible_text.py` are taken out. The failure
lists each page with its offending text.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
import time_machine
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse
from django_countries.fields import CountryField

from portal.fields import ChoiceListField
from tests import japanese_world as world_module
from tests.visible_text import english_in, english_pieces, visible_text

pytestmark = pytest.mark.django_db


# --- the extractor itself -------------------------------------------------------------------------------


def test_visible_text_reads_attributes_options_and_buttons_but_not_scripts():
    html = """<html lang="ja"><head><title>題</title><style>.a{color:red}</style></head><body>
      <script>var label = "Submit";</script>
      <img alt="Logo picture"><input placeholder="Search domains"><input type="submit" value="Register">
      <input type="hidden" value="secret"><a title="Opens help" aria-label="Help">?</a>
      <select><option>Japan</option></select><button hx-confirm="Really release?">解放</button>
      <option lang="en">English</option></body></html>"""
    pieces = visible_text(html)
    assert "Logo picture" in pieces and "Search domains" in pieces and "Register" in pieces
    assert "Opens help" in pieces and "Help" in pieces and "Japan" in pieces and "Really release?" in pieces
    assert "Submit" not in " ".join(pieces) and "secret" not in pieces and "color" not in " ".join(pieces)
    assert "English" not in pieces  # marked as another language: the language menu's own names


def test_english_words_are_found_but_names_addresses_and_allowed_terms_are_not():
    assert english_in("Goldは15件です。Platinumまであと3件") == []
    assert english_in("kenji@sakura.example.jp が ginza-tea.example.jp を登録 (P10001)") == []
    assert english_in("Kenji Tanakaさんの申請", names=["Kenji Tanaka"]) == []
    assert english_in("Marketing Hub、Sales Hub") == []
    assert english_in("2026-11 cycle") == ["cycle"]
    assert english_in("∅ → pending: submitted") == ["pending", "submitted"]
    assert english_in("Access attempts") == ["Access", "attempts"]
    assert english_in("例え.jpを選択、例: example.comまたはhttps://www.example.co.jp/") == []


# --- the pages ------------------------------------------------------------------------------------------


@pytest.fixture
def world():
    with time_machine.travel(world_module.NOW, tick=False):
        yield world_module.build()


def _japanese_client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _partner_pages(w) -> list[str]:
    return [
        reverse("home"),
        reverse("tiers:dashboard"),
        reverse("tiers:dashboard") + "?month=2026-10-01&em=yes",
        reverse("registrations:capacity"),
        reverse("registrations:capacity") + "?status=released",
        reverse("registrations:assistant", args=[w.partner.partner_id]),
        reverse("registrations:deals"),
        reverse("registrations:deal", args=[w.deal.pk]),
        reverse("community:index"),
        reverse("community:pug-group", args=[w.pug_group.pk]),
        reverse("community:hug-directory"),
        reverse("community:hug-detail", args=[w.hug.pk]),
        reverse("community:deib"),
        reverse("community:black-at-inbound"),
        reverse("enablement:index"),
        reverse("directory:reviews"),
        reverse("team"),
        reverse("api:tokens"),
        reverse("password_change"),
        reverse("security"),
        reverse("account"),
        reverse("enablement:awards"),
        reverse("directory:profile-edit"),
        reverse("directory:search"),
        reverse("directory:profile", args=[w.partner.directory_profile.slug]),
    ]


def _cam_pages(w) -> list[str]:
    return [
        reverse("home"),
        reverse("tiers:book"),
        reverse("tiers:book") + "?tier=platinum&sort=-points",
        reverse("registrations:queue"),
        reverse("tiers:partner-dashboard", args=[w.partner.partner_id]),
        reverse("registrations:assistant", args=[w.partner.partner_id]),
        reverse("registrations:deal", args=[w.deal.pk]),
        reverse("api:tokens"),
        reverse("account"),
    ]


def _staff_pages(w) -> list[str]:
    return [
        reverse("home"),
        reverse("tiers:whatif"),
        reverse("tiers:whatif") + f"?rule_set={w.rule_set_draft_id}&month=2026-10-01",
        reverse("tiers:at-risk"),
        reverse("tiers:uploads"),
        *(reverse("tiers:upload", args=[pk]) for pk in _upload_pks()),
        reverse("admin:tiers_ruleset_publish", args=[w.rule_set_draft_id]),
        reverse("community:review"),
        reverse("community:hug-flags"),
        reverse("enablement:awards"),
        reverse("directory:moderation"),
        reverse("directory:partner-of-the-year") + "?year=2025",
        reverse("system-status"),
        reverse("partner-history", args=[w.partner.partner_id]),
        reverse("account"),
    ]


def _upload_pks() -> list[int]:
    from tiers.models import Upload

    return list(Upload.objects.order_by("pk").values_list("pk", flat=True))


def _admin_pages() -> list[str]:
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        pages.append(reverse("admin:app_list", args=[app_label]))
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append(reverse(f"{base}_changelist"))
        first = model._default_manager.order_by("pk").first()
        assert first is not None, f"the world has no {opts.label}: the check cannot see its admin pages"
        pages.append(reverse(f"{base}_change", args=[first.pk]))
        if admin.site._registry[model].has_add_permission(_FakeRequest()):
            pages.append(reverse(f"{base}_add"))
    return pages


class _FakeRequest:
    class user:
        is_active = is_staff = is_superuser = is_authenticated = True

        @staticmethod
        def has_perm(*_args) -> bool:
            return True


def _offences(client, paths: Iterable[str], who: str) -> list[str]:
    found = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, f"{who} {path}: {response.status_code}"
        assert response["Content-Language"] == "ja", f"{who} {path} was not rendered in Japanese"
        pieces = english_pieces(response.content.decode(), names=world_module.NAMES)
        found.extend(f"{who} {path}: {piece}" for piece in pieces)
    return found


def test_no_english_ui_text_on_any_japanese_page(world):
    w = world
    with time_machine.travel(world_module.NOW, tick=False):
        offences = []
        offences += _offences(_japanese_client(), [reverse("login"), reverse("password_reset")], "anonymous")
        directory_pages = [
            reverse("directory:search"),
            reverse("directory:profile", args=[w.partner.directory_profile.slug]),
        ]
        offences += _offences(_japanese_client(), directory_pages, "anonymous")
        offences += _offences(_japanese_client(w.partner_admin), _partner_pages(w), "partner admin")
        offences += _offences(_japanese_client(w.partner_member), [reverse("home")], "partner member")
        provider_admin = w.provider.users.get()
        offences += _offences(
            _japanese_client(provider_admin),
            [reverse("tiers:dashboard"), reverse("registrations:capacity")],
            "provider",
        )
        offences += _offences(_japanese_client(w.cam), _cam_pages(w), "CAM")
        staff = _japanese_client(w.staff)
        offences += _offences(staff, _staff_pages(w), "staff")
        offences += _offences(staff, _admin_pages(), "admin")
    assert not offences, "English UI text on Japanese pages:\n" + "\n".join(offences)


def test_the_world_covers_every_status_and_choice(world):
    """A label nobody renders cannot be checked: every translatable choice occurs somewhere in the data.

    Fields sharing one set of choices (e.g. regions, tiers) count together.
    """
    present: dict[tuple, set[str]] = {}
    labels: dict[tuple, list[str]] = {}
    for model in admin.site._registry:
        if model._meta.app_label not in PORTAL_APPS:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.Field) or not field.choices or isinstance(field, CountryField):
                continue
            key = tuple(value for value, _label in field.flatchoices)
            translatable = [value for value, label in field.flatchoices if str(label) != str(value)]
            labels.setdefault(key, translatable)
            values = model._default_manager.values_list(field.name, flat=True).distinct()
            if isinstance(field, ChoiceListField):  # a list of codes per row
                values = [code for row in values for code in row]
            present.setdefault(key, set()).update(str(v) for v in values)
    uncovered = [value for key, wanted in labels.items() for value in wanted if value not in present[key]]
    assert not uncovered, f"no row shows these choices: {uncovered}"


PORTAL_APPS = {"portal", "tiers", "registrations", "community", "enablement", "directory", "api"}


@pytest.mark.parametrize(
    ("model_path", "reason"),
    [
        ("community.models.AuditEntry", "no free event in 2026-Q3"),
        ("community.models.AuditEntry", "sponsor: Jordan Rivera. 推薦します"),
        ("enablement.models.AuditEntry", "re-evaluated: renewed"),
        ("enablement.models.AuditEntry", "re-evaluated: tier gold not eligible"),
        ("directory.models.AuditEntry", "changed: tagline, industries, operating_countries"),
        ("directory.models.AuditEntry", "created"),
        ("registrations.models.RegistrationEvent", "extended until 2027-08-28"),
        ("registrations.models.RegistrationEvent", "expiry date reached (run for 2026-11-28)"),
        ("registrations.models.RegistrationEvent", "released by the partner"),
        ("registrations.models.RegistrationEvent", "released with the cap reduction assistant"),
        ("registrations.models.DealEvent", "submitted"),
    ],
)
def test_reasons_the_services_write_are_shown_in_japanese(model_path, reason):
    from django.utils import translation
    from django.utils.module_loading import import_string

    row = import_string(model_path)(reason=reason)
    with translation.override("ja"):
        label = row.reason_label()
    assert label != reason and english_in(label, names=world_module.NAMES) == [], label
