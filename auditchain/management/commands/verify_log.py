"""``manage.py verify_log``: recompute the hash chain and check it against the rows it records
(docs/rules.md §24). Exits 1 naming the first entry that does not match."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from auditchain.chain import pending
from auditchain.models import Head
from auditchain.verify import verify


class Command(BaseCommand):
    help = "Recompute the tamper-evident log's hash chain and check each chained row against it."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify()
        if problems:
            for problem in problems[1:]:
                self.stderr.write(f"also: {problem}")
            raise CommandError(f"The log does not match at {problems[0]} ({len(problems)} problem(s)).")
        head = Head.objects.filter(pk=1).first()
        sequence, digest = (head.sequence, head.hash) if head else (0, "0" * 64)
        waiting = pending()
        self.stdout.write(
            f"The log is intact: {sequence} entries, head {digest}."
            + (f" {waiting} more appended, not sealed yet." if waiting else "")
        )
