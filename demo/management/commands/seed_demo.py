from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.seed import LOGINS, PASSWORD, is_seeded, seed

# The development key's prefix (config/settings.py); a deployment sets its own DJANGO_SECRET_KEY.
DEVELOPMENT_KEY_PREFIX = "django-insecure"


class Command(BaseCommand):
    help = "Load the demo district, organisations, people, tenders in every state and contracts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--on-a-deployment",
            action="store_true",
            help="Load the demo even though DJANGO_SECRET_KEY is set (a staging copy, never production).",
        )

    def handle(self, *args, **options):
        if not settings.SECRET_KEY.startswith(DEVELOPMENT_KEY_PREFIX) and not options["on_a_deployment"]:
            raise CommandError(
                "DJANGO_SECRET_KEY is set, so this looks like a deployment: the demo would add a platform "
                f"admin whose password ({PASSWORD}) is public. Pass --on-a-deployment for a staging copy."
            )
        if is_seeded():
            self.stdout.write("Demo data already present; nothing to do.")
        else:
            seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Demo log-ins (password for all: {PASSWORD}):")
        for username, role in LOGINS:
            self.stdout.write(f"  {username:<18} {role}")
