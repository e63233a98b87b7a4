"""Writes of enablement and awards. Atomic, one owner per status column, an audit row for every change."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enablement.models import (
    REEVALUATION_MONTHS,
    Accreditation,
    AccreditationApplication,
    AccreditationMark,
    AccreditationStatus,
    ApplicationStatus,
    AuditEntry,
    AwardCategory,
    AwardStatus,
    ImpactAward,
    PartnerAccreditation,
)
from enablement.selectors import accreditation_eligible_ids, application_window_open, holdings_due_for_reevaluation
from portal.access import NOMINATE_AWARDS, REVIEW_ACCREDITATIONS, acting_user_require
from portal.emails import email_partner, render_email
from portal.errors import PortalError
from portal.models import EmailKind, Partner, User
from portal.months import add_months
from portal.notifications import waiting_notify


class EnablementError(PortalError):
    """An enablement or award rule said no. The message is shown to the person as is."""

    code = "enablement_refused"


HAND_NOMINATED = {AwardCategory.CUSTOMER_FIRST, AwardCategory.GLOBAL_HEART}


Subject = AuditEntry.Subject
audit = AuditEntry.log


@transaction.atomic
def accreditation_apply(*, user: User, accreditation: Accreditation, today: dt.date) -> AccreditationApplication:
    """An org admin applies in an open window, for an accreditation their tier may hold, once per window."""
    if not user.is_authenticated or not user.is_partner_admin:
        raise EnablementError(_("Only your organisation's admins can apply."))
    partner = user.partner
    window = application_window_open(today=today)
    if window is None:
        raise EnablementError(_("Accreditation applications are closed; they open twice a year."))
    if accreditation.pk not in accreditation_eligible_ids(partner=partner, on=today):
        raise EnablementError(_("%(name)s is not open to your tier yet.") % {"name": accreditation.name})
    if PartnerAccreditation.objects.filter(
        partner=partner, accreditation=accreditation, status=AccreditationStatus.ACTIVE
    ).exists():
        raise EnablementError(_("Your organisation already holds %(name)s.") % {"name": accreditation.name})
    if AccreditationApplication.objects.filter(partner=partner, accreditation=accreditation, window=window).exists():
        raise EnablementError(
            _("Your organisation has already applied for %(name)s in this window.") % {"name": accreditation.name}
        )
    application = AccreditationApplication.objects.create(
        partner=partner, accreditation=accreditation, window=window, submitted_by=user
    )
    audit(Subject.ACCREDITATION_APPLICATION, application, new=ApplicationStatus.SUBMITTED, actor=user)
    waiting_notify(source="accreditation-applications", pk=application.pk)
    return application


@transaction.atomic
def accreditation_decide(
    *, application: AccreditationApplication, approve: bool, actor: User, reason: str = "", today: dt.date
) -> AccreditationApplication:
    """Approve (grant the accreditation, next re-evaluation in 6 months) or reject (reason required)."""
    acting_user_require(actor, REVIEW_ACCREDITATIONS)
    reason, decision = reason.strip(), ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    AccreditationApplication.decide(
        application,
        from_status=ApplicationStatus.SUBMITTED,
        to_status=decision,
        actor=actor,
        reason=reason,
        reason_needed="" if approve else _("Give a reason when you reject an application."),
        refuse=EnablementError,
    )
    if approve:
        holding, created = PartnerAccreditation.objects.select_for_update().get_or_create(
            partner=application.partner,
            accreditation=application.accreditation,
            defaults={"granted_on": today, "next_review_on": add_months(today, REEVALUATION_MONTHS)},
        )
        previous = "" if created else holding.status
        if not created:
            PartnerAccreditation.objects.filter(pk=holding.pk).update(
                status=AccreditationStatus.ACTIVE,
                granted_on=today,
                next_review_on=add_months(today, REEVALUATION_MONTHS),
            )
        new = AccreditationStatus.ACTIVE
        audit(Subject.PARTNER_ACCREDITATION, holding, old=previous, new=new, actor=actor, reason=reason)
    _email_accreditation_decision(application)
    return application


def _email_accreditation_decision(application: AccreditationApplication) -> None:
    email_partner(
        partner=application.partner,
        compose=lambda: render_email("enablement/email/accreditation_decision", {"application": application}),
        kind=EmailKind.PROGRAMME_DECISIONS,
        also=application.submitted_by,
    )


@transaction.atomic
def accreditation_mark_record(*, holding: PartnerAccreditation, note: str, actor: User) -> AccreditationMark:
    """Record a mark; with more marks than the accreditation's limit an active holding goes to the review board."""
    acting_user_require(actor, REVIEW_ACCREDITATIONS)
    note = note.strip()
    if not note:
        raise EnablementError(_("Describe the mark on record."))
    holding = PartnerAccreditation.objects.select_for_update().select_related("accreditation").get(pk=holding.pk)
    mark = AccreditationMark.objects.create(holding=holding, note=note, recorded_by=actor)
    audit(Subject.ACCREDITATION_MARK, mark, new="recorded", actor=actor, reason=note, partner=holding.partner_id)
    count = holding.marks.count()
    if count > holding.accreditation.marks_limit and holding.status == AccreditationStatus.ACTIVE:
        PartnerAccreditation.objects.filter(pk=holding.pk, status=AccreditationStatus.ACTIVE).update(
            status=AccreditationStatus.REVIEW_BOARD
        )
        old, new = AccreditationStatus.ACTIVE, AccreditationStatus.REVIEW_BOARD
        reason = f"{count} marks on record (limit {holding.accreditation.marks_limit})"
        audit(Subject.PARTNER_ACCREDITATION, holding, old=old, new=new, actor=actor, reason=reason)
    return mark


def accreditation_reevaluate(
    *, holding: PartnerAccreditation, today: dt.date, actor: User | None = None
) -> PartnerAccreditation:
    """The 6-monthly re-evaluation: still eligible by tier → renewed for 6 months; otherwise it lapses."""
    acting_user_require(actor, REVIEW_ACCREDITATIONS)
    _reevaluate(holding_pk=holding.pk, today=today, actor=actor)
    return PartnerAccreditation.objects.select_related("partner", "accreditation").get(pk=holding.pk)


@transaction.atomic
def _reevaluate(*, holding_pk: int, today: dt.date, actor: User | None) -> str | None:
    """Re-evaluate one holding; "renewed", "lapsed", or None when it was not due (any more).

    The change is a conditional update (still active, still due), so the outcome
    counts only what this call wrote: two concurrent runs never both count one
    holding.
    """
    holding = PartnerAccreditation.objects.select_related("partner", "accreditation").get(pk=holding_pk)
    due = PartnerAccreditation.objects.filter(
        pk=holding_pk, status=AccreditationStatus.ACTIVE, next_review_on__lte=today
    )
    if holding.accreditation_id in accreditation_eligible_ids(partner=holding.partner, on=today):
        outcome, to_state, reason = "renewed", AccreditationStatus.ACTIVE, "re-evaluated: renewed"
        written = due.update(next_review_on=add_months(today, REEVALUATION_MONTHS))
    else:
        outcome, to_state = "lapsed", AccreditationStatus.LAPSED
        reason = f"re-evaluated: tier {holding.partner.tier} not eligible"
        written = due.update(status=AccreditationStatus.LAPSED)
    if not written:
        return None
    audit(
        Subject.PARTNER_ACCREDITATION, holding, old=AccreditationStatus.ACTIVE, new=to_state, actor=actor, reason=reason
    )
    return outcome


def accreditations_reevaluate_due(*, today: dt.date) -> dict[str, int]:
    """Re-evaluate every active accreditation whose 6-monthly review is due; safe to repeat, also concurrently.

    The counts are what this run wrote (rows its conditional updates changed),
    not what it looked at.
    """
    due = list(holdings_due_for_reevaluation(today=today).values_list("pk", flat=True))
    outcomes = [_reevaluate(holding_pk=pk, today=today, actor=None) for pk in due]
    return {
        "reevaluated": sum(1 for o in outcomes if o is not None),
        "lapsed": outcomes.count("lapsed"),
    }


@transaction.atomic
def award_nominate(
    *, year: int, region: str, category: str, partner: Partner, actor: User, citation: str = ""
) -> ImpactAward:
    acting_user_require(actor, NOMINATE_AWARDS)
    if category not in AwardCategory.values:
        raise EnablementError(_("Unknown award category."))
    if partner.region != region:
        raise EnablementError(_("%(partner)s is not in this region.") % {"partner": partner.name})
    award, created = ImpactAward.objects.get_or_create(
        year=year,
        region=region,
        category=category,
        partner=partner,
        defaults={"citation": citation.strip(), "nominated_by": actor},
    )
    if not created:
        raise EnablementError(_("%(partner)s is already nominated for this award.") % {"partner": partner.name})
    audit(Subject.IMPACT_AWARD, award, new=AwardStatus.NOMINATED, actor=actor, reason=citation)
    return award


@transaction.atomic
def award_publish(*, award: ImpactAward, actor: User) -> ImpactAward:
    acting_user_require(actor, NOMINATE_AWARDS)
    updated = ImpactAward.objects.filter(pk=award.pk, status=AwardStatus.NOMINATED).update(
        status=AwardStatus.PUBLISHED, published_at=timezone.now()
    )
    if not updated:
        raise EnablementError(_("This award is already published."))
    award.refresh_from_db()
    audit(Subject.IMPACT_AWARD, award, old=AwardStatus.NOMINATED, new=AwardStatus.PUBLISHED, actor=actor)

    email_partner(
        partner=award.partner,
        compose=lambda: render_email("enablement/email/award_published", {"award": award}),
        kind=EmailKind.AWARDS,
    )
    return award
