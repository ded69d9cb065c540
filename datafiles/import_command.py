"""The shape shared by `import_agencies`, `import_civil_servants` and `import_contributions`."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from .tables import MAX_IMPORT_BYTES


class ImportCommand(BaseCommand):
    """Load a CSV or XLSX file for scheduled loads from the HR system.

    Exit status is non-zero when the file is refused, when it has bad rows without
    --skip-bad-rows (then nothing is imported), or when every row is bad (skipping them
    leaves nothing to import: a scheduled load must not pass silently).
    """

    importer = None  # a datafiles.tables.TableImport subclass
    requires_system_checks: list = []  # a scheduled load need not import every URLconf

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv or .xlsx file with the documented header.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count; save nothing.")
        parser.add_argument(
            "--skip-bad-rows", action="store_true",
            help="Import the good rows and list the skipped ones (default: import nothing).",
        )

    def handle(self, *args, file, dry_run, skip_bad_rows, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(gettext("%(file)s: no such file.") % {"file": file})
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise CommandError(gettext("%(file)s: larger than 20 MB; split it.") % {"file": file})
        try:
            report = self.importer(system=True).run(
                path.read_bytes(), path.name, dry_run=dry_run, skip_bad_rows=skip_bad_rows
            )
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from None
        for error in report.errors:
            self.stderr.write(str(error))
        if (report.errors and not report.skipped) or report.nothing_to_import:
            raise CommandError(report.summary())
        if report.skipped:
            self.stderr.write(gettext("Skipped rows: %(rows)s") % {
                "rows": ", ".join(map(str, report.bad_rows))})
        self.stdout.write(report.summary())
