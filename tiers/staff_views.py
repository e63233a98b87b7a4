"""Staff pages behind the programme overview's tier figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.access import VIEW_STAFF_HOME, require_perm
from portal.models import Tier
from tiers import engine
from tiers.book import latest_closed_month
from tiers.overview import at_risk_partners

PAGE_SIZE = 50


@login_required
@require_GET
def at_risk(request: HttpRequest) -> HttpResponse:
    """Partners who would move down if the next reassessment ran today, optionally of one current tier."""
    require_perm(request, VIEW_STAFF_HOME)
    today = timezone.localdate()
    tier = request.GET.get("tier", "")
    rows = at_risk_partners(today=today).order_by("name", "pk")
    if tier in Tier.ladder():
        rows = rows.filter(tier=tier)
    else:
        tier = ""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for partner in page:
        partner.best_tier = Tier.values[partner.best_rank]
    return render(
        request,
        "tiers/at_risk.html",
        {
            "page": page,
            "tier": tier,
            "tiers": Tier.ladder(),
            "on": engine.next_reassessment_date(today),
            "month": latest_closed_month(today),
        },
    )
