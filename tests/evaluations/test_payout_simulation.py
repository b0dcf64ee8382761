"""The payout simulator (docs/rules.md §11): public, on the tender's ceiling holdback or the contract's
holdback, with the rule the contract froze (or would freeze), by the functions finalising uses."""

from decimal import Decimal

import pytest
from django.test import override_settings

from contracts.models import Instalment

from .. import flows

pytestmark = pytest.mark.django_db

WORKED_EXAMPLE_2 = {"t": "70", "b": "65", "r": "60", "c": "70"}  # S = 66.00, band D, f = 0.68


def test_anyone_simulates_a_published_tender_on_its_ceiling_holdback(world, api):
    tender = flows.published_tender(world)  # ceiling ¥300,000, schedule 30/40/30: holdback ¥90,000

    response = api().get(f"tenders/{tender.id}/payout-simulation/", **WORKED_EXAMPLE_2)

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "composite": "66.00",
        "band": "D",
        "release_pct": "68.00",
        "holdback_amount": 9_000_000,
        "release_amount": 6_120_000,
        "withheld_amount": 2_880_000,
    }


@pytest.mark.parametrize(
    ("scores", "band", "pct", "release"),
    [
        ({"t": "95", "b": "95", "r": "95", "c": "95"}, "A", "100.00", 9_000_000),
        ({"t": "82", "b": "88", "r": "76.43", "c": "90"}, "B", "100.00", 9_000_000),
        ({"t": "74.5", "b": "74.5", "r": "74.5", "c": "74.5"}, "C", "89.00", 8_010_000),
        ({"t": "60", "b": "60", "r": "60", "c": "60"}, "D", "50.00", 4_500_000),
        ({"t": "59.99", "b": "59.99", "r": "59.99", "c": "59.99"}, "E", "0.00", 0),
    ],
)
def test_each_band_pays_as_finalising_would(world, api, scores, band, pct, release):
    tender = flows.published_tender(world)
    body = api().get(f"tenders/{tender.id}/payout-simulation/", **scores).json()
    assert (body["band"], body["release_pct"], body["release_amount"]) == (band, pct, release)
    assert body["release_amount"] + body["withheld_amount"] == 9_000_000


def test_a_draft_tender_is_not_found_for_the_public(world, api):
    tender = flows.draft_tender(world)
    response = api().get(f"tenders/{tender.id}/payout-simulation/", **WORKED_EXAMPLE_2)
    assert response.status_code == 404
    assert (
        api(world["officer"]).get(f"tenders/{tender.id}/payout-simulation/", **WORKED_EXAMPLE_2).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"t": "70", "b": "65", "r": "60"}, "c"),
        ({**WORKED_EXAMPLE_2, "t": "seventy"}, "t"),
        ({**WORKED_EXAMPLE_2, "b": "100.01"}, "b"),
        ({**WORKED_EXAMPLE_2, "r": "-1"}, "r"),
        ({**WORKED_EXAMPLE_2, "c": "NaN"}, "c"),
        ({**WORKED_EXAMPLE_2, "c": "50.123"}, "c"),
    ],
)
def test_bad_scores_are_refused_by_field(world, api, query, field):
    tender = flows.published_tender(world)
    response = api().get(f"tenders/{tender.id}/payout-simulation/", **query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["extra"]["fields"]) == [field]


def test_a_contract_is_simulated_on_its_holdback_with_its_frozen_rule(world, api):
    contract = flows.active_contract(world)
    holdback = Instalment.objects.get(contract=contract, kind=Instalment.Kind.HOLDBACK).amount
    scores = {"t": "74.5", "b": "74.5", "r": "74.5", "c": "74.5"}

    with override_settings(RATING_PRIOR_CSAT=Decimal("0.1")):  # no setting reaches a frozen rule
        body = api().get(f"contracts/{contract.id}/payout-simulation/", **scores).json()

    assert body["holdback_amount"] == holdback
    assert body["release_amount"] == int((Decimal(holdback) * Decimal("0.89")).quantize(Decimal(1)))
    assert body["withheld_amount"] == holdback - body["release_amount"]


def test_a_draft_contract_is_not_found_for_the_public(world, api):
    contract = flows.draft_contract(world)
    assert api().get(f"contracts/{contract.id}/payout-simulation/", **WORKED_EXAMPLE_2).status_code == 404


def test_the_computation_of_a_published_evaluation_walks_every_step(world, api, settings):
    settings.EVALUATION_APPEAL_DAYS = 0
    objects = flows.delivering_contract(world, households=3)
    evaluation = flows.published_evaluation(world, objects, satisfaction=5, t="70", b="65", c="70")

    body = api().get(f"evaluations/{evaluation.id}/computation/").json()

    # R = 100 × (3 + 20 × 0.75) / (3 + 20) = 78.26; S = 28 + 13 + 23.478 + 7 = 71.48 (C)
    assert (body["method"], body["n"], body["n_pos"], body["residents"]) == ("online", 3, 3, "78.26")
    assert (body["composite"], body["band"], body["release_share"]) == ("71.48", "C", "1.0000")
    assert body["instalment_kind"] == "interim"  # a midterm at S >= 60 releases the interim whole
    assert body["release_amount"] == body["amount"]
    assert body["payment_rule"]["prior"] == "0.7500"
    assert body["payment_rule"]["bands"][2] == {
        "letter": "C",
        "floor": "70.00",
        "base": "0.8000",
        "slope": "0.0200",
    }


def test_an_open_evaluation_has_no_public_computation(world, api):
    objects = flows.delivering_contract(world, households=3)
    assert api().get(f"evaluations/{objects['evaluation'].id}/computation/").status_code == 404
