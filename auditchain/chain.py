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
from django.db import models, transaction
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
    """The hash ``entry`` should have after ``previous``, recomputed from its stored fields."""
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


def _locked_head() -> Head:
    head = Head.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is None:  # a database emptied after its migrations (tests that flush)
        Head.objects.get_or_create(pk=HEAD_ID, defaults={"hash": GENESIS})
        head = Head.objects.select_for_update().get(pk=HEAD_ID)
    return head


def append(*, kind: str, model: str, object_id: int, payload: Payload, at: datetime.datetime) -> Entry:
    """Append one entry in the caller's transaction, under the head's lock (taken last:
    docs/architecture.md §4), so a rolled-back change leaves no entry and appends never fork."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        sequence = head.sequence + 1
        digest = link_hash(
            head.hash,
            document(sequence=sequence, kind=kind, model=model, object_id=object_id, payload=payload, at=at),
        )
        entry = Entry.objects.create(
            sequence=sequence,
            kind=kind,
            model=model,
            object_id=object_id,
            payload=payload,
            at=at,
            hash=digest,
        )
        head.sequence, head.hash, head.at = sequence, digest, at
        head.save(update_fields=["sequence", "hash", "at"])
    return entry


def record_created(instances: Iterable[models.Model]) -> int:
    """Chain rows just created without a signal (``bulk_create``, with their ids), in one append
    under one lock of the head; how many were chained."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        sequence, digest, entries = head.sequence, head.hash, []
        for instance in instances:
            spec = SPEC_BY_LABEL[instance._meta.label_lower]
            assert isinstance(instance.pk, int), "bulk_create gave no ids: chain the rows read back"
            at = spec.at_of(instance) or timezone.now()
            fields: dict[str, Any] = {
                "kind": spec.kind,
                "model": spec.model_label,
                "object_id": instance.pk,
                "payload": spec.payload_of(instance),
                "at": at,
            }
            sequence += 1
            digest = link_hash(digest, document(sequence=sequence, **fields))
            entries.append(Entry(sequence=sequence, hash=digest, **fields))
        Entry.objects.bulk_create(entries, batch_size=1000)
        if entries:
            head.sequence, head.hash, head.at = sequence, digest, entries[-1].at
            head.save(update_fields=["sequence", "hash", "at"])
    return len(entries)


def last_payload(model: str, object_id: int) -> Payload | None:
    payload: Payload | None = (
        Entry.objects.filter(model=model, object_id=object_id)
        .order_by("-sequence")
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
