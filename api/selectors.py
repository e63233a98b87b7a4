from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from api.models import ApiToken
from portal.models import User


def tokens_visible_to(user: User) -> QuerySet[ApiToken]:
    """An org admin sees the organisation's tokens; a CAM their own; nobody else any."""
    tokens = ApiToken.objects.select_related("user")
    if user.is_active and user.is_partner_admin:
        return tokens.filter(user__partner_id=user.partner_id)
    if user.is_active and user.is_cam:
        return tokens.filter(user=user)
    return tokens.none()


def token_get_for_user(*, user: User, pk: int) -> ApiToken:
    token = tokens_visible_to(user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token")
    return token
