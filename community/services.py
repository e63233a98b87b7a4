"""Writes of the community programmes. Each service is atomic, owns its status column and writes an audit row.

Rejected input raises `ProgrammeError` (a translated, human message) and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from community.models import (
    AuditEntry,
    BlackAtInboundMembership,
    DeibApplication,
    DeibCohort,
    DeibSelfIdentification,
    DeibStatus,
    ExecutiveSponsor,
    HugEvent,
    HugGroup,
    HugInactivityFlag,
    HugLeaderApplication,
    HugMembership,
    LeadStatus,
    PugApplication,
    PugGroup,
    PugReviewCycle,
    PugStatus,
)
from portal.access import REVIEW_APPLICATIONS, acting_user_require
from portal.emails import email_partner, render_email
from portal.errors import PortalError
from portal.models import EmailKind, Partner, User
from portal.notifications import waiting_notify


class ProgrammeError(PortalError):
    """A community-programme rule said no. The message is shown to the person as is."""

    code = "programme_refused"


Subject = AuditEntry.Subject
audit = AuditEntry.log
REFUSE = {"refuse": ProgrammeError}


def _decline_reason_needed() -> str:
    return _("Give a reason when you decline an application.")


def _require_partner_user(user: User) -> Partner:
    if not user.is_authenticated or not user.is_partner_user or user.partner_id is None:
        raise ProgrammeError(_("Only people who work for a partner can do this."))
    return user.partner


def _require_partner_admin(user: User) -> Partner:
    partner = _require_partner_user(user)
    if not user.is_partner_admin:
        raise ProgrammeError(_("Only your organisation's admins can apply."))
    return partner


def _require_window_open(window: PugReviewCycle | DeibCohort, today: dt.date) -> None:
    if not window.is_open_on(today):
        raise ProgrammeError(
            _("Applications for %(cycle)s are open from %(opens)s to %(closes)s.")
            % {"cycle": window.label, "opens": date_format(window.opens_on), "closes": date_format(window.closes_on)}
        )


# --- PUG -------------------------------------------------------------------------------------------------------


@transaction.atomic
def pug_apply(
    *, user: User, group: PugGroup, cycle: PugReviewCycle, motivation: str = "", today: dt.date
) -> PugApplication:
    """An org admin applies for their partner: once per group per cycle, inside the cycle's window."""
    partner = _require_partner_admin(user)
    _require_window_open(cycle, today)
    if PugApplication.objects.filter(group=group, cycle=cycle, partner=partner).exists():
        raise ProgrammeError(
            _("Your organisation has already applied to %(group)s in this cycle.") % {"group": group.name}
        )
    application = PugApplication.objects.create(
        group=group, cycle=cycle, partner=partner, submitted_by=user, motivation=motivation.strip()
    )
    audit(Subject.PUG_APPLICATION, application, new=PugStatus.SUBMITTED, actor=user)
    waiting_notify(source="pug-applications", pk=application.pk)
    return application


PUG_DECISIONS = {PugStatus.ACCEPTED, PugStatus.WAITLISTED, PugStatus.DECLINED}


@transaction.atomic
def pug_decide(*, application: PugApplication, decision: str, actor: User, reason: str = "") -> PugApplication:
    """Staff decide an application.

    1. Lock the group row so two acceptances can't both take the last seat.
    2. Accept only while the cohort has a free seat; a decline needs a reason.
    3. Conditional update from the state we read (a double click changes nothing twice), audit, email.
    """
    acting_user_require(actor, REVIEW_APPLICATIONS)
    if decision not in PUG_DECISIONS:
        raise ProgrammeError(_("Unknown decision."))
    reason = reason.strip()
    if decision == PugStatus.DECLINED and not reason:
        raise ProgrammeError(_decline_reason_needed())
    group = PugGroup.objects.select_for_update().get(pk=application.group_id)
    current = PugApplication.objects.get(pk=application.pk)
    if current.status not in (PugStatus.SUBMITTED, PugStatus.WAITLISTED) or current.status == decision:
        raise ProgrammeError(_("This application has already been decided."))
    if decision == PugStatus.ACCEPTED:
        taken = PugApplication.objects.filter(group=group, cycle_id=current.cycle_id, status=PugStatus.ACCEPTED).count()
        if taken >= group.capacity:
            raise ProgrammeError(
                _("%(group)s is full (%(capacity)s partners).") % {"group": group.name, "capacity": group.capacity}
            )
    PugApplication.decide(current, from_status=current.status, to_status=decision, actor=actor, reason=reason, **REFUSE)
    _email_pug_decision(current)
    return current


def _email_pug_decision(application: PugApplication) -> None:
    context = {"application": application, "accepted": application.status == PugStatus.ACCEPTED}
    email_partner(
        partner=application.partner,
        compose=lambda: render_email("community/email/pug_decision", context),
        kind=EmailKind.PROGRAMME_DECISIONS,
        also=application.submitted_by,
    )


# --- HUG -------------------------------------------------------------------------------------------------------


@transaction.atomic
def hug_join(*, user: User, group: HugGroup) -> HugMembership:
    _require_partner_user(user)
    membership, created = HugMembership.objects.get_or_create(group=group, user=user)
    if not created:
        raise ProgrammeError(_("You are already a member of %(group)s.") % {"group": group.name})
    audit(Subject.HUG_MEMBERSHIP, group, new="member", actor=user, partner=user.partner_id)
    return membership


@transaction.atomic
def hug_leave(*, user: User, group: HugGroup) -> None:
    deleted, _rows = HugMembership.objects.filter(group=group, user=user).delete()
    if not deleted:
        raise ProgrammeError(_("You are not a member of %(group)s.") % {"group": group.name})
    audit(Subject.HUG_MEMBERSHIP, group, old="member", new="left", actor=user, partner=user.partner_id)


@transaction.atomic
def hug_lead_apply(*, user: User, group: HugGroup, motivation: str = "") -> HugLeaderApplication:
    partner = _require_partner_user(user)
    if group.leader_partner_id == partner.pk:
        raise ProgrammeError(_("Your organisation already leads %(group)s.") % {"group": group.name})
    if HugLeaderApplication.objects.filter(group=group, partner=partner, status=LeadStatus.SUBMITTED).exists():
        raise ProgrammeError(_("Your organisation has already applied to lead %(group)s.") % {"group": group.name})
    application = HugLeaderApplication.objects.create(
        group=group, partner=partner, applicant=user, motivation=motivation.strip()
    )
    audit(Subject.HUG_LEAD_APPLICATION, application, new=LeadStatus.SUBMITTED, actor=user)
    waiting_notify(source="hug-leader-applications", pk=application.pk)
    return application


@transaction.atomic
def hug_lead_decide(
    *, application: HugLeaderApplication, accept: bool, actor: User, reason: str = ""
) -> HugLeaderApplication:
    """Accepting makes the partner the group's leader (replacing any previous leader)."""
    acting_user_require(actor, REVIEW_APPLICATIONS)
    reason, decision = reason.strip(), LeadStatus.ACCEPTED if accept else LeadStatus.DECLINED
    needed = "" if accept else _decline_reason_needed()
    HugLeaderApplication.decide(
        application,
        from_status=LeadStatus.SUBMITTED,
        to_status=decision,
        actor=actor,
        reason=reason,
        reason_needed=needed,
        **REFUSE,
    )
    if accept:
        group = HugGroup.objects.select_for_update().get(pk=application.group_id)
        previous = group.leader_partner_id
        group.leader_partner = application.partner
        group.save(update_fields=["leader_partner"])
        audit(
            Subject.HUG_GROUP_LEADER,
            group,
            old=previous or "",
            new=application.partner_id,
            actor=actor,
            reason=reason,
            partner=application.partner_id,
        )
    _email_lead_decision(application)
    return application


def _email_lead_decision(application: HugLeaderApplication) -> None:
    email_partner(
        partner=application.partner,
        compose=lambda: render_email("community/email/hug_lead_decision", {"application": application}),
        kind=EmailKind.PROGRAMME_DECISIONS,
        also=application.applicant,
    )


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """'2024-Q2' → (2024-04-01, 2024-07-01), end exclusive. ValueError on anything else."""
    try:
        year_text, q_text = quarter.split("-Q")
        year, q = int(year_text), int(q_text)
    except ValueError as exc:
        raise ValueError(f"quarter must look like YYYY-Qn, got {quarter!r}") from exc
    if not (1 <= q <= 4) or not (2000 <= year <= 2100) or len(year_text) != 4:
        raise ValueError(f"quarter must look like YYYY-Qn with n in 1..4, got {quarter!r}")
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
    return start, end


def previous_quarter(today: dt.date) -> str:
    q = (today.month - 1) // 3 + 1
    return f"{today.year - 1}-Q4" if q == 1 else f"{today.year}-Q{q - 1}"


@transaction.atomic
def hug_flag_inactive_leaders(*, quarter: str) -> list[HugInactivityFlag]:
    """Flag every led group without a free event in the quarter. Idempotent: one flag per (group, quarter).

    Returns the flags created by this run (none on a repeat run).
    """
    start, end = quarter_bounds(quarter)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    active = HugEvent.objects.filter(is_free=True, starts_at__gte=start_at, starts_at__lt=end_at).values("group_id")
    already = HugInactivityFlag.objects.filter(quarter=quarter).values("group_id")
    groups = (
        HugGroup.objects.filter(leader_partner__isnull=False)
        .exclude(pk__in=active)
        .exclude(pk__in=already)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    flags = [HugInactivityFlag(group=g, quarter=quarter, leader_partner_id=g.leader_partner_id) for g in groups]
    HugInactivityFlag.objects.bulk_create(flags, ignore_conflicts=True)
    AuditEntry.objects.bulk_create(
        AuditEntry.entry(
            Subject.HUG_INACTIVITY_FLAG,
            f.group,
            new="flagged",
            reason=f"no free event in {quarter}",
            partner=f.leader_partner_id,
        )
        for f in flags
    )
    return flags


# --- DEI&B -----------------------------------------------------------------------------------------------------


@transaction.atomic
def deib_apply(
    *, user: User, cohort: DeibCohort, owners_identify_as_poc: bool, statement: str, consent: bool, today: dt.date
) -> DeibApplication:
    """An org admin applies with explicit consent; the self-identification is stored apart from the application.

    A withdrawn application may be re-submitted in the same cohort (it re-uses its row).
    """
    partner = _require_partner_admin(user)
    if not consent:
        raise ProgrammeError(_("Tick the consent box: we cannot store the self-identification without it."))
    _require_window_open(cohort, today)
    existing = DeibApplication.objects.select_for_update().filter(cohort=cohort, partner=partner).first()
    if existing is not None and existing.status != DeibStatus.WITHDRAWN:
        raise ProgrammeError(_("Your organisation has already applied to %(cohort)s.") % {"cohort": cohort.label})
    now = timezone.now()
    if existing is None:
        application = DeibApplication.objects.create(cohort=cohort, partner=partner, submitted_by=user, consent_at=now)
        from_state = ""
    else:
        application, from_state = existing, existing.status
        DeibApplication.objects.filter(pk=existing.pk).update(
            status=DeibStatus.SUBMITTED,
            submitted_by=user,
            consent_at=now,
            sponsor=None,
            decision_reason="",
            decided_by=None,
            decided_at=None,
        )
        application.refresh_from_db()
    DeibSelfIdentification.objects.create(
        application=application, owners_identify_as_poc=owners_identify_as_poc, statement=statement.strip()
    )
    audit(Subject.DEIB_APPLICATION, application, old=from_state, new=DeibStatus.SUBMITTED, actor=user)
    waiting_notify(source="deib-applications", pk=application.pk)
    return application


@transaction.atomic
def deib_withdraw(*, user: User, application: DeibApplication) -> DeibApplication:
    """The applicant's org admin withdraws: the self-identification is deleted, not hidden."""
    partner = _require_partner_admin(user)
    if application.partner_id != partner.pk:
        raise ProgrammeError(_("This application belongs to another organisation."))
    current = DeibApplication.objects.select_for_update().get(pk=application.pk)
    if current.status == DeibStatus.WITHDRAWN:
        raise ProgrammeError(_("This application has already been withdrawn."))
    DeibSelfIdentification.objects.filter(application=current).delete()
    DeibApplication.objects.filter(pk=current.pk).update(status=DeibStatus.WITHDRAWN, sponsor=None, consent_at=None)
    audit(Subject.DEIB_APPLICATION, current, old=current.status, new=DeibStatus.WITHDRAWN, actor=user)
    current.refresh_from_db()
    return current


@transaction.atomic
def deib_select(
    *, application: DeibApplication, sponsor: ExecutiveSponsor, actor: User, reason: str = ""
) -> DeibApplication:
    """Select a submitted application into its cohort (while seats remain) and match it with an executive sponsor."""
    acting_user_require(actor, REVIEW_APPLICATIONS)
    cohort = DeibCohort.objects.select_for_update().get(pk=application.cohort_id)
    current = DeibApplication.objects.get(pk=application.pk)
    if current.status != DeibStatus.SUBMITTED:
        raise ProgrammeError(_("This application has already been decided."))
    if DeibApplication.objects.filter(cohort=cohort, status=DeibStatus.SELECTED).count() >= cohort.capacity:
        raise ProgrammeError(
            _("%(group)s is full (%(capacity)s partners).") % {"group": cohort.label, "capacity": cohort.capacity}
        )
    DeibApplication.decide(
        current,
        from_status=DeibStatus.SUBMITTED,
        to_status=DeibStatus.SELECTED,
        actor=actor,
        reason=reason,
        audit_reason=f"sponsor: {sponsor.name}. {reason}".strip(),
        sponsor=sponsor,
        **REFUSE,
    )
    _email_deib_decision(current)
    return current


@transaction.atomic
def deib_decline(*, application: DeibApplication, actor: User, reason: str) -> DeibApplication:
    acting_user_require(actor, REVIEW_APPLICATIONS)
    old, new = DeibStatus.SUBMITTED, DeibStatus.NOT_SELECTED
    needed = _decline_reason_needed()
    DeibApplication.decide(
        application, from_status=old, to_status=new, actor=actor, reason=reason, reason_needed=needed, **REFUSE
    )
    _email_deib_decision(application)
    return application


def _email_deib_decision(application: DeibApplication) -> None:
    context = {"application": application, "selected": application.status == DeibStatus.SELECTED}
    email_partner(
        partner=application.partner,
        compose=lambda: render_email("community/email/deib_decision", context),
        kind=EmailKind.PROGRAMME_DECISIONS,
    )


# --- Black@INBOUND ---------------------------------------------------------------------------------------------


@transaction.atomic
def black_at_inbound_join(*, user: User) -> BlackAtInboundMembership:
    _require_partner_user(user)
    membership, created = BlackAtInboundMembership.objects.get_or_create(user=user)
    if not created:
        raise ProgrammeError(_("You are already a member of Black@INBOUND."))
    audit(Subject.BLACK_AT_INBOUND, user, new="member", actor=user)
    return membership


@transaction.atomic
def black_at_inbound_leave(*, user: User) -> None:
    deleted, _rows = BlackAtInboundMembership.objects.filter(user=user).delete()
    if not deleted:
        raise ProgrammeError(_("You are not a member of Black@INBOUND."))
    audit(Subject.BLACK_AT_INBOUND, user, old="member", new="left", actor=user)


HUG_FLAG_OUTCOMES = ("resolved", "dismissed")


@transaction.atomic
def hug_flag_close(*, flag: HugInactivityFlag, outcome: str, actor: User, reason: str = "") -> HugInactivityFlag:
    """Staff close an inactivity flag after looking at the leader's events (SPEC: HUG leaders hold free events).

    1. "resolved": the leader has held or scheduled a free event since; "dismissed": the flag was not
       warranted, and staff say why.
    2. A conditional update closes the flag once (a double click or a second reviewer changes nothing).
    3. The audit row keeps the outcome and the reason (the flag itself only says closed).
    """
    acting_user_require(actor, REVIEW_APPLICATIONS)
    if outcome not in HUG_FLAG_OUTCOMES:
        raise ProgrammeError(_("Choose whether the flag is resolved or dismissed."))
    reason = reason.strip()
    if outcome == "dismissed" and not reason:
        raise ProgrammeError(_("Give a reason when you dismiss a flag."))
    if not HugInactivityFlag.objects.filter(pk=flag.pk, resolved=False).update(resolved=True):
        raise ProgrammeError(_("This flag has already been closed."))
    audit(
        Subject.HUG_INACTIVITY_FLAG,
        flag.group,
        old="flagged",
        new=outcome,
        actor=actor,
        reason=reason or flag.quarter,
        partner=flag.leader_partner,
    )
    flag.resolved = True
    return flag
