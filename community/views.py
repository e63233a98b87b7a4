"""Community pages. Views only parse input, call one service or selector, and render."""

from __future__ import annotations

import re
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from community import selectors, services
from community.forms import DeibApplyForm, HugLeadForm
from community.models import ExecutiveSponsor, HugFormat, HugLanguage, HugTopic, PugGroup
from community.services import ProgrammeError
from portal import exports
from portal.access import REVIEW_APPLICATIONS, is_programme_staff, partner_own, require_perm
from portal.exports import Column
from portal.htmx import page_or_partial, wants_partial
from portal.models import Region
from portal.refusals import refusal

HUG_PAGE_SIZE = 24


@login_required
def index(request: HttpRequest) -> HttpResponse:
    partner = partner_own(request.user)
    today = timezone.localdate()
    cycle = selectors.pug_cycle_open(today=today)
    applications = list(selectors.pug_applications_for_partner(partner=partner))
    # This cycle's application per group: the row shows its status (Submitted, Accepted, …), not just "applied".
    applied = {a.group_id: a for a in applications if cycle and a.cycle_id == cycle.pk}
    groups = list(selectors.pug_groups_with_seats(cycle=cycle))
    for group in groups:
        group.own_application = applied.get(group.pk)
    context = {
        "partner": partner,
        "cycle": cycle,
        "next_cycle": None if cycle else selectors.pug_cycle_next(today=today),
        "groups": groups,
        "applied": applied,
        "applications": applications,
        "memberships": selectors.pug_memberships_for_partner(partner=partner, today=today),
        "hug_count": request.user.hug_memberships.count(),
    }
    return render(request, "community/index.html", context)


@login_required
@require_POST
def pug_apply(request: HttpRequest, group_id: int) -> HttpResponse:
    partner_own(request.user)
    group = PugGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise Http404
    today = timezone.localdate()
    cycle = selectors.pug_cycle_open(today=today) or selectors.pug_cycle_next(today=today)
    with refusal(request) as refused:
        if cycle is None:
            raise ProgrammeError(_no_cycle_message())
        services.pug_apply(
            user=request.user, group=group, cycle=cycle, motivation=request.POST.get("motivation", ""), today=today
        )
    if not refused:
        messages.success(request, _applied_message(group.name))
    return redirect("community:index")


def _no_cycle_message() -> str:
    return _("No review cycle is open for applications.")


def _applied_message(name: str) -> str:
    return _("Application to %(group)s sent.") % {"group": name}


@login_required
def pug_group(request: HttpRequest, group_id: int) -> HttpResponse:
    group, membership = selectors.pug_group_for_member(user=request.user, group_id=group_id, today=timezone.localdate())
    members = selectors.pug_group_members(group=group, cycle_id=membership.cycle_id) if membership else []
    return render(request, "community/pug_group.html", {"group": group, "membership": membership, "members": members})


@login_required
def hug_directory(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_partner_user or is_programme_staff(user)):
        raise Http404
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "topic", "region", "language", "format")}
    groups = selectors.hug_directory(user=user, **filters)
    page = Paginator(groups, HUG_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "topics": HugTopic.choices,
        "regions": Region.choices,
        "hug_languages": HugLanguage.choices,
        "formats": HugFormat.choices,
    }
    return render(request, page_or_partial(request, "community/hug_directory.html", "results"), context)


@login_required
def hug_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.hug_group_get(user=request.user, pk=pk)
    return _hug_detail_page(request, group, HugLeadForm())


def _hug_detail_page(request: HttpRequest, group, form: HugLeadForm, *, status: int = 200) -> HttpResponse:
    upcoming, past = selectors.hug_events_split(group=group, now=timezone.now())
    context = {"group": group, "events": upcoming, "past_events": past, "lead_form": form}
    return render(request, "community/hug_detail.html", context, status=status)


@login_required
@require_POST
def hug_membership(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.hug_group_get(user=request.user, pk=pk)
    with refusal(request):
        if request.POST.get("action") == "leave":
            services.hug_leave(user=request.user, group=group)
        else:
            services.hug_join(user=request.user, group=group)
    group = selectors.hug_group_get(user=request.user, pk=pk)
    if wants_partial(request):
        return render(request, "community/hug_detail.html#membership", {"group": group})
    return redirect("community:hug-detail", pk=pk)


@login_required
@require_POST
def hug_lead_apply(request: HttpRequest, pk: int) -> HttpResponse:
    group = selectors.hug_group_get(user=request.user, pk=pk)
    form = HugLeadForm(request.POST)
    if form.is_valid():
        with refusal(request, form=form) as refused:
            services.hug_lead_apply(user=request.user, group=group, motivation=form.cleaned_data["motivation"])
        if not refused:
            messages.success(
                request, _("Your application to lead %(group)s was sent to programme staff.") % {"group": group.name}
            )
            return redirect("community:hug-detail", pk=pk)
    return _hug_detail_page(request, group, form, status=400)


@login_required
def deib(request: HttpRequest) -> HttpResponse:
    return _deib_page(request, DeibApplyForm())


def _deib_page(request: HttpRequest, form: DeibApplyForm, *, status: int = 200) -> HttpResponse:
    partner = partner_own(request.user)
    today = timezone.localdate()
    cohort = selectors.deib_cohort_current(today=today)
    applications = list(selectors.deib_applications_for_partner(partner=partner))
    current = next((a for a in applications if cohort and a.cohort_id == cohort.pk), None)
    self_id = selectors.deib_self_identification_for(user=request.user, application=current) if current else None
    window_open = bool(cohort and cohort.is_open_on(today))
    context = {
        "cohort": cohort,
        "current": current,
        "self_id": self_id,
        "applications": applications,
        "window_open": window_open,
        "form": form,
    }
    return render(request, "community/deib.html", context, status=status)


@login_required
@require_POST
def deib_apply(request: HttpRequest) -> HttpResponse:
    partner_own(request.user)
    today = timezone.localdate()
    cohort = selectors.deib_cohort_current(today=today)
    form = DeibApplyForm(request.POST)
    if form.is_valid():
        with refusal(request, form=form) as refused:
            if cohort is None:
                raise ProgrammeError(_no_cycle_message())
            services.deib_apply(user=request.user, cohort=cohort, today=today, **form.cleaned_data)
        if not refused:
            messages.success(request, _applied_message(cohort.label))
            return redirect("community:deib")
    return _deib_page(request, form, status=400)


@login_required
@require_POST
def deib_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.deib_application_for_partner_user(user=request.user, pk=pk)
    with refusal(request) as refused:
        services.deib_withdraw(user=request.user, application=application)
    if not refused:
        messages.success(request, _("Application withdrawn. Your self-identification has been deleted."))
    return redirect("community:deib")


@login_required
def black_at_inbound(request: HttpRequest) -> HttpResponse:
    partner_own(request.user)
    members = selectors.black_at_inbound_members_for(user=request.user)
    context = {"is_member": members is not None, "members": members}
    return render(request, "community/black_at_inbound.html", context)


@login_required
@require_POST
def black_at_inbound_membership(request: HttpRequest) -> HttpResponse:
    partner_own(request.user)
    with refusal(request):
        if request.POST.get("action") == "leave":
            services.black_at_inbound_leave(user=request.user)
        else:
            services.black_at_inbound_join(user=request.user)
    return redirect("community:black-at-inbound")


# --- Staff review ----------------------------------------------------------------------------------------------


_APPLICANT_COLUMNS = (
    Column(gettext_lazy("Partner ID"), lambda app: app.partner.partner_id),
    Column(gettext_lazy("Partner"), lambda app: app.partner.name),
)
_DECISION_COLUMNS = (
    Column(gettext_lazy("Status"), lambda app: app.get_status_display()),
    Column(gettext_lazy("Submitted at"), attrgetter("created_at"), exports.DATETIME),
)
# DEI&B self-identification (and the statement with it) never leaves the review page: no column reads it.
REVIEW_COLUMNS = {
    "pug": (
        *_APPLICANT_COLUMNS,
        Column(gettext_lazy("Group"), lambda app: app.group.name),
        Column(gettext_lazy("Seats taken"), attrgetter("seats_taken"), exports.NUMBER),
        Column(gettext_lazy("Seats"), lambda app: app.group.capacity, exports.NUMBER),
        Column(gettext_lazy("Motivation"), attrgetter("motivation")),
        *_DECISION_COLUMNS,
    ),
    "hug-lead": (
        *_APPLICANT_COLUMNS,
        Column(gettext_lazy("Group"), lambda app: app.group.name),
        Column(gettext_lazy("Motivation"), attrgetter("motivation")),
        *_DECISION_COLUMNS,
    ),
    "deib": (
        *_APPLICANT_COLUMNS,
        Column(gettext_lazy("Executive sponsor"), lambda app: app.sponsor.name if app.sponsor else ""),
        *_DECISION_COLUMNS,
    ),
}


def _review_queue(kind: str, today):
    """The queue of one kind as the review page lists it (None when no cycle or cohort is open)."""
    if kind == "pug":
        cycle = selectors.pug_cycle_for_review(today=today)
        return selectors.pug_review_queue(cycle=cycle) if cycle else None
    if kind == "hug-lead":
        return selectors.hug_lead_queue()
    cohort = selectors.deib_cohort_current(today=today)
    return selectors.deib_review_queue(cohort=cohort).defer("self_identification__statement") if cohort else None


@login_required
@require_GET
def review_export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """One review queue (PUG, HUG leaders, DEI&B) as CSV or Excel, without any self-identification."""
    require_perm(request, REVIEW_APPLICATIONS)
    rows = _review_queue(kind, timezone.localdate())
    if rows is None:
        raise Http404
    name = exports.dated(f"{kind}-applications")
    return exports.export(rows=rows.iterator(chunk_size=500), columns=REVIEW_COLUMNS[kind], format=fmt, filename=name)


PUG_MEMBER_COLUMNS = (
    Column(gettext_lazy("Partner ID"), attrgetter("partner_id")),
    Column(gettext_lazy("Partner"), attrgetter("name")),
    Column(gettext_lazy("Country"), lambda p: p.country.name),
)


@login_required
@require_GET
def pug_members_export(request: HttpRequest, group_id: int, fmt: str) -> HttpResponse:
    """The members of a PUG cohort, for a member of it (as listed on the group's page)."""
    group, membership = selectors.pug_group_for_member(user=request.user, group_id=group_id, today=timezone.localdate())
    if membership is None:
        raise Http404
    members = selectors.pug_group_members(group=group, cycle_id=membership.cycle_id)
    name = exports.dated(f"pug-{group.pk}-members")
    return exports.export(rows=members, columns=PUG_MEMBER_COLUMNS, format=fmt, filename=name)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    require_perm(request, REVIEW_APPLICATIONS)
    today = timezone.localdate()
    cycle = selectors.pug_cycle_for_review(today=today)
    cohort = selectors.deib_cohort_current(today=today)
    context = {
        "cycle": cycle,
        "pug_queue": selectors.pug_review_queue(cycle=cycle) if cycle else [],
        "lead_queue": selectors.hug_lead_queue(),
        "cohort": cohort,
        "deib_queue": selectors.deib_review_queue(cohort=cohort) if cohort else [],
        "sponsors": ExecutiveSponsor.objects.order_by("name"),
        "flags": selectors.hug_open_flags()[:50],
    }
    return render(request, "community/review.html", context)


def _review_response(request: HttpRequest, partial: str, context: dict) -> HttpResponse:
    if wants_partial(request):
        return render(request, f"community/review.html#{partial}", context)
    return redirect("community:review")


@login_required
@require_POST
def review_pug(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.pug_application_for_staff(user=request.user, pk=pk)
    with refusal(request, inline=wants_partial(request)) as refused:
        services.pug_decide(
            application=application,
            decision=request.POST.get("decision", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    application = selectors.pug_application_for_staff(user=request.user, pk=pk)
    return _review_response(request, "pug-row", {"application": application, "error": refused.message})


@login_required
@require_POST
def review_hug_lead(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.hug_lead_application_for_staff(user=request.user, pk=pk)
    with refusal(request, inline=wants_partial(request)) as refused:
        application = services.hug_lead_decide(
            application=application,
            accept=request.POST.get("decision") == "accept",
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    return _review_response(request, "lead-row", {"lead": application, "error": refused.message})


@login_required
@require_POST
def review_deib(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.deib_application_for_staff(user=request.user, pk=pk)
    with refusal(request, inline=wants_partial(request)) as refused:
        if request.POST.get("decision") == "select":
            sponsor_id = request.POST.get("sponsor", "")
            # Only a number can be a sponsor's id; anything else is the same "choose one" message, not a 500.
            sponsor = (
                ExecutiveSponsor.objects.filter(pk=int(sponsor_id)).first()
                if re.fullmatch(r"[0-9]{1,18}", sponsor_id)
                else None
            )
            if sponsor is None:
                raise ProgrammeError(_("Choose an executive sponsor."))
            application = services.deib_select(application=application, sponsor=sponsor, actor=request.user)
        else:
            application = services.deib_decline(
                application=application, actor=request.user, reason=request.POST.get("reason", "")
            )
    context = {
        "app": application,
        "error": refused.message,
        "sponsors": ExecutiveSponsor.objects.order_by("name"),
        "self_id": selectors.deib_self_identification_for(user=request.user, application=application),
    }
    return _review_response(request, "deib-row", context)
