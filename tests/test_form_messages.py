"""Every form of the project says which field is wrong (issue 16): submitted empty, or with
nonsense in every field, no form shows one of Django's stock messages (「このフィールドは必須
です。」, 「正しい値を入力してください。」…), and the message of each field left empty names
the field (「事業者名を入力してください。」), unless it is one of OWN_MESSAGES.

The forms are walked, not listed: every Form class defined in the project's apps, the forms
the URL patterns' views are given (Django's sign-in and password views), and the admin's
(its sign-in and each registered model's form). A new form is checked without being named
here; one whose constructor needs an argument fails until KWARGS says how to build it."""

import importlib
import inspect
import re
from collections.abc import Iterator

import pytest
from django import forms
from django.contrib import admin
from django.core import validators
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver
from django.utils import translation

from core.forms import CleanTextMixin
from core.models import User
from counselling.forms import AssignForm, StatusForm
from counselling.models import Case
from outcomes.forms import SurveyForm
from registrations.admin import DeletionDecisionForm
from registrations.forms import (
    CONSENT_REQUIRED,
    DELETION_CONFIRM_REQUIRED,
    REFERRAL_SOURCE_REQUIRED,
)
from support_menus.forms import MENUS_REQUIRED, ProposalStatusForm, ProposeForm
from support_menus.models import Proposal, SupportMenu

PROJECT_APPS = ("core", "registrations", "counselling", "support_menus", "outcomes",
                "reporting", "portal")  # fmt: skip

# The constructor arguments of the forms that need some (a subclass inherits its base's).
KWARGS = {
    StatusForm: lambda: {"case": Case(status=Case.Status.COUNSELLING)},
    AssignForm: lambda: {"concierges": User.objects.none()},
    ProposeForm: lambda: {"codes": ["M-001"]},
    ProposalStatusForm: lambda: {"proposal": Proposal(pk=1, status=Proposal.Status.PROPOSED)},
    SurveyForm: lambda: {"menus": SupportMenu.objects.none()},
    DeletionDecisionForm: lambda: {"note_required": True},
}
# Messages written for one field that say what to do without repeating its label.
OWN_MESSAGES = (CONSENT_REQUIRED, REFERRAL_SOURCE_REQUIRED, DELETION_CONFIRM_REQUIRED,
                MENUS_REQUIRED)  # fmt: skip


def _project_form_classes() -> Iterator[type[forms.BaseForm]]:
    for app in PROJECT_APPS:
        for module in ("forms", "admin", "filters", "views"):
            try:
                importlib.import_module(f"{app}.{module}")
            except ModuleNotFoundError as error:
                if error.name != f"{app}.{module}":
                    raise
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    for cls in seen:
        if cls.__module__.split(".")[0] in PROJECT_APPS and ".tests" not in cls.__module__:
            yield cls


def _url_form_classes(resolver=None) -> Iterator[type[forms.BaseForm]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin":
                yield from _url_form_classes(pattern)
            continue
        view = getattr(pattern.callback, "view_class", None)
        initkwargs = getattr(pattern.callback, "view_initkwargs", {})
        names = ["authentication_form"] if "authentication_form" in initkwargs else ["form_class"]
        for name in names:  # LoginView uses its authentication_form, if given
            form_class = initkwargs.get(name) or getattr(view, name, None)
            if isinstance(form_class, type) and issubclass(form_class, forms.BaseForm):
                yield form_class


def _admin_form_classes() -> Iterator[type[forms.BaseForm]]:
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    yield admin.site.login_form
    for model_admin in admin.site._registry.values():
        yield model_admin.get_form(request)
        for name in ("add_form", "change_password_form"):
            if hasattr(model_admin, name):
                yield getattr(model_admin, name)


def _model_in_use(cls) -> bool:
    opts = getattr(cls, "_meta", None)
    if opts is None or not hasattr(opts, "model"):
        return True  # not a ModelForm
    return opts.model is not None and not opts.model._meta.swapped


def _all_form_classes() -> list[type[forms.BaseForm]]:
    found = {*_project_form_classes(), *_url_form_classes(), *_admin_form_classes()}
    # A ModelForm without a model is a base for others (CleanTextModelForm); Django's user
    # forms for auth.User are not used (core.User replaces it).
    found = {cls for cls in found if _model_in_use(cls)}
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__, id(cls)))


def _first_argument(cls) -> str:
    """The name of the constructor's first positional parameter (past mixins' *args)."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            parameters = inspect.signature(klass.__init__).parameters.values()
            named = [p.name for p in parameters if p.kind in positional and p.name != "self"]
            if named:
                return named[0]
    return ""


def _build(cls: type[forms.BaseForm], data: dict) -> forms.BaseForm:
    builder = next((KWARGS[base] for base in cls.__mro__ if base in KWARGS), dict)
    kwargs = builder()
    first = _first_argument(cls)
    if first == "user":
        return cls(User(username="someone"), data, **kwargs)
    if first == "request":
        request = RequestFactory().post("/login/")
        return cls(request, data=data, **kwargs)
    return cls(data, {}, **kwargs)


def _stock_patterns() -> list[re.Pattern]:
    """Django's messages as patterns (their placeholders match anything)."""
    templates = set()
    for cls in [forms.Field, *_subclasses(forms.Field)]:
        for klass in cls.__mro__:
            templates.update(getattr(klass, "default_error_messages", {}).values())
    for validator in (validators.EmailValidator, validators.URLValidator,
                      validators.MaxLengthValidator, validators.MinLengthValidator,
                      validators.MaxValueValidator, validators.MinValueValidator,
                      validators.ProhibitNullCharactersValidator):  # fmt: skip
        templates.add(validator.message)
    patterns = []
    for template in templates:
        text = str(template)
        if text:
            escaped = re.escape(text)
            patterns.append(re.compile(re.sub(r"%(\\\([a-z_]+\\\))?[sd]", ".*", escaped)))
    return patterns


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _problems(form: forms.BaseForm, stock: list[re.Pattern]) -> list[str]:
    problems = []
    for name, errors in form.errors.as_data().items():
        if name == "__all__":
            continue
        field = form.fields[name]
        label = str(field.label or forms.forms.pretty_name(name))
        for error in errors:
            message = " ".join(str(m) for m in error)
            if any(pattern.fullmatch(message) for pattern in stock):
                problems.append(f"{type(form).__qualname__}.{name}: stock message {message!r}")
            elif (
                error.code == "required"
                and label.lower() not in message.lower()
                and message not in {str(own) for own in OWN_MESSAGES}
            ):
                problems.append(f"{type(form).__qualname__}.{name}: {message!r} lacks {label!r}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_form_submitted_empty_names_each_field_that_needs_an_answer(language):
    classes = _all_form_classes()
    assert len(classes) > 30, "the walk found too few forms"
    problems = []
    with translation.override(language):
        stock = _stock_patterns()
        for cls in classes:
            form = _build(cls, {})
            form.is_valid()
            problems += _problems(form, stock)
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_every_form_given_nonsense_says_what_is_wrong_with_each_field_by_name():
    problems = []
    with translation.override("ja"):
        stock = _stock_patterns()
        for cls in _all_form_classes():
            fields = _build(cls, {}).fields
            data = {}
            for name, field in fields.items():
                key = _build(cls, {}).add_prefix(name)
                nonsense = "x" * 5000 if isinstance(field, forms.CharField) else "x"
                if isinstance(field, forms.MultipleChoiceField):
                    data[key] = ["x"]
                elif not isinstance(field, forms.BooleanField | forms.FileField):
                    data[key] = nonsense
            form = _build(cls, data)
            form.is_valid()
            problems += _problems(form, stock)
    assert problems == [], "\n".join(problems)


PREFECTURES = [("13", "東京都")]
JAPANESE = [
    (forms.CharField(label="事業者名"), "", "事業者名を入力してください。"),
    (forms.ChoiceField(label="都道府県", choices=PREFECTURES), "", "都道府県を選択してください。"),
    (
        forms.ChoiceField(label="都道府県", choices=PREFECTURES),
        "99",
        "都道府県は一覧から選択してください（「99」は一覧にありません）。",
    ),
    (
        forms.BooleanField(label="同意します"),
        "",
        "「同意します」を確認して、チェックを入れてください。",
    ),
    (
        forms.ChoiceField(label="輸出は実現しましたか", choices=[("y", "はい")]),
        "",
        "「輸出は実現しましたか」にお答えください。",
    ),
    (
        forms.EmailField(label="メールアドレス"),
        "a@",
        "メールアドレスは name@example.jp のような形で入力してください。",
    ),
    (
        forms.URLField(label="ウェブサイト", assume_scheme="https"),
        "http://",
        "ウェブサイトは https://example.jp のような形で入力してください。",
    ),
    (
        forms.IntegerField(label="従業員数"),
        "1.5",
        "従業員数は整数（数字のみ）で入力してください。",
    ),
    (
        forms.IntegerField(label="従業員数", min_value=0),
        "-1",
        "従業員数は0以上で入力してください。",
    ),
    (
        forms.DateField(label="目標日"),
        "あした",
        "目標日は 2026-12-01 のような日付で入力してください。",
    ),
    (
        forms.CharField(label="部署", max_length=3),
        "総務部長",
        "部署は3文字以内で入力してください（今は4文字です）。",
    ),
]


@pytest.mark.parametrize(("field", "value", "expected"), JAPANESE)
def test_the_messages_read_naturally_in_japanese(field, value, expected):
    class OneFieldForm(CleanTextMixin, forms.Form):
        f = field

    with translation.override("ja"):
        form = OneFieldForm({"f": value})
        assert form.errors["f"] == [expected]
