"""Test helpers live in fixtures or helper modules (`factories.py`, `helpers.py`,
tests/hostile.py, tests/browser/helpers.py), never in a test module another one imports:
no Python file in the project imports a `test_*` module or a conftest."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _is_test_module(name: str) -> bool:
    return name.startswith("test_") or name == "conftest"


def offending_imports(source: str) -> list[str]:
    """Each import in the source that reaches a test module or a conftest, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {alias.name}" for alias in node.names
                      if any(map(_is_test_module, alias.name.split(".")))]  # fmt: skip
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names = [alias.name for alias in node.names]
            if any(map(_is_test_module, (node.module or "").split(".") + names)):
                found.append(f"from {module} import {', '.join(names)}")
    return found


def project_files():
    for path in sorted(ROOT.iterdir()):
        if path.name.startswith("."):
            continue
        if path.suffix == ".py":
            yield path
        elif path.is_dir():
            yield from sorted(path.rglob("*.py"))


def test_no_file_imports_a_test_module_or_a_conftest():
    offenders = {
        f"{path.relative_to(ROOT).as_posix()}: {module}"
        for path in project_files()
        for module in offending_imports(path.read_text(encoding="utf-8"))
    }
    assert offenders == set(), "move the shared helper into a helper module or a fixture"


@pytest.mark.parametrize(
    "source",
    [
        "from tests.test_import_jobs import survey_file",
        "from registrations.tests.test_views import form_data",
        "from tests.browser.conftest import ARTIFACTS",
        "from .test_two_factor import sign_in",
        "from . import conftest",
        "from tests import test_hostile_input",
        "import outcomes.tests.test_importing",
        "def f():\n    from support_menus.tests.test_import import ROW",
    ],
)
def test_the_guard_sees_every_way_of_importing_a_test_module(source):
    assert offending_imports(source)


@pytest.mark.parametrize(
    "source",
    [
        "from registrations.tests.factories import form_data",
        "from tests.browser.helpers import sign_in",
        "from django.test import Client",
        "import unittest",
        "from tests import hostile",
    ],
)
def test_the_guard_lets_helper_modules_and_libraries_through(source):
    assert offending_imports(source) == []
