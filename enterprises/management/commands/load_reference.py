"""``manage.py load_reference``: provinces, VSIC 2018 sectors and the 97 reference parks."""

from django.core.management.base import BaseCommand

from enterprises.services import reference_load


class Command(BaseCommand):
    help = "Load the 34 provinces, VSIC 2018 sectors and the 97 reference parks (idempotent)."

    def handle(self, *args, **options):
        counts = reference_load()
        self.stdout.write(
            f"reference data: {counts.provinces} provinces, {counts.sectors} sectors, "
            f"{counts.parks} parks"
        )
