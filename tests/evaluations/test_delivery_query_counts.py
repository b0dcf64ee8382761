"""Pinned query counts of the new lists (STYLE): the delivery flags (households alone on many
service events, events no recipient says they received) cost the same few queries whatever their
length, in the API and on the bureau's evaluation page; the ratings by channel are one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Rating
from tests import factories as f
from tests import flows

pytestmark = pytest.mark.django_db

# API: token, roles, the evaluation with its tallies, the two flag lists. Page: session, user,
# roles, the evaluation, its tallies, its appeals, the two flag lists, messages and navigation.
PINNED_API = 5
PINNED_PAGE = 12  # + the score history (docs/rules.md §11.9)


def _add_flags(world, objects, count):
    """``count`` more households alone on two events each, each answering not_received (so every
    one of their events is flagged too)."""
    for _ in range(count):
        resident = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
        for _event in range(2):
            flows.log_service(world, objects["contract"], [resident.household])
        flows.rate(resident, objects["contract"], Rating.NOT_RECEIVED)


def _count(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured), response


def test_the_flags_cost_the_same_queries_whatever_their_length(world, api, settings, as_user_client):
    settings.DELIVERY_FLAG_SOLE_RECIPIENT_EVENTS = 2
    objects = flows.delivering_contract(world, households=1)
    evaluation = objects["evaluation"]
    client = api(world["officer"])
    path = f"evaluations/{evaluation.id}/"

    _add_flags(world, objects, 2)
    few, response = _count(lambda: client.get(path))
    assert len(response.json()["delivery_flags"]["sole_recipient_households"]) == 2
    few_page, _ = _count(lambda: as_user_client.get(f"/bureau/evaluations/{evaluation.id}/"))

    _add_flags(world, objects, 8)
    many, response = _count(lambda: client.get(path))
    flags = response.json()["delivery_flags"]
    assert len(flags["sole_recipient_households"]) == 10 and len(flags["all_not_received_events"]) == 20
    many_page, page = _count(lambda: as_user_client.get(f"/bureau/evaluations/{evaluation.id}/"))
    assert page.content.decode().count('<tr class="govuk-table__row">') > 30

    assert few == many and many <= PINNED_API, (few, many)
    assert few_page == many_page and many_page <= PINNED_PAGE, (few_page, many_page)


@pytest.fixture
def as_user_client(client, world):
    client.force_login(world["officer"])
    return client
