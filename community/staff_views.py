"""The HUG inactivity flags, reviewed by staff with the leader's events (#12 item 6), not by editing rows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from community import selectors, services
from community.services import quarter_bounds
from portal.access import REVIEW_APPLICATIONS, require_perm

EVENTS_SHOWN = 6
FLAGS_SHOWN = 100


@login_required
@require_GET
def hug_flags(request: HttpRequest) -> HttpResponse:
    require_perm(request, REVIEW_APPLICATIONS)
    flags = list(selectors.hug_flags_for_review()[:FLAGS_SHOWN])
    for flag in flags:
        try:
            flag.starts, flag.ends = quarter_bounds(flag.quarter)
        except ValueError:
            flag.starts = flag.ends = None
        # Newest first: what the leader did after the quarter is what decides "resolved".
        flag.recent_events = list(flag.group.events.all())[:EVENTS_SHOWN]
    return render(request, "community/hug_flags.html", {"flags": flags})


@login_required
@require_POST
def hug_flag_close(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.hug_flag_for_staff(user=request.user, pk=pk)
    try:
        services.hug_flag_close(
            flag=flag,
            outcome=request.POST.get("outcome", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except services.ProgrammeError as exc:
        messages.error(request, f"{flag.group.name}: {exc}")
    else:
        messages.success(request, _("%(group)s: flag closed.") % {"group": flag.group.name})
    return redirect("community:hug-flags")
