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
