"""The admin index organised by duty (#12 item 6): programme areas first, technical tables last.

Django lists apps and models alphabetically; staff look for their duty. The index
and the sidebar show Tiers, Registrations, Community, Enablement, then Partners and
people, each with its models in the order staff use them, and one last group of
technical tables (lockouts, job runs, tokens, outgoing email, two-factor devices).
Only the grouping changes: every model keeps its own pages, names and permissions.
The lists name models by label (`app_label.ModelName`), so `portal` imports no feature app.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Programme areas in duty order; inside each, the models in the order staff work with them.
PROGRAMME_AREAS: dict[str, list[str]] = {
    "tiers": [
        "tiers.RuleSet",
        "tiers.ProgrammeTargets",
        "tiers.EmergingMarket",
        "tiers.MonthCompleteness",
        "tiers.Upload",
        "tiers.TierChange",
        "tiers.MonthlySnapshot",
        "tiers.CustomerMRR",
    ],
    "registrations": [
        "registrations.DomainRegistration",
        "registrations.Deal",
        "registrations.CommissionHold",
        "registrations.RegistrationConfig",
        "registrations.RegistrationEvent",
        "registrations.DealEvent",
        "registrations.DealNote",
    ],
    "community": [
        "community.PugApplication",
        "community.HugLeaderApplication",
        "community.DeibApplication",
        "community.HugInactivityFlag",
        "community.PugReviewCycle",
        "community.PugGroup",
        "community.HugGroup",
        "community.HugMembership",
        "community.HugEvent",
        "community.DeibCohort",
        "community.ExecutiveSponsor",
        "community.DeibSelfIdentification",
        "community.BlackAtInboundMembership",
        "community.AuditEntry",
    ],
    "enablement": [
        "enablement.AccreditationApplication",
        "enablement.PartnerAccreditation",
        "enablement.AccreditationMark",
        "enablement.ImpactAward",
        "enablement.Certification",
        "enablement.ApplicationWindow",
        "enablement.Accreditation",
        "enablement.AccreditationEligibility",
        "enablement.AuditEntry",
    ],
    "directory": [
        "directory.PartnerProfile",
        "directory.Review",
        "directory.ReviewInvitation",
        "directory.AwardSettings",
        "directory.AuditEntry",
    ],
    # "Partners and people": the portal's own people models, with the duty groups.
    "portal": ["portal.Partner", "portal.User", "auth.Group", "portal.EmailOptOut"],
}
PEOPLE = "portal"
# Kept by the site for its running, not by a programme duty: listed last, together.
TECHNICAL = [
    "portal.JobRun",
    "portal.OutgoingEmail",
    "axes.AccessAttempt",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "api.ApiToken",
    "otp_totp.TOTPDevice",
    "otp_static.StaticDevice",
]
TECHNICAL_KEY = "technical"


def _label(app_label: str, model: dict) -> str:
    return f"{app_label}.{model['object_name']}"


def _in_order(models: list[dict], order: list[str]) -> list[dict]:
    rank = {label: i for i, label in enumerate(order)}
    return sorted(models, key=lambda m: (rank.get(m["label"], len(rank)), str(m["name"])))


class PortalAdminSite(admin.AdminSite):
    site_header = _("Partner portal administration")
    site_title = _("Partner portal")
    index_title = _("Programme administration")

    def get_app_list(self, request, app_label=None):
        """The index and sidebar by duty; one app's own page (`app_label`) stays that app's models."""
        app_dict = self._build_app_dict(request, app_label)
        for app in app_dict.values():
            for model in app["models"]:
                model["label"] = _label(app["app_label"], model)
        if app_label is not None:
            return [
                {**app, "models": _in_order(app["models"], PROGRAMME_AREAS.get(app["app_label"], []))}
                for app in app_dict.values()
            ]
        return self._by_duty(app_dict)

    def _by_duty(self, app_dict: dict) -> list[dict]:
        technical, people_extra = [], []
        has_people = PEOPLE in app_dict
        for app in app_dict.values():
            kept = []
            for model in app["models"]:
                if model["label"] in TECHNICAL:
                    technical.append(model)
                elif has_people and model["label"] in PROGRAMME_AREAS[PEOPLE] and app["app_label"] != PEOPLE:
                    people_extra.append(model)  # the duty groups join "Partners and people"
                else:
                    kept.append(model)
            app["models"] = kept
        if has_people:
            app_dict[PEOPLE]["name"] = _("Partners and people")
            app_dict[PEOPLE]["models"] += people_extra
        areas = [app_dict[key] for key in PROGRAMME_AREAS if key in app_dict]
        others = sorted(
            (app for key, app in app_dict.items() if key not in PROGRAMME_AREAS),
            key=lambda app: str(app["name"]).lower(),
        )
        result = []
        for app in [*areas, *others]:
            app["models"] = _in_order(app["models"], PROGRAMME_AREAS.get(app["app_label"], []))
            if app["models"]:
                result.append(app)
        if technical:
            result.append(
                {
                    "name": _("Technical tables"),
                    "app_label": TECHNICAL_KEY,
                    # An anchor on the index, not a page: the sidebar marks an app "current" by its URL.
                    "app_url": f"{reverse('admin:index', current_app=self.name)}#{TECHNICAL_KEY}",
                    "has_module_perms": True,
                    "models": _in_order(technical, TECHNICAL),
                }
            )
        return result
