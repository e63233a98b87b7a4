from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """The role of the signed-in person, for the navigation in base.html."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": None}
    if user.is_partner_user:
        role = "partner"
    elif user.is_cam or user.is_cc:
        role = "cam"
    elif user.is_programme_staff:
        role = "staff"
    else:
        role = None
    return {"nav_role": role}
