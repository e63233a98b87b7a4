from __future__ import annotations

from django.http import HttpRequest

# The navigation section of every page, by URL namespace (and name where one namespace
# serves two sections), so a sub-page such as a deal or a HUG group still marks its section.
SECTION_BY_NAMESPACE = {
    "registrations": "domains",
    "community": "community",
    "enablement": "enablement",
    "api": "tokens",
}
SECTION_BY_NAME = {
    "home": "home",
    "team": "team",
    "team-member-active": "team",
    "tiers:book": "book",
    "tiers:whatif": "whatif",
    "tiers:whatif-publish": "whatif",
    "registrations:deals": "deals",
    "registrations:deal": "deals",
    "registrations:deal-note": "deals",
    "registrations:queue": "approvals",
    "registrations:queue-approve-bulk": "approvals",
    "registrations:queue-decide": "approvals",
    "community:review": "reviews",
    "community:review-pug": "reviews",
    "community:review-hug-lead": "reviews",
    "community:review-deib": "reviews",
    "enablement:awards": "awards",
    "enablement:award-nominate": "awards",
    "enablement:award-publish": "awards",
}
# Client reviews (directory/review_views.py): the partner's page, the staff queue and the award ranking.
SECTION_BY_NAME.update(
    {
        "directory:reviews": "client-reviews",
        "directory:review-invite": "client-reviews",
        "directory:review-reply": "client-reviews",
        "directory:moderation": "moderation",
        "directory:review-publish": "moderation",
        "directory:review-reject": "moderation",
        "directory:partner-of-the-year": "partner-of-the-year",
        "directory:award-settings": "partner-of-the-year",
    }
)


def nav_section(request: HttpRequest) -> str | None:
    """Which navigation entry the current page belongs to (None when none does)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    name = match.view_name
    if name in SECTION_BY_NAME:
        return SECTION_BY_NAME[name]
    if match.namespace == "tiers":
        # A CAM or staff reading one partner's dashboard is in their book; a partner in "My tier".
        return "book" if "partner_id" in match.kwargs else "tier"
    return SECTION_BY_NAMESPACE.get(match.namespace)


def navigation(request: HttpRequest) -> dict:
    """The role of the signed-in person and the current section, for the navigation in base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": None, "nav_section": None}
    if user.is_partner_user:
        role = "partner"
    elif user.is_cam or user.is_cc:
        role = "cam"
    elif user.is_programme_staff:
        role = "staff"
    else:
        role = None
    return {"nav_role": role, "nav_section": nav_section(request)}
