"""``bids/{id}/score-history/`` (docs/rules.md §11, score history): every entry of a score on a bid
with its criterion, who entered it, when and the score it replaced — for those who may see who gave
which score (the tender's officers, the platform admin); 404 for everyone else who can see the bid,
as for anyone who cannot."""

from decimal import Decimal

import pytest

from marketplace import services
from marketplace.models import Bid, Criterion

from .. import flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(world):
    tender = flows.evaluating_tender(world)
    first, second = world["evaluators"]
    for evaluator in (first, second):
        services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    bid = tender.bids.filter(status=Bid.Status.OPENED).order_by("id").first()
    criterion = tender.criteria.filter(kind=Criterion.Kind.QUALITY).order_by("id").first()
    services.bid_score(actor=first, bid=bid, criterion=criterion, score=Decimal(70))
    services.bid_score(actor=second, bid=bid, criterion=criterion, score=Decimal("66.5"))
    services.bid_score(actor=first, bid=bid, criterion=criterion, score=Decimal(85))
    return {"tender": tender, "bid": bid, "criterion": criterion}


def test_every_entry_with_who_when_and_the_score_it_replaced(world, api, scored):
    bid, criterion = scored["bid"], scored["criterion"]
    first, second = world["evaluators"]

    response = api(world["officer"]).get(f"bids/{bid.pk}/score-history/")

    assert response.status_code == 200, response.json()
    rows = [
        (row["bid"], row["criterion"], row["score"], row["previous_score"], row["by"]["username"])
        for row in response.json()
    ]
    assert rows == [
        (bid.pk, criterion.pk, "70.00", None, first.username),
        (bid.pk, criterion.pk, "66.50", None, second.username),
        (bid.pk, criterion.pk, "85.00", "70.00", first.username),
    ]
    assert all(row["entered_at"] and row["criterion_name"] == criterion.name for row in response.json())
    assert api(world["platform_admin"]).get(f"bids/{bid.pk}/score-history/").status_code == 200


@pytest.mark.parametrize("who", ["bidder", "evaluator", "stranger", "other_officer"])
def test_anyone_else_is_told_it_does_not_exist(world, api, scored, who):
    bid = scored["bid"]
    user = {
        "bidder": next(
            admin
            for admin, provider in zip(world["provider_admins"], world["providers"], strict=True)
            if provider.id == bid.provider_id
        ),
        "evaluator": world["evaluators"][0],  # still scoring: never reads its colleagues' scores
        "stranger": world["stranger"],
        "other_officer": world["other_officer"],
    }[who]

    assert api(user).get(f"bids/{bid.pk}/score-history/").status_code == 404


def test_signed_out_is_asked_to_sign_in(api, scored):
    assert api().get(f"bids/{scored['bid'].pk}/score-history/").status_code == 401
