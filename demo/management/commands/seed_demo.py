from django.core.management.base import BaseCommand

from demo.seed import LOGINS, PASSWORD, is_seeded, seed


class Command(BaseCommand):
    help = "Load the demo district, organisations, people, tenders in every state and contracts (idempotent)."

    def handle(self, *args, **options):
        if is_seeded():
            self.stdout.write("Demo data already present; nothing to do.")
        else:
            seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo log-ins (password for all: {PASSWORD}):")
        for username, role in LOGINS:
            self.stdout.write(f"  {username:<18} {role}")
