"""``manage.py import_framework FILE.xlsx|FILE.yaml [--as-number N] [--keep-status]``.

Imports one framework document (see ``indicators.interchange``): checks everything first and
saves all or nothing. On error, prints each problem on its own line (naming sheet, cell and
column, or the YAML item and field) on standard error and exits with status 1. A version
that already exists is refused: give it a new number (in the file, or ``--as-number``). The
imported version is a draft unless ``--keep-status``.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.interchange import MAX_IMPORT_BYTES, import_xlsx, import_yaml
from indicators.services import FrameworkFileError


class Command(BaseCommand):
    help = "Import a framework version from an XLSX or YAML file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx or .yaml file")
        parser.add_argument(
            "--as-number", type=int, help="give the imported version this number instead"
        )
        parser.add_argument(
            "--keep-status",
            action="store_true",
            help="keep the file's status (default: the imported version is a draft)",
        )

    def handle(self, *args, file, as_number, keep_status, **options):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_IMPORT_BYTES:
                raise CommandError(_("the file is larger than 10 MB"))
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("cannot read %(file)s: %(error)s") % {"file": file, "error": exc}
            ) from None
        # .yaml/.yml is YAML; anything else must be an XLSX (the import refuses other files).
        is_yaml = path.suffix.lower() in (".yaml", ".yml")
        try:
            if is_yaml:
                result = import_yaml(data, as_number=as_number, keep_status=keep_status)
            else:
                result = import_xlsx(data, as_number=as_number, keep_status=keep_status)
        except FrameworkFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                _("%(n)d error(s) in %(file)s; nothing was saved.")
                % {"n": len(exc.errors), "file": file}
            ) from None
        for label in result.created:
            self.stdout.write(_("imported %(label)s") % {"label": label})
