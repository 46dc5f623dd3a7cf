from django.core.management.base import BaseCommand

from reporting import selectors
from reporting.report import CSV_COLUMNS, outcome_report_csv


class Command(BaseCommand):
    help = (
        "The outcome report (seed 001's tables): per group, respondents, successes, target "
        "achievement, trajectory, own efforts and acceptable fees. Each firm counts once, with "
        "its most recent answer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--group-by", choices=selectors.GROUP_BY, default="menu_category")
        parser.add_argument("--format", choices=("table", "csv"), default="table")

    def handle(self, *args, **options):
        figures = selectors.outcome_report(group_by=options["group_by"])
        if options["format"] == "csv":
            self.stdout.write(outcome_report_csv(figures), ending="")
            return
        rows = [CSV_COLUMNS] + [
            tuple(
                "" if value is None else str(value) for value in group.csv_row()[: len(CSV_COLUMNS)]
            )
            for group in figures
        ]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(CSV_COLUMNS))]
        for row in rows:
            self.stdout.write("  ".join(str(v).rjust(w) for v, w in zip(row, widths, strict=True)))
