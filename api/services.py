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
# The lifetimes an org admin or CAM may choose when creating a token (None: never expires).
EXPIRY_CHOICES_DAYS = (30, 90, 365, None)
# Touch last_used_at at most this often: no write on every API request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


class TokenExpired(Exception):
    """The token is known and not revoked, but its `expires_at` has passed."""


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
def api_token_create(
    *, user: User, name: str, acting_user: User | None = None, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the raw token (never stored). `acting_user=None`: ops command.

    `expires_in_days` is one of EXPIRY_CHOICES_DAYS; None makes a token that never expires.
    """
    if not (user.is_partner_user or user.is_cam):
        raise PermissionDenied("API tokens are for partner users and CAMs")
    if acting_user is not None and not _may_manage(acting_user, user):
        raise PermissionDenied("not allowed to create this token")
    if expires_in_days not in EXPIRY_CHOICES_DAYS:
        raise ValueError(f"expires_in_days must be one of {EXPIRY_CHOICES_DAYS}")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or "API token",
        key_hash=token_hash(raw),
        prefix=raw[:10],
        created_at=now,
        created_by=acting_user,
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
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
    """The active user behind a raw bearer token, or None; raises TokenExpired past its `expires_at`.

    None for an unknown or revoked token, a deactivated user, and a token created before the
    user's credentials were last revoked (a deactivation ends every token for good, so a
    reactivated user gets none of the old ones back).
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    cut_off = token.user.credentials_revoked_at
    if cut_off is not None and token.created_at <= cut_off:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenExpired(token.prefix)
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
