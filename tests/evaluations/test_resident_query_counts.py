"""The resident's journey costs the same queries whatever the number of contracts that served the
household (issue 13): ``me/rateable/`` and every resident page, for a household served by one
contract and one served by twenty. Like is compared with like: first nothing is rated (the
services to rate and the journey of a new rating), then everything is (the household's ratings,
the confirmation page and the journey of a change)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Contract
from evaluations.models import Rating

from .. import factories as f
from .. import flows
from ..frontend.helpers import english_client

pytestmark = pytest.mark.django_db

FEW, MANY = 1, 20
# token + user, memberships, resident, household, the household's ratings of open evaluations, the
# open evaluations, the contracts with their providers
PINNED_API = 7


def _serving_contract(world, households) -> Contract:
    """An active contract (its midterm evaluation open), assessor and community assigned, inside
    its service period, that served ``households`` today — as ``flows.delivering_contract``."""
    line = f.BudgetLineFactory(bureau=world["bureau"], amount=50_000_000)
    contract = flows.active_contract(world, budget_line=line)
    contract_services.contract_assign(
        actor=world["officer"], contract=contract, assessor=world["assessor"], community=world["community"]
    )
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(
        service_start=today - datetime.timedelta(days=30), service_end=today + datetime.timedelta(days=300)
    )
    contract.refresh_from_db()
    flows.log_service(world, contract, households)
    return contract


def _count(call, status=200) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == status, response
    return len(captured)


def _before_rating(resident, api, contract) -> dict[str, int]:
    """Nothing rated yet: what to rate, and each page of a new rating of ``contract``."""
    rest, client = api(resident.user), english_client(resident.user)
    base = f"/resident/rate/{contract.pk}/"
    counts = {"api me/rateable/": _count(lambda: rest.get("me/rateable/"))}
    counts["home"] = _count(lambda: client.get("/resident/"))
    counts["satisfaction"] = _count(lambda: client.get(base))
    counts["satisfaction POST"] = _count(lambda: client.post(base, {"satisfaction": "4"}), 302)
    counts["resolved"] = _count(lambda: client.get(f"{base}resolved/"))
    counts["resolved POST"] = _count(lambda: client.post(f"{base}resolved/", {"resolved": "yes"}), 302)
    counts["comment"] = _count(lambda: client.get(f"{base}comment/"))
    counts["comment POST"] = _count(lambda: client.post(f"{base}comment/", {"comment": "Kind."}), 302)
    counts["check"] = _count(lambda: client.get(f"{base}check/"))
    return counts


def _after_rating(resident, api) -> dict[str, int]:
    """Everything rated: the household's ratings, and the pages of one of them."""
    rest, client = api(resident.user), english_client(resident.user)
    rating = Rating.objects.filter(household=resident.household).order_by("id").first()
    assert rating is not None
    base = f"/resident/ratings/{rating.pk}/"
    counts = {"api me/rateable/": _count(lambda: rest.get("me/rateable/"))}
    counts["home"] = _count(lambda: client.get("/resident/"))
    counts["rating"] = _count(lambda: client.get(base))
    counts["change"] = _count(lambda: client.get(f"{base}change/"), 302)
    counts["change satisfaction"] = _count(lambda: client.get(f"{base}change/satisfaction/"))
    counts["change satisfaction POST"] = _count(
        lambda: client.post(f"{base}change/satisfaction/", {"satisfaction": "5"}), 302
    )
    counts["change resolved"] = _count(lambda: client.get(f"{base}change/resolved/"))
    counts["change comment"] = _count(lambda: client.get(f"{base}change/comment/"))
    counts["change check"] = _count(lambda: client.get(f"{base}change/check/"))
    return counts


def test_the_resident_pages_cost_the_same_queries_for_one_contract_and_for_twenty(world, api):
    compound = world["areas"]["compound"]
    few, many = (f.ResidentFactory(household=f.HouseholdFactory(area=compound)) for _ in range(2))
    contracts = [_serving_contract(world, [few.household, many.household])]
    contracts += [_serving_contract(world, [many.household]) for _ in range(MANY - FEW)]

    sizes = ((FEW, few), (MANY, many))
    before = {size: _before_rating(resident, api, contracts[0]) for size, resident in sizes}
    for index, contract in enumerate(contracts):
        flows.rate(many, contract, satisfaction=5 - index % 6)
    flows.rate(few, contracts[0])
    after = {size: _after_rating(resident, api) for size, resident in sizes}

    assert before[FEW] == before[MANY], before
    assert after[FEW] == after[MANY], after
    assert before[MANY]["api me/rateable/"] <= PINNED_API and after[MANY]["api me/rateable/"] <= PINNED_API
