"""The lowest-price method (低价优先法, docs/rules.md §3.3): price score = lowest opened price / price × price
weight; quality per criterion = mean of the evaluators' scores × weight / 100; total = sum; ties go
to the lower price, then the earlier submission. The tender factory's criteria are Price 30,
Service plan 40, Team 30."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from marketplace import services
from marketplace.models import Bid, Criterion, Tender
from marketplace.selectors import fully_scored_tender_ids, ranking_of

from ..flows import (
    assert_refused,
    evaluating_tender,
    pass_deadline,
    published_tender,
    score_all,
    submitted_bid,
)

pytestmark = pytest.mark.django_db

D = Decimal


def quality_criteria(tender: Tender) -> tuple[Criterion, Criterion]:
    plan, team = tender.criteria.filter(kind=Criterion.Kind.QUALITY).order_by("id")
    assert (plan.weight, team.weight) == (40, 30)
    return plan, team


def score(world, tender: Tender, bid: Bid, per_evaluator: list[tuple[str, str]]) -> None:
    """``per_evaluator[i]`` is evaluator i's (service plan, team) scores for ``bid``."""
    plan, team = quality_criteria(tender)
    for evaluator, (plan_score, team_score) in zip(world["evaluators"], per_evaluator, strict=True):
        services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
        services.bid_score(actor=evaluator, bid=bid, criterion=plan, score=D(plan_score))
        services.bid_score(actor=evaluator, bid=bid, criterion=team, score=D(team_score))


def bid_of(tender: Tender, price: int) -> Bid:
    return tender.bids.get(price_amount=price)


def test_price_and_quality_scores_are_exact(world):
    # Given three opened bids
    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000, 29_000_000))
    cheap, dear, middle = (bid_of(tender, p) for p in (28_000_000, 30_000_000, 29_000_000))
    score(world, tender, cheap, [("80", "70"), ("90", "75")])
    score(world, tender, dear, [("95", "90"), ("96", "91")])
    score(world, tender, middle, [("81.5", "60"), ("82", "60.25")])

    rows = {row.bid.id: row for row in ranking_of(tender)}

    # cheapest: 28/28 × 30 = 30.00; plan (80+90)/2 × 0.40 = 34.00; team (70+75)/2 × 0.30 = 21.75
    assert rows[cheap.id].price_score == D("30.00")
    assert rows[cheap.id].quality_by_criterion == {
        quality_criteria(tender)[0].id: D("34.00"),
        quality_criteria(tender)[1].id: D("21.75"),
    }
    assert rows[cheap.id].quality_score == D("55.75")
    assert rows[cheap.id].total == D("85.75")
    # dearest: 28/30 × 30 = 28.00; plan 95.5 × 0.40 = 38.20; team 90.5 × 0.30 = 27.15
    assert (rows[dear.id].price_score, rows[dear.id].quality_score, rows[dear.id].total) == (
        D("28.00"),
        D("65.35"),
        D("93.35"),
    )
    # middle: 28/29 × 30 = 28.9655… → 28.97; plan 81.75 × 0.40 = 32.70; team 60.125 × 0.30 = 18.0375
    # → quality 50.7375 → 50.74
    assert (rows[middle.id].price_score, rows[middle.id].quality_score, rows[middle.id].total) == (
        D("28.97"),
        D("50.74"),
        D("79.71"),
    )
    assert all(row.is_fully_scored for row in rows.values())

    # Then the rank follows the total, not the price
    ranking = ranking_of(tender)
    assert [row.bid.id for row in ranking] == [dear.id, cheap.id, middle.id]
    assert [row.rank for row in ranking] == [1, 2, 3]


def test_ranking_endpoint_renders_the_same_figures(world, api):
    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000))
    cheap, dear = bid_of(tender, 28_000_000), bid_of(tender, 30_000_000)
    score(world, tender, cheap, [("80", "70"), ("90", "75")])
    score(world, tender, dear, [("95", "90"), ("96", "91")])

    response = api(world["officer"]).get(f"tenders/{tender.id}/ranking/")

    assert response.status_code == 200
    assert [
        (r["bid"], r["price_amount"], r["price_score"], r["quality_score"], r["total"], r["rank"])
        for r in response.json()
    ] == [
        (dear.id, 30_000_000, "28.00", "65.35", "93.35", 1),
        (cheap.id, 28_000_000, "30.00", "55.75", "85.75", 2),
    ]


def test_quality_is_the_mean_of_the_scores_given_so_far(world):
    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000))
    bid = bid_of(tender, 28_000_000)
    plan, _team = quality_criteria(tender)
    evaluator = world["evaluators"][0]
    services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    services.bid_score(actor=evaluator, bid=bid, criterion=plan, score=D("77.77"))

    row = next(row for row in ranking_of(tender) if row.bid.id == bid.id)

    # 77.77 × 0.40 = 31.108 → 31.11; the team criterion is unscored and counts 0
    assert row.quality_score == D("31.11")
    assert row.total == D("61.11")
    assert not row.is_fully_scored


def test_equal_totals_go_to_the_lower_price(world):
    tender = evaluating_tender(world, prices=(30_000_000, 28_000_000))
    dear, cheap = bid_of(tender, 30_000_000), bid_of(tender, 28_000_000)
    # price 28.00 + quality 52.00 = 80.00 against 30.00 + 50.00 = 80.00
    score(world, tender, dear, [("70", "80"), ("70", "80")])  # 28.00 + 24.00 = 52.00
    score(world, tender, cheap, [("65", "80"), ("65", "80")])  # 26.00 + 24.00 = 50.00

    ranking = ranking_of(tender)

    assert [row.total for row in ranking] == [D("80.00"), D("80.00")]
    assert [row.bid.id for row in ranking] == [cheap.id, dear.id]


def test_equal_totals_and_prices_go_to_the_earlier_submission(world):
    tender = published_tender(world)
    first_created = submitted_bid(world, tender, 0, 29_000_000)
    later_created = submitted_bid(world, tender, 1, 29_000_000)
    # The bid created second was submitted first
    now = timezone.now()
    Bid.objects.filter(pk=later_created.pk).update(submitted_at=now - datetime.timedelta(hours=2))
    Bid.objects.filter(pk=first_created.pk).update(submitted_at=now - datetime.timedelta(hours=1))
    pass_deadline(tender)
    tender = services.tender_close(actor=world["officer"], tender=tender)
    for bid in (first_created, later_created):
        score(world, tender, Bid.objects.get(pk=bid.pk), [("80", "80"), ("80", "80")])

    ranking = ranking_of(tender)

    assert ranking[0].total == ranking[1].total == D("86.00")
    assert [row.bid.id for row in ranking] == [later_created.id, first_created.id]


def test_disqualified_bids_are_excluded_and_the_lowest_price_recomputed(world):
    # Given three bids, the cheapest at 25,000,000
    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000, 25_000_000))
    cheap, dear, cheapest = (bid_of(tender, p) for p in (28_000_000, 30_000_000, 25_000_000))
    for bid in (cheap, dear, cheapest):
        score(world, tender, bid, [("80", "80"), ("80", "80")])  # quality 56.00 each

    before = {row.bid.id: row for row in ranking_of(tender)}
    # 25/28 × 30 = 26.7857… → 26.79; 25/30 × 30 = 25.00
    assert before[cheapest.id].price_score == D("30.00")
    assert before[cheap.id].price_score == D("26.79")
    assert before[dear.id].price_score == D("25.00")

    # When the cheapest is disqualified
    services.bid_disqualify(actor=world["officer"], bid=cheapest, reason="Forged licence")

    # Then it leaves the ranking, and the lowest price is now 28,000,000
    after = ranking_of(tender)
    assert [row.bid.id for row in after] == [cheap.id, dear.id]
    assert [(row.price_score, row.total, row.rank) for row in after] == [
        (D("30.00"), D("86.00"), 1),
        (D("28.00"), D("84.00"), 2),
    ]


def test_bids_not_opened_are_not_ranked(world):
    # A withdrawn bid never enters the ranking, and its price does not set the lowest
    tender = published_tender(world)
    withdrawn = submitted_bid(world, tender, 2, 20_000_000)
    services.bid_withdraw(actor=world["provider_admins"][2], bid=withdrawn)
    submitted_bid(world, tender, 0, 28_000_000)
    submitted_bid(world, tender, 1, 30_000_000)
    pass_deadline(tender)
    tender = services.tender_close(actor=world["officer"], tender=tender)

    ranking = ranking_of(tender)

    assert withdrawn.id not in [row.bid.id for row in ranking]
    assert [row.price_score for row in ranking] == [D("30.00"), D("28.00")]


def test_no_opened_bids_no_ranking(world):
    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000))
    for bid in tender.bids.all():
        services.bid_disqualify(actor=world["officer"], bid=bid, reason="Late documents")

    assert ranking_of(tender) == []


def test_fully_scored_tenders_are_those_the_award_accepts_in_one_query(world, django_assert_num_queries):
    # Given a tender with every bid scored, one with a bid left unscored, and one with no ranked bid
    ready = evaluating_tender(world)
    score_all(world, ready)
    partial = evaluating_tender(world)
    score(world, partial, bid_of(partial, 28_000_000), [("80", "70"), ("90", "75")])
    without_bids = published_tender(world)

    # When the waiting list asks which of them are fully scored
    with django_assert_num_queries(1):
        ready_ids = fully_scored_tender_ids(tender_ids=[ready.pk, partial.pk, without_bids.pk])

    # Then only the first, and the award agrees
    assert ready_ids == {ready.pk}
    assert_refused(
        lambda: services.tender_award(actor=world["officer"], tender=partial, bid=ranking_of(partial)[0].bid),
        "scoring_incomplete",
    )
    awarded = services.tender_award(actor=world["officer"], tender=ready, bid=ranking_of(ready)[0].bid)
    assert awarded.status == Tender.Status.AWARD_PROPOSED
