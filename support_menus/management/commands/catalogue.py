from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from core.file_messages import NO_SUCH_FILE, PROBLEMS
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
            raise CommandError(NO_SUCH_FILE % {"path": path})
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
            raise CommandError(PROBLEMS % {"count": len(errors)})
        totals = result.totals
        counts = {
            "file": path.name, "new": totals.get("new", 0), "updated": totals.get("update", 0),
            "unchanged": totals.get("skip", 0),
        }  # fmt: skip
        if options["dry_run"]:
            summary = _("Would import %(file)s: %(new)s new, %(updated)s updated, "
                        "%(unchanged)s unchanged.")  # fmt: skip
        else:
            summary = _("Imported %(file)s: %(new)s new, %(updated)s updated, "
                        "%(unchanged)s unchanged.")  # fmt: skip
        self.stdout.write(summary % counts)
