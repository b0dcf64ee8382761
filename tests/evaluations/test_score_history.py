"""Score history (docs/rules.md §11): every entry of T, B, C, a sample survey and a bid score is kept
with who entered it, when, and the value it replaced; ``evaluations/{id}/history/`` lists them for the
contract's parties, and the evaluation pages show them."""

from decimal import Decimal

import pytest

from evaluations.models import ScoreEntry
from marketplace import services as marketplace_services
from marketplace.models import Bid, BidScoreEntry, Criterion

from .. import flows
from ..frontend.helpers import english_client, page

pytestmark = pytest.mark.django_db


def test_every_entry_is_kept_with_who_when_and_what_it_replaced(world, api):
    objects = flows.delivering_contract(world, households=3)
    evaluation = objects["evaluation"]
    assessor, officer = world["assessor_member"], world["officer"]

    for user, component, value in (
        (assessor, "third_party", "70"),
        (officer, "buyer", "65"),
        (assessor, "third_party", "72.5"),
    ):
        assert (
            api(user)
            .post(f"evaluations/{evaluation.id}/scores/", {"component": component, "score": value})
            .status_code
            == 200
        )
    assert (
        api(assessor).post(f"evaluations/{evaluation.id}/survey/", {"n": 30, "n_pos": 20}).status_code == 200
    )
    assert (
        api(assessor).post(f"evaluations/{evaluation.id}/survey/", {"n": 32, "n_pos": 25}).status_code == 200
    )

    body = api(officer).get(f"evaluations/{evaluation.id}/history/").json()

    rows = [
        (
            row["kind"],
            row["score"],
            row["previous_score"],
            row["n"],
            row["n_pos"],
            row["previous_n"],
            row["previous_n_pos"],
            row["by"]["username"],
        )
        for row in body["scores"]
    ]
    assert rows == [
        ("third_party", "70.00", None, None, None, None, None, assessor.username),
        ("buyer", "65.00", None, None, None, None, None, officer.username),
        ("third_party", "72.50", "70.00", None, None, None, None, assessor.username),
        ("survey", None, None, 30, 20, None, None, assessor.username),
        ("survey", None, None, 32, 25, 30, 20, assessor.username),
    ]
    assert all(row["entered_at"] for row in body["scores"])
    assert "transitions" in body


def test_the_history_is_for_the_contracts_parties_only(world, api):
    objects = flows.delivering_contract(world, households=3)
    evaluation = objects["evaluation"]
    flows.score_components(world, evaluation)
    provider_admin = next(
        admin
        for admin, provider in zip(world["provider_admins"], world["providers"], strict=True)
        if provider.id == objects["contract"].provider_id
    )

    assert api(provider_admin).get(f"evaluations/{evaluation.id}/history/").status_code == 200
    assert api(world["stranger"]).get(f"evaluations/{evaluation.id}/history/").status_code == 404
    assert api().get(f"evaluations/{evaluation.id}/history/").status_code == 401


def test_a_refused_entry_leaves_no_history(world, api):
    objects = flows.delivering_contract(world, households=3)
    evaluation = objects["evaluation"]

    response = api(world["officer"]).post(
        f"evaluations/{evaluation.id}/scores/", {"component": "third_party", "score": "70"}
    )

    assert response.status_code == 403
    assert not ScoreEntry.objects.exists()


def test_a_bid_score_entry_keeps_the_score_it_replaced(world):
    tender = flows.evaluating_tender(world)
    evaluator = world["evaluators"][0]
    marketplace_services.evaluator_declare(actor=evaluator, tender=tender, no_conflict=True)
    bid = tender.bids.filter(status=Bid.Status.OPENED).first()
    criterion = tender.criteria.filter(kind=Criterion.Kind.QUALITY).first()

    marketplace_services.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=Decimal(70))
    marketplace_services.bid_score(actor=evaluator, bid=bid, criterion=criterion, score=Decimal(85))

    entries = list(BidScoreEntry.objects.filter(bid=bid).values_list("score", "previous_score", "evaluator"))
    assert entries == [(Decimal(70), None, evaluator.id), (Decimal(85), Decimal(70), evaluator.id)]

    html = page(english_client(world["officer"]).get(f"/bureau/tenders/{tender.pk}/bids/{bid.pk}/"))
    assert 'data-testid="bid-score-history"' in html
    assert "85.00" in html and "70.00" in html


def test_the_evaluation_pages_show_the_history(world):
    objects = flows.delivering_contract(world, households=3)
    evaluation = objects["evaluation"]
    flows.score_components(world, evaluation, t="70", b="65", c="75")
    flows.score_components(world, evaluation, t="71", b="65", c="75")
    contract = objects["contract"]
    provider_admin = next(
        admin
        for admin, provider in zip(world["provider_admins"], world["providers"], strict=True)
        if provider.id == contract.provider_id
    )

    for user, url in (
        (world["officer"], f"/bureau/evaluations/{evaluation.pk}/"),
        (world["assessor_member"], f"/assessor/evaluations/{evaluation.pk}/"),
        (provider_admin, f"/provider/contracts/{contract.pk}/"),
    ):
        response = english_client(user).get(url)
        assert response.status_code == 200, url
        html = page(response)
        assert 'data-testid="score-history"' in html, url
        assert "Score history" in html and "71.00" in html, url


def test_the_history_query_count_does_not_grow_with_entries(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    objects = flows.delivering_contract(world, households=3)
    evaluation = objects["evaluation"]
    client = api(world["officer"])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"evaluations/{evaluation.id}/history/").status_code == 200
        return len(captured)

    flows.score_components(world, evaluation)
    count()  # the first call also reads what the client caches
    few = count()
    for value in ("70", "71", "72", "73"):
        flows.score_components(world, evaluation, t=value, b=value, c=value)
    assert count() == few <= 7
