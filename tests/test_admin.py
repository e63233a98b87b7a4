"""Programme staff work in Django admin: every model is registered and searchable."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"portal", "tiers", "registrations", "community", "enablement", "directory", "api"}


def _project_models():
    from django.apps import apps

    # django-simple-history's tables are read on their parent's "History" page, not on their own.
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and not m._meta.model_name.startswith("historical")
    ]


def test_every_project_model_is_in_admin():
    """Registered itself, or edited inline on its parent's admin page (coefficients on a rule set)."""
    inline_models = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    missing = [m._meta.label for m in _project_models() if m not in admin.site._registry and m not in inline_models]
    assert missing == []


def test_every_admin_changelist_renders_and_searches_for_staff(client_for, staff, partner):
    client = client_for(staff)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"q": "Own"} if model_admin.search_fields else {})
        assert response.status_code == 200, url
        assert escape(str(model._meta.verbose_name_plural)).lower() in response.content.decode().lower(), url
        if model_admin.search_fields:
            assert 'id="searchbar"' in response.content.decode(), url


def test_partner_admin_search_finds_partner_by_id(client_for, staff, partner, other_partner):
    response = client_for(staff).get(reverse("admin:portal_partner_changelist"), {"q": partner.partner_id})
    assert list(response.context["cl"].result_list) == [partner]


def test_partner_users_cannot_open_admin(client_for, partner_admin):
    response = client_for(partner_admin).get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
