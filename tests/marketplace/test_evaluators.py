"""Evaluators (docs/rules.md §17.7): the declaration is re-checked when scoring — an evaluator who
belongs, or belonged within 3 years, to the bid's organisation is refused 403
``conflict_of_interest`` (the status the code comes with) and nothing is stored —, memberships
removed are kept as past memberships, and the ranking flags individual scores far from the rest of
the panel (leave-one-out, 2 SDs)."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from common.months import add_months
from marketplace import services
from marketplace.models import Bid, BidScore, Criterion
from marketplace.panel import outlying_scores
from marketplace.selectors import ranking_of
from orgs import services as org_services
from orgs.models import Membership, PastMembership
from orgs.permissions import organization_ids_ever_of

from .. import factories as f
from .. import flows
from ..roles import assert_error, assert_unchanged, snapshot

pytestmark = pytest.mark.django_db

D = Decimal


def _former_member(world, provider, *, ended_ago: datetime.timedelta):
    """An evaluator of the bureau who was staff of ``provider`` until ``ended_ago`` ago, removed
    through the service by the provider's admin."""
    evaluator = f.member(world["bureau"], "evaluator")
    with time_machine.travel(timezone.now() - ended_ago - datetime.timedelta(days=400), tick=False):
        membership = f.MembershipFactory(user=evaluator, organization=provider, role="staff")
    with time_machine.travel(timezone.now() - ended_ago, tick=False):
        admin = world["provider_admins"][world["providers"].index(provider)]
        org_services.member_remove(actor=admin, membership=membership)
    return evaluator


def _declared_before_the_bids(world, evaluator):
    """The evaluator declares on a published tender before anyone bids; the bids come and open."""
    tender = flows.published_tender(world)
    services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    flows.submitted_bid(world, tender, 0, 28_000_000)
    flows.submitted_bid(world, tender, 1, 30_000_000)
    flows.pass_deadline(tender)
    tender = services.tender_close(actor=world["officer"], tender=tender)
    criterion = tender.criteria.filter(kind=Criterion.Kind.QUALITY).first()
    return tender, criterion


def test_removing_a_member_keeps_a_past_membership(world):
    provider = world["providers"][0]
    staff = world["provider_staff"][0]
    membership = Membership.objects.get(user=staff, organization=provider)
    past = org_services.member_remove(actor=world["provider_admins"][0], membership=membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert (past.user, past.organization, past.role) == (staff, provider, "staff")
    assert past.started_at == membership.created_at and past.ended_at >= past.started_at
    # another provider's admin may not remove it
    other = Membership.objects.get(user=world["provider_staff"][1])
    flows.assert_refused(
        lambda: org_services.member_remove(actor=world["provider_admins"][0], membership=other),
        "permission_denied",
        403,
    )
    # a re-joined and re-left member has two past memberships
    again = f.MembershipFactory(user=staff, organization=provider, role="staff")
    org_services.member_remove(actor=world["provider_admins"][0], membership=again)
    assert PastMembership.objects.filter(user=staff, organization=provider).count() == 2


def test_organization_ids_ever_of_counts_past_memberships_since(world):
    evaluator = _former_member(world, world["providers"][0], ended_ago=datetime.timedelta(days=30))
    since = add_months(timezone.now(), -36)
    assert world["providers"][0].id in organization_ids_ever_of(evaluator, since=since)
    assert world["providers"][0].id not in organization_ids_ever_of(
        evaluator, since=timezone.now() - datetime.timedelta(days=1)
    )


@pytest.mark.parametrize("how", ["member now", "left a year ago"])
def test_scoring_a_bid_of_ones_organisation_is_refused_and_stores_nothing(world, api, how):
    provider = world["providers"][0]
    if how == "member now":
        evaluator = f.member(world["bureau"], "evaluator")
        tender, criterion = _declared_before_the_bids(world, evaluator)
        f.MembershipFactory(user=evaluator, organization=provider, role="staff")  # joined since declaring
    else:
        evaluator = _former_member(world, provider, ended_ago=datetime.timedelta(days=365))
        tender, criterion = _declared_before_the_bids(world, evaluator)
    bid = tender.bids.get(provider=provider)
    rival_bid = tender.bids.get(provider=world["providers"][1])

    client = api(evaluator)
    before = snapshot()
    response = client.post(f"bids/{bid.id}/scores/", {"criterion": criterion.id, "score": "99"})
    assert_error(response, 403, "conflict_of_interest")
    assert "3 years" in response.json()["message"] or response.json()["message"]
    assert_unchanged(before)
    assert not BidScore.objects.filter(evaluator=evaluator).exists()
    # the rival's bid is not the evaluator's organisation: scored as usual
    assert (
        client.post(f"bids/{rival_bid.id}/scores/", {"criterion": criterion.id, "score": "70"}).status_code
        == 201
    )


def test_a_former_member_within_3_years_may_not_declare_no_conflict(world):
    provider = world["providers"][0]
    evaluator = _former_member(world, provider, ended_ago=datetime.timedelta(days=2 * 365))
    tender = flows.evaluating_tender(world)
    flows.assert_refused(
        lambda: services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True),
        "conflict_of_interest",
        403,
    )


def test_a_membership_ended_more_than_3_years_ago_is_no_conflict(world):
    provider = world["providers"][0]
    evaluator = _former_member(world, provider, ended_ago=datetime.timedelta(days=3 * 365 + 30))
    tender = flows.evaluating_tender(world)
    services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    bid = tender.bids.get(provider=provider)
    criterion = tender.criteria.filter(kind=Criterion.Kind.QUALITY).first()
    score = services.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=D(75))
    assert score.pk is not None


# --- Outlying scores ------------------------------------------------------------------------------


def test_two_evaluators_can_never_be_outliers():
    assert outlying_scores({1: D(0), 2: D(100)}) == {}
    assert outlying_scores({1: D(80)}) == {}
    assert outlying_scores({}) == {}


def test_a_panel_of_three_flags_the_one_far_from_the_other_two():
    # the others 80 and 82: mean 81, SD 1.41 → floor 5 → flagged beyond 10 points
    assert outlying_scores({1: D(80), 2: D(82), 3: D(40)}) == {3: D(81)}
    assert outlying_scores({1: D(80), 2: D(82), 3: D(90)}) == {}  # 9 points: within
    assert outlying_scores({1: D(80), 2: D(82), 3: D(92)}) == {3: D(81)}  # 11 points: beyond


def test_unanimous_colleagues_use_the_floor_not_an_sd_of_zero():
    assert outlying_scores({1: D(80), 2: D(80), 3: D(81)}) == {}
    assert outlying_scores({1: D(80), 2: D(80), 3: D(90)}) == {}  # exactly 2 × 5: not beyond
    assert outlying_scores({1: D(80), 2: D(80), 3: D(90.01)}) == {3: D(80)}
    assert outlying_scores({1: D(70), 2: D(70), 3: D(70)}) == {}


def test_larger_panels():
    # evenly spread: 70 against 75, 80, 85 (mean 80, SD 5) is exactly 2 SDs away, not beyond
    assert outlying_scores({1: D(70), 2: D(75), 3: D(80), 4: D(85)}) == {}
    # 50 against 70, 80, 90 (mean 80, SD 10) is 30 away: beyond 2 SDs
    assert outlying_scores({1: D(50), 2: D(70), 3: D(80), 4: D(90)}) == {1: D(80)}
    assert outlying_scores({1: D(60), 2: D(62), 3: D(64), 4: D(66), 5: D(10)}) == {5: D(63)}


def test_the_ranking_shows_each_evaluators_scores_with_the_outlier_flagged(world, api):
    third = f.member(world["bureau"], "evaluator")
    evaluators = [*world["evaluators"], third]
    tender = flows.evaluating_tender(world)
    bid = tender.bids.get(provider=world["providers"][0])
    rival = tender.bids.get(provider=world["providers"][1])
    quality = list(tender.criteria.filter(kind=Criterion.Kind.QUALITY).order_by("id"))
    given = {evaluators[0].id: D(80), evaluators[1].id: D(82), third.id: D(30)}
    for evaluator in evaluators:
        services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
        for each in (bid, rival):
            for criterion in quality:
                score = given[evaluator.id] if (each, criterion) == (bid, quality[0]) else D(75)
                services.bid_score(actor=evaluator, bid=each, criterion=criterion, score=score)

    rows = {row.bid.id: row for row in ranking_of(tender)}
    flagged = [s for s in rows[bid.id].individual_scores if s.is_outlier]
    assert [(s.criterion_id, s.evaluator_id, s.score, s.others_mean) for s in flagged] == [
        (quality[0].id, third.id, D(30), D(81))
    ]
    assert rows[bid.id].has_outliers and not rows[rival.id].has_outliers
    assert len(rows[bid.id].individual_scores) == len(quality) * 3

    body = api(world["officer"]).get(f"tenders/{tender.id}/ranking/").json()
    row = next(item for item in body if item["bid"] == bid.id)
    assert {"bid", "provider", "price_score", "quality_score", "total", "rank", "tampered"} <= set(row)
    assert row["has_outliers"] is True
    outliers = [s for s in row["individual_scores"] if s["is_outlier"]]
    assert outliers == [
        {
            "criterion": quality[0].id,
            "evaluator": third.id,
            "score": "30.00",
            "is_outlier": True,
            "others_mean": "81.00",
        }
    ]
    assert Bid.objects.filter(tender=tender).count() == 2
    # an evaluator, who may still be scoring, reads the ranking but not who gave which score
    for evaluator in evaluators:
        rows = api(evaluator).get(f"tenders/{tender.id}/ranking/").json()
        assert [(row["individual_scores"], row["has_outliers"]) for row in rows] == [([], False)] * 2
