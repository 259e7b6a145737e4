"""``manage.py export_framework VN-2022 --version 1 --format xlsx -o vn-2022-v1.xlsx``.

Writes one framework version as YAML or XLSX (see ``indicators.interchange``). Without
``--version``: the current published version, else the highest-numbered one. Without ``-o``,
YAML goes to standard output; XLSX needs ``-o``. The format defaults to the output file's
extension (``.xlsx``, ``.yaml``/``.yml``), else YAML.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from indicators.interchange import export_xlsx, export_yaml
from indicators.models import FrameworkVersion


class Command(BaseCommand):
    help = "Export a framework version as YAML or XLSX (an XLSX can be edited in Excel)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version (a framework version) replaces Django's --version (its own release).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code", help="framework code, e.g. VN-2022")
        parser.add_argument(
            "--version",
            dest="number",
            type=int,
            help="version number (default: the published version, else the highest)",
        )
        parser.add_argument("--format", choices=["yaml", "xlsx"], help="default: from -o")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, code, number, format, output, **options):
        versions = FrameworkVersion.objects.filter(framework__code=code).select_related("framework")
        if number is not None:
            version = versions.filter(number=number).first()
        else:
            version = (
                versions.filter(status=FrameworkVersion.Status.PUBLISHED)
                .order_by("-number")
                .first()
                or versions.order_by("-number").first()
            )
        if version is None:
            raise CommandError(
                _("no version %(number)s of framework %(code)s")
                % {"number": number if number is not None else "", "code": code}
            )
        fmt = format or (
            "xlsx" if output and Path(output).suffix.lower() in (".xlsx", ".xlsm") else "yaml"
        )
        if fmt == "xlsx":
            if not output:
                raise CommandError(_("an XLSX export needs an output file: -o FILE.xlsx"))
            Path(output).write_bytes(export_xlsx(version))
        elif output:
            Path(output).write_text(export_yaml(version), encoding="utf-8")
        else:
            self.stdout.write(export_yaml(version), ending="")
            return
        self.stdout.write(_("wrote %(version)s to %(file)s") % {"version": version, "file": output})
