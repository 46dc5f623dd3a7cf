"""Project-wide checks: the Japanese catalogue and self-containment. (`make lint` checks
migrations; `make check-deploy` the production settings.)"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
SOURCE_DIRS = ["config", "core", "registrations", "counselling", "support_menus", "outcomes",
               "reporting", "portal", "templates"]  # fmt: skip


def test_every_message_in_the_code_has_a_japanese_translation(tmp_path):
    """Re-extract the messages from a copy of the source, merged with our catalogue: any
    string added without a translation shows up untranslated or fuzzy."""
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("tests"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete"],
        cwd=tmp_path, check=True, capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )  # fmt: skip
    catalogue = polib.pofile(str(tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert missing == [], f"untranslated: {missing}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_the_compiled_catalogue_matches_the_source():
    po = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.pofile(str(PO))
          if e.translated() and not e.obsolete}  # fmt: skip
    mo = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural)
          for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgid}  # fmt: skip
    assert po == mo, "run `make messages` to recompile locale/ja/LC_MESSAGES/django.mo"


def test_the_app_never_reads_the_shared_reference_folder():
    offenders = [
        str(path.relative_to(ROOT))
        for name in [*SOURCE_DIRS, "Makefile", ".ci", "bin", "tests"]
        for path in ((ROOT / name).rglob("*") if (ROOT / name).is_dir() else [ROOT / name])
        if path.is_file()
        and path.suffix in {".py", ".html", ".txt", ""}
        and path != Path(__file__)
        and "../shared" in path.read_text(errors="ignore")
    ]
    assert offenders == []
