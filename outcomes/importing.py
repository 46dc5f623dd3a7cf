"""Follow-up survey results from a CSV file (`manage.py import_survey_results`): answers taken
by phone or in hearings, and the results of participants from before this system.

One row per answer. Every row is checked first, with a message naming its row (row 1 is the
first row under the header), column and allowed values; only a file without a single problem
is written, in one transaction. Each answer is saved through `survey_answer`, exactly as a web
answer (an export realised moves the case to realised, the concierge is told), and then dated
the day it was given. An answer equal to the stored one is left alone, so importing the same
file again changes nothing."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.jp import cn

from core.csv_import import CSVImport, ImportFileError, date_parse, nfkc, yen_parse
from core.file_messages import (
    PROBLEMS,
    ROW_COLUMN_ERROR,
    ROW_ERROR,
    UNKNOWN_CODES,
    UNKNOWN_VALUE,
)
from core.models import Prefecture
from core.text import refusal
from core.validators import messages_of, validate_past_date, validate_yen
from counselling.models import Case
from counselling.services import case_open, case_status_set_legacy
from outcomes.models import Survey, SurveyResponse
from outcomes.services import FIRST_EXPORT_BEFORE_REGISTRATION, survey_answer, survey_create
from registrations.models import Business, Registration
from registrations.normalise import name_key
from registrations.services.legacy import LEGACY_NOTICE_VERSION, registration_legacy_create
from support_menus.models import SupportMenu

COLUMNS = (
    "corporate_number", "registration_ref", "wave_months", "answered_on", "export_realised",
    "first_export_date", "destinations", "products", "amount_yen", "mode", "target_set",
    "target_achieved", "trajectory", "own_efforts", "menus_used", "fee_band", "source",
)  # fmt: skip
LEGACY_COLUMNS = ("business_name", "prefecture")  # optional: firms created by --create-missing
SEPARATOR = ";"
JST = ZoneInfo("Asia/Tokyo")
ANSWERED_TIME = datetime.time(12)  # an answer is dated at noon, Japan time, of its day
PROGRESS_EVERY = 200  # rows between two progress reports of an import job

# --- Messages (the column is named by ROW_COLUMN_ERROR) ----------------------------------------

UNKNOWN_SURVEY_COLUMNS = _("Columns the survey results import does not know: %(columns)s.")
EXPECTED_SURVEY_COLUMNS = _(
    "The first row must name these columns: %(columns)s (optional: %(optional)s)."
)
VALUE_REQUIRED = _("A value is required.")
ALLOWED_OR_BLANK = _("%(allowed)s, or blank")
UNKNOWN_COUNTRIES = _(
    "Unknown country code(s): %(codes)s. Allowed: ISO 3166-1 alpha-2 codes such as JP, US or "
    "CN, separated by “;”."
)
UNKNOWN_MENUS = _(
    "Unknown support menu code(s): %(codes)s. Allowed: the codes of the support-menu catalogue "
    "(“manage.py catalogue export” lists them), separated by “;”."
)
FUTURE_DATE = _("The date %(value)s is in the future.")
FIRST_EXPORT_AFTER_ANSWER = _(
    "The first export (%(value)s) cannot be later than the answer (answered_on %(answered)s)."
)
FIRST_EXPORT_DATE_REQUIRED = _("Required when export_realised is yes.")
TARGET_NOT_SET = _("Leave this blank unless target_set is yes.")
TOO_LONG = _("At most %(max)s characters (this value has %(length)s).")
BAD_CORPORATE_NUMBER = _(
    "“%(value)s” is not a valid corporate number (法人番号): it needs 13 digits and a matching "
    "check digit."
)
NO_IDENTIFIER = _(
    "Give the firm's corporate_number or registration_ref (a sole proprietor registered before "
    "this system: business_name and prefecture, with --create-missing)."
)
UNKNOWN_REGISTRATION = _("No registration has the reference “%(value)s”.")
UNKNOWN_CORPORATE_NUMBER = _(
    "No registered business has the corporate number %(value)s. Register the firm, or import "
    "with --create-missing to create it as a participant from before this system."
)
UNKNOWN_SOLE_PROPRIETOR = _(
    "A row without corporate_number or registration_ref is only imported with --create-missing."
)
NO_CASE = _("The firm has no counselling case to attach the answer to.")
IDENTIFIERS_DISAGREE = _(
    "The corporate number %(number)s and the registration %(reference)s belong to different firms."
)
LEGACY_VALUE_REQUIRED = _("Required to create a firm that is not registered (--create-missing).")
UNKNOWN_PREFECTURE = _(
    "Unknown prefecture “%(value)s”. Allowed: a JIS code from 01 to 47 (for example 13) or the "
    "prefecture's name in Japanese (for example 東京都)."
)
AMBIGUOUS_SOLE_PROPRIETOR = _(
    "More than one imported sole proprietor has this name in this prefecture; give the "
    "registration_ref instead."
)
REPEATED_ANSWER = _("Row %(other)s already has an answer from this firm for this wave.")
IMPORTED = _(
    "Imported %(file)s: %(created)s new answer(s), %(updated)s updated, %(unchanged)s "
    "unchanged; %(surveys)s survey(s) and %(firms)s firm(s) created."
)
DRY_RUN = _(
    "Dry run, nothing saved. %(file)s would import %(created)s new answer(s), %(updated)s "
    "updated, %(unchanged)s unchanged; %(surveys)s survey(s) and %(firms)s firm(s) created."
)

# On the timeline of a case --create-missing opens, in the site's language.
LEGACY_CASE_EVENT = _(
    "Imported with follow-up survey results (participant from before this system)"
)


class SurveyFileError(ImportFileError):
    """The file as a whole cannot be imported (encoding, format, columns)."""


class SurveyResultsFile(CSVImport):
    """The file of the survey-results import (core.csv_import reads every import's file)."""

    columns = COLUMNS
    optional_columns = LEGACY_COLUMNS
    unknown_columns_message = UNKNOWN_SURVEY_COLUMNS
    expected_columns_message = EXPECTED_SURVEY_COLUMNS
    error_class = SurveyFileError


@dataclass
class RowBusiness:
    """Who a row is about: a registered firm's case, or a firm --create-missing creates."""

    key: tuple  # rows with the same key are about the same firm
    case_id: int | None = None
    corporate_number: str = ""
    name: str = ""
    prefecture: Prefecture | None = None


@dataclass
class Row:
    number: int
    business: RowBusiness
    wave_months: int
    answered_on: datetime.date
    source: str
    answer: dict  # SurveyResponse field -> value; menus_used is a list of menu pks

    def comparable(self) -> dict:
        return {**self.answer, "destinations": sorted(self.answer["destinations"]),
                "own_efforts": sorted(self.answer["own_efforts"]),
                "menus_used": sorted(self.answer["menus_used"]),
                "source": self.source, "answered_on": self.answered_on}  # fmt: skip


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    surveys_created: int = 0
    businesses_created: int = 0
    dry_run: bool = False

    def summary(self, file_name: str) -> str:
        message = DRY_RUN if self.dry_run else IMPORTED
        return message % {
            "file": file_name, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "surveys": self.surveys_created,
            "firms": self.businesses_created,
        }  # fmt: skip


# --- Reading the file --------------------------------------------------------------------------


def file_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (lower-cased column names) and the numbered rows that are not blank."""
    return SurveyResultsFile().read(data)


# --- Checking rows -----------------------------------------------------------------------------


def _allowed(values, *, blank: bool = False) -> str:
    allowed = ", ".join(values)
    return str(ALLOWED_OR_BLANK % {"allowed": allowed}) if blank else allowed


class _Checker:
    """Turns the cells of a file into rows to import, collecting every problem on the way.
    Reference data (prefectures, menus) is read once; firms once per identifier."""

    def __init__(self, *, create_missing: bool):
        self.create_missing = create_missing
        self.errors: list[str] = []
        self.today = timezone.localdate()
        self.waves = sorted(settings.SURVEY_WAVES_MONTHS)
        self.menus = dict(SupportMenu.objects.values_list("code", "pk"))
        prefectures = list(Prefecture.objects.all())
        self.prefectures = {p.code: p for p in prefectures} | {p.name: p for p in prefectures}
        self.by_reference: dict[str, Registration | None] = {}
        self.by_number: dict[str, Business | None] = {}
        self.cases: dict[int, int | None] = {}  # business pk -> its most recent case
        self.registered: dict[int, datetime.date | None] = {}  # case pk -> registration day

    # Errors.

    def error(self, number: int, column: str, message) -> None:
        self.errors.append(
            str(ROW_COLUMN_ERROR % {"row": number, "field": column, "error": message})
        )

    def row_error(self, number: int, message) -> None:
        self.errors.append(str(ROW_ERROR % {"row": number, "error": message}))

    # Cells.

    def choice(self, number, cells, column, choices, *, required: bool) -> str:
        value = nfkc(cells.get(column, "")).lower()
        if not value:
            if required:
                self.error(number, column, VALUE_REQUIRED)
            return ""
        if value not in choices.values:
            allowed = _allowed(choices.values, blank=not required)
            self.error(number, column, UNKNOWN_VALUE % {"value": value, "allowed": allowed})
            return ""
        return value

    def date(self, number, cells, column, *, required: bool) -> datetime.date | None:
        try:
            day = date_parse(cells.get(column, ""))
        except ValueError as error:
            self.error(number, column, error)
            return None
        if day is None:
            if required:
                self.error(number, column, VALUE_REQUIRED)
        elif day > self.today:
            self.error(number, column, FUTURE_DATE % {"value": day.isoformat()})
            return None
        else:
            try:
                validate_past_date(day)  # not before the program's start year (ADR 0013)
            except ValidationError as error:
                for message in messages_of(error):
                    self.error(number, column, message)
                return None
        return day

    @staticmethod
    def items(cells, column, *, case=str.lower) -> list[str]:
        """The `;`-separated codes of a cell, once each, in `case` (str for as written)."""
        text = case(nfkc(cells.get(column, "")))
        return list(dict.fromkeys(item.strip() for item in text.split(SEPARATOR) if item.strip()))

    def text(self, number, cells, column, *, max_length: int) -> str:
        value = cells.get(column, "").strip()
        refused = refusal(value)  # single-line, like the forms (core.text)
        if refused:
            self.error(number, column, refused)
        if len(value) > max_length:
            self.error(number, column, TOO_LONG % {"max": max_length, "length": len(value)})
        return value

    def amount(self, number, cells, column) -> int | None:
        try:
            amount = yen_parse(cells.get(column, ""))
        except ValueError as error:
            self.error(number, column, error)
            return None
        if amount is None:
            return None
        try:
            validate_yen(amount)
        except ValidationError as error:
            for message in messages_of(error):
                self.error(number, column, message)
            return None
        return amount

    # Firms.

    def registered_on(self, business: RowBusiness | None) -> datetime.date | None:
        """The day the firm of a row registered (None for one from before this system)."""
        if business is None or business.case_id is None:
            return None
        if business.case_id not in self.registered:
            registered_at = (
                Case.objects.filter(pk=business.case_id)
                .values_list("registration__registered_at", flat=True)
                .first()
            )
            self.registered[business.case_id] = registered_at and timezone.localdate(registered_at)
        return self.registered[business.case_id]

    def _registration(self, reference: str) -> Registration | None:
        if reference not in self.by_reference:
            self.by_reference[reference] = (
                Registration.objects.select_related("business", "case")
                .filter(reference=reference)
                .first()
            )
        return self.by_reference[reference]

    def _business(self, number: str) -> Business | None:
        if number not in self.by_number:
            business = (
                Business.objects.select_related("merged_into")
                .filter(corporate_number=number)
                .first()
            )
            self.by_number[number] = business and (business.merged_into or business)
        return self.by_number[number]

    def _case_of(self, business: Business) -> int | None:
        """The case of the firm's most recent registration that has one."""
        if business.pk not in self.cases:
            self.cases[business.pk] = (
                Case.objects.filter(registration__business=business)
                .order_by("-registration__created_at", "-registration__pk")
                .values_list("pk", flat=True)
                .first()
            )
        return self.cases[business.pk]

    def row_business(self, number: int, cells: dict) -> RowBusiness | None:
        corporate_number = nfkc(cells.get("corporate_number", ""))
        reference = nfkc(cells.get("registration_ref", "")).upper()
        if corporate_number:
            try:
                corporate_number = cn.validate(corporate_number)
            except StdnumValidationError:
                self.error(number, "corporate_number",
                           BAD_CORPORATE_NUMBER % {"value": corporate_number})  # fmt: skip
                return None
        if reference:
            registration = self._registration(reference)
            if registration is None:
                self.error(number, "registration_ref", UNKNOWN_REGISTRATION % {"value": reference})
                return None
            business = registration.business.merged_into or registration.business
            if corporate_number and corporate_number not in (
                registration.business.corporate_number,
                business.corporate_number,
            ):
                self.row_error(number, IDENTIFIERS_DISAGREE % {"number": corporate_number,
                                                               "reference": reference})  # fmt: skip
                return None
            case = getattr(registration, "case", None)
            if case is None:
                self.error(number, "registration_ref", NO_CASE)
                return None
            return RowBusiness(key=("case", case.pk), case_id=case.pk)
        if corporate_number:
            business = self._business(corporate_number)
            if business is not None:
                case_id = self._case_of(business)
                if case_id is None:
                    self.error(number, "corporate_number", NO_CASE)
                    return None
                return RowBusiness(key=("case", case_id), case_id=case_id)
            if not self.create_missing:
                self.error(number, "corporate_number",
                           UNKNOWN_CORPORATE_NUMBER % {"value": corporate_number})  # fmt: skip
                return None
        elif not self.create_missing:
            self.row_error(number, UNKNOWN_SOLE_PROPRIETOR if self._has_legacy_values(cells)
                           else NO_IDENTIFIER)  # fmt: skip
            return None
        return self.legacy_business(number, cells, corporate_number)

    @staticmethod
    def _has_legacy_values(cells: dict) -> bool:
        return any(cells.get(column, "").strip() for column in LEGACY_COLUMNS)

    def legacy_business(
        self, number: int, cells: dict, corporate_number: str
    ) -> RowBusiness | None:
        """A firm --create-missing creates (or created on an earlier import of the file)."""
        name = self.text(number, cells, "business_name", max_length=200)
        prefecture_text = nfkc(cells.get("prefecture", ""))
        prefecture = self.prefectures.get(
            prefecture_text.zfill(2) if prefecture_text.isdigit() else prefecture_text
        )
        if not name:
            self.error(number, "business_name", LEGACY_VALUE_REQUIRED)
        if not prefecture_text:
            self.error(number, "prefecture", LEGACY_VALUE_REQUIRED)
        elif prefecture is None:
            self.error(number, "prefecture", UNKNOWN_PREFECTURE % {"value": prefecture_text})
        if not name or prefecture is None or len(name) > 200:
            return None
        if corporate_number:
            return RowBusiness(key=("corporate_number", corporate_number),
                        corporate_number=corporate_number, name=name,
                        prefecture=prefecture)  # fmt: skip
        # A sole proprietor has no number: one imported before is found by name and prefecture.
        key = name_key(name)
        earlier = list(
            Case.objects.filter(
                registration__business__entity_type=Business.EntityType.SOLE_PROPRIETOR,
                registration__business__corporate_number__isnull=True,
                registration__business__name_key=key,
                registration__business__prefecture=prefecture,
                registration__notice_version=LEGACY_NOTICE_VERSION,
            ).values_list("pk", flat=True)[:2]
        )
        if len(earlier) > 1:
            self.error(number, "business_name", AMBIGUOUS_SOLE_PROPRIETOR)
            return None
        if earlier:
            return RowBusiness(key=("case", earlier[0]), case_id=earlier[0])
        return RowBusiness(key=("sole_proprietor", key, prefecture.code), name=name,
                    prefecture=prefecture)  # fmt: skip

    # Rows.

    def row(self, number: int, cells: dict) -> Row | None:
        errors_before = len(self.errors)
        business = self.row_business(number, cells)
        wave = nfkc(cells.get("wave_months", ""))
        if not wave:
            self.error(number, "wave_months", VALUE_REQUIRED)
        elif not (wave.isdigit() and int(wave) in self.waves):
            allowed = _allowed(str(w) for w in self.waves)
            self.error(number, "wave_months", UNKNOWN_VALUE % {"value": wave, "allowed": allowed})
        answered_on = self.date(number, cells, "answered_on", required=True)
        R = SurveyResponse
        answer = {
            "export_realised": self.choice(number, cells, "export_realised", R.ExportRealised,
                                           required=True),
            "first_export_date": self.date(number, cells, "first_export_date", required=False),
            "destinations": self.destinations(number, cells),
            "products": self.text(number, cells, "products", max_length=300),
            "amount_yen": self.amount(number, cells, "amount_yen"),
            "mode": self.choice(number, cells, "mode", R.Mode, required=False),
            "target_set": self.choice(number, cells, "target_set", R.YesNo, required=False),
            "target_achieved": self.choice(number, cells, "target_achieved", R.YesNo,
                                           required=False),
            "trajectory": self.choice(number, cells, "trajectory", R.Trajectory, required=False),
            "own_efforts": self.own_efforts(number, cells),
            "menus_used": self.menus_used(number, cells),
            "fee_band": self.choice(number, cells, "fee_band", R.FeeBand, required=False),
        }  # fmt: skip
        source = self.choice(number, cells, "source", R.Source, required=False) or R.Source.IMPORT
        realised = answer["export_realised"] == R.ExportRealised.YES
        if realised and not answer["first_export_date"] and not cells["first_export_date"].strip():
            self.error(number, "first_export_date", FIRST_EXPORT_DATE_REQUIRED)
        first = answer["first_export_date"]
        if first and answered_on and first > answered_on:
            self.error(number, "first_export_date", FIRST_EXPORT_AFTER_ANSWER % {
                "value": first.isoformat(), "answered": answered_on.isoformat()})  # fmt: skip
        registered_on = self.registered_on(business)
        if first and registered_on and first < registered_on:
            self.error(number, "first_export_date", FIRST_EXPORT_BEFORE_REGISTRATION
                       % {"date": registered_on.isoformat()})  # fmt: skip
        if answer["target_achieved"] and answer["target_set"] != R.YesNo.YES:
            self.error(number, "target_achieved", TARGET_NOT_SET)
        if len(self.errors) > errors_before:
            return None
        return Row(number=number, business=business, wave_months=int(wave), answered_on=answered_on,
                   source=source, answer=answer)  # fmt: skip

    def destinations(self, number, cells) -> list[str]:
        codes = self.items(cells, "destinations", case=str.upper)
        unknown = [code for code in codes if len(code) != 2 or code not in countries]
        if unknown:
            self.error(number, "destinations", UNKNOWN_COUNTRIES % {"codes": ", ".join(unknown)})
        return codes

    def own_efforts(self, number, cells) -> list[str]:
        codes = self.items(cells, "own_efforts")
        allowed = SurveyResponse.OwnEffort.values
        unknown = [code for code in codes if code not in allowed]
        if unknown:
            codes_allowed = {"codes": ", ".join(unknown), "allowed": ", ".join(allowed)}
            self.error(number, "own_efforts", UNKNOWN_CODES % codes_allowed)
        return [code for code in allowed if code in codes]  # in the form's order

    def menus_used(self, number, cells) -> list[int]:
        codes = self.items(cells, "menus_used", case=str)  # slugs may have capitals
        unknown = [code for code in codes if code not in self.menus]
        if unknown:
            self.error(number, "menus_used", UNKNOWN_MENUS % {"codes": ", ".join(unknown)})
        return [self.menus[code] for code in codes if code in self.menus]


def rows_check(
    header: list[str], lines, *, create_missing: bool, progress=None
) -> tuple[list[Row], list[str]]:
    """Every row to import, or every problem of the file (then the rows are not usable)."""
    checker = _Checker(create_missing=create_missing)
    rows: list[Row] = []
    seen: dict[tuple, int] = {}
    for done, (number, cells) in enumerate(lines, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress("check", done)
        too_wide = SurveyResultsFile.width_problem(header, cells)
        if too_wide:
            checker.row_error(number, too_wide)
            continue
        row = checker.row(number, dict(zip(header, SurveyResultsFile.cells_fit(header, cells),
                                           strict=True)))  # fmt: skip
        if row is None:
            continue
        other = seen.setdefault((row.business.key, row.wave_months), number)
        if other != number:
            checker.row_error(number, REPEATED_ANSWER % {"other": other})
            continue
        rows.append(row)
    return rows, checker.errors


# --- Writing -----------------------------------------------------------------------------------


def _legacy_case_create(business: RowBusiness) -> Case:
    """The registration and case of a participant from before this system, in follow-up."""
    with translation.override(settings.LANGUAGE_CODE):
        note = str(LEGACY_CASE_EVENT)
    registration = registration_legacy_create(
        corporate_number=business.corporate_number,
        name=business.name,
        prefecture=business.prefecture,
    )
    case = case_open(registration=registration)
    return case_status_set_legacy(case=case, status=Case.Status.FOLLOW_UP, note=note)


def _stored_comparable(response: SurveyResponse) -> dict:
    return {
        "export_realised": response.export_realised,
        "first_export_date": response.first_export_date,
        "destinations": sorted(country.code for country in response.destinations),
        "products": response.products, "amount_yen": response.amount_yen, "mode": response.mode,
        "target_set": response.target_set, "target_achieved": response.target_achieved,
        "trajectory": response.trajectory, "own_efforts": sorted(response.own_efforts or []),
        "menus_used": sorted(response.menus_used.values_list("pk", flat=True)),
        "fee_band": response.fee_band, "source": response.source,
        "answered_on": timezone.localtime(response.answered_at, JST).date(),
    }  # fmt: skip


def _survey_for(case: Case, row: Row, result: ImportResult) -> Survey:
    survey = Survey.objects.filter(case=case, wave_months=row.wave_months).first()
    if survey is None:
        # A hearing often comes before any e-mail: the wave starts with its answer, unsent.
        survey = survey_create(case=case, wave_months=row.wave_months, due_on=row.answered_on)
        result.surveys_created += 1
    return survey


def _answer_save(survey: Survey, row: Row, response: SurveyResponse | None) -> None:
    data = dict(row.answer)
    if response is not None:  # what the file has no column for is kept, not erased
        data.update(satisfaction=response.satisfaction, comments=response.comments)
    answered_at = datetime.datetime.combine(row.answered_on, ANSWERED_TIME, tzinfo=JST)
    survey_answer(survey=survey, data=data, source=row.source, actor=None, answered_at=answered_at)


def rows_write(rows: list[Row], result: ImportResult, progress=None) -> None:
    cases: dict[tuple, Case] = {}
    for done, row in enumerate(rows, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress("import", done)
        case = cases.get(row.business.key)
        if case is None:
            if row.business.case_id is None:
                case = _legacy_case_create(row.business)
                result.businesses_created += 1
            else:
                case = Case.objects.get(pk=row.business.case_id)
            cases[row.business.key] = case
        survey = _survey_for(case, row, result)
        response = SurveyResponse.objects.filter(survey=survey).first()
        if response is not None and _stored_comparable(response) == row.comparable():
            result.unchanged += 1
            continue
        try:
            _answer_save(survey, row, response)
        except ValidationError as error:  # a rule of the model the checks above missed
            result.errors.extend(
                str(ROW_ERROR % {"row": row.number, "error": message}) for message in error.messages
            )
            continue
        if response is None:
            result.created += 1
        else:
            result.updated += 1


def survey_results_import(
    data: bytes, *, dry_run: bool = False, create_missing: bool = False, progress=None
) -> ImportResult:
    """Check the whole file, then import every row in one transaction, or nothing. A dry run
    does the same writes and rolls them back, so it finds everything a real import would.
    Raises SurveyFileError for a file that cannot be read at all. `progress(phase, rows)` is
    told every so many rows (an import job)."""
    header, lines = file_rows(data)
    result = ImportResult(dry_run=dry_run)
    rows, result.errors = rows_check(
        header, lines, create_missing=create_missing, progress=progress
    )
    if result.errors:
        return result
    with transaction.atomic():
        rows_write(rows, result, progress=progress)
        if dry_run or result.errors:
            transaction.set_rollback(True)
    if result.errors:
        result.created = result.updated = result.unchanged = 0
        result.surveys_created = result.businesses_created = 0
    return result


def problems_message(result: ImportResult) -> str:
    return str(PROBLEMS % {"count": len(result.errors)})


def file_row_count(data: bytes) -> int:
    """How many rows a file has (whether it is imported in the request or by a job). Raises
    SurveyFileError for a file that cannot be read at all."""
    return len(file_rows(data)[1])


def survey_results_import_job_runner(job, data: bytes, progress) -> tuple[str, list[str]]:
    """A stored survey results file, checked and imported by a worker (support_menus
    .import_jobs): the same import as the admin's and the command's."""
    try:
        result = survey_results_import(
            data, dry_run=job.dry_run, create_missing=job.options.get("create_missing", False),
            progress=progress,
        )  # fmt: skip
    except SurveyFileError as error:
        return "", [str(error)]
    if result.errors:
        return problems_message(result), result.errors
    return result.summary(job.file_name), []
