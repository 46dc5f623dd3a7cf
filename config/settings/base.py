"""Settings shared by every environment; local, production and test override only what differs.

Every value that varies between deployments comes from the environment (django-environ):
https://django-environ.readthedocs.io/
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# Internationalisation: Japanese by default, English msgids, complete ja catalogue.
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates read 2026年12月1日 (1 December 2026) everywhere: templates use |date without a format.
FORMAT_MODULE_PATH = ["config.formats"]

# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Reporting reads from a streaming replica when one is set (core.replica); the primary otherwise.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"), "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
    }  # fmt: skip
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.admin",
    "django.forms",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_countries",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
LOCAL_APPS = [
    "core",
    "registrations",
    "counselling",
    "support_menus",
    "outcomes",
    "reporting",
    "portal",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    # django-axes must come first so a locked-out login never reaches the model backend.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# The home page: also where core's account pages (preferences, password change) return to.
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"
# Django's rules, with messages that say what to do (core/password_validation.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "core.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "core.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "core.password_validation.CommonPasswordValidator"},
    {"NAME": "core.password_validation.NumericPasswordValidator"},
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.Utf8RequestMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every page and download Django renders: Cache-Control no-store (static files above keep
    # their caching). docs/adr/0016.
    "core.cache_control.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.sessions.StaffIdleTimeoutMiddleware",
    "core.sessions.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must be last: https://django-axes.readthedocs.io/en/latest/2_installation.html
    "axes.middleware.AxesMiddleware",
]

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
    },
]
# https://docs.djangoproject.com/en/5.2/ref/forms/renderers/#templatessetting
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# https://django-crispy-forms.readthedocs.io/en/latest/install.html
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Static files: vendored Bootstrap, htmx and Chart.js; no CDN. https://whitenoise.readthedocs.io/
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"

# Cache: Redis when REDIS_URL is set, in-process otherwise.
# https://docs.djangoproject.com/en/5.2/topics/cache/#redis
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions: NIST SP 800-63B AAL2 style limits (see docs/adr/0004-security-baseline.md).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=12 * 60 * 60)
# Two-factor authentication (TOTP with django-otp, and recovery codes): required of staff when
# on (firms may opt in, and once they have, it is required of them too).
# https://django-otp-official.readthedocs.io/
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "新規輸出１万者支援プログラム"
TWO_FACTOR_RECOVERY_CODES = 10
# A staff member's first authenticator (or a replacement) needs an admin's invitation: a
# single-use link e-mailed to them, valid this long (docs/adr/0012-staff-second-factor.md).
TWO_FACTOR_INVITATION_HOURS = env.int("TWO_FACTOR_INVITATION_HOURS", default=72)
# django-otp's admin never shows a device's key, QR code or recovery codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Staff (concierges, leads, ministry, admins) are signed out after this long without a request.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4): only our own origin; no inline script.
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# django-axes: lock a (username, IP) pair after repeated failures, so one office behind a
# NAT cannot be locked out by a stranger guessing one account.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "core.sessions.axes_username"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)

# E-mail: every message is written to the outbox (core.OutboundEmail) first, then sent by
# the dispatcher task. https://docs.djangoproject.com/en/5.2/topics/email/
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="新規輸出１万者支援プログラム <noreply@example.jp>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=100)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)

# Celery. https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Every task here is idempotent (status guards, unique keys), so a message is acknowledged
# only after the task ends and redelivered if the worker process dies mid-task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Longer than the longest task (time limit), so a running task is never delivered twice.
# No task uses ETA/countdown beyond this: durable future work is a database row.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# Publishing fails fast when the broker is down; the periodic sweep picks the work up later.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Two queues, each with its own workers (Procfile, docker-compose.yml), so an e-mail never
# waits behind a minute-long job: "short" for the outbox and other tasks of a second or two,
# "long" for sweeps, re-ranking, imports, exports and the fact-table rebuild. Every task is
# routed by name (tests/test_celery_queues.py checks that none is left out); a worker started
# without -Q consumes both, as `make services` does on a development machine.
CELERY_TASK_DEFAULT_QUEUE = "short"
CELERY_TASK_QUEUES = {"short": {}, "long": {}}
SHORT_TASKS = ("core.email_outbox_dispatch",)
LONG_TASKS = (
    "counselling.case_reminders_send",
    "outcomes.survey_reminders_send",
    "outcomes.survey_results_import_job",
    "outcomes.surveys_schedule",
    "registrations.retention",
    "reporting.business_progress_refresh",
    "reporting.progress_export_build",
    "reporting.progress_exports_purge",
    "support_menus.case_rankings_refresh",
    "support_menus.case_rankings_refresh_all",
    "support_menus.catalogue_import_job",
    "support_menus.import_files_purge",
)
CELERY_TASK_ROUTES = {
    **{name: {"queue": "short"} for name in SHORT_TASKS},
    **{name: {"queue": "long"} for name in LONG_TASKS},
}

# django-import-export: neutralise =HYPERLINK(...) and friends in spreadsheets we hand out.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True

# Links in e-mails (no request is at hand when a task renders them).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Password reset requests per IP address and per e-mail address, and survey or consent link
# openings per IP address (django-ratelimit syntax). Over the limit, a reset shows the usual
# "sent" page and sends nothing; a link answers 429.
PASSWORD_RESET_RATE_LIMIT = env("PASSWORD_RESET_RATE_LIMIT", default="5/h")
LINK_RATE_LIMIT = env("LINK_RATE_LIMIT", default="60/m")
# Postal code look-ups of the registration form (郵便番号 → 住所) per IP address.
POSTAL_CODE_RATE_LIMIT = env("POSTAL_CODE_RATE_LIMIT", default="120/m")
# Public registration form: submissions per IP address (django-ratelimit syntax).
REGISTRATION_RATE_LIMIT = env("REGISTRATION_RATE_LIMIT", default="10/h")

# The program's own rules (deadlines, survey waves, retention, dates that make sense) sit apart
# from the infrastructure above and below: config/settings/program.py.
from config.settings.program import *  # noqa: E402, F403

# Admin lives at a non-default URL in production.
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")

# Progress exports: an XLSX of more rows than this is built by a Celery job (XLSX cannot be
# streamed); finished files are kept this many days, then deleted.
PROGRESS_XLSX_SYNC_MAX_ROWS = env.int("PROGRESS_XLSX_SYNC_MAX_ROWS", default=10_000)
PROGRESS_EXPORT_KEEP_DAYS = env.int("PROGRESS_EXPORT_KEEP_DAYS", default=7)
# The dashboard reads a fact table rebuilt every 10 minutes by beat; a page that finds it
# older than this queues a rebuild itself (there is no beat under `make run`).
BUSINESS_PROGRESS_REFRESH_MINUTES = env.int("BUSINESS_PROGRESS_REFRESH_MINUTES", default=10)
# Imports from the admin (survey results, catalogue): a file of more rows than this is
# imported by a Celery job with progress, never in the web request (docs/adr/0016).
IMPORT_ASYNC_MIN_ROWS = env.int("IMPORT_ASYNC_MIN_ROWS", default=2_000)
# A job's uploaded file (checked but never imported, or failed) is deleted this long after.
IMPORT_FILE_KEEP_DAYS = env.int("IMPORT_FILE_KEEP_DAYS", default=7)
# The catalogue as XLSX: a sheet may declare at most this many rows and columns, and the
# workbook may unpack to at most this many bytes, or it is refused before it is read.
CATALOGUE_MAX_ROWS = env.int("CATALOGUE_MAX_ROWS", default=10_000)
CATALOGUE_MAX_COLUMNS = env.int("CATALOGUE_MAX_COLUMNS", default=64)
XLSX_MAX_UNCOMPRESSED_BYTES = env.int("XLSX_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Country names as Japanese public services write them (米国, 英国, and 外務省's names where
# django-countries' translation is outdated); core/countries.py orders them.
# https://django-countries.readthedocs.io/en/latest/settings.html
COUNTRIES_OVERRIDE = {
    "US": _("United States"),
    "GB": _("United Kingdom"),
    "GE": _("Georgia"),
    "GF": _("French Guiana"),
    "KG": _("Kyrgyzstan"),
    "MV": _("Maldives"),
}
