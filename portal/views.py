from __future__ import annotations

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.forms import MemberInviteForm
from portal.models import Partner, User
from portal.selectors import partner_users, partners_visible_to
from portal.services import partner_member_invite, partner_member_set_active


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, when configured) answer; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2).ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    if user.is_partner_user:
        partner = partners_visible_to(user).select_related("cam", "cc").get()
        return render(request, "portal/home_partner.html", {"partner": partner})
    if user.is_cam or user.is_cc:
        book = partners_visible_to(user).order_by("name")
        return render(
            request,
            "portal/home_cam.html",
            {"book": book[:25], "book_size": book.count()},
        )
    if user.is_staff:
        partners = Partner.objects.all()
        return render(
            request,
            "portal/home_staff.html",
            {
                "partner_count": partners.count(),
                "provider_count": partners.filter(kind="provider").count(),
                "user_count": User.objects.count(),
            },
        )
    raise Http404


def _org_admin_partner(request: HttpRequest) -> Partner:
    user: User = request.user
    if not user.is_partner_admin:
        raise Http404
    return partners_visible_to(user).get()


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """An org admin's list of the organisation's logins, with an invite form."""
    partner = _org_admin_partner(request)
    form = MemberInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = partner_member_invite(partner=partner, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc.messages[0])
        else:
            messages.success(request, _("%(email)s was added to your organisation.") % {"email": member.email})
            return redirect("team")
    return render(
        request,
        "portal/team.html",
        {"partner": partner, "members": partner_users(partner=partner), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def team_member_active(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _org_admin_partner(request)
    member = get_object_or_404(partner_users(partner=partner), pk=pk)
    active = request.POST.get("active") == "1"
    if not active and member.is_active and request.POST.get("confirmed") != "1":
        # Deactivating locks a colleague out: ask first (the page's dialog does it with JavaScript).
        return render(request, "portal/team_confirm.html", {"member": member, "partner": partner})
    try:
        partner_member_set_active(member=member, active=active, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    if request.htmx:
        return render(request, "portal/team.html#member-row", {"member": member, "partner": partner})
    return redirect("team")
