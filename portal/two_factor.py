"""Two-factor sign-in with django-otp: a TOTP device per person, and ten single-use recovery codes.

A person "has two-factor" once a confirmed TOTP device exists. Staff, CAMs and CCs must have it
when `settings.PORTAL_REQUIRE_2FA` is on (default: production); partner users may turn it on.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.errors import PortalError
from portal.models import Role, User

RECOVERY_CODE_COUNT = 10
_TOTP_NAME = "authenticator"
_STATIC_NAME = "recovery codes"


class TwoFactorError(PortalError):
    """A two-factor step was refused; the message says why, for the person."""

    code = "two_factor_refused"


def user_must_use_two_factor(user: User) -> bool:
    return bool(settings.PORTAL_REQUIRE_2FA) and user.role in {Role.STAFF, Role.CAM, Role.CC}


def user_has_device(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


# The session remembers whether its person has two-factor on (set at login and when it is turned on
# or off), so a page costs no device query for the many people without it.
SESSION_KEY = "portal_two_factor"


def session_has_two_factor(request) -> bool:
    if SESSION_KEY not in request.session:
        request.session[SESSION_KEY] = user_has_device(request.user)
    return bool(request.session[SESSION_KEY])


def session_two_factor_remember(request, user: User) -> None:
    if getattr(request, "session", None) is not None:
        request.session[SESSION_KEY] = user_has_device(user)


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    """Receiver of `user_logged_in` (connected in PortalConfig.ready): auth plumbing, no business rule."""
    session_two_factor_remember(request, user)


def totp_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (created on first call, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_TOTP_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret an authenticator app accepts when typed in."""
    return b32encode(unhexlify(device.key)).decode()


def totp_qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as an inline SVG, drawn on the server (no CDN, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111", light="#fff")


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm the authenticator with a code from it; returns the recovery codes (shown once).

    1. Check the code against the pending device (wrong code → TwoFactorError, nothing changes).
    2. Remove any earlier devices of this person and confirm the new one.
    3. Create ten single-use recovery codes.
    """
    if device.user_id != user.pk or device.confirmed:
        raise TwoFactorError(_("This setup has expired; start again."))
    if not device.verify_token(_clean(token)):
        raise TwoFactorError(_("That code is not right. Enter the 6-digit code your app shows now."))
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return recovery_codes_create(user=user)


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """Replace the person's recovery codes with ten new ones."""
    static, _created = StaticDevice.objects.get_or_create(user=user, name=_STATIC_NAME, defaults={"confirmed": True})
    static.token_set.all().delete()
    # 14 characters (the static device stores at most 16), 48 random bits; device throttling slows guessing.
    codes = ["-".join(secrets.token_hex(2) for _part in range(3)) for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_verify(*, user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts this code, or None.

    Six digits are an authenticator code, anything else a recovery code (used up when it works).
    Each device counts its own failures (django-otp throttling), so a typo does not lock the other out.
    """
    token = _clean(token)
    if token.isdigit() and len(token) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices.select_for_update():
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Turn two-factor off: only for people who are not required to use it."""
    if user_must_use_two_factor(user):
        raise TwoFactorError(_("Two-factor sign-in is required for your role."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _clean(token: str) -> str:
    return (token or "").strip().replace(" ", "")[:32]
