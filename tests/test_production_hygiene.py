"""Production hygiene: the production settings refuse to start without the site's address,
`.env.example` names every variable the settings read, and `.dockerignore` keeps tests, docs
and tools out of the image while the image keeps what it runs."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "PATH": "/usr/bin:/bin",
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "export-support.example.jp",
    "DJANGO_ADMIN_URL": "ops-console/",
    "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
}
PRINT_SITE_URL = (
    "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
)


def _production(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PRINT_SITE_URL], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("site_url", [None, "", "http://127.0.0.1:8000"])
def test_production_settings_refuse_to_start_without_the_sites_address(site_url):
    env = dict(PRODUCTION_ENV)
    if site_url is not None:
        env["SITE_URL"] = site_url
    run = _production(env)
    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert "SITE_URL" in run.stderr


def test_production_settings_start_with_the_sites_address():
    run = _production({**PRODUCTION_ENV, "SITE_URL": "https://export-support.example.jp/"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "https://export-support.example.jp"


# env("NAME", ...), env.int("NAME", ...), env.db("NAME"), possibly across lines.
ENV_READ = re.compile(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
EXAMPLE_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        read |= set(ENV_READ.findall(path.read_text()))
    assert {"SITE_URL", "DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_DEFAULT_FROM_EMAIL"} <= read
    listed = set(EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))
    assert sorted(read - listed) == []


def _docker_pattern(pattern: str) -> re.Pattern:
    """A .dockerignore line as a regex (Go filepath.Match plus `**`): it excludes the path it
    names and everything under it."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(f"{out}(?:/.*)?")


def _in_image(paths: list[str]) -> set[str]:
    patterns = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append((line.startswith("!"), _docker_pattern(line.lstrip("!").strip("/"))))
    kept = set()
    for path in paths:
        excluded = False
        for negated, pattern in patterns:  # the last matching line wins
            if pattern.fullmatch(path):
                excluded = not negated
        if not excluded:
            kept.add(path)
    return kept


def test_dockerignore_keeps_tests_docs_and_tools_out_of_the_image():
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in {".git", ".venv", "var", "node_modules"}]
        files += [(Path(folder) / name).relative_to(ROOT).as_posix() for name in names]
    kept = _in_image(files + [".env", ".venv/bin/python", "var/media/x.csv", ".git/HEAD"])
    unwanted = [path for path in kept if re.match(
        r"(tests/|.*/tests/|docs/|loadtest/|bin/|\.git/|\.venv/|var/|\.env$|conftest\.py$|"
        r"README\.md$|\.ci/)", path)]  # fmt: skip
    assert unwanted == []
    needed = {
        "manage.py", "pyproject.toml", "uv.lock", "config/settings/production.py",
        "config/wsgi.py", "config/celery_app.py", "core/models.py", "outcomes/importing.py",
        "support_menus/data/catalogue.csv", "templates/base.html",
        "locale/ja/LC_MESSAGES/django.mo",
        "registrations/migrations/0001_initial.py", "counselling/views.py",
    }  # fmt: skip
    assert needed - kept == set()
    assert any(path.startswith("static/vendor/htmx") for path in kept)
    assert not any(path.startswith("static/vendor/axe-core") for path in kept)
    assert any(path.startswith("core/management/commands/") for path in kept)


def test_no_page_loads_axe_core():
    """axe-core (static/vendor/axe-core) is for the browser tests, which inject it."""
    sources = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static" / "js").rglob("*.js")]
    loading = [path for path in sources if re.search(r"axe-core|axe\.min", path.read_text())]
    assert loading == []
