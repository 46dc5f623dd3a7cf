import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reporting import services
from reporting.filters import ProgressFilterForm
from reporting.models import ProgressExport


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
        kind = (
            ProgressExport.Kind.AGGREGATES
            if options["aggregate"]
            else ProgressExport.Kind.BUSINESSES
        )
        with translation.override("ja"), open(options["output"], "wb") as target:
            delivery = services.progress_export_request(
                user=None, via=f"manage.py export_progress ({getpass.getuser()})", kind=kind,
                fmt=options["format"], filters=form.filters(), xlsx_target=target, fresh=True,
            )  # fmt: skip
            if delivery.csv_chunks is not None:
                target.writelines(delivery.csv_chunks)
        self.stdout.write(f"{delivery.export.row_count} rows written to {options['output']}")
