import getpass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from outcomes import exports, services
from outcomes.filters import ProgressFilterForm
from outcomes.models import ProgressExport


class Command(BaseCommand):
    help = (
        "Write the progress report: one row per firm registered in the period (business-level "
        "data, logged), or with --aggregate the dashboard's tables with small cells "
        "suppressed (open data). Same columns and filters as the dashboard's downloads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=ProgressExport.Format.values, default="csv")
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--aggregate", action="store_true", help="the aggregate tables instead of firms"
        )
        parser.add_argument("--from", dest="date_from", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", help="last day (YYYY-MM-DD)")
        parser.add_argument("--region", default="", help="METI region code, e.g. tohoku")
        parser.add_argument("--prefecture", default="", help="JIS code, e.g. 04")
        parser.add_argument("--industry", default="", help="JSIC division, e.g. E")
        parser.add_argument("--size-class", default="", help="small, sme, mid or large")

    def handle(self, *args, **options):
        form = ProgressFilterForm({
            "date_from": options["date_from"] or "", "date_to": options["date_to"] or "",
            "region": options["region"], "prefecture": options["prefecture"],
            "industry": options["industry"], "size_class": options["size_class"],
        })  # fmt: skip
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(problems)
        filters = form.filters()
        kind = (
            ProgressExport.Kind.AGGREGATES
            if options["aggregate"]
            else ProgressExport.Kind.BUSINESSES
        )
        fmt = options["format"]
        with translation.override("ja"), open(options["output"], "wb") as target:
            if kind == ProgressExport.Kind.AGGREGATES:
                services.firm_progress_refresh()  # the figures as of now, beat or not
                rows = exports.aggregate_rows(filters)
                if fmt == "csv":
                    target.writelines(exports.aggregate_csv(filters, rows))
                else:
                    exports.aggregate_xlsx(target, filters, rows)
                count = len(rows)
            elif fmt == "csv":
                count = exports.business_progress_count(filters)
                target.writelines(exports.business_csv(filters))
            else:
                count = exports.business_xlsx(target, filters)
        with transaction.atomic():
            services.progress_export_log(
                user=None, via=f"manage.py export_progress ({getpass.getuser()})", kind=kind,
                fmt=fmt, filters=filters, row_count=count,
            )  # fmt: skip
        self.stdout.write(f"{count} rows written to {options['output']}")
