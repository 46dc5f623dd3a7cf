from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.file_messages import NO_SUCH_FILE
from outcomes.importing import (
    COLUMNS,
    LEGACY_COLUMNS,
    SurveyFileError,
    problems_message,
    survey_results_import,
)


class Command(BaseCommand):
    help = (
        "Import follow-up survey results from a CSV file (UTF-8 or Shift_JIS), one row per "
        f"answer, with the columns {', '.join(COLUMNS)} (optional: {', '.join(LEGACY_COLUMNS)}). "
        "Every row is checked first; a file with any problem imports nothing. Answers equal to "
        "the stored ones are left alone, so importing a file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file, change nothing")
        parser.add_argument(
            "--create-missing", action="store_true",
            help="create firms that are not registered (participants from before this system); "
            "their rows need business_name and prefecture",
        )  # fmt: skip

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(str(NO_SUCH_FILE % {"path": path}))
        try:
            result = survey_results_import(
                path.read_bytes(), dry_run=options["dry_run"],
                create_missing=options["create_missing"],
            )  # fmt: skip
        except SurveyFileError as error:
            raise CommandError(str(error)) from None
        if result.errors:
            for line in result.errors:
                self.stderr.write(line)
            raise CommandError(problems_message(result))
        self.stdout.write(result.summary(path.name))
