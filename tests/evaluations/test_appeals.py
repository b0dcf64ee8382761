"""Appeals (复核, docs/rules.md §11.7): filing within the window, holding exactly the disputed money
when the evaluation is confirmed, and the decision releasing or withholding it, in the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from contracts.models import Contract, Instalment, LedgerEntry
from contracts.settlement import contract_balance, ledger_invariant_holds
from evaluations import appeal_rules
from evaluations.models import Appeal, Evaluation, appeal_window_end
from evaluations.services import evaluation_confirm
from marketplace.components import DEFAULT_SCORE_WEIGHTS
from marketplace.models import Tender
from marketplace.payment_rule import legacy_rule

from .. import flows

pytestmark = pytest.mark.django_db

# The holdback of 30 % of this value is 3,703,704 fen (the last share takes the remainder).
VALUE = 12_345_680
HOLDBACK = 3_703_704
# formula version shequ-2026.1 at the default weights and p0 (what the contract froze)
RULE = legacy_rule(weights=DEFAULT_SCORE_WEIGHTS, prior=Decimal("0.75"))
# All three recipients answer "dissatisfied": R = 100 × (0 + 20 × 0.75) / 23 = 65.22; with
# T = B = C = 78.48 the composite is 0.4 × 78.48 + 0.2 × 78.48 + 0.3 × 65.22 + 0.1 × 78.48 = 74.50.
PUBLISHED = {"t": "78.48", "b": "78.48", "c": "78.48"}


def test_the_worked_example_as_pure_functions():
    split = appeal_rules.confirm_split(
        holdback=HOLDBACK, score=Decimal("74.50"), claimed_score=Decimal("80.50"), rule=RULE
    )
    assert (split.release, split.hold, split.withhold) == (3_296_297, 407_407, 0)
    decided = appeal_rules.decision_split(
        holdback=HOLDBACK, score=Decimal("74.50"), final_score=Decimal("77.00"), held=split.hold, rule=RULE
    )
    assert (decided.release, decided.withhold) == (185_185, 222_222)
    assert split.release + decided.release == 3_481_482  # round_half_up(H × 0.94)


def test_the_window_is_a_decimal_number_of_days():
    published = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)
    assert appeal_window_end(published, Decimal("0.5")) == published + datetime.timedelta(hours=12)
    assert appeal_window_end(published, Decimal("10")) == published + datetime.timedelta(days=10)
    assert appeal_window_end(published, Decimal("0")) == published


@pytest.fixture
def published(world):
    """A published final evaluation at S = 74.50 of a contract whose holdback is 3,703,704 fen,
    the midterm confirmed (interim payable) — the window still open."""
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    flows.final_evaluation(world, objects, t="85", b="85", c="85")  # the midterm
    objects["evaluation"] = Evaluation.objects.get(contract=objects["contract"], stage="final")
    evaluation = flows.published_evaluation(world, objects, satisfaction=2, **PUBLISHED)
    assert evaluation.composite == Decimal("74.50")
    assert Instalment.objects.get(contract=objects["contract"], kind="holdback").amount == HOLDBACK
    return {**objects, "evaluation": evaluation}


def provider_admin(world, contract):
    return next(
        admin
        for admin, org in zip(world["provider_admins"], world["providers"], strict=True)
        if org.id == contract.provider_id
    )


def file(api, world, published, claimed=None):
    contract = published["contract"]
    return api(provider_admin(world, contract)).post(
        f"evaluations/{published['evaluation'].id}/appeals/",
        {
            "grounds": "The assessor visited on a public holiday.",
            "claimed": claimed or {"third_party": "93.48"},
        },
        format="json",
    )


def test_confirming_holds_the_disputed_part_and_the_decision_settles_it(world, api, published):
    contract, evaluation = published["contract"], published["evaluation"]
    filed = file(api, world, published)
    assert filed.status_code == 201, filed.json()
    assert filed.json()["status"] == "open"
    assert filed.json()["claimed_composite"] == "80.50"
    appeal_id = filed.json()["id"]
    committed = Tender.objects.get(pk=contract.tender_id).committed_amount

    flows.pass_appeal_window(evaluation)
    evaluation_confirm(actor=None, evaluation=evaluation)  # the scheduler
    appeal = Appeal.objects.get(pk=appeal_id)
    assert (appeal.released_at_confirmation, appeal.held_amount, appeal.withheld_at_confirmation) == (
        3_296_297,
        407_407,
        0,
    )
    holdback = Instalment.objects.get(contract=contract, kind="holdback", split_from=None)
    held = Instalment.objects.get(contract=contract, kind="holdback", split_from=holdback)
    assert (holdback.status, holdback.amount_payable, holdback.withheld_amount) == ("payable", 3_296_297, 0)
    assert (held.status, held.amount) == ("held", 407_407)
    assert LedgerEntry.objects.get(instalment=held, kind="held").amount == 407_407
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed  # nothing withheld
    balance = contract_balance(contract)
    assert balance.held == 407_407 and ledger_invariant_holds(contract)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED  # not closed: money is held

    refused = api(provider_admin(world, contract)).post(
        f"appeals/{appeal_id}/decide/", {"decision": "upheld", "reasoning": "Mine."}, format="json"
    )
    assert refused.status_code == 403
    decided = api(world["reviewer"]).post(
        f"appeals/{appeal_id}/decide/",
        {"decision": "partly", "scores": {"third_party": "84.72"}, "reasoning": "Half the visits count."},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    body = decided.json()
    assert (body["status"], body["final_composite"]) == ("partly", "77.00")
    assert (body["released_on_decision"], body["returned_on_decision"]) == (185_185, 222_222)
    held.refresh_from_db()
    assert (held.status, held.amount_payable, held.withheld_amount) == ("payable", 185_185, 222_222)
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed - 222_222
    assert LedgerEntry.objects.get(instalment=held, kind="withheld").amount == 222_222
    assert contract_balance(contract).held == 0 and ledger_invariant_holds(contract)

    again = api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/", {"decision": "dismissed", "reasoning": "No."}, format="json"
    )
    assert again.status_code == 409


def test_a_dismissed_appeal_returns_the_held_part_to_the_budget(world, api, published):
    contract, evaluation = published["contract"], published["evaluation"]
    appeal_id = file(api, world, published).json()["id"]
    flows.pass_appeal_window(evaluation)
    api(world["officer"]).post(f"evaluations/{evaluation.id}/confirm/")
    committed = Tender.objects.get(pk=contract.tender_id).committed_amount
    decided = api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/",
        {"decision": "dismissed", "reasoning": "The visits were late."},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    assert decided.json()["final_composite"] == "74.50"
    held = Instalment.objects.get(contract=contract, split_from__isnull=False)
    assert (held.status, held.withheld_amount) == ("withheld", 407_407)
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed - 407_407
    assert ledger_invariant_holds(contract)


def test_an_upheld_appeal_releases_all_it_held(world, api, published):
    contract, evaluation = published["contract"], published["evaluation"]
    appeal_id = file(api, world, published).json()["id"]
    flows.pass_appeal_window(evaluation)
    evaluation_confirm(actor=world["officer"], evaluation=evaluation)
    decided = api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/", {"decision": "upheld", "reasoning": "Agreed."}, format="json"
    )
    assert decided.json()["final_composite"] == "80.50"
    assert decided.json()["released_on_decision"] == 407_407
    held = Instalment.objects.get(contract=contract, split_from__isnull=False)
    assert (held.status, held.amount_payable) == ("payable", 407_407)
    assert ledger_invariant_holds(contract)


def test_a_decision_before_confirmation_sets_the_composite_money_follows(world, api, published):
    contract, evaluation = published["contract"], published["evaluation"]
    appeal_id = file(api, world, published).json()["id"]
    api(world["officer"]).post(
        f"appeals/{appeal_id}/decide/", {"decision": "upheld", "reasoning": "Agreed."}, format="json"
    )
    flows.pass_appeal_window(evaluation)
    evaluation_confirm(actor=None, evaluation=evaluation)
    holdback = Instalment.objects.get(contract=contract, kind="holdback")
    assert (holdback.status, holdback.amount_payable) == ("payable", HOLDBACK)  # f(80.50) = 1
    assert ledger_invariant_holds(contract)


def test_one_open_appeal_and_only_within_the_window(world, api, published):
    assert file(api, world, published).status_code == 201
    pending = file(api, world, published, {"buyer": "90"})
    assert pending.status_code == 409 and pending.json()["code"] == "appeal_pending"
    Appeal.objects.update()  # nothing changed by the refusal
    assert Appeal.objects.count() == 1
    Evaluation.objects.filter(pk=published["evaluation"].pk).update(
        appeal_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    Appeal.objects.all().delete()
    closed = file(api, world, published)
    assert closed.status_code == 409 and closed.json()["code"] == "appeal_window_closed"
    assert Appeal.objects.count() == 0


def test_only_the_provider_appeals_and_only_parties_see_appeals(world, api, published):
    evaluation = published["evaluation"]
    body = {"grounds": "No.", "claimed": {"buyer": "99"}}
    refused = api(world["officer"]).post(f"evaluations/{evaluation.id}/appeals/", body, format="json")
    assert refused.status_code == 403
    hidden = api(world["stranger"]).post(f"evaluations/{evaluation.id}/appeals/", body, format="json")
    assert hidden.status_code == 404
    assert Appeal.objects.count() == 0
    lower = file(api, world, published, {"buyer": "50"})
    assert lower.status_code == 400 and "claimed.buyer" in lower.json()["extra"]["fields"]
    appeal_id = file(api, world, published).json()["id"]
    assert api(world["stranger"]).get(f"appeals/{appeal_id}/").status_code == 404
    assert api(world["reviewer"]).get(f"appeals/{appeal_id}/").status_code == 200
    assert api(world["other_reviewer"]).get(f"appeals/{appeal_id}/").status_code == 404
    listed = api(world["officer"]).get(f"evaluations/{evaluation.id}/appeals/").json()
    assert [row["id"] for row in listed] == [appeal_id]
    assert listed[0]["available_transitions"] == ["decide"]


def test_a_partly_decision_stays_between_published_and_claimed(world, api, published):
    appeal_id = file(api, world, published).json()["id"]
    for scores in ({"third_party": "95"}, {"third_party": "70"}, {}, {"buyer": "80"}):
        refused = api(world["officer"]).post(
            f"appeals/{appeal_id}/decide/",
            {"decision": "partly", "scores": scores, "reasoning": "Some."},
            format="json",
        )
        assert refused.status_code == 400, scores
    assert Appeal.objects.get(pk=appeal_id).status == "open"


def test_a_midterm_appeal_holds_the_interim_whole_until_decided(world, api):
    objects = flows.delivering_contract(world, prices=(VALUE, VALUE))
    evaluation = flows.published_evaluation(world, objects, t="85", b="85", c="85")
    contract = objects["contract"]
    filed = api(provider_admin(world, contract)).post(
        f"evaluations/{evaluation.id}/appeals/",
        {"grounds": "Too low.", "claimed": {"buyer": "95"}},
        format="json",
    )
    assert filed.status_code == 201
    flows.pass_appeal_window(evaluation)
    evaluation_confirm(actor=None, evaluation=evaluation)
    interim = Instalment.objects.get(contract=contract, kind="interim")
    assert interim.status == "held"
    assert contract_balance(contract).held == interim.amount and ledger_invariant_holds(contract)
    api(world["officer"]).post(
        f"appeals/{filed.json()['id']}/decide/", {"decision": "dismissed", "reasoning": "No."}, format="json"
    )
    interim.refresh_from_db()
    assert (interim.status, interim.amount_payable) == ("payable", interim.amount)  # S passes
    assert ledger_invariant_holds(contract)
