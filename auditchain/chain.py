"""The hash chain (docs/rules.md §24): what is chained, the canonical form, and appending.

An entry is the JSON object ``{"at", "kind", "model", "object_id", "payload", "sequence"}``;
its canonical form is ``json.dumps(entry, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8, with every value a string, an integer, a boolean or null:
decimals are strings with the field's decimal places (``"87.50"``), datetimes are strings in UTC,
``YYYY-MM-DDTHH:MM:SS.ffffffZ``. ``hash = SHA-256(previous ‖ canonical)`` in lowercase hex, where
``previous`` is the previous entry's hash as 64 ASCII hex characters (64 zeros before the first
entry). Anyone holding the entries can recompute every hash with a few lines of any language.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from .models import Entry, Head

GENESIS = "0" * 64
HEAD_ID = 1

Payload = dict[str, Any]


def canonical_time(value: datetime.datetime) -> str:
    """A datetime as the chain writes it: UTC, microseconds, ``Z``."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def document(
    *, sequence: int, kind: str, model: str, object_id: int, payload: Payload, at: datetime.datetime
) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "kind": kind,
        "model": model,
        "object_id": object_id,
        "payload": payload,
        "at": canonical_time(at),
    }


def canonical_json(entry: dict[str, Any]) -> bytes:
    return json.dumps(
        entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def link_hash(previous: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(previous.encode("ascii") + canonical_json(entry)).hexdigest()


def entry_hash(previous: str, entry: Entry) -> str:
    """The hash ``entry`` should have after ``previous``, recomputed from its stored fields (a
    sealed entry, or one being sealed: its sequence given)."""
    assert entry.sequence is not None
    return link_hash(
        previous,
        document(
            sequence=entry.sequence,
            kind=entry.kind,
            model=entry.model,
            object_id=entry.object_id,
            payload=entry.payload,
            at=entry.at,
        ),
    )


def _value(instance: models.Model, name: str) -> Any:
    field = instance._meta.get_field(name)
    assert isinstance(field, models.Field)
    value = getattr(instance, field.attname)
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None) or 0
        return format(value.quantize(Decimal(1).scaleb(-places)), "f")
    if isinstance(value, datetime.datetime):
        return canonical_time(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _transition_payload(log: models.Model) -> Payload:
    """A StateLog row: which object moved, by which transition, from and to. Not who, not why
    (descriptions may name people)."""
    content_type = ContentType.objects.get_for_id(log.content_type_id)  # type: ignore[attr-defined]
    return {
        "subject": f"{content_type.app_label}.{content_type.model}",
        "subject_id": str(log.object_id),  # type: ignore[attr-defined]
        "transition": log.transition,  # type: ignore[attr-defined]
        "from": log.source_state,  # type: ignore[attr-defined]
        "to": log.state,  # type: ignore[attr-defined]
    }


@dataclass(frozen=True)
class Spec:
    """What is chained of one model. ``fields`` name the payload's fields (key, model field);
    ``at_field`` is the row's own time, chained and checked; without it the entry is a snapshot
    taken when the row was saved, appended again whenever the payload changes."""

    kind: str
    label: str
    fields: tuple[tuple[str, str], ...] = ()
    payload: Callable[[models.Model], Payload] | None = None
    at_field: str | None = None

    @property
    def model_label(self) -> str:
        return self.label.lower()

    def payload_of(self, instance: models.Model) -> Payload:
        if self.payload is not None:
            return self.payload(instance)
        return {key: _value(instance, name) for key, name in self.fields}

    def at_of(self, instance: models.Model) -> datetime.datetime | None:
        return getattr(instance, self.at_field) if self.at_field else None


# What is chained (docs/rules.md §24). The models are named by label: the domain apps sit above
# this one and are never imported. No personal data: no names, household codes, comments, rating
# values, nor who acted.
SPECS: tuple[Spec, ...] = (
    Spec("transition", "django_fsm_log.StateLog", payload=_transition_payload, at_field="timestamp"),
    Spec(
        "score",
        "evaluations.ScoreEntry",
        fields=(
            ("evaluation", "evaluation"),
            ("kind", "kind"),
            ("score", "score"),
            ("previous_score", "previous_score"),
            ("n", "n"),
            ("n_pos", "n_pos"),
            ("previous_n", "previous_n"),
            ("previous_n_pos", "previous_n_pos"),
        ),
        at_field="entered_at",
    ),
    Spec(
        "bid_score",
        "marketplace.BidScoreEntry",
        fields=(
            ("bid", "bid"),
            ("criterion", "criterion"),
            ("score", "score"),
            ("previous_score", "previous_score"),
        ),
        at_field="entered_at",
    ),
    Spec("rating", "evaluations.Rating", fields=(("evaluation", "evaluation"), ("status", "status"))),
    Spec(
        "payment",
        "payments.Payment",
        fields=(
            ("instalment", "instalment"),
            ("amount", "amount"),
            ("currency", "currency"),
            ("gateway", "gateway"),
            ("status", "status"),
            ("reversed_amount", "reversed_amount"),
        ),
    ),
    Spec(
        "ledger",
        "contracts.LedgerEntry",
        fields=(
            ("contract", "contract"),
            ("instalment", "instalment"),
            ("payment", "payment"),
            ("kind", "kind"),
            ("amount", "amount"),
            ("currency", "currency"),
        ),
        at_field="created_at",
    ),
)
SPEC_BY_LABEL = {spec.model_label: spec for spec in SPECS}


SEAL_BATCH = 1000


def _locked_head(*, skip_locked: bool = False) -> Head | None:
    """The head, locked until the commit; None when ``skip_locked`` and another sealer holds it."""
    heads = Head.objects.select_for_update(skip_locked=skip_locked).filter(pk=HEAD_ID)
    head = heads.first()
    if head is None and not Head.objects.filter(pk=HEAD_ID).exists():  # a database flushed (tests)
        Head.objects.get_or_create(pk=HEAD_ID, defaults={"hash": GENESIS})
        head = heads.first()
    return head


def _seal_batch() -> int | None:
    """One short transaction: the oldest pending entries chained after the head, under its lock.
    How many were sealed; None when another sealer holds the head (it looks again after its
    commit, so nothing it did not see is left behind)."""
    if connection.vendor == "postgresql":
        return _seal_batch_postgresql()
    with transaction.atomic():
        head = _locked_head(skip_locked=True)
        if head is None:
            return None
        batch = list(Entry.objects.filter(sequence__isnull=True).order_by("id")[:SEAL_BATCH])
        sequence, digest = head.sequence, head.hash
        for entry in batch:
            sequence += 1
            entry.sequence = sequence
            entry.hash = digest = entry_hash(digest, entry)
        if batch:
            Entry.objects.bulk_update(batch, ["sequence", "hash"])
            head.sequence, head.hash, head.at = sequence, digest, batch[-1].at
            head.save(update_fields=["sequence", "hash", "at"])
        return len(batch)


def _seal_batch_postgresql() -> int | None:
    """``_seal_batch`` in three statements: the head locked (``SKIP LOCKED``); then, in a statement
    of its own so that it sees every seal committed before the lock was taken, the pending entries;
    the entries and the head moved in one write. (Read in the locking statement, the entries would
    come from that statement's snapshot: a seal committed between its start and its lock would give
    it the new head beside entries that seal had already sealed, sealed twice.)"""
    entry_table, head_table = Entry._meta.db_table, Head._meta.db_table
    payload_field = Entry._meta.get_field("payload")
    assert isinstance(payload_field, models.JSONField)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sequence, hash FROM {head_table} WHERE id = %s FOR UPDATE SKIP LOCKED", [HEAD_ID]
        )
        head = cursor.fetchone()
        if head is None:
            if Head.objects.filter(pk=HEAD_ID).exists():
                return None  # another sealer holds it
            Head.objects.get_or_create(pk=HEAD_ID, defaults={"hash": GENESIS})  # a database flushed
            return 0
        cursor.execute(
            f"""SELECT id, kind, model, object_id, payload, at FROM {entry_table}
            WHERE sequence IS NULL ORDER BY id LIMIT %s""",
            [SEAL_BATCH],
        )
        rows = cursor.fetchall()
        sequence, digest = head
        sealed: list[tuple[int, int, str]] = []
        at = None
        for entry_id, kind, model, object_id, payload, at in rows:
            sequence += 1
            payload = payload_field.from_db_value(payload, None, connection)  # type: ignore[arg-type]
            digest = link_hash(
                digest,
                document(
                    sequence=sequence, kind=kind, model=model, object_id=object_id, payload=payload, at=at
                ),
            )
            sealed.append((entry_id, sequence, digest))
        if sealed:
            values = ", ".join(["(%s::bigint, %s::bigint, %s)"] * len(sealed))
            cursor.execute(
                f"""WITH v(id, sequence, hash) AS (VALUES {values}),
                moved AS (UPDATE {entry_table} SET sequence = v.sequence, hash = v.hash FROM v
                    WHERE {entry_table}.id = v.id)
                UPDATE {head_table} SET sequence = %s, hash = %s, at = %s WHERE id = %s""",
                [value for row in sealed for value in row] + [sequence, digest, at, HEAD_ID],
            )
        return len(sealed)


def seal() -> int:
    """Chain every committed pending entry, oldest id first, in short transactions under the head's
    lock (docs/rules.md §24); how many this call sealed. Run after each commit that appended
    (``transaction.on_commit``) and by the periodic job ``auditchain.tasks.seal_log``; safe to run
    at any time, from any number of processes at once: a sealer that finds the head locked leaves
    the work to the one holding it, which looks for pending entries again after its commit."""
    sealed = 0
    while (count := _seal_batch()) is not None:  # None: another sealer holds the head
        sealed += count
        # Looked at after the commit: what committed while the head was held here is sealed too.
        if not Entry.objects.filter(sequence__isnull=True).exists():
            break
    return sealed


def pending() -> int:
    """How many entries are appended but not sealed yet."""
    return Entry.objects.filter(sequence__isnull=True).count()


def _seals_in_the_transaction() -> bool:
    """SQLite lets one transaction write at a time: the head's lock would serialise nothing more,
    while a second write transaction per change would queue for the database's lock again."""
    return connection.vendor == "sqlite"


def _seal_after_commit() -> None:
    if _seals_in_the_transaction() and connection.in_atomic_block:
        seal()
        return
    transaction.on_commit(seal, robust=True)


def append(*, kind: str, model: str, object_id: int, payload: Payload, at: datetime.datetime) -> Entry:
    """Append one entry in the caller's transaction, pending: no lock of the head, so chained writes
    never wait for each other; a rolled-back change leaves no entry. It is sealed (its sequence and
    hash) right after the commit, or by the periodic job if that fails."""
    entry = Entry.objects.create(kind=kind, model=model, object_id=object_id, payload=payload, at=at)
    _seal_after_commit()
    return entry


def record_created(instances: Iterable[models.Model]) -> int:
    """Chain rows just created without a signal (``bulk_create``, with their ids): their entries
    appended in one INSERT, in the order given, sealed after the commit; how many were appended."""
    entries = []
    for instance in instances:
        spec = SPEC_BY_LABEL[instance._meta.label_lower]
        assert isinstance(instance.pk, int), "bulk_create gave no ids: chain the rows read back"
        entries.append(
            Entry(
                kind=spec.kind,
                model=spec.model_label,
                object_id=instance.pk,
                payload=spec.payload_of(instance),
                at=spec.at_of(instance) or timezone.now(),
            )
        )
    if entries:
        Entry.objects.bulk_create(entries, batch_size=1000)
        _seal_after_commit()
    return len(entries)


def last_payload(model: str, object_id: int) -> Payload | None:
    """The payload of the object's last entry, sealed or pending (an object's entries are appended in
    the order of its changes, so in the order of their ids)."""
    payload: Payload | None = (
        Entry.objects.filter(model=model, object_id=object_id)
        .order_by("-id")
        .values_list("payload", flat=True)
        .first()
    )
    return payload


def record(instance: models.Model, *, created: bool) -> Entry | None:
    """Chain ``instance`` (a row of a chained model) as it is now: always when it was just created,
    afterwards only when its payload changed. Called by the post_save signal; also the way to chain
    rows written without one (``bulk_create``, ``QuerySet.update``)."""
    spec = SPEC_BY_LABEL[instance._meta.label_lower]
    payload = spec.payload_of(instance)
    assert isinstance(instance.pk, int)
    if not created and last_payload(spec.model_label, instance.pk) == payload:
        return None
    at = spec.at_of(instance) or timezone.now()
    return append(kind=spec.kind, model=spec.model_label, object_id=instance.pk, payload=payload, at=at)
