"""The catalogue as a file: one column set for the admin's import and export, the
`catalogue` command and the starting catalogue shipped in support_menus/data/.

Every cell is checked strictly, with a message naming the allowed values, so a spreadsheet
edited by hand fails row by row instead of importing something half right."""

import datetime
from collections import Counter
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.results import Error

from core.csv_import import (
    CSVImport,
    ImportFileError,
    date_parse,
    header_name,
    yen_parse,
)
from core.file_messages import (
    NO_ROWS,
    ROW_COLUMN_ERROR,
    ROW_ERROR,
    UNKNOWN_CODES,
    UNKNOWN_VALUE,
    nul_cells,
)
from core.models import DestinationRegion, IndustryDivision, Prefecture
from core.spreadsheet import EscapedCSV, EscapedXLSX, unneutralise
from core.text import refusal
from counselling.models import IssueTag, Stage
from registrations.models import ChallengeType
from registrations.size_class import SizeClass
from support_menus.models import Category, EcRule, ProductField, Provider, SupportMenu
from support_menus.xlsx import WorkbookRefused, xlsx_dataset

# The starting catalogue: `catalogue import support_menus/data/catalogue.csv --if-empty`.
CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "catalogue.csv"
COLUMNS = (
    "code", "name", "provider", "category", "summary", "url", "source_url", "stages",
    "issue_tags", "size_classes", "corporation_only", "industries", "product_fields",
    "prefectures", "ec_experience", "challenge_types", "requires_target", "destination_regions",
    "fee_note", "subsidy_cap_yen", "subsidy_rate", "opens_on", "closes_on", "active",
    "confirmed_on",
)  # fmt: skip
FORMATS = ("csv", "xlsx")
PROGRESS_EVERY = 100  # rows between two progress reports of an import job
SEPARATOR = ";"

BAD_BOOLEAN = _("Write true or false (not “%(value)s”).")
UNKNOWN_COLUMNS = _("Columns this catalogue does not have: %(columns)s.")
EXPECTED_COLUMNS = _("The first row must name these columns: %(columns)s.")
DUPLICATE_CODES = _("The same code appears on more than one row: %(codes)s.")
NOT_XLSX = _("The file could not be read as an Excel workbook (.xlsx).")
BAD_FORMAT = _("Choose a .csv or .xlsx file.")
TOO_MANY_ROWS = _("The file has %(rows)s rows; a catalogue has at most %(max)s.")


class CatalogueFileError(ImportFileError):
    """The file as a whole cannot be imported (encoding, format, columns)."""


class CatalogueFile(CSVImport):
    """The catalogue's columns, checked as every import's (core.csv_import), whether the file
    is CSV or XLSX."""

    columns = COLUMNS
    unknown_columns_message = UNKNOWN_COLUMNS
    expected_columns_message = EXPECTED_COLUMNS
    error_class = CatalogueFileError


class FileError(Error):
    """A file-level error: the message says it all, a traceback would only confuse."""

    traceback = ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        if text not in self.choices.values:
            raise ValueError(UNKNOWN_VALUE % {"value": text, "allowed": ", ".join(self.choices)})
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ChoiceListWidget(widgets.Widget):
    """A JSON list of choice values, written "a;b;c"; kept in the choices' order."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        values = {part.strip() for part in _text(value).split(SEPARATOR) if part.strip()}
        unknown = sorted(values - set(self.choices.values))
        if unknown:
            raise ValueError(
                UNKNOWN_CODES % {"codes": ", ".join(unknown), "allowed": ", ".join(self.choices)}
            )
        return [choice for choice in self.choices.values if choice in values]

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(value or [])


class CodeListWidget(widgets.ManyToManyWidget):
    """Related rows by code, written "a;b;c"; an unknown code is an error, not dropped."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=SEPARATOR, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = {part.strip() for part in _text(value).split(SEPARATOR) if part.strip()}
        found = self.model.objects.filter(code__in=codes)
        unknown = sorted(codes - {item.code for item in found})
        if unknown:
            allowed = ", ".join(self.model.objects.order_by("code").values_list("code", flat=True))
            raise ValueError(UNKNOWN_CODES % {"codes": ", ".join(unknown), "allowed": allowed})
        return found

    def render(self, value, obj=None, **kwargs):
        return SEPARATOR.join(sorted(item.code for item in value.all())) if value else ""


class ProviderWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(Provider, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        code = _text(value)
        provider = Provider.objects.filter(code=code).first()
        if provider is None:
            allowed = ", ".join(Provider.objects.values_list("code", flat=True))
            raise ValueError(UNKNOWN_VALUE % {"value": code, "allowed": allowed})
        return provider


class BooleanWidget(widgets.Widget):
    TRUE = frozenset({"true", "1", "yes"})
    FALSE = frozenset({"false", "0", "no", ""})

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(BAD_BOOLEAN % {"value": _text(value)})

    def render(self, value, obj=None, **kwargs):
        return "true" if value else "false"


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        return date_parse(_text(value))

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class YenWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return yen_parse(_text(value))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class TextWidget(widgets.Widget):
    """Text as the forms take it: no control or format characters, and no line breaks but
    in a multi-line column (core.text), with the row and column in the message."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = _text(value)
        message = refusal(text, multiline=self.multiline)
        if message:
            raise ValueError(message)
        return text

    def render(self, value, obj=None, **kwargs):
        return value or ""


def _field(name: str, widget=None) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=widget or TextWidget())


class SupportMenuResource(resources.ModelResource):
    """Rows are matched on `code`: importing a file again updates the menus it names and
    leaves the others as they are. Each saved change is audited under the importing user."""

    code = _field("code")
    name = _field("name")
    provider = _field("provider", ProviderWidget())
    category = _field("category", ChoiceWidget(Category))
    summary = _field("summary", TextWidget(multiline=True))
    url = _field("url")
    source_url = _field("source_url")
    stages = _field("stages", ChoiceListWidget(Stage))
    issue_tags = _field("issue_tags", CodeListWidget(IssueTag))
    size_classes = _field("size_classes", ChoiceListWidget(SizeClass))
    corporation_only = _field("corporation_only", BooleanWidget())
    industries = _field("industries", CodeListWidget(IndustryDivision))
    product_fields = _field("product_fields", ChoiceListWidget(ProductField))
    prefectures = _field("prefectures", CodeListWidget(Prefecture))
    ec_experience = _field("ec_experience", ChoiceWidget(EcRule))
    challenge_types = _field("challenge_types", ChoiceListWidget(ChallengeType))
    requires_target = _field("requires_target", BooleanWidget())
    destination_regions = _field("destination_regions", ChoiceListWidget(DestinationRegion))
    fee_note = _field("fee_note")
    subsidy_cap_yen = _field("subsidy_cap_yen", YenWidget())
    subsidy_rate = _field("subsidy_rate")
    opens_on = _field("opens_on", DateWidget())
    closes_on = _field("closes_on", DateWidget())
    active = _field("active", BooleanWidget())
    confirmed_on = _field("confirmed_on", DateWidget())

    class Meta:
        model = SupportMenu
        fields = COLUMNS
        import_id_fields = ("code",)
        export_order = COLUMNS
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(self, *, actor=None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.progress = progress
        self.rows_done = 0

    def after_import_row(self, row, row_result, **kwargs):
        self.rows_done += 1
        if self.progress and self.rows_done % PROGRESS_EVERY == 0:
            self.progress("import", self.rows_done)

    def get_queryset(self):
        return SupportMenu.objects.select_related("provider").prefetch_related(
            "issue_tags", "industries", "prefectures"
        )

    def before_import(self, dataset, **kwargs):
        headers = [header_name(_text(header)) for header in dataset.headers or []]
        dataset.headers = headers
        # Our exports put an apostrophe before a cell that could run as a formula (or that
        # starts with one): take it off again, so an exported catalogue re-imports as it was.
        rows = [[unneutralise(cell) for cell in row] for row in dataset]
        del dataset[0 : len(dataset)]
        for row in rows:
            dataset.append(row)
        problems = CatalogueFile().header_problems(headers)
        if problems:
            self._refuse(dataset, " ".join(problems))
        nul = nul_cells(headers, enumerate(dataset, start=1))
        if nul:
            self._refuse(dataset, " ".join(nul))
        counts = Counter(_text(code) for code in dataset["code"])
        repeated = sorted(code for code, n in counts.items() if n > 1)
        if repeated:
            self._refuse(dataset, DUPLICATE_CODES % {"codes": ", ".join(repeated)})

    @staticmethod
    def _refuse(dataset, message) -> None:
        """Stop the whole file: no row is looked at, so the one message is the answer."""
        del dataset[0 : len(dataset)]
        raise CatalogueFileError(str(message))

    def import_instance(self, instance, row, **kwargs):
        """Check the many-to-many cells with the others, so an unknown code is reported
        against its column like any other bad value (they are saved after the row)."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if errors:
            raise ValidationError(errors)

    def handle_import_error(self, result, error, raise_errors=False):
        if isinstance(error, CatalogueFileError):
            result.append_base_error(FileError(error))
            return
        super().handle_import_error(result, error, raise_errors)

    def before_save_instance(self, instance, row, **kwargs):
        instance.updated_by = self.actor
        if instance.pk is None:
            instance.created_by = self.actor
        instance._history_user = self.actor

    def after_import(self, dataset, result, **kwargs):
        """A changed catalogue changes every case's best matches: re-rank after commit."""
        changed = result.totals.get("new", 0) + result.totals.get("update", 0)
        wanted = kwargs.get("rerank", True)
        if wanted and not kwargs.get("dry_run") and changed and not result.has_errors():
            from support_menus.services import case_rankings_refresh_all_on_commit

            case_rankings_refresh_all_on_commit()


def file_format(file_name: str) -> str:
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension not in FORMATS:
        raise CatalogueFileError(BAD_FORMAT)
    return extension


def dataset_read(data: bytes, file_format: str) -> tablib.Dataset:
    """Read an uploaded CSV (read as every import's: core.csv_import) or XLSX file into a
    dataset, or say clearly why it cannot be read. The columns are checked on import."""
    if file_format == "xlsx":
        try:
            dataset = xlsx_dataset(data)  # sizes checked before anything is read
        except WorkbookRefused as refused:
            raise CatalogueFileError(str(refused)) from None
        except Exception:  # zipfile and openpyxl raise many kinds for a file not a workbook
            raise CatalogueFileError(NOT_XLSX) from None
    else:
        header, rows = CatalogueFile().table(data)
        dataset = tablib.Dataset(headers=header)
        for number, cells in rows:
            too_wide = CatalogueFile.width_problem(header, cells)
            if too_wide:
                raise CatalogueFileError(str(ROW_ERROR % {"row": number, "error": too_wide}))
            dataset.append(CatalogueFile.cells_fit(header, cells))
    if not dataset.headers or not len(dataset):
        raise CatalogueFileError(NO_ROWS)
    if len(dataset) > settings.CATALOGUE_MAX_ROWS:
        raise CatalogueFileError(
            TOO_MANY_ROWS % {"rows": f"{len(dataset):,}", "max": f"{settings.CATALOGUE_MAX_ROWS:,}"}
        )
    return dataset


EXPORT_FORMATS = {"csv": EscapedCSV, "xlsx": EscapedXLSX}


def catalogue_export(file_format: str) -> bytes:
    """The whole catalogue in the import's columns (a few hundred rows: in memory is fine),
    written like the admin's export: a cell that could run as a formula starts with an
    apostrophe, which the import takes off again."""
    data = EXPORT_FORMATS[file_format]().export_data(SupportMenuResource().export())
    return data if isinstance(data, bytes) else data.encode("utf-8")


def result_errors(result) -> list[str]:
    """Every problem of an import result as a line: file-level ones first, then per row
    (row 1 is the first row under the header)."""
    lines = [str(error.error) for error in result.base_errors]
    for number, errors in result.row_errors():
        for error in errors:
            lines.append(ROW_ERROR % {"row": number, "error": error.error})
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            for message in messages:
                lines.append(
                    ROW_COLUMN_ERROR % {"row": invalid.number, "field": field, "error": message}
                )
    return lines
