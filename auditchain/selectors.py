from typing import Any

from .chain import GENESIS, HEAD_ID
from .models import Head


def log_head() -> dict[str, Any]:
    """The chain's head as published: ``{sequence, hash, at}``."""
    head = Head.objects.filter(pk=HEAD_ID).first()
    if head is None:
        return {"sequence": 0, "hash": GENESIS, "at": None}
    return {"sequence": head.sequence, "hash": head.hash, "at": head.at}
