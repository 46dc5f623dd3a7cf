"""Personal data has one home (STYLE.md §13, like Data Hub's cleanup_config).

Every app declares, in `<app>/personal_data.py`, a module-level `DECLARATIONS` tuple with one
`ModelData` per model that holds text: how a row leads to the firm it is about, which fields
are personal (and how each is erased) and which are explicitly not, what keeps the firm from
retention, what goes in the firm's data export, and a hook for what a plain update cannot
erase. `declarations()` collects them from every installed app, as admin autodiscovery does.
The firm's data export, anonymisation and retention (registrations) are built from them, and
core/tests/test_personal_data.py fails on a text field of a project model nobody classified.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.module_loading import module_has_submodule

ANONYMISED_NAME = "（削除済み）"
ANONYMISED_KANA = "サクジョズミ"
ANONYMISED_EMAIL = "deleted@anonymised.invalid"
TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.JSONField,
)  # + subclasses


@dataclass(frozen=True)
class Erase:
    """How a personal field is erased: set to `to`, or to `to(row)` when it is callable
    (`by_hook`: not by a plain update, the declaration's hook erases it). An `identifying`
    value is also erased wherever free text may repeat it (the append-only case timeline)."""

    to: object = ""
    identifying: bool = False
    by_hook: bool = False


BLANK = Erase()
NULL = Erase(to=None)
BY_HOOK = Erase(by_hook=True)
IDENTIFYING_BLANK = Erase(identifying=True)
IDENTIFYING_NULL = Erase(to=None, identifying=True)


def replaced(to, *, identifying: bool = False) -> Erase:
    return Erase(to=to, identifying=identifying)


@dataclass(frozen=True)
class Export:
    """Where the model's rows go in a firm's data export: under the record of `parent`
    ("app_label.Model"), reached by the row's field `link`, as `key` (a list, or one record:
    None when missing, or left out with `omit_missing`). `rows` narrows or prefetches the
    query, `more` adds items to a row's record (named in the readable export by `labels`, or
    by the model's field of that name), `record_of` exports a related row instead."""

    parent: str
    link: str
    key: str
    many: bool = True
    order_by: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rows: Callable | None = None
    more: Callable | None = None
    labels: Mapping[str, object] = field(default_factory=dict)
    record_of: Callable | None = None
    omit_missing: bool = False


@dataclass(frozen=True)
class Preview:
    """A line of the admin's "what will be erased" page: `message` (ngettext_lazy with
    %(counter)s) counts the firm's rows with something to erase, or `count(rows, texts)`."""

    testid: str
    message: object
    count: Callable | None = None


@dataclass(frozen=True)
class ModelData:
    """What a model holds about people.

    - business_path: the lookup from a row to its Business ("" for Business itself; None for
      a model about no one firm: reference data, staff, the catalogue).
    - personal: field -> Erase; not_personal: the other text fields, explicitly.
    - activity(cutoff): a Q of the rows that keep their firm from retention.
    - erase_hook(rows=, texts=, actor=): erases what a plain update cannot (runs before the
      plain erasure, while the rows still hold their values).
    """

    model: str
    business_path: str | None
    personal: Mapping[str, Erase] = field(default_factory=dict)
    not_personal: frozenset[str] = frozenset()
    activity: Callable | None = None
    erase_hook: Callable | None = None
    export: Export | None = None
    preview: Preview | None = None

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def plain_fields(self) -> dict[str, Erase]:
        return {name: erase for name, erase in self.personal.items() if not erase.by_hook}

    def rows(self, business) -> models.QuerySet:
        """The model's rows about `business`."""
        if self.business_path == "":
            return self.model_class.objects.filter(pk=business.pk)
        return self.model_class.objects.filter(**{self.business_path: business})


@cache
def declarations() -> tuple[ModelData, ...]:
    """Every installed app's declarations, in INSTALLED_APPS order."""
    collected = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, "personal_data"):
            module = import_module(f"{app.name}.personal_data")
            collected.extend(getattr(module, "DECLARATIONS", ()))
    return tuple(collected)


def declaration_of(model: type[models.Model]) -> ModelData | None:
    label = model._meta.label
    return next((d for d in declarations() if d.model == label), None)


def erased_values(declaration: ModelData, row=None) -> dict:
    """The plain personal fields' erased values (callables need the row)."""
    return {
        name: (erase.to(row) if callable(erase.to) else erase.to)
        for name, erase in declaration.plain_fields().items()
    }


def business_rows(business) -> list[tuple[ModelData, list]]:
    """Every declared model's rows about the firm `business` that hold something to erase
    (the business itself as given)."""
    return [
        (declaration, [business] if declaration.business_path == "" else
         list(declaration.rows(business)))
        for declaration in declarations()
        if declaration.business_path is not None
        and (declaration.plain_fields() or declaration.erase_hook)
    ]  # fmt: skip


def identifying_texts(rows: Iterable[tuple[ModelData, Iterable]]) -> list[str]:
    """What identifies a firm and its people, to be erased wherever free text may repeat it:
    the identifying fields' values, longest first."""
    texts = {
        getattr(row, name) or ""
        for declaration, model_rows in rows
        for row in model_rows
        for name, erase in declaration.personal.items()
        if erase.identifying
    }
    return sorted({text for text in texts if len(text) > 1}, key=len, reverse=True)


def project_models() -> list[type[models.Model]]:
    """The models of the project's own apps (not third-party ones), history models too."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            found.extend(app.get_models())
    return [model for model in found if not model._meta.auto_created]


def unclassified_fields(declared: Iterable[ModelData] | None = None) -> list[str]:
    """Text fields (Char, Text, Email and their subclasses) of project models classified
    neither as personal nor as not personal, as "app_label.Model.field". A history model
    (django-simple-history) takes its base model's classification."""
    by_model = {d.model: d for d in (declarations() if declared is None else declared)}
    missing = []
    for model in project_models():
        base = getattr(model, "instance_type", None)  # a history model's base model
        declaration = by_model.get((base or model)._meta.label)
        classified = set()
        if declaration is not None:
            classified = set(declaration.personal) | set(declaration.not_personal)
        for model_field in model._meta.get_fields():
            if not isinstance(model_field, TEXT_FIELDS) or model_field.name in classified:
                continue
            if base is not None and model_field.name in ("history_change_reason", "history_type"):
                continue
            missing.append(f"{model._meta.label}.{model_field.name}")
    return missing


def misdeclared_fields(declared: Iterable[ModelData] | None = None) -> list[str]:
    """Declared fields that the model does not have, or that are both personal and not."""
    wrong = []
    for declaration in declarations() if declared is None else declared:
        names = {f.name for f in declaration.model_class._meta.get_fields()}
        for name in set(declaration.personal) | set(declaration.not_personal):
            if name not in names:
                wrong.append(f"{declaration.model}.{name}: no such field")
        for name in set(declaration.personal) & set(declaration.not_personal):
            wrong.append(f"{declaration.model}.{name}: personal and not personal")
    return wrong


# --- core's own models ---------------------------------------------------------------------------

DECLARATIONS = (
    ModelData("core.Prefecture", None,
              not_personal=frozenset({"code", "name", "name_en", "region"})),
    ModelData("core.IndustryDivision", None, not_personal=frozenset({"code", "name", "name_en"})),
    ModelData("core.CountryRegion", None, not_personal=frozenset({"country", "region"})),
    # An office's own phone and address, not a person's.
    ModelData("core.Organisation", None,
              not_personal=frozenset({"code", "name", "kind", "phone", "email"})),
    # A firm's sign-in account is closed with its contact (registrations' Contact hook).
    ModelData(
        "core.User", None,
        personal={"username": replaced(lambda user: f"deleted-{user.pk}"), "first_name": BLANK,
                  "last_name": BLANK, "email": BLANK},
        not_personal=frozenset({"password"}),  # a hash; made unusable when the account closes
    ),
    # Mails to a firm's addresses are blanked with its contacts (registrations' Contact hook).
    ModelData(
        "core.OutboundEmail", None,
        personal={"to": replaced(ANONYMISED_EMAIL), "subject": replaced(ANONYMISED_NAME),
                  "body": BLANK, "last_error": BLANK},
        not_personal=frozenset({"idempotency_key", "kind", "status",
                                "reply_to"}),  # the sending office's address
    ),
    ModelData("core.TwoFactorInvitation", None, not_personal=frozenset({"token_hash"})),
)  # fmt: skip
