"""Writes of API tokens: create (the raw token is returned once, only its hash is kept), revoke."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from portal.models import User

TOKEN_PREFIX = "pp_"
# Touch last_used_at at most this often: no write on every API request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _may_manage(acting_user: User, owner: User) -> bool:
    """Org admins manage their organisation's tokens; a CAM manages their own."""
    if not acting_user.is_active:
        return False
    if acting_user.is_partner_admin:
        return owner.partner_id == acting_user.partner_id and owner.is_partner_user
    return acting_user.is_cam and owner.pk == acting_user.pk


@transaction.atomic
def api_token_create(*, user: User, name: str, acting_user: User | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the raw token (never stored). `acting_user=None`: ops command."""
    if not (user.is_partner_user or user.is_cam):
        raise PermissionDenied("API tokens are for partner users and CAMs")
    if acting_user is not None and not _may_manage(acting_user, user):
        raise PermissionDenied("not allowed to create this token")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or "API token",
        key_hash=token_hash(raw),
        prefix=raw[:10],
        created_at=timezone.now(),
        created_by=acting_user,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    if not _may_manage(acting_user, token.user):
        raise PermissionDenied("not allowed to revoke this token")
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw bearer token, or None (unknown, revoked, or user deactivated)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
