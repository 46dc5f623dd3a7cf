"""core knows no domain beyond what import-linter sees: no string in core's code (migrations
and tests aside) names a domain app, as a model reference, a permission, a URL name or a
task name would ("registrations.Business", "outcomes:progress", "counselling.x_send")."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_APP = re.compile(r"\b(registrations|counselling|support_menus|outcomes|reporting|portal)\b")


def _offends(path: Path) -> bool:
    """Whether a string in the code (docstrings aside: prose may name the apps above) names a
    domain app."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.value) for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }  # fmt: skip
    return any(
        isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings and DOMAIN_APP.search(node.value)
        for node in ast.walk(tree)
    )  # fmt: skip


def test_core_code_names_no_domain_app():
    offenders = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "core").rglob("*.py")
        if not {"migrations", "tests"} & set(path.relative_to(ROOT / "core").parts)
        and _offends(path)
    }
    assert offenders == set()


def test_lower_apps_name_no_page_of_the_top_layer():
    """The domain apps send people home through settings.LOGIN_REDIRECT_URL, never by naming
    the portal's URL."""
    offenders = {
        path.relative_to(ROOT).as_posix()
        for app in ("core", "registrations", "counselling", "support_menus", "outcomes")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and "tests" not in path.parts
        and "portal:" in path.read_text(encoding="utf-8")
    }
    assert offenders == set()
