"""``manage.py ocds_export [path]``: every public OCDS release to a gzipped JSON-lines file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from opendata import bulk, ocds


class Command(BaseCommand):
    help = "Write every public OCDS release to releases.jsonl.gz (one release a line, gzipped)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="releases.jsonl.gz", help="where to write")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        total = ocds.public_tenders().count()
        with (
            tqdm(total=total, unit="tender", disable=options["no_progress"], file=self.stderr) as bar,
            path.open("wb") as out,
        ):
            written = bulk.write_releases(out, on_procedure=bar.update)
        self.stdout.write(f"{written} releases of {total} tenders written to {path}")
