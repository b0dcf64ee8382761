"""Appends racing from two connections keep one chain (PostgreSQL only: real concurrency needs real
connections): the head's row lock serialises them, so sequences are contiguous and every hash
follows the one before."""

from decimal import Decimal

import pytest
from django.db import connection

from auditchain.models import Entry
from auditchain.verify import verify
from evaluations.models import Evaluation, Rating
from evaluations.services import evaluation_score
from tests import flows
from tests.test_concurrency import as_user, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_a_rating_and_a_score_at_once_append_to_one_chain(world):
    """The rating locks its contract, the score its evaluation: only the head is shared."""
    objects = flows.delivering_contract(world, households=1)
    resident = objects["residents"][0]
    before = Entry.objects.count()

    def rating():
        resident.user = as_user(resident.user)
        return flows.rate(resident, objects["contract"], 5)

    def score():
        return evaluation_score(
            actor=as_user(world["assessor_member"]),
            evaluation=Evaluation.objects.get(pk=objects["evaluation"].pk),
            component="third_party",
            score=Decimal("80"),
        )

    results = race(rating, score)

    assert isinstance(results[0], Rating) and isinstance(results[1], Evaluation), results
    sequences = list(Entry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    appended = Entry.objects.filter(sequence__gt=before).values_list("kind", flat=True)
    assert {"rating", "score"} <= set(appended)
    assert verify() == []


def test_ratings_committing_at_once_are_sealed_into_one_chain(world):
    """Four households rate at once: each appends a pending entry without waiting for the others,
    each commit's hook seals (one of them, or several in turn); after the last commit nothing is
    pending, and the sequences follow one another with every hash after the one before."""
    objects = flows.delivering_contract(world, households=4)

    def rating(resident):
        def call():
            resident.user = as_user(resident.user)
            return flows.rate(resident, objects["contract"], 4)

        return call

    results = race(*(rating(resident) for resident in objects["residents"]))

    assert all(isinstance(result, Rating) for result in results), results
    assert not Entry.objects.filter(sequence__isnull=True).exists()
    sequences = list(Entry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    assert verify() == []


def test_sealers_racing_never_fork_the_chain(world):
    """Entries left pending (hooks that never ran) and four sealers at once: each entry gets one
    sequence, the head the last, and the chain verifies."""
    from django.db import transaction

    from auditchain.chain import seal

    objects = flows.delivering_contract(world, households=3)
    with transaction.atomic():  # one commit, its hook dropped: every entry stays pending
        for resident in objects["residents"]:
            flows.rate(resident, objects["contract"], 2)
        connection.run_on_commit = []
    waiting = Entry.objects.filter(sequence__isnull=True).count()
    assert waiting >= 3

    results = race(seal, seal, seal, seal)

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == waiting
    assert not Entry.objects.filter(sequence__isnull=True).exists()
    assert verify() == []
