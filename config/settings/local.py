"""Embedded defaults for `make run`: SQLite under var/, Celery tasks run eagerly, e-mail to the
console. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis."""

import os

os.environ.setdefault("DJANGO_DEBUG", "True")
os.environ.setdefault("DJANGO_SECRET_KEY", "local-only-insecure-key-never-used-in-production")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/db.sqlite3")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import BASE_DIR, DATABASES, STORAGES, env  # noqa: E402

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The demo logins of `make run` work without an authenticator app; production and the tests
# require the second factor of staff. TWO_FACTOR_REQUIRED=True tries it here.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    name = DATABASES["default"]["NAME"]
    if name != ":memory:" and not os.path.isabs(name):  # an in-memory database stays one
        DATABASES["default"]["NAME"] = str(BASE_DIR / name)
    # SQLite has one writer; keep connections short so runserver threads don't contend.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# runserver serves static files from the finders; no manifest needed.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Static files come straight from the finders (no collectstatic), so no STATIC_ROOT.
STATIC_ROOT = None
