"""``releases.jsonl.gz``: every public release, one JSON object a line, oldest first, gzipped."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from . import ocds


def release_lines(releases: Iterable[dict[str, Any]]) -> Iterable[bytes]:
    for release in releases:
        yield json.dumps(release, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def write_releases(
    out: IO[bytes], *, on_procedure: Callable[[int], None] | None = None, chunk: int = 50
) -> int:
    """Write every public release to ``out`` (gzipped JSON lines), a batch of procedures at a time
    so a long history never sits in memory whole; ``on_procedure(n)`` reports progress. Lines are
    ordered by release date within a batch and batches by tender: consumers sort by ``date``."""
    ids = list(ocds.public_tenders().order_by("id").values_list("id", flat=True))
    written = 0
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        for start in range(0, len(ids), chunk):
            batch = ids[start : start + chunk]
            built = ocds.releases_of(ocds.load(ocds.public_tenders().filter(pk__in=batch)))
            for line in release_lines(built):
                gz.write(line)
            written += len(built)
            if on_procedure is not None:
                on_procedure(len(batch))
    return written
