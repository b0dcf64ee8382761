"""The lean rating path under real concurrency (PostgreSQL only, as tests/test_concurrency.py): with
no lock on the contract, the one-rating-per-household constraint decides two ratings of one household
sent at once — one is recorded, the other answers 409 ``already_rated``, never a 500."""

import pytest
from django.db import connection

from common.errors import ApplicationError
from evaluations.models import Rating
from evaluations.services import rating_create
from orgs.models import Resident, User

from .. import factories as f
from .. import flows
from ..test_concurrency import as_user, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def _rate(user: User, contract_id: int):
    return lambda: rating_create(
        actor=as_user(user),
        contract=contract_id,
        satisfaction=5,
        resolved="yes",
        comment="",
        client_address=None,
    )


def test_two_residents_of_one_household_rating_at_once_give_one_rating(world):
    objects = flows.delivering_contract(world, households=1)
    first = objects["residents"][0]
    second = f.ResidentFactory(household=first.household)
    assert Resident.objects.get(pk=second.pk).is_confirmed
    contract_id = objects["contract"].id

    for _attempt in range(3):  # a real race: run it a few times, each from no rating
        results = race(_rate(first.user, contract_id), _rate(second.user, contract_id))
        recorded = [result for result in results if isinstance(result, Rating)]
        refused = [result for result in results if isinstance(result, ApplicationError)]
        assert len(recorded) == 1 and len(refused) == 1, results
        assert refused[0].code == "already_rated"
        assert Rating.objects.filter(household=first.household).count() == 1
        Rating.objects.all().delete()
