"""Progress reports as files: the rows (one per firm, or the aggregate tables) and the CSV and
XLSX writers. Memory stays bounded whatever the number of firms: rows come from a server-side
cursor in chunks, CSV is written chunk by chunk (and streamed to the browser), and XLSX uses
openpyxl's write-only mode. Every text cell is neutralised against formula injection."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict

from django.db.models import CharField, Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.models import MetiRegion
from core.spreadsheet import neutralise, xlsx_safe
from counselling.models import Case, Stage
from outcomes.models import SurveyResponse
from registrations.models import ChallengeType, ReferralSource
from registrations.size_class import SizeClass
from reporting.dashboard import ADOPTED, progress_cases, progress_dashboard
from reporting.filters import ProgressFilters
from reporting.progress import SUPPRESSION_RULE, open_data_rows
from reporting.resources import (
    AggregateResource,
    BusinessProgressResource,
    ReferralProgressResource,
)
from support_menus.models import Proposal

CHUNK_ROWS = 2000

# The columns as the query returns them (codes), before labels are put in.
BUSINESS_COLUMNS = {
    "reference": "registration__reference",
    "name": "registration__business__name",
    "corporate_number": "registration__business__corporate_number",
    "prefecture": "registration__business__prefecture__name",
    "region": "registration__business__prefecture__region",
    "industry": "registration__business__industry__name",
    "size_class": "registration__business__size_class",
    "challenge_type": "registration__challenge_type",
    "referral": "registration__referral_source",
}


def _count_of(queryset) -> Coalesce:
    counted = queryset.order_by().values("case_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def business_progress_queryset(filters: ProgressFilters) -> QuerySet:
    """The firms registered in the period, one row of values each (codes, not labels),
    oldest registration first."""
    proposals = Proposal.objects.filter(case_id=OuterRef("pk"))
    latest_export = (
        SurveyResponse.objects.filter(
            survey__case_id=OuterRef("pk"), export_realised=SurveyResponse.ExportRealised.YES
        )
        .order_by("-answered_at", "-pk")
        .values("destinations")
    )
    return (
        progress_cases(filters)
        .filter(registered__gte=filters.start, registered__lt=filters.end)
        .annotate(
            registered_on=TruncDate("registered"),
            first_contact_on=TruncDate("first_contact_at"),
            menus_proposed=_count_of(proposals),
            menus_adopted=_count_of(proposals.filter(status__in=ADOPTED)),
            export_destinations=Subquery(latest_export[:1], output_field=CharField()),
        )
        .order_by("registered", "pk")
        .values(
            "pk", *BUSINESS_COLUMNS.values(), "registered_on", "first_contact_on", "stage",
            "status", "menus_proposed", "menus_adopted", "realised_on", "export_destinations",
        )
    )  # fmt: skip


def business_progress_count(filters: ProgressFilters) -> int:
    return (
        progress_cases(filters)
        .filter(registered__gte=filters.start, registered__lt=filters.end)
        .count()
    )


def business_progress_rows(
    filters: ProgressFilters, *, case_ids: list[int] | None = None
) -> Iterator[dict]:
    """Each firm's row with labels in place of codes, read in chunks (only the cases given,
    when given)."""
    labels = {
        "region": dict(MetiRegion.choices), "size_class": dict(SizeClass.choices),
        "challenge_type": dict(ChallengeType.choices), "referral": dict(ReferralSource.choices),
        "stage": dict(Stage.choices), "status": dict(Case.Status.choices),
    }  # fmt: skip
    labels = {column: {k: str(v) for k, v in choices.items()} for column, choices in labels.items()}
    country_names: dict[str, str] = {}
    separator = _(", ")

    def destinations(codes: str | None) -> str:
        if not codes:
            return ""
        if codes not in country_names:
            country_names[codes] = separator.join(
                str(countries.name(code)) for code in codes.split(",")
            )
        return country_names[codes]

    queryset = business_progress_queryset(filters)
    if case_ids is not None:
        queryset = queryset.filter(pk__in=case_ids)
    for values in queryset.iterator(chunk_size=CHUNK_ROWS):
        row = {column: values[path] for column, path in BUSINESS_COLUMNS.items()}
        row["case_id"] = values["pk"]
        for column, choices in labels.items():
            code = row[column] if column in row else values[column]
            row[column] = choices.get(code, code or "")
        row["corporate_number"] = row["corporate_number"] or ""
        row["registered_on"] = values["registered_on"]
        row["first_contact_on"] = values["first_contact_on"]
        row["menus_proposed"] = values["menus_proposed"]
        row["menus_adopted"] = values["menus_adopted"]
        row["realised_on"] = values["realised_on"]
        row["destinations"] = destinations(values["export_destinations"])
        yield row


def aggregate_rows(filters: ProgressFilters) -> list[dict]:
    return [asdict(row) for row in open_data_rows(progress_dashboard(filters).tables)]


def aggregate_notes(filters: ProgressFilters) -> list[str]:
    """What an open-data file says about itself: the period, the filters and the rule."""
    return [
        _("Progress of the New Export 10,000 Companies Support Program"),
        _("Period: %(start)s to %(end)s. Filters: %(filters)s. Created %(now)s.") % {
            "start": filters.date_from.isoformat(), "end": filters.date_to.isoformat(),
            "filters": filter_summary(filters),
            "now": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
        _("Suppression: %(rule)s") % {"rule": SUPPRESSION_RULE},
    ]  # fmt: skip


def filter_summary(filters: ProgressFilters) -> str:
    parts = [f"{key}={value}" for key, value in filters.as_dict().items()
             if value and key not in ("date_from", "date_to")]  # fmt: skip
    return ", ".join(parts) or _("none")


# --- Writers ----------------------------------------------------------------------------------


def csv_chunks(headers: list[str], rows: Iterable[list], notes: Iterable[str] = ()):
    """CSV text in chunks of CHUNK_ROWS rows: UTF-8 with a byte-order mark (so Excel reads
    Japanese), note lines first (each starting with #), then the header and the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    for note in notes:
        # Written as is: csv would quote a note with a comma, and the line would no longer
        # start with # (readers skip comment lines only when they do).
        buffer.write(f"# {note}\r\n")
    writer.writerow(headers)
    yield buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([neutralise(value) for value in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _text_cell(sheet, value):
    """openpyxl writes a string starting with = as a formula; keep such a cell text. The
    control characters openpyxl refuses (a vertical tab in a firm's name) are removed."""
    value = xlsx_safe(value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def write_xlsx(
    target, headers: list[str], rows: Iterable[list], *, title: str, notes: Iterable[str] = ()
) -> int:
    """An XLSX in write-only mode (constant memory), notes on a second sheet. Returns the
    number of rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([xlsx_safe(header) for header in headers])
    count = 0
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
        count += 1
    notes = list(notes)
    if notes:
        notes_sheet = workbook.create_sheet(_("Notes")[:31])
        for note in notes:
            notes_sheet.append([xlsx_safe(note)])
    workbook.save(target)
    return count


def business_csv(filters: ProgressFilters):
    resource = BusinessProgressResource()
    return csv_chunks(resource.headers(), resource.values(business_progress_rows(filters)))


def business_xlsx(target, filters: ProgressFilters) -> int:
    resource = BusinessProgressResource()
    return write_xlsx(
        target, resource.headers(), resource.values(business_progress_rows(filters)),
        title=_("Progress by firm"),
    )  # fmt: skip


def aggregate_csv(filters: ProgressFilters, rows: list[dict]):
    resource = AggregateResource()
    return csv_chunks(resource.headers(), resource.values(rows), aggregate_notes(filters))


def aggregate_xlsx(target, filters: ProgressFilters, rows: list[dict]) -> int:
    resource = AggregateResource()
    return write_xlsx(
        target, resource.headers(), resource.values(rows), title=_("Aggregates"),
        notes=aggregate_notes(filters),
    )  # fmt: skip


def referral_csv(funnel, referrals) -> list[bytes]:
    """A partner's download: the funnel as note lines (each figure with its definition), then
    one row per referral with what it became (ReferralProgressResource's columns). Built at
    once: a partner's referrals are hundreds, not the ministry's hundred thousand."""
    resource = ReferralProgressResource()
    separator = _(", ")
    notes = [
        _("%(label)s: %(value)s (%(definition)s)")
        % {"label": step.label, "value": step.value, "definition": step.definition}
        for step in funnel
    ]
    rows = [
        {
            **asdict(referral),
            "status": referral.status_label,
            "menus_proposed": separator.join(p.menu for p in referral.proposals),
            "menus_adopted": separator.join(p.menu for p in referral.adopted),
            "realised": _("Yes") if referral.realised_on else _("No"),
        }
        for referral in referrals
    ]
    return list(csv_chunks(resource.headers(), resource.values(rows), notes))
