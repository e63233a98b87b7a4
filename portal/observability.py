"""Optional error reporting to Sentry (only when SENTRY_DSN is set)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


def sentry_init(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> None:
    """Errors from web, worker and beat go to Sentry, without personal data.

    `send_default_pii=False` leaves out the user, their IP address, cookies and headers
    that identify them; `max_request_body_size="never"` leaves out form bodies (emails,
    domains, reasons), and `include_local_variables=False` the values in stack frames.
    """
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.utils import BadDsn, Dsn

    try:
        Dsn(dsn)
    except BadDsn as exc:
        raise ImproperlyConfigured(f"SENTRY_DSN is not a valid Sentry DSN ({exc}); got {dsn!r}") from exc
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
    )
