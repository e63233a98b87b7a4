"""The public Solutions Directory (search, profiles, logos) and a partner's own profile editor."""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET

from directory import selectors, services
from directory.caching import logo_headers, public_page
from directory.forms import DirectorySearchForm, ProfileForm, language_names
from directory.models import PartnerProfile
from portal.access import partner_own
from portal.htmx import page_or_partial
from portal.middleware import set_language_cookie
from portal.models import Partner
from portal.refusals import refusal

CARD_COUNTRIES = 3
SERVICES = PartnerProfile._meta.get_field("services")
INDUSTRIES = Partner._meta.get_field("industries")


def stars(rating: float | None) -> str:
    """★★★★☆ for 4.2: the rating rounded half up to whole stars (the figure is shown beside it)."""
    if rating is None:
        return ""
    filled = min(5, max(0, int(Decimal(str(rating)).quantize(Decimal(1), rounding=ROUND_HALF_UP))))
    return "★" * filled + "☆" * (5 - filled)


def _card(listing: PartnerProfile) -> dict:
    countries = [country.name for country in listing.partner.operating_countries]
    return {
        "profile": listing,
        "stars": stars(listing.rating),
        "countries": countries[:CARD_COUNTRIES],
        "more_countries": max(0, len(countries) - CARD_COUNTRIES),
        "services": SERVICES.labels(listing.services),
    }


def _public_context(request: HttpRequest) -> dict:
    # An anonymous page is shared by every visitor (directory.caching), so it carries no CSRF
    # token: nothing on it posts, and the language menu is a pair of links (`language`).
    return {} if request.user.is_authenticated else {"csrf_token": ""}


@require_GET
@public_page
def search(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET, accreditations=selectors.accreditation_choices())
    filters = form.filters()
    rows = selectors.directory_search(filters=filters)
    page = selectors.OneQueryPaginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [_card(listing) for listing in page.object_list]
    context = {"form": form, "page": page, "cards": cards, "filtered": form.is_filtered}
    template = page_or_partial(request, "directory/search.html", "results")
    return render(request, template, context | _public_context(request))


@require_GET
@public_page
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    listing = selectors.profile_get_public(slug=slug, user=request.user)
    facts = selectors.profile_facts(partner=listing.partner, today=timezone.localdate())
    for review in facts.reviews:
        review.stars = stars(review.rating)
    context = {
        "profile": listing,
        "partner": listing.partner,
        "facts": facts,
        "stars": stars(facts.rating),
        "services": SERVICES.labels(listing.services),
        "industries": INDUSTRIES.labels(listing.partner.industries),
        "languages": language_names(listing.languages),
        "countries": [country.name for country in listing.partner.operating_countries],
        "preview": not listing.is_public,
        "may_edit": request.user.is_authenticated
        and request.user.is_partner_admin
        and request.user.partner_id == listing.partner_id,
    }
    return render(request, "directory/profile.html", context | _public_context(request))


def _logo_etag(request: HttpRequest, slug: str) -> str | None:
    listing = selectors.profile_logo_get(slug=slug, user=request.user, with_image=False)
    return hashlib.sha256(f"{listing.pk}:{listing.updated_at.isoformat()}".encode()).hexdigest()[:32]


def _logo_modified(request: HttpRequest, slug: str):
    return selectors.profile_logo_get(slug=slug, user=request.user, with_image=False).updated_at


@require_GET
@condition(etag_func=_logo_etag, last_modified_func=_logo_modified)
def logo(request: HttpRequest, slug: str) -> HttpResponse:
    listing = selectors.profile_logo_get(slug=slug, user=request.user)
    response = HttpResponse(bytes(listing.logo), content_type=listing.logo_content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return logo_headers(response, public=listing.is_public)


@require_GET
def language(request: HttpRequest, code: str) -> HttpResponse:
    """The public pages' language menu: remember the language in the language cookie and go back.

    Anonymous directory pages carry no CSRF token (they are shared by every visitor), so they
    cannot post to Django's `set_language`; choosing a language is no harm to anyone if forged.
    """
    target = request.GET.get("next") or "/directory/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/directory/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        set_language_cookie(response, code)
    return response


def _edit_page(request: HttpRequest, form: ProfileForm, listing, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "directory/profile_edit.html",
        {"form": form, "profile": listing, "may_edit": request.user.is_partner_admin},
        status=status,
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """The partner's own listing: org admins edit it, members read the form without saving."""
    partner = partner_own(request.user)
    listing = services.profile_for_partner(partner)
    initial = {
        "industries": list(partner.industries),
        "operating_countries": [country.code for country in partner.operating_countries],
    }
    if request.method != "POST":
        return _edit_page(request, ProfileForm(instance=listing, initial=initial), listing)
    if not request.user.is_partner_admin:
        raise PermissionDenied
    form = ProfileForm(request.POST, request.FILES, instance=listing, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        with refusal(request, form=form, field="logo_file") as refused:
            listing = services.profile_update(
                partner=partner,
                actor=request.user,
                tagline=data["tagline"],
                description=data["description"],
                website=data["website"],
                services=data["services"],
                languages=data["languages"],
                listed=data["listed"],
                industries=data["industries"],
                operating_countries=data["operating_countries"],
                logo=data.get("logo_file"),
                remove_logo=data["remove_logo"],
            )
        if not refused:
            messages.success(request, _("Your directory profile is saved."))
            return redirect("directory:profile-edit")
    return _edit_page(request, form, listing, status=400)
