"""Who may do what: the one family of access helpers every app uses.

Staff rights come from Django permissions, handed out through the named groups in
`GROUPS` (created by a data migration, `groups_sync`). `is_staff` alone opens the
admin login and nothing else. Views call `require_perm`; services call
`acting_user_require` and refuse with `PermissionRefused`; scoped getters
(`partner_own`, `partner_for`) fetch what a request may touch or raise 404.

This module names permissions of feature apps as strings only; it imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.models import Partner, User
from portal.selectors import partners_visible_to


class PermissionRefused(PermissionDenied):
    """A service refused: the acting user lacks `perm`. Django answers it with 403."""

    code = "forbidden"

    def __init__(self, perm: str) -> None:
        self.perm = perm
        super().__init__(f"permission '{perm}' is required")


# --- the permissions of each duty ---------------------------------------------------------------------------

# Custom permissions (declared in each model's Meta.permissions) the portal checks besides the model ones.
PUBLISH_RULESET = "tiers.publish_ruleset"
SET_TIER_MANUALLY = "tiers.set_tier_manually"
RUN_WHATIF = "tiers.run_whatif"
UPLOAD_FILES = "tiers.upload_files"
REVIEW_APPLICATIONS = "community.review_applications"
REVIEW_ACCREDITATIONS = "enablement.review_accreditations"
NOMINATE_AWARDS = "enablement.nominate_awards"
VIEW_STAFF_HOME = "portal.view_staff_home"
VIEW_PARTNER_HISTORY = "portal.view_partner_history"


def _model_perms(label: str, *actions: str) -> list[str]:
    app_label, model = label.split(".")
    return [f"{app_label}.{action}_{model}" for action in actions]


_ALL = ("add", "change", "delete", "view")
_EDIT = ("add", "change", "view")


@dataclass(frozen=True)
class Duty:
    name: str
    label: str
    perms: tuple[str, ...]
    all_view_perms: bool = False


PROGRAMME_MANAGERS = "Programme managers"
REVIEWERS = "Reviewers"
PARTNER_OPERATIONS = "Partner operations"
AUDITORS = "Auditors"

GROUPS: tuple[Duty, ...] = (
    Duty(
        PROGRAMME_MANAGERS,
        _("Programme managers"),
        (
            VIEW_STAFF_HOME,
            VIEW_PARTNER_HISTORY,
            PUBLISH_RULESET,
            SET_TIER_MANUALLY,
            RUN_WHATIF,
            UPLOAD_FILES,
            *_model_perms("tiers.upload", "view"),
            *_model_perms("tiers.ruleset", *_ALL),
            *_model_perms("tiers.currencycoefficient", *_ALL),
            *_model_perms("tiers.tierrequirement", *_ALL),
            *_model_perms("tiers.emergingmarket", *_ALL),
            *_model_perms("tiers.tierchange", "view"),
            *_model_perms("tiers.monthlysnapshot", "view"),
            *_model_perms("tiers.customermrr", "view"),
            *_model_perms("portal.jobrun", "view"),
            *_model_perms("tiers.monthcompleteness", *_EDIT),
            *_model_perms("tiers.programmetargets", *_EDIT),
            *_model_perms("registrations.registrationconfig", *_EDIT),
            # The programme overview's registration figures open these lists (#12 item 3).
            *_model_perms("registrations.domainregistration", "view"),
            *_model_perms("registrations.deal", "view"),
            *_model_perms("registrations.commissionhold", "view"),
            *_model_perms("portal.partner", "view"),
        ),
    ),
    Duty(
        REVIEWERS,
        _("Reviewers"),
        (
            VIEW_STAFF_HOME,
            REVIEW_APPLICATIONS,
            REVIEW_ACCREDITATIONS,
            NOMINATE_AWARDS,
            *_model_perms("community.pugapplication", "view"),
            *_model_perms("community.hugleaderapplication", "view"),
            *_model_perms("community.deibapplication", "view"),
            *_model_perms("community.executivesponsor", "view"),
            *_model_perms("community.pugreviewcycle", *_EDIT),
            *_model_perms("community.puggroup", *_EDIT),
            *_model_perms("community.deibcohort", *_EDIT),
            *_model_perms("enablement.accreditationapplication", "view"),
            *_model_perms("enablement.partneraccreditation", "view"),
            *_model_perms("enablement.impactaward", "view"),
            *_model_perms("enablement.applicationwindow", *_EDIT),
            # Hiding a directory listing is moderation (directory.services.profile_hide).
            *_model_perms("directory.partnerprofile", "view", "change"),
            *_model_perms("portal.partner", "view"),
            # Client reviews (moderation) and Global Partner of the Year (its thresholds).
            "directory.moderate_review",
            *_model_perms("directory.review", "view"),
            *_model_perms("directory.reviewinvitation", "view"),
            *_model_perms("directory.awardsettings", "view", "change"),
        ),
    ),
    Duty(
        PARTNER_OPERATIONS,
        _("Partner operations"),
        (
            VIEW_STAFF_HOME,
            VIEW_PARTNER_HISTORY,
            *_model_perms("portal.partner", *_EDIT),
            *_model_perms("portal.user", *_EDIT),
            *_model_perms("portal.outgoingemail", "view", "change"),
        ),
    ),
    Duty(AUDITORS, _("Auditors"), (VIEW_STAFF_HOME, VIEW_PARTNER_HISTORY), all_view_perms=True),
)
GROUP_NAMES: tuple[str, ...] = tuple(duty.name for duty in GROUPS)


def duty_label(group_name: str) -> str:
    """A group's name as people read it: the duty's translated label, or the name of a group staff made."""
    for duty in GROUPS:
        if duty.name == group_name:
            return str(duty.label)
    return group_name


def groups_sync(*, apps=django_apps) -> None:
    """Create or refresh the named groups and their permissions (idempotent; also run by a data migration)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for duty in GROUPS:
        group, _created = Group.objects.get_or_create(name=duty.name)
        wanted = set(duty.perms)
        perms = []
        for perm in Permission.objects.select_related("content_type"):
            key = f"{perm.content_type.app_label}.{perm.codename}"
            if key in wanted or (duty.all_view_perms and perm.codename.startswith("view_")):
                perms.append(perm)
        group.permissions.set(perms)


def groups_ensure() -> None:
    """Create the groups if a database lost them (a flushed test database); one query when they exist."""
    Group = django_apps.get_model("auth", "Group")
    if Group.objects.filter(name__in=GROUP_NAMES).count() < len(GROUP_NAMES):
        groups_sync()


# --- checks --------------------------------------------------------------------------------------------------


def is_programme_staff(user: User) -> bool:
    """An active staff login (not a partner user, CAM or CC). It grants nothing by itself."""
    return bool(user.is_authenticated and user.is_programme_staff)


def has_perm(user: User | None, perm: str) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_perm(perm))


def require_perm(request_or_user: HttpRequest | User, perm: str) -> None:
    """A staff page: 404 for anyone who is not programme staff, 403 for staff without `perm`."""
    user = getattr(request_or_user, "user", request_or_user)
    if not is_programme_staff(user):
        raise Http404("programme staff only")
    if not user.has_perm(perm):
        raise PermissionDenied(f"permission '{perm}' is required")


def acting_user_require(acting_user: User | None, perm: str) -> None:
    """A service's check. `None` is the system (a beat job, a management command): allowed."""
    if acting_user is None:
        return
    if not has_perm(acting_user, perm):
        raise PermissionRefused(perm)


# --- scoped getters -----------------------------------------------------------------------------------------


def partner_own(user: User) -> Partner:
    """The signed-in partner user's own organisation; 404 for anyone else (CAMs, CCs, staff)."""
    if not user.is_authenticated or not user.is_partner_user:
        raise Http404("partner users only")
    return partners_visible_to(user).select_related("cam", "cc").get()


def partner_for(user: User, partner_id: str | None) -> Partner:
    """A partner page: a partner user's own org (no id), or the one named if the person may see it; 404 otherwise."""
    if user.is_partner_user and not partner_id:
        return partner_own(user)
    if not partner_id:
        raise Http404("no partner given")
    if is_programme_staff(user) and not user.has_perm("portal.view_partner"):
        raise PermissionDenied("permission 'portal.view_partner' is required")
    partner = partners_visible_to(user).select_related("cam", "cc").filter(partner_id=partner_id).first()
    if partner is None:
        raise Http404("no such partner")
    return partner


def partner_for_staff(user: User, partner_id: str, perm: str) -> Partner:
    """A staff page about one partner: permission first (404/403), then the partner (404)."""
    if not is_programme_staff(user):
        raise Http404("programme staff only")
    if not user.has_perm(perm):
        raise PermissionDenied(f"permission '{perm}' is required")
    partner = Partner.objects.select_related("cam", "cc").filter(partner_id=partner_id).first()
    if partner is None:
        raise Http404("no such partner")
    return partner
