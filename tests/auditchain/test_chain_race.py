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
