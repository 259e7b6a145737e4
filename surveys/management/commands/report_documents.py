"""``manage.py report_documents``: write the official documents of a campaign to a folder, one
file per response and form named by its report code (``EZ_A4_17.docx``), for operators
(``docs/documents.md``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError

from enterprises.models import Enterprise, Park
from surveys.documents import FORMATS, campaign_responses, documents_written
from surveys.models import Campaign


def _unwritable(output: Path, exc: OSError) -> CommandError:
    """The error for an ``--output`` folder that cannot be created or written: the folder and
    the system's reason (``Permission denied``, ``No such file or directory``, …); a file in
    the way of the path is named."""
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError):
        blocker = next((p for p in (output, *output.parents) if p.is_file()), None)
        if blocker is not None:
            reason = f"{blocker} is a file, not a folder"
    return CommandError(f"--output {output}: cannot write the documents there: {reason}.")


class Command(BaseCommand):
    help = (
        "Write the official documents (Circular 05/2025 forms A.4, A.5, B.4, B.5) of a "
        "campaign's responses to a folder, one file per response and form named by its report "
        "code (EZ_A4_17.pdf). All or nothing: the files are written to a temporary folder and "
        "moved into --output only when every one was written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="the campaign's id")
        parser.add_argument("--park", type=int, help="only this park's reports (its tenants too)")
        parser.add_argument("--enterprise", type=int, help="only this enterprise's reports")
        parser.add_argument("--format", required=True, help="docx or pdf")
        parser.add_argument("--output", required=True, help="the folder to write to")
        parser.add_argument(
            "--language", default="vi", help="vi (the official language, default) or en"
        )
        parser.add_argument(
            "--user",
            help="write the documents as this user sees them (personal data of Part I shown "
            "when the user may see it); default: every response, personal data withheld",
        )

    def handle(self, *args, **options):
        fmt = (options["format"] or "").lower()
        if fmt not in FORMATS:
            raise CommandError(f"--format {options['format']!r}: choose docx or pdf.")
        if options["language"] not in ("vi", "en"):
            raise CommandError(f"--language {options['language']!r}: choose vi or en.")
        campaign = Campaign.objects.filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"--campaign {options['campaign']}: no campaign has this id.")
        if not campaign.report_forms:
            raise CommandError(
                f"--campaign {campaign.pk} ({campaign.name}) collects no official report forms."
            )
        park = enterprise = None
        if options["park"] is not None:
            park = Park.objects.filter(pk=options["park"]).first()
            if park is None:
                raise CommandError(f"--park {options['park']}: no park has this id.")
        if options["enterprise"] is not None:
            enterprise = Enterprise.objects.filter(pk=options["enterprise"]).first()
            if enterprise is None:
                raise CommandError(
                    f"--enterprise {options['enterprise']}: no enterprise has this id."
                )
        user = None
        reader = AnonymousUser()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user {options['user']!r}: no user has this name.")
            reader = user
        output = Path(options["output"])
        if output.exists() and not output.is_dir():
            raise CommandError(f"--output {output}: exists and is not a folder.")
        responses = campaign_responses(campaign, user, park=park, enterprise=enterprise)
        if not responses.exists():
            raise CommandError("No response of the campaign matches --park/--enterprise.")
        written = []
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            folder = tempfile.TemporaryDirectory(prefix=".report_documents-", dir=output.parent)
        except OSError as exc:
            raise _unwritable(output, exc) from exc
        with folder as tmp:
            for name, data in documents_written(
                responses, reader, fmt=fmt, language=options["language"]
            ):
                try:
                    (Path(tmp) / name).write_bytes(data)
                except OSError as exc:
                    raise _unwritable(output, exc) from exc
                written.append(name)
            clashes = [n for n in written if (output / n).exists()]
            try:
                output.mkdir(exist_ok=True)
                for name in written:
                    shutil.move(Path(tmp) / name, output / name)
            except OSError as exc:
                raise _unwritable(output, exc) from exc
        replaced = f" ({len(clashes)} replaced)" if clashes else ""
        self.stdout.write(f"{len(written)} documents written to {output}{replaced}.")
