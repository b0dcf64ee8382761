"""The log's outbox (docs/rules.md §24): a chained change appends a pending entry in its own
transaction, without the head's lock; the entry is sealed (sequence, hash) right after the commit,
or by the periodic job; verify_log checks the sealed chain and says how many are pending."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from auditchain.chain import pending, seal
from auditchain.models import Entry, Head
from auditchain.tasks import seal_log
from auditchain.verify import verify
from evaluations.models import Rating
from tests import flows

pytestmark = [pytest.mark.django_db, pytest.mark.log_pending]


@pytest.fixture(autouse=True)
def _outbox_on_every_database(monkeypatch):
    """SQLite seals in the change's own transaction (one writer at a time anyway): the outbox's
    rules are tested on it as on PostgreSQL."""
    from auditchain import chain

    monkeypatch.setattr(chain, "_seals_in_the_transaction", lambda: False)


def test_a_change_appends_a_pending_entry_without_the_heads_lock_and_is_sealed_after_commit(
    world, django_capture_on_commit_callbacks
):
    objects = flows.delivering_contract(world, households=1)
    seal()
    head = Head.objects.get()

    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        CaptureQueriesContext(connection) as q,
    ):
        rating = flows.rate(objects["residents"][0], objects["contract"], 4)
    entry = Entry.objects.get(model="evaluations.rating", object_id=rating.pk)
    assert (entry.sequence, entry.hash) == (None, "")
    assert not any("auditchain_head" in query["sql"] for query in q.captured_queries)
    assert Head.objects.get().sequence == head.sequence  # nothing sealed inside the transaction
    assert pending() == 1
    assert verify() == []  # a pending entry is compared with its row, not yet chained

    for callback in callbacks:  # the commit
        callback()

    entry.refresh_from_db()
    assert entry.sequence == head.sequence + 1 and len(entry.hash) == 64
    assert (Head.objects.get().sequence, Head.objects.get().hash) == (entry.sequence, entry.hash)
    assert pending() == 0
    assert verify() == []


def test_a_rolled_back_change_leaves_no_pending_entry_and_seals_nothing(
    world, django_capture_on_commit_callbacks
):
    objects = flows.delivering_contract(world, households=1)
    seal()
    before = (Entry.objects.count(), Head.objects.values_list("sequence", "hash").get())

    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        flows.rate(objects["residents"][0], objects["contract"], 5)
        assert pending() >= 1
        raise Abandon
    assert callbacks == []
    assert not Rating.objects.exists()
    assert (Entry.objects.count(), Head.objects.values_list("sequence", "hash").get()) == before


def test_the_periodic_job_seals_what_the_commit_hook_left(world, api):
    objects = flows.delivering_contract(world, households=2)
    for resident in objects["residents"]:  # the commit hooks never run: a worker that died
        flows.rate(resident, objects["contract"], 3)
    waiting = pending()
    assert waiting >= 2
    assert api().get("log/head/").json()["pending"] == waiting
    out = StringIO()
    call_command("verify_log", stdout=out)
    assert f"{waiting} more appended, not sealed yet" in out.getvalue()

    assert seal_log() == waiting
    assert seal() == 0  # idempotent
    sealed = list(Entry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sealed == list(range(1, len(sealed) + 1))  # in id order, no gap
    assert list(Entry.objects.order_by("id").values_list("sequence", flat=True)) == sealed
    assert api().get("log/head/").json()["pending"] == 0
    assert verify() == []


def _update(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_verify_log_names_a_sealed_entry_rewritten(world):
    objects = flows.delivering_contract(world, households=1)
    rating = flows.rate(objects["residents"][0], objects["contract"], 4)
    seal()
    entry = Entry.objects.get(model="evaluations.rating", object_id=rating.pk)
    _update(
        f"UPDATE {Entry._meta.db_table} SET payload = %s WHERE id = %s",
        ['{"evaluation": 1, "status": "excluded"}', entry.pk],
    )
    (problem,) = verify()
    assert problem.sequence == entry.sequence and "hash" in problem.reason


def test_a_row_changed_behind_a_pending_entry_is_named(world):
    objects = flows.delivering_contract(world, households=1)
    seal()
    rating = flows.rate(objects["residents"][0], objects["contract"], 4)  # pending
    _update(f"UPDATE {Rating._meta.db_table} SET status = %s WHERE id = %s", ["excluded", rating.pk])
    (problem,) = verify()
    assert (problem.model, problem.object_id) == ("evaluations.rating", rating.pk)
    assert "pending entry" in problem.reason
