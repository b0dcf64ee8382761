"""The tamper-evident log (docs/rules.md §24): every chained change appends in its own
transaction, an outsider can recompute the chain, and verify_log names the first thing that does
not match — a chained row or an entry changed behind the application's back."""

import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django_fsm_log.models import StateLog

from auditchain.chain import GENESIS
from auditchain.models import Entry, Head
from auditchain.verify import verify
from contracts.models import LedgerEntry
from evaluations.models import Rating
from tests import flows

pytestmark = pytest.mark.django_db


def _rated(world, households=2):
    objects = flows.delivering_contract(world, households=households)
    ratings = [flows.rate(resident, objects["contract"], 4) for resident in objects["residents"]]
    return objects, ratings


def _entry_of(instance) -> Entry:
    return Entry.objects.filter(model=instance._meta.label_lower, object_id=instance.pk).latest("sequence")


def _outsider_hash(previous: str, entry: dict) -> str:
    """The README's recipe, written without the application's code."""
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous + text).encode("utf-8")).hexdigest()


def test_every_chained_change_is_appended_and_an_outsider_recomputes_the_head(world):
    objects, ratings = _rated(world)
    flows.score_components(world, objects["evaluation"])

    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert {"transition", "rating", "score"} <= kinds
    rating_entry = _entry_of(ratings[0])
    assert rating_entry.payload == {"evaluation": objects["evaluation"].pk, "status": "valid"}
    assert StateLog.objects.count() == Entry.objects.filter(kind="transition").count()

    previous = GENESIS
    for sequence, entry in enumerate(Entry.objects.order_by("sequence"), start=1):
        assert entry.sequence == sequence
        document = {
            "sequence": entry.sequence,
            "kind": entry.kind,
            "model": entry.model,
            "object_id": entry.object_id,
            "payload": entry.payload,
            "at": entry.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
        previous = _outsider_hash(previous, document)
        assert previous == entry.hash
    head = Head.objects.get()
    assert (head.sequence, head.hash) == (Entry.objects.count(), previous)
    assert verify() == []


def test_scores_are_chained_without_who_entered_them(world):
    objects = flows.delivering_contract(world, households=1)
    flows.score_components(world, objects["evaluation"], t="87.5")
    entry = Entry.objects.filter(kind="score", payload__kind="third_party").get()
    assert entry.payload["score"] == "87.50"  # the field's two decimals, as a string
    assert "entered_by" not in entry.payload

    tender = flows.evaluating_tender(world)
    flows.score_all(world, tender)
    bid_scores = Entry.objects.filter(kind="bid_score")
    assert bid_scores.exists()
    assert set(bid_scores.first().payload) == {"bid", "criterion", "score", "previous_score"}
    assert verify() == []


def test_a_rolled_back_change_leaves_no_entry(world):
    objects = flows.delivering_contract(world, households=1)
    before = (Entry.objects.count(), Head.objects.values_list("sequence", "hash").get())

    class Abandon(Exception):
        pass

    with pytest.raises(Abandon), transaction.atomic():
        flows.rate(objects["residents"][0], objects["contract"], 5)
        assert Entry.objects.count() > before[0]  # appended inside the rating's own transaction
        raise Abandon

    assert not Rating.objects.exists()
    assert (Entry.objects.count(), Head.objects.values_list("sequence", "hash").get()) == before
    assert verify() == []


def test_a_status_change_appends_a_new_snapshot_and_a_resave_does_not(world):
    objects = flows.delivering_contract(world, households=1)
    rating = flows.quarantined_rating(objects["residents"][0], objects["contract"])
    assert _entry_of(rating).payload["status"] == "quarantined"
    count = Entry.objects.count()
    rating.save()  # nothing chained changed
    assert Entry.objects.count() == count

    from evaluations.services import rating_review

    rating_review(actor=world["officer"], rating=rating, decision="exclude", reason="Burst from one address.")
    assert _entry_of(rating).payload["status"] == "excluded"
    transitions = Entry.objects.filter(kind="transition", payload__subject="evaluations.rating")
    transition = transitions.latest("sequence")
    assert transition.payload == {
        "subject": "evaluations.rating",
        "subject_id": str(rating.pk),
        "transition": "exclude",
        "from": "quarantined",
        "to": "excluded",
    }
    assert verify() == []


def _update(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_state_log_row_edited_behind_the_applications_back_is_named(world):
    _rated(world)
    log = StateLog.objects.order_by("id")[1]
    entry = _entry_of(log)

    _update(f"UPDATE {StateLog._meta.db_table} SET state = %s WHERE id = %s", ["terminated", log.pk])

    problems = verify()
    assert problems[0].sequence == entry.sequence
    assert (problems[0].model, problems[0].object_id) == ("django_fsm_log.statelog", log.pk)
    with pytest.raises(CommandError, match=rf"entry {entry.sequence} \(django_fsm_log.statelog {log.pk}\)"):
        call_command("verify_log", stdout=StringIO(), stderr=StringIO())


def test_a_rating_status_set_behind_the_applications_back_is_named(world):
    _objects, ratings = _rated(world)
    entry = _entry_of(ratings[1])
    _update(f"UPDATE {Rating._meta.db_table} SET status = %s WHERE id = %s", ["excluded", ratings[1].pk])
    (problem,) = verify()
    assert (problem.sequence, problem.object_id) == (entry.sequence, ratings[1].pk)
    assert "no longer matches" in problem.reason


def test_an_entry_rewritten_or_removed_is_named(world):
    _rated(world)
    victim = Entry.objects.order_by("sequence")[3]
    _update(
        f"UPDATE {Entry._meta.db_table} SET object_id = object_id + 1000 WHERE id = %s",
        [victim.pk],
    )
    (problem,) = verify()
    assert problem.sequence == victim.sequence and "hash" in problem.reason

    _update(f"DELETE FROM {Entry._meta.db_table} WHERE id = %s", [victim.pk])
    (problem,) = verify()
    assert problem.sequence == victim.sequence and "missing" in problem.reason


def test_a_row_written_without_the_log_is_found(world):
    objects, _ratings = _rated(world, households=1)
    LedgerEntry.objects.bulk_create(  # no signal: the way around the log
        [LedgerEntry(contract=objects["contract"], kind=LedgerEntry.Kind.WITHHELD, amount=1)]
    )
    (problem,) = verify()
    assert problem.model == "contracts.ledgerentry" and "not in the log" in problem.reason


def test_rows_bulk_created_are_chained_by_record_created(world):
    """The way for a script that must bulk_create (the bench's ratings): one append per row."""
    from auditchain.chain import record_created

    objects, _ratings = _rated(world, households=1)
    made = LedgerEntry.objects.bulk_create(
        [LedgerEntry(contract=objects["contract"], kind=LedgerEntry.Kind.WITHHELD, amount=n) for n in (1, 2)]
    )
    assert record_created(made) == 2
    assert list(Entry.objects.order_by("-sequence").values_list("payload__amount", flat=True)[:2]) == [2, 1]
    assert verify() == []


def test_the_backfill_appends_existing_rows_once_in_a_fixed_order(world):
    """A database that had rows before the chain: the migration chains them, oldest first."""
    from importlib import import_module

    backfill = import_module("auditchain.migrations.0002_backfill").backfill
    _rated(world)
    Entry.objects.all().delete()
    Head.objects.all().delete()

    backfill(apps, None)
    first = list(Entry.objects.order_by("sequence").values_list("hash", flat=True))
    assert verify() == []
    Entry.objects.all().delete()
    Head.objects.all().delete()
    backfill(apps, None)
    assert list(Entry.objects.order_by("sequence").values_list("hash", flat=True)) == first
    backfill(apps, None)  # again: nothing more
    assert Entry.objects.count() == len(first)


def test_the_head_is_public(world, api):
    _rated(world, households=1)
    body = api().get("log/head/").json()
    last = Entry.objects.latest("sequence")
    assert body["sequence"] == last.sequence == Entry.objects.count()
    assert body["hash"] == last.hash
    assert body["at"]


def test_verify_log_passes_on_the_demo(world):
    call_command("seed_demo", stdout=StringIO())
    assert {"transition", "rating", "score", "bid_score", "payment", "ledger"} <= set(
        Entry.objects.values_list("kind", flat=True)
    )
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert "The log is intact" in out.getvalue()
