from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import jobs, status
from portal.access import VIEW_PARTNER_HISTORY, VIEW_STAFF_HOME, partner_for_staff, require_perm
from portal.forms import MemberInviteForm
from portal.health import liveness, readiness_response
from portal.history import partner_history as partner_history_items
from portal.home import cam_attention, decisions_waiting, partner_attention, staff_overview, stylesheets_of
from portal.htmx import wants_partial
from portal.models import PARTNER_ROLES, Partner, User
from portal.refusals import refusal
from portal.selectors import outbox_counts, partner_users, partners_visible_to
from portal.services import partner_member_invite, partner_member_set_active, partner_member_set_role


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness (normally answered earlier by HealthCheckMiddleware): 200 when the database answers, else 503."""
    return liveness()


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness (normally answered earlier by HealthCheckMiddleware): see `portal.health.readiness_response`."""
    return readiness_response()


CHECK_LABELS = {
    "database": gettext_lazy("Database"),
    "broker": gettext_lazy("Broker (Redis)"),
    "worker": gettext_lazy("Celery worker"),
    "beat": gettext_lazy("Celery beat"),
}


@login_required
@require_GET
@never_cache
def system_status(request: HttpRequest) -> HttpResponse:
    """The readiness checks and each job's last run, for programme staff only (others get 404)."""
    require_perm(request, VIEW_STAFF_HOME)
    readiness = status.readiness()
    checks = [
        (name, CHECK_LABELS.get(name, name), value if value == status.OK else status.problem_label(value))
        for name, value in readiness.checks.items()
    ]
    return render(
        request,
        "portal/status.html",
        {"readiness": readiness, "checks": checks, "job_statuses": readiness.jobs},
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    today = timezone.localdate()
    if user.is_partner_user:
        partner = partners_visible_to(user).select_related("cam", "cc").get()
        attention = partner_attention(partner=partner, user=user, today=today)
        return render(request, "portal/home_partner.html", {"partner": partner, "attention": attention})
    if user.is_cam or user.is_cc:
        book = partners_visible_to(user).order_by("name")
        return render(
            request,
            "portal/home_cam.html",
            {"book": book[:25], "book_size": book.count(), "attention": cam_attention(user=user, today=today)},
        )
    if user.is_programme_staff:
        require_perm(request, VIEW_STAFF_HOME)
        partners = Partner.objects.all()
        # The programme overview: each feature app contributes its sections and waiting decisions.
        overview = staff_overview(user=user, today=today)
        return render(
            request,
            "portal/home_staff.html",
            {
                "partner_count": partners.count(),
                "provider_count": partners.filter(kind="provider").count(),
                "user_count": User.objects.count(),
                "outbox": outbox_counts(),
                "job_statuses": jobs.last_runs(),
                "overview": overview,
                "stylesheets": stylesheets_of(overview),
                "decisions": decisions_waiting(user=user, now=timezone.now()),
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
            partner_member_invite(partner=partner, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("email", exc.messages[0])
        else:
            # The same words whether or not the address already had a login somewhere in the portal.
            messages.success(
                request,
                _("If %(email)s can be invited, it has been sent a link to choose a password.")
                % {"email": form.cleaned_data["email"]},
            )
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
    with refusal(request) as refused:
        partner_member_set_active(member=member, active=active, acting_user=request.user)
    return _reload_team(request) if refused else _member_row(request, member, partner)


@login_required
@require_POST
def team_member_role(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _org_admin_partner(request)
    member = get_object_or_404(partner_users(partner=partner), pk=pk)
    role = request.POST.get("role", "")
    if role not in PARTNER_ROLES:
        raise Http404
    with refusal(request) as refused:
        partner_member_set_role(member=member, role=role, acting_user=request.user)
    return _reload_team(request) if refused else _member_row(request, member, partner)


def _reload_team(request: HttpRequest) -> HttpResponse:
    """After a refusal (its message is queued): the team page (htmx: reload it, so the message appears)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect("team")


def _member_row(request: HttpRequest, member: User, partner: Partner) -> HttpResponse:
    if wants_partial(request):
        return render(request, "portal/team.html#member-row", {"member": member, "partner": partner})
    return redirect("team")


@login_required
def partner_history(request: HttpRequest, partner_id: str) -> HttpResponse:
    """Everything that happened to one partner, newest first: tiers, registrations, deals, programmes, edits."""
    partner = partner_for_staff(request.user, partner_id, VIEW_PARTNER_HISTORY)
    items = partner_history_items(partner=partner)
    return render(request, "portal/partner_history.html", {"partner": partner, "items": items})
