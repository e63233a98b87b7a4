"""Japanese for the third-party apps staff meet in the admin.

django-countries calls a country 国家 (the glossary says 国・地域); django-axes ships no Japanese catalogue and builds its record names in English
f-strings. The strings below are axes' own msgids, listed here so that
`makemessages` keeps them in the project catalogue (which Django consults first);
`translate_axes_records` gives axes' records translatable names.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_noop as _

AXES_MESSAGES = (
    _("Locked Out"),
    _("Form Data"),
    _("Meta Data"),
    _("Clean up expired attempts"),
    _("Not set"),
    _("Attempt Remaining"),
    _("User Agent"),
    _("IP Address"),
    _("Username"),
    _("HTTP Accept"),
    _("Path"),
    _("Attempt Time"),
    _("Access lock out"),
    _("access failure"),
    _("access failures"),
    _("GET Data"),
    _("POST Data"),
    _("Failed Logins"),
    _("access attempt"),
    _("access attempts"),
    _("Access Attempt"),
    _("Expires At"),
    _("The time when access attempt expires and is no longer valid."),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("Logout Time"),
    _("Session key hash (sha256)"),
    _("access log"),
    _("access logs"),
)


# django-countries translates its field label "Country" as 国家; the glossary says 国・地域.
# The project catalogue is consulted first, so this entry wins everywhere.
COUNTRIES_MESSAGES = (_("Country"),)


def _when(value) -> str:
    return date_format(localtime(value), "DATETIME_FORMAT") if value else "—"


def translate_axes_records() -> None:
    """Give axes' records names a Japanese admin can read (their own `__str__` is an English f-string)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    def attempt(self: AccessAttempt) -> str:
        return gettext("Login attempt at %(when)s") % {"when": _when(self.attempt_time)}

    def failure(self: AccessFailureLog) -> str:
        return gettext("Failed login by %(user)s at %(when)s") % {
            "user": self.username,
            "when": _when(self.attempt_time),
        }

    def log(self: AccessLog) -> str:
        return gettext("Login by %(user)s at %(when)s") % {"user": self.username, "when": _when(self.attempt_time)}

    from axes.admin import AccessAttemptAdmin

    AccessAttemptAdmin.status.short_description = gettext_lazy("Status")
    AccessAttempt.__str__ = attempt
    AccessFailureLog.__str__ = failure
    AccessLog.__str__ = log


# --- django-otp (two-factor devices) ---------------------------------------------------------------------
# django-otp ships no Japanese catalogue and writes its labels as plain strings. The help texts below are
# django-otp's own English texts (so the migration state, which compares them, sees no change).
_DEVICE_FIELDS = {
    "user": (gettext_lazy("user"), gettext_lazy("The user that this device belongs to.")),
    "name": (gettext_lazy("name"), gettext_lazy("The human-readable name of this device.")),
    "confirmed": (gettext_lazy("confirmed"), gettext_lazy("Is this device ready for use?")),
    "created_at": (
        gettext_lazy("created at"),
        gettext_lazy("The date and time when this device was initially created in the system."),
    ),
    "last_used_at": (gettext_lazy("last used at"), gettext_lazy("The most recent date and time this device was used.")),
    "throttling_failure_timestamp": (
        gettext_lazy("last failed attempt at"),
        gettext_lazy("A timestamp of the last failed verification attempt. Null if last attempt succeeded."),
    ),
    "throttling_failure_count": (
        gettext_lazy("failed attempts in a row"),
        gettext_lazy("Number of successive failed attempts."),
    ),
}
_TOTP_FIELDS = {
    "key": (gettext_lazy("secret key"), gettext_lazy("A hex-encoded secret key of up to 40 bytes.")),
    "step": (gettext_lazy("time step"), gettext_lazy("The time step in seconds.")),
    "t0": (gettext_lazy("start time"), gettext_lazy("The Unix time at which to begin counting steps.")),
    "digits": (gettext_lazy("digits"), gettext_lazy("The number of digits to expect in a token.")),
    "tolerance": (
        gettext_lazy("tolerance"),
        gettext_lazy("The number of time steps in the past or future to allow."),
    ),
    "drift": (
        gettext_lazy("drift"),
        gettext_lazy("The number of time steps the prover is known to deviate from our clock."),
    ),
    "last_t": (
        gettext_lazy("last verified time step"),
        gettext_lazy("The t value of the latest verified token. The next token must be at a higher time step."),
    ),
}
_STATIC_TOKEN_FIELDS = {
    "device": (gettext_lazy("recovery code set"), None),
    "token": (gettext_lazy("recovery code"), None),
}


def _label_fields(model, labels: dict) -> None:
    for name, (verbose_name, help_text) in labels.items():
        field = model._meta.get_field(name)
        field.verbose_name = verbose_name
        if help_text is not None:
            field.help_text = help_text


def _label_model(model, verbose_name, verbose_name_plural) -> None:
    # Only the runtime names; `original_attrs` (what migrations read) stay django-otp's.
    model._meta.verbose_name = verbose_name
    model._meta.verbose_name_plural = verbose_name_plural


def translate_otp_totp() -> None:
    """Japanese names for django-otp's TOTP devices (the authenticator apps)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _label_model(TOTPDevice, gettext_lazy("authenticator app"), gettext_lazy("authenticator apps"))
    _label_fields(TOTPDevice, _DEVICE_FIELDS | _TOTP_FIELDS)


def translate_otp_static() -> None:
    """Japanese names for django-otp's static devices and tokens (the recovery codes)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    _label_model(StaticDevice, gettext_lazy("recovery code set"), gettext_lazy("recovery code sets"))
    _label_fields(StaticDevice, _DEVICE_FIELDS)
    _label_model(StaticToken, gettext_lazy("recovery code"), gettext_lazy("recovery codes"))
    _label_fields(StaticToken, _STATIC_TOKEN_FIELDS)


# --- the duty groups -------------------------------------------------------------------------------------


def translate_group_names() -> None:
    """A duty group reads under its translated label (`portal.access.GROUPS`); its stored name stays English.

    The admin shows a group through `str()` (titles, breadcrumbs, the user form's group list).
    """
    from django.contrib.auth.models import Group

    def group_str(self: Group) -> str:
        from portal.access import duty_label

        return duty_label(self.name)

    Group.__str__ = group_str
