"""Appeals after review (docs/rules.md §11.7): one appeal per evaluation; a decision's S'' is the
evaluation's score (band, f(S), renewal, exclusion, the midterm's course); a held interim is released
by a passing re-evaluation; a terminated contract's open appeal lapses. The ledger invariant
paid + withheld + held + outstanding = value holds after every step."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from contracts.models import Contract, Instalment
from contracts.settlement import contract_balance, ledger_invariant_holds
from evaluations.models import Appeal, Evaluation
from evaluations.selectors import appeals_to_decide, last_final_band
from evaluations.services import evaluation_confirm, evaluation_finalize
from marketplace.models import Exclusion

from .. import flows
from .test_appeals import PUBLISHED, VALUE, file, provider_admin

pytestmark = pytest.mark.django_db

# Every recipient answers "very dissatisfied": R = 100 × 15 / 23 = 65.22; T = B = C = 40 gives
# S = 16 + 8 + 19.57 + 4 = 47.57 (band E). Claiming T = B = 70 gives S' = 47.57 + 12 + 6 = 65.57 (D).
FAILING = {"t": "40", "b": "40", "c": "40"}
LIFTING_CLAIM = {"third_party": "70", "buyer": "70"}


@pytest.fixture
def published(world):
    """As in test_appeals: the final evaluation published at S = 74.50, its window open."""
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    return {**objects, "evaluation": flows.published_evaluation(world, objects, satisfaction=2, **PUBLISHED)}


def appeal_of(api, world, contract, evaluation, claimed):
    response = api(provider_admin(world, contract)).post(
        f"evaluations/{evaluation.id}/appeals/", {"grounds": "Too low.", "claimed": claimed}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def decide(api, world, appeal_id, decision="upheld"):
    response = api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/", {"decision": decision, "reasoning": "Looked at it."}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def failed_midterm_with_appeal(world, api):
    """A midterm published in band E (S = 47.57) and appealed to S' = 65.57, then confirmed: the
    interim is held whole, the contract is in rectification and round 2 is open."""
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    contract = objects["contract"]
    evaluation = flows.published_evaluation(world, objects, satisfaction=1, **FAILING)
    assert (evaluation.composite, evaluation.band) == (Decimal("47.57"), "E")
    appeal_id = appeal_of(api, world, contract, evaluation, LIFTING_CLAIM)
    evaluation_confirm(actor=None, evaluation=flows.pass_appeal_window(evaluation))
    contract.refresh_from_db()
    interim = Instalment.objects.get(contract=contract, kind="interim")
    assert (contract.status, interim.status) == (Contract.Status.RECTIFICATION, "held")
    assert ledger_invariant_holds(contract)
    round_2 = Evaluation.objects.get(contract=contract, stage="midterm", round=2)
    return {**objects, "first": evaluation, "round_2": round_2, "appeal_id": appeal_id, "interim": interim}


# --- 1. One appeal per evaluation --------------------------------------------------------------


def test_a_second_appeal_after_the_decision_is_refused_and_keeps_s_double_prime(world, api, published):
    first = file(api, world, published).json()["id"]
    api(world["officer"]).post(
        f"appeals/{first}/decide/",
        {"decision": "partly", "scores": {"third_party": "84.72"}, "reasoning": "Half."},
        format="json",
    )
    assert Appeal.objects.get(pk=first).final_composite == Decimal("77.00")

    again = file(api, world, published, {"buyer": "90"})  # the window is still open

    assert again.status_code == 409 and again.json()["code"] == "appeal_decided"
    assert list(Appeal.objects.values_list("id", "final_composite")) == [(first, Decimal("77.00"))]


def test_the_database_holds_one_appeal_per_evaluation_whatever_its_state(world, api, published):
    appeal = Appeal.objects.get(pk=file(api, world, published).json()["id"])
    Appeal.objects.filter(pk=appeal.pk).update(status="dismissed")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appeal.objects.create(
            evaluation=appeal.evaluation,
            filed_by=appeal.filed_by,
            grounds="Again.",
            published_composite=appeal.published_composite,
            claimed_composite=appeal.claimed_composite,
            claimed_buyer=Decimal("90"),
        )


# --- 3. S'' is the evaluation's score: band, f(S), renewal, exclusion ---------------------------


def test_a_decision_moves_the_band_release_and_last_final_band(world, api, published):
    contract, evaluation = published["contract"], published["evaluation"]
    appeal_id = file(api, world, published).json()["id"]
    evaluation_confirm(actor=None, evaluation=flows.pass_appeal_window(evaluation))
    evaluation.refresh_from_db()
    assert (evaluation.band, evaluation.release_pct) == ("C", Decimal("89.00"))

    decide(api, world, appeal_id, "upheld")  # S'' = 80.50

    evaluation.refresh_from_db()
    assert (evaluation.composite, evaluation.score) == (Decimal("74.50"), Decimal("80.50"))
    assert (evaluation.band, evaluation.release_pct) == ("B", Decimal("100.00"))
    assert last_final_band(contract) == "B"
    assert ledger_invariant_holds(contract)


def failing_final(world, api):
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    evaluation = flows.published_evaluation(world, objects, satisfaction=1, **FAILING)
    assert evaluation.band == "E"
    appeal_id = appeal_of(api, world, objects["contract"], evaluation, LIFTING_CLAIM)
    evaluation_confirm(actor=None, evaluation=flows.pass_appeal_window(evaluation))
    return objects["contract"], evaluation, appeal_id


def test_band_e_excludes_only_once_the_appeal_is_decided_and_not_if_it_lifts_the_band(world, api):
    contract, evaluation, appeal_id = failing_final(world, api)
    assert not Exclusion.objects.filter(source=Exclusion.Source.EVALUATION_BAND_E).exists()
    assert ledger_invariant_holds(contract)

    decide(api, world, appeal_id, "upheld")  # S'' = 65.57: band D

    evaluation.refresh_from_db()
    assert evaluation.band == "D" and last_final_band(contract) == "D"
    assert not Exclusion.objects.filter(source=Exclusion.Source.EVALUATION_BAND_E).exists()
    assert ledger_invariant_holds(contract)


def test_a_dismissed_appeal_of_a_band_e_final_excludes_from_the_decision(world, api):
    contract, evaluation, appeal_id = failing_final(world, api)
    decide(api, world, appeal_id, "dismissed")
    exclusion = Exclusion.objects.get(source=Exclusion.Source.EVALUATION_BAND_E, source_id=evaluation.pk)
    assert exclusion.starts == Appeal.objects.get(pk=appeal_id).decided_at
    assert ledger_invariant_holds(contract)


# --- 2. The midterm's course follows "this midterm passed" -------------------------------------


def test_a_held_interim_is_released_when_the_re_evaluation_passes(world, api):
    objects = failed_midterm_with_appeal(world, api)
    contract, round_2, interim = objects["contract"], objects["round_2"], objects["interim"]
    for resident in objects["residents"]:
        flows.rate(resident, contract, 5)
    flows.score_components(world, round_2, t="85", b="85", c="85")
    round_2 = evaluation_finalize(actor=world["officer"], evaluation=round_2)
    assert round_2.band == "B"

    evaluation_confirm(actor=None, evaluation=flows.pass_appeal_window(round_2))

    interim.refresh_from_db()
    assert (interim.status, interim.amount_payable) == ("payable", interim.amount)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert contract_balance(contract).held == 0 and ledger_invariant_holds(contract)
    # the first round's appeal, decided later, finds nothing left to move
    body = decide(api, world, objects["appeal_id"], "dismissed")
    assert (body["released_on_decision"], body["returned_on_decision"]) == (0, 0)
    assert Evaluation.objects.filter(contract=contract, stage="final").count() == 1
    assert ledger_invariant_holds(contract)


def test_a_decision_that_passes_a_failed_midterm_supersedes_round_2_and_opens_the_final(world, api):
    objects = failed_midterm_with_appeal(world, api)
    contract, first, interim = objects["contract"], objects["first"], objects["interim"]

    body = decide(api, world, objects["appeal_id"], "upheld")  # S'' = 65.57: band D, passed

    objects["round_2"].refresh_from_db()
    assert objects["round_2"].status == Evaluation.Status.SUPERSEDED
    assert Evaluation.objects.get(contract=contract, status="open").stage == "final"
    assert body["released_on_decision"] == interim.amount
    interim.refresh_from_db()
    assert (interim.status, interim.amount_payable) == ("payable", interim.amount)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    first.refresh_from_db()
    assert first.has_passed and first.band == "D"
    assert ledger_invariant_holds(contract)


def test_a_decision_that_keeps_a_midterm_failed_returns_the_interim_to_the_schedule(world, api):
    objects = failed_midterm_with_appeal(world, api)
    decide(api, world, objects["appeal_id"], "dismissed")
    objects["interim"].refresh_from_db()
    assert objects["interim"].status == "scheduled"
    objects["round_2"].refresh_from_db()
    assert objects["round_2"].status == Evaluation.Status.OPEN
    assert not Evaluation.objects.filter(contract=objects["contract"], stage="final").exists()
    assert ledger_invariant_holds(objects["contract"])


# --- 4. Termination lapses open appeals --------------------------------------------------------


def test_terminating_a_contract_lapses_its_open_appeal_and_returns_what_it_held(world, api):
    objects = failed_midterm_with_appeal(world, api)
    contract, interim, appeal_id = objects["contract"], objects["interim"], objects["appeal_id"]
    assert [appeal.pk for appeal in appeals_to_decide(user=world["officer"])] == [appeal_id]

    response = api(world["officer"]).post(
        f"contracts/{contract.pk}/terminate/", {"reason": "Staff left."}, format="json"
    )

    assert response.status_code == 200, response.json()
    appeal = Appeal.objects.get(pk=appeal_id)
    assert appeal.status == Appeal.Status.LAPSED
    assert (appeal.released_on_decision, appeal.returned_on_decision) == (0, interim.amount)
    interim.refresh_from_db()
    assert (interim.status, interim.withheld_amount) == ("withheld", interim.amount)
    assert list(appeals_to_decide(user=world["officer"])) == []
    assert contract_balance(contract).held == 0 and ledger_invariant_holds(contract)
    refused = api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/", {"decision": "upheld", "reasoning": "Late."}, format="json"
    )
    assert refused.status_code == 409
    assert Appeal.objects.get(pk=appeal_id).status == Appeal.Status.LAPSED
