"""Review pages: the partner's client reviews (invite, reply), the client's one-time review page,
the staff moderation queue and the Global Partner of the Year ranking with its thresholds."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from directory import awards, review_selectors
from directory.models import AwardSettings
from directory.review_forms import AwardSettingsForm, InviteForm, RejectForm, ReplyForm, ReviewWriteForm
from directory.review_services import (
    CHANGE_AWARD_SETTINGS,
    INVITES_PER_PARTNER_PER_DAY,
    MODERATE_REVIEWS,
    ReviewLinkError,
    award_settings_update,
    invitation_for_token,
    review_invite,
    review_publish,
    review_reject,
    review_reply,
    review_submit,
)
from portal.access import partner_own, require_perm
from portal.net import client_ip
from portal.ratelimit import rate_allow
from portal.refusals import refusal

# Opening a review link (or sending its form) from one address, per hour: enough for a person, not for guessing.
LINK_REQUESTS_PER_IP_PER_HOUR = 30


# --- the partner's page --------------------------------------------------------------------------------------


@login_required
def partner_reviews(request: HttpRequest, form: InviteForm | None = None, *, status: int = 200) -> HttpResponse:
    partner = partner_own(request.user)
    now = timezone.now()
    reviews = list(review_selectors.reviews_for_partner(partner=partner))
    context = {
        "partner": partner,
        "form": form or InviteForm(initial={"language": translation.get_language() or "en"}),
        "invitations": review_selectors.invitations_for_partner(partner=partner, now=now)[:100],
        "reviews": reviews,
        "reply_form": ReplyForm(),
        "can_reply": request.user.is_partner_admin,
        "daily_limit": INVITES_PER_PARTNER_PER_DAY,
    }
    return render(request, "directory/reviews/partner.html", context, status=status)


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    partner_own(request.user)
    form = InviteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refusal(request, inline=True) as refused:
            review_invite(
                actor=request.user, email=data["email"], contact_name=data["contact_name"], language=data["language"]
            )
        if not refused:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"].lower()})
            return redirect("directory:reviews")
        field = refused.error.field if refused.error.field in form.fields else None
        form.add_error(field, refused.message)
    return partner_reviews(request, form, status=400)


@login_required
@require_POST
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    review = review_selectors.own_review_get(user=request.user, pk=pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your reply (at most 2,000 characters)."))
        return redirect("directory:reviews")
    with refusal(request) as refused:
        review_reply(review=review, actor=request.user, text=form.cleaned_data["reply"])
    if not refused:
        messages.success(request, _("Your reply is published with the review."))
    return redirect(f"{reverse('directory:reviews')}#review-{review.pk}")


# --- the client's page ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_write(request: HttpRequest, token: str) -> HttpResponse:
    """Anonymous: the client's one-time review page, in the invitation's language unless they chose one."""
    if not rate_allow(f"review-link:{client_ip(request)}", limit=LINK_REQUESTS_PER_IP_PER_HOUR, window=3600):
        context = {"refusal": _("Too many requests from your network. Please try again in an hour.")}
        return render(request, "directory/reviews/write.html", context, status=429)
    try:
        invitation = invitation_for_token(token)
    except ReviewLinkError as exc:
        status = 404 if exc.code == "link_unknown" else 410
        return render(request, "directory/reviews/write.html", {"refusal": exc.message}, status=status)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(invitation.language)
        request.LANGUAGE_CODE = invitation.language
    if request.method == "POST":
        form = ReviewWriteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with refusal(request, form=form) as refused:
                review_submit(
                    raw_token=token,
                    rating=data["rating"],
                    title=data["title"],
                    body=data["body"],
                    reviewer_name=data["reviewer_name"],
                    reviewer_title=data["reviewer_title"],
                    consent=data["consent"],
                    language=translation.get_language(),
                )
            if not refused:
                return render(request, "directory/reviews/write.html", {"thanks": True, "invitation": invitation})
        status = 400
    else:
        form = ReviewWriteForm(
            initial={"reviewer_name": invitation.contact_name, "started": ReviewWriteForm.started_value()}
        )
        status = 200
    context = {"invitation": invitation, "form": form}
    return render(request, "directory/reviews/write.html", context, status=status)


# --- staff: moderation --------------------------------------------------------------------------------------


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    require_perm(request, MODERATE_REVIEWS)
    queue = list(review_selectors.moderation_queue()[:200])
    return render(request, "directory/reviews/moderation.html", {"queue": queue, "reject_form": RejectForm()})


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, MODERATE_REVIEWS)
    review = review_selectors.queued_review_get(pk=pk)
    with refusal(request) as refused:
        review_publish(review=review, actor=request.user)
    if not refused:
        messages.success(request, _("Review published on %(partner)s's profile.") % {"partner": review.partner.name})
    return redirect("directory:moderation")


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request, MODERATE_REVIEWS)
    review = review_selectors.queued_review_get(pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason when you reject a review."))
        return redirect("directory:moderation")
    with refusal(request) as refused:
        review_reject(review=review, actor=request.user, reason=form.cleaned_data["reason"])
    if not refused:
        messages.success(request, _("Review rejected; %(partner)s is told why.") % {"partner": review.partner.name})
    return redirect("directory:moderation")


# --- staff: Global Partner of the Year --------------------------------------------------------------------


@login_required
def partner_of_the_year(
    request: HttpRequest, form: AwardSettingsForm | None = None, *, status: int = 200
) -> HttpResponse:
    require_perm(request, awards.VIEW_AWARD_SETTINGS)
    today = timezone.localdate()
    year = awards.year_param(request.GET.get("year") or request.POST.get("year"), today=today)
    thresholds = AwardSettings.get()
    window = awards.year_window(year)
    context = {
        "year": year,
        "years": list(range(today.year, today.year - 6, -1)),
        "ranking": awards.ranking(year=year, thresholds=thresholds, window=window),
        "thresholds": thresholds,
        "form": form or AwardSettingsForm(instance=thresholds),
        "can_edit": request.user.has_perm(CHANGE_AWARD_SETTINGS),
        "window": window,
    }
    return render(request, "directory/reviews/partner_of_the_year.html", context, status=status)


@login_required
@require_POST
def award_settings(request: HttpRequest) -> HttpResponse:
    require_perm(request, CHANGE_AWARD_SETTINGS)
    form = AwardSettingsForm(request.POST, instance=AwardSettings.get())
    if form.is_valid():
        with refusal(request, form=form) as refused:
            award_settings_update(actor=request.user, values=form.cleaned_data)
        if not refused:
            messages.success(request, _("Global Partner of the Year thresholds saved."))
            year = awards.year_param(request.POST.get("year"), today=timezone.localdate())
            return redirect(f"{reverse('directory:partner-of-the-year')}?year={year}")
    return partner_of_the_year(request, form, status=400)
