"""Django settings for the partner portal.

Nothing set in the environment → embedded defaults for a first run (SQLite file,
Celery tasks run eagerly, local-memory cache). DATABASE_URL → PostgreSQL;
REDIS_URL → Redis as Celery broker and cache. PORTAL_MODE=production turns on
the hardened settings that pass `check --deploy`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration

from portal.env import (
    env_bool,
    env_choice,
    env_database,
    env_database_pooling,
    env_email,
    env_int,
    env_list,
    env_redis_url,
    env_seconds,
    env_smtp_security,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

PORTAL_MODE = env_str("PORTAL_MODE", "development")
if PORTAL_MODE not in {"development", "production"}:
    raise ImproperlyConfigured(f"PORTAL_MODE must be 'development' or 'production'; got {PORTAL_MODE!r}")
PRODUCTION = PORTAL_MODE == "production"

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when PORTAL_MODE=production")
    SECRET_KEY = "dev-only-insecure-key-for-local-runs-never-use-in-production-0123456789"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when PORTAL_MODE=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",  # django.contrib.admin, its index organised by duty
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_countries",
    "portal.apps.AxesConfig",  # django-axes, with a translated admin name
    "csp",
    "django_guid",
    "simple_history",
    "django_otp",
    "portal.apps.OtpTotpConfig",  # django_otp.plugins.otp_totp, with translated admin names
    "portal.apps.OtpStaticConfig",  # django_otp.plugins.otp_static, with translated admin names
    "portal",
    "tiers",
    "registrations",
    "community",
    "enablement",
    "directory",
    "api",
    "demo",
]

MIDDLEWARE = [
    # First: answers /healthz before host validation and the HTTPS redirect (see docs/deploy.md).
    "portal.middleware.HealthCheckMiddleware",
    # A request id for every log line of the request (X-Request-ID in and out).
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: every error under /api/ leaves as documented JSON.
    "api.middleware.ApiJsonErrorsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "portal.middleware.ReaderTimezoneMiddleware",
    "portal.middleware.LoginLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refusal (portal.errors.PortalError) no page view caught: its message, and back.
    "portal.middleware.PortalErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": env_database("DATABASE_URL", default_sqlite_path=str(BASE_DIR / "db.sqlite3"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails a request (and /healthz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DATABASE_CONNECT_TIMEOUT", 5, minimum=1, maximum=600
    )
DATABASES["default"] = env_database_pooling(
    DATABASES["default"], pooler_name="DATABASE_POOLER", pool_name="DATABASE_POOL", pool_size_name="DATABASE_POOL_SIZE"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock out a username from one address after repeated failures (django-axes).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form posts the email in the field named "username" (AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N trusted proxies (load balancer, CDN…) the client is the N-th address from the right of
# X-Forwarded-For; 0 (the default) trusts no header and uses the socket's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
AXES_CLIENT_IP_CALLABLE = "portal.net.client_ip"

# Two-factor sign-in (django-otp): staff, CAMs and CCs must use it when set; partners may.
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", default=PRODUCTION)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Partner portal")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# One date style per language (`28 Nov 2026`, `2026年11月28日`), always with the year.
FORMAT_MODULE_PATH = ["portal.dateformats"]
# Every form renders through templates/portal/forms/ (label, field, help, errors; one style).
FORM_RENDERER = "portal.forms.PortalFormRenderer"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Email: every message goes into the outbox table in the caller's transaction
# (`portal.mail.OutboxBackend`) and a Celery worker sends it through the transport,
# with retries and backoff. The transport is SMTP in production, the console in development.
if env_str("EMAIL_BACKEND"):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is no longer read: mail always goes through the outbox; "
        "set EMAIL_TRANSPORT (smtp, console or locmem) instead"
    )
EMAIL_BACKEND = "portal.mail.OutboxBackend"
EMAIL_TRANSPORTS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
EMAIL_TRANSPORT_BACKEND = EMAIL_TRANSPORTS[
    env_choice("EMAIL_TRANSPORT", "smtp" if PRODUCTION else "console", tuple(EMAIL_TRANSPORTS))
]
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
if EMAIL_HOST_PASSWORD and not EMAIL_HOST_USER:
    raise ImproperlyConfigured("EMAIL_HOST_PASSWORD is set but EMAIL_HOST_USER is empty: set both or neither")
EMAIL_USE_TLS, EMAIL_USE_SSL = env_smtp_security("EMAIL_USE_TLS", "EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_seconds("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_email("DEFAULT_FROM_EMAIL", "partner-portal@example.com")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Outbox retries: 1, 2, 4 … minutes apart, at most 4 hours apart, then "failed" for staff to retry.
EMAIL_OUTBOX_MAX_ATTEMPTS = 10
EMAIL_OUTBOX_BACKOFF_SECONDS = 60
EMAIL_OUTBOX_BACKOFF_MAX_SECONDS = 4 * 60 * 60
# Sent messages (addresses and bodies) are deleted after this many days.
EMAIL_OUTBOX_KEEP_SENT_DAYS = 30
# Links in emails point here (optional; no link when empty).
PORTAL_URL = env_str("PORTAL_URL").rstrip("/")
if PORTAL_URL and not PORTAL_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"PORTAL_URL must start with https:// or http://; got {PORTAL_URL!r}")
# Links that must be absolute even without one (set-password links) fall back to the first host.
PORTAL_BASE_URL = PORTAL_URL or (f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://localhost:8000")

# Redis: Celery broker and cache when configured; eager tasks and local memory otherwise.
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
# With acks_late, a task whose worker is killed (kill -9, OOM) is redelivered, not lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Worker and beat log through LOGGING below (same format, with the request id of the
# request that enqueued a task).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
# A strict Content-Security-Policy (django-csp 4): only our own files, no inline script or
# style, no framing, forms post only to us. Templates keep scripts in static/js and styles
# in static/css; see docs/architecture.md ("Content-Security-Policy").
SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": ["'none'"],
        "base-uri": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # The balancer's health check speaks plain HTTP (HealthCheckMiddleware answers first anyway).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Request ids (django-guid): an incoming X-Request-ID that is a UUID (Heroku's router, nginx's
# $request_id) is kept, anything else is replaced; the id is echoed in the response and
# carried into the Celery tasks the request enqueues.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "UUID_LENGTH": 32,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=False)],
}

# Structured logs on stderr: JSON lines in production (time, level, logger, message,
# request_id), key=value text in development. LOG_FORMAT=json|text overrides.
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {"levelname": "level", "name": "logger", "correlation_id": "request_id"},
            "timestamp": "time",
        },
        "text": {
            "format": "time=%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(correlation_id)s "
            "message=%(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
    },
    "loggers": {"axes": {"level": "WARNING"}, "django_guid": {"level": "WARNING"}},
}

# Error reporting (optional): only when SENTRY_DSN is set; no personal data is sent
# (no user, IP, cookies or request bodies).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from portal.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", PORTAL_MODE),
        release=env_str("SENTRY_RELEASE") or None,
        traces_sample_rate=float(env_int("SENTRY_TRACES_PERCENT", 0, minimum=0, maximum=100)) / 100,
    )
# A month's MRR not marked complete this many days after the month ended → one alert to staff.
try:
    MRR_LATE_ALERT_DAYS = int(env_str("MRR_LATE_ALERT_DAYS", "5"))
except ValueError:
    raise ImproperlyConfigured("MRR_LATE_ALERT_DAYS must be a whole number of days") from None
