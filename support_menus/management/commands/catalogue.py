from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from support_menus.models import SupportMenu
from support_menus.resources import (
    FORMATS,
    CatalogueFileError,
    catalogue_export,
    dataset_read,
    file_format,
    result_errors,
)
from support_menus.services import catalogue_import


class Command(BaseCommand):
    help = (
        "Export the support-menu catalogue to CSV or XLSX, or import one (the admin's columns). "
        "An import applies every row or none; re-importing updates menus by code."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the catalogue to a file")
        export.add_argument("--format", choices=FORMATS, default="csv")
        export.add_argument("--output", type=Path, required=True)
        imp = sub.add_parser("import", help="import a CSV (UTF-8) or XLSX file")
        imp.add_argument("file", type=Path)
        imp.add_argument("--dry-run", action="store_true", help="check the file, change nothing")
        imp.add_argument(
            "--if-empty", action="store_true",
            help="import only when the catalogue has no menu yet (first deployment)",
        )  # fmt: skip

    def handle(self, *args, **options):
        if options["action"] == "export":
            options["output"].write_bytes(catalogue_export(options["format"]))
            self.stdout.write(f"Wrote {options['output']}")
            return
        if options["if_empty"] and SupportMenu.objects.exists():
            self.stdout.write("The catalogue already has menus; nothing imported.")
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            dataset = dataset_read(path.read_bytes(), file_format(path.name))
        except CatalogueFileError as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            result = catalogue_import(dataset=dataset, dry_run=options["dry_run"])
        errors = result_errors(result)
        if errors:
            for line in errors:
                self.stderr.write(line)
            raise CommandError(f"{len(errors)} problem(s); nothing was imported.")
        totals = result.totals
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb} {path.name}: {totals.get('new', 0)} new, {totals.get('update', 0)} updated, "
            f"{totals.get('skip', 0)} unchanged."
        )
