from typing import Any

from .chain import GENESIS, HEAD_ID, pending
from .models import Head


def log_head() -> dict[str, Any]:
    """The chain's head as published: ``{sequence, hash, at, pending}`` — the last sealed entry,
    and how many entries are appended but not sealed yet (docs/rules.md §24)."""
    head = Head.objects.filter(pk=HEAD_ID).first()
    waiting = pending()
    if head is None:
        return {"sequence": 0, "hash": GENESIS, "at": None, "pending": waiting}
    return {"sequence": head.sequence, "hash": head.hash, "at": head.at, "pending": waiting}
