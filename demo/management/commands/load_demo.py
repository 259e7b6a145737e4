"""``manage.py load_demo``: demo users, enterprises and campaigns; prints the demo logins."""

from django.core.management.base import BaseCommand

from demo.demo import DEMO_PASSWORD, demo_load, demo_registers_load


class Command(BaseCommand):
    help = "Load demo users (one per role), demo enterprises in Amata and campaigns 2023-2025."

    def handle(self, *args, **options):
        logins = demo_load()
        demo_registers_load()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            self.stdout.write(f"  {login.username:<16} {login.role:<14} {login.scope}")
        self.stdout.write("")
