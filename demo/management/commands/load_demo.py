"""``manage.py load_demo``: demo users, enterprises and campaigns; prints the demo logins."""

from django.core.management.base import BaseCommand

from demo.demo import DEMO_PASSWORD, demo_load, demo_registers_load
from demo.reports import demo_reports_load


class Command(BaseCommand):
    help = (
        "Load demo users (one per role), demo enterprises in Amata, campaigns 2023-2025 and "
        "the 2025 reports (A.4, A.5 of Amata; B.4, B.5 of two demo enterprises)."
    )

    def handle(self, *args, **options):
        logins = demo_load()
        demo_registers_load()
        demo_reports_load()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<14} {login.scope}")
        self.stdout.write("")
