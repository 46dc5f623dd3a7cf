"""Settings for pytest: PostgreSQL and Redis as in production (DATABASE_URL / REDIS_URL may
point elsewhere), fast hashing, in-memory e-mail, Celery eager unless a test starts a worker."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/export_support")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import DATABASES, STORAGES  # noqa: E402

# The suite reads and writes one database; tests/test_read_replica.py starts its own replica.
DATABASES.pop("replica", None)

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Static files come straight from the finders (no collectstatic), so no STATIC_ROOT.
STATIC_ROOT = None
# Rate limits high enough for tests that send many requests; the limits' own tests lower them.
PASSWORD_RESET_RATE_LIMIT = "10000/h"  # noqa: S105 (a rate, not a password)
LINK_RATE_LIMIT = "10000/m"
