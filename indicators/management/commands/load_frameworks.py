"""``manage.py load_frameworks``: the shipped criteria frameworks (VN-2022, VN-2018)."""

from django.core.management.base import BaseCommand, CommandError

from indicators.services import FrameworkFileError, frameworks_load_shipped


class Command(BaseCommand):
    help = "Load the shipped criteria frameworks; existing versions are left unchanged."

    def handle(self, *args, **options):
        try:
            result = frameworks_load_shipped()
        except FrameworkFileError as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        for label in result.created:
            self.stdout.write(f"loaded {label}")
        for label in result.unchanged:
            self.stdout.write(f"unchanged {label}")
