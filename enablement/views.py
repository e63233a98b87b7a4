"""Enablement pages: the partner's certifications and accreditations, and the staff Impact Awards page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from enablement import selectors, services
from enablement.forms import AwardNominateForm
from enablement.models import Accreditation, AwardCategory
from portal.access import NOMINATE_AWARDS, partner_own, require_perm
from portal.htmx import page_or_partial
from portal.models import Partner, Region, Tier
from portal.refusals import refusal

# What each Impact Award recognises (SPEC §6), for the partner's awards page.
AWARD_EXPLANATIONS = [
    (
        AwardCategory.CUSTOMER_FIRST,
        gettext_lazy("The partner whose customers get the best service: client reviews and customer success."),
    ),
    (AwardCategory.ROOKIE_OF_THE_YEAR, gettext_lazy("The highest sold MRR among the partners that joined that year.")),
    (AwardCategory.PARTNER_OF_THE_YEAR, gettext_lazy("The highest sold MRR over the year.")),
    (
        AwardCategory.RETENTION,
        gettext_lazy(
            "Gold or above, at least US$20,000 managed MRR, and customer dollar retention of at least 90 percent over the year."
        ),
    ),
    (AwardCategory.GLOBAL_HEART, gettext_lazy("Impact on diversity, equity, inclusion and belonging (DEI&B).")),
]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    partner = partner_own(request.user)
    today = timezone.localdate()
    holdings = list(selectors.accreditations_for_partner(partner=partner))
    held = {h.accreditation_id for h in holdings if h.status != "lapsed"}
    applications = list(selectors.accreditation_applications_for_partner(partner=partner))
    window = selectors.application_window_open(today=today)
    applied = {a.accreditation_id for a in applications if window and a.window_id == window.pk}
    context = {
        "partner": partner,
        "counts": selectors.certification_counts(partner=partner, today=today),
        "certifications": selectors.certifications_for_partner(partner=partner),
        "holdings": holdings,
        "rollout": selectors.accreditation_rollout(partner=partner),
        "eligible": selectors.accreditation_eligible_ids(partner=partner, on=today),
        "held": held,
        "applied": applied,
        "applications": applications,
        "window": window,
        "today": today,
        "open_tiers": _tier_list(selectors.accreditation_open_tiers()),
    }
    return render(request, "enablement/index.html", context)


def _tier_list(tiers: list[str]) -> str:
    """Platinum, Diamond and Elite — tier names joined for a sentence."""
    names = [str(Tier(t).label) for t in tiers]
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": _(", ").join(names[:-1]), "last": names[-1]}


@login_required
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    partner_own(request.user)
    accreditation = Accreditation.objects.filter(pk=pk, active=True).first()
    if accreditation is None:
        raise Http404
    with refusal(request) as refused:
        services.accreditation_apply(user=request.user, accreditation=accreditation, today=timezone.localdate())
    if not refused:
        messages.success(request, _("Application for %(name)s sent.") % {"name": accreditation.name})
    return redirect("enablement:index")


def _award_params(request: HttpRequest) -> tuple[int, str]:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today.year - 1)
    except ValueError:
        year = today.year - 1
    year = min(max(year, 2000), today.year)
    region = request.GET.get("region") or request.POST.get("region") or Region.NORTH_AMERICA
    if region not in Region.values:
        region = Region.NORTH_AMERICA
    return year, region


@login_required
def awards(request: HttpRequest) -> HttpResponse:
    if request.user.is_partner_user:
        return _partner_awards(request)
    require_perm(request, NOMINATE_AWARDS)
    return _awards_page(request, None)


def _awards_page(request: HttpRequest, form: AwardNominateForm | None, *, status: int = 200) -> HttpResponse:
    year, region = _award_params(request)
    today = timezone.localdate()
    if form is None:
        form = AwardNominateForm(initial={"year": year, "region": region})
    context = {
        "year": year,
        "region": region,
        "regions": Region.choices,
        "years": list(range(today.year, today.year - 6, -1)),
        "sections": [
            {"key": key, "title": AwardCategory(key).label, "rows": rows}
            for key, rows in selectors.award_candidates(year=year, region=region, today=today).items()
        ],
        "retention_months": selectors.retention_months(year=year, today=today),
        "awards": selectors.awards_for(year=year, region=region),
        "nominate_form": form,
    }
    return render(request, page_or_partial(request, "enablement/awards.html", "results"), context, status=status)


def _partner_awards(request: HttpRequest) -> HttpResponse:
    """A partner's own published Impact Awards, and what each award recognises."""
    partner = partner_own(request.user)
    explanations = dict(AWARD_EXPLANATIONS)
    return render(
        request,
        "enablement/awards_partner.html",
        {
            "partner": partner,
            "awards": [
                (award, explanations[award.category]) for award in selectors.published_awards_for(partner=partner)
            ],
            "categories": AWARD_EXPLANATIONS,
        },
    )


def _back_to_awards(year: int, region: str) -> HttpResponse:
    return redirect(f"{reverse('enablement:awards')}?year={year}&region={region}")


@login_required
@require_POST
def award_nominate(request: HttpRequest) -> HttpResponse:
    require_perm(request, NOMINATE_AWARDS)
    year, region = _award_params(request)
    form = AwardNominateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        partner = Partner.objects.filter(partner_id=data["partner_id"].strip()).first()
        if partner is None:
            form.add_error("partner_id", _("No partner has the ID %(id)s.") % {"id": data["partner_id"].strip()})
        else:
            with refusal(request, form=form) as refused:
                services.award_nominate(
                    year=year,
                    region=region,
                    category=data["category"],
                    partner=partner,
                    actor=request.user,
                    citation=data["citation"],
                )
            if not refused:
                messages.success(request, _("%(partner)s nominated.") % {"partner": partner.name})
                return _back_to_awards(year, region)
    return _awards_page(request, form, status=400)


@login_required
@require_POST
def award_publish(request: HttpRequest, pk: int) -> HttpResponse:
    award = selectors.award_get_for_staff(user=request.user, pk=pk)
    with refusal(request) as refused:
        services.award_publish(award=award, actor=request.user)
    if not refused:
        messages.success(request, _("Award published."))
    return _back_to_awards(award.year, award.region)
