"""Recomputing the chain and checking it against the rows it records (``manage.py verify_log``)."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from .chain import GENESIS, HEAD_ID, SPEC_BY_LABEL, canonical_time, entry_hash
from .models import Entry, Head


@dataclass(frozen=True)
class Problem:
    """The first thing that does not match: the entry it concerns (None: the head) and why."""

    sequence: int | None
    model: str
    object_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry {self.sequence}" if self.sequence is not None else "the head"
        what = f" ({self.model} {self.object_id})" if self.object_id is not None else ""
        return f"{where}{what}: {self.reason}"


def _chain_problems(latest: dict[tuple[str, int], Entry]) -> Iterator[Problem]:
    previous, expected = GENESIS, 1
    sealed = Entry.objects.filter(sequence__isnull=False).order_by("sequence")
    for entry in sealed.iterator(chunk_size=2000):
        if entry.sequence != expected:
            yield Problem(expected, entry.model, None, f"missing (the next entry is {entry.sequence})")
            return
        if entry_hash(previous, entry) != entry.hash:
            yield Problem(entry.sequence, entry.model, entry.object_id, "its hash does not match its content")
            return
        latest[(entry.model, entry.object_id)] = entry
        previous, expected = entry.hash, expected + 1
    head = Head.objects.filter(pk=HEAD_ID).first()
    sequence, digest = (head.sequence, head.hash) if head else (0, GENESIS)
    if (sequence, digest) != (expected - 1, previous):
        ends = f"{expected - 1} {previous}"
        yield Problem(None, "", None, f"it says {sequence} {digest}, the chain ends at {ends}")
        return
    # Entries appended but not sealed yet (docs/rules.md §24) are each object's latest: a row is
    # checked against what it was last recorded as, sealed or not.
    for entry in Entry.objects.filter(sequence__isnull=True).order_by("id").iterator(chunk_size=2000):
        latest[(entry.model, entry.object_id)] = entry


def _source_problems(latest: dict[tuple[str, int], Entry]) -> Iterator[Problem]:
    """Each chained row as it is now against its last entry; rows the log never saw."""
    by_model: dict[str, dict[int, Entry]] = {}
    for (model, object_id), entry in latest.items():
        by_model.setdefault(model, {})[object_id] = entry
    for label, spec in SPEC_BY_LABEL.items():
        model_class: Any = apps.get_model(spec.label)
        entries = by_model.get(label, {})
        seen: set[int] = set()
        for row in model_class.objects.order_by("pk").iterator(chunk_size=2000):
            seen.add(row.pk)
            found = entries.get(row.pk)
            if found is None:
                yield Problem(None, label, row.pk, "the row is not in the log")
                continue
            if found.sequence is None:  # pending: not chained yet, only compared
                if spec.payload_of(row) != found.payload:
                    yield Problem(None, label, row.pk, "the row no longer matches its pending entry")
                continue
            at = spec.at_of(row)
            if spec.payload_of(row) != found.payload:
                yield Problem(found.sequence, label, row.pk, "the row no longer matches its entry")
            elif at is not None and canonical_time(at) != canonical_time(found.at):
                yield Problem(found.sequence, label, row.pk, "the row's time no longer matches its entry")
        for object_id in sorted(set(entries) - seen):
            yield Problem(entries[object_id].sequence, label, object_id, "the row it records is gone")


def verify() -> list[Problem]:
    """Every problem found, the chain's first (at most one: what follows a broken link cannot be
    trusted), then the rows', in the order of their entries. The chain is its sealed entries; the
    pending ones (``auditchain.chain.pending``) are only compared with their rows."""
    latest: dict[tuple[str, int], Entry] = {}
    chain = list(_chain_problems(latest))
    if chain:
        return chain
    rows = list(_source_problems(latest))
    return sorted(rows, key=lambda p: (p.sequence is None, p.sequence or 0, p.model, p.object_id or 0))
