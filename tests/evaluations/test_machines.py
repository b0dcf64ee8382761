"""The evaluation machine (open → published → final) and the rating machine (valid → quarantined →
valid | excluded): every (state, transition) pair is allowed or refused, a refusal is never
half-done, and every transition is logged (who, from, to, reason). Also how ratings are counted,
when evaluations open, and where withheld money goes (docs/rules.md §6.2, §11)."""

from decimal import Decimal

import pytest
from django_fsm_log.models import StateLog

from contracts import services as contract_services
from contracts.models import Contract, Instalment
from evaluations import services
from evaluations.models import Evaluation, Rating
from evaluations.tasks import confirm_due_evaluations, open_due_evaluations
from marketplace.models import Tender

from .. import factories as f
from .. import flows
from ..roles import assert_error, assert_unchanged, snapshot

pytestmark = pytest.mark.django_db

OK = 200
REASON = "Household confirmed by phone"


def _log(instance) -> tuple:
    log = flows.last_log(instance)
    return (log.source_state, log.state, log.transition, log.by, log.description)


# --- The evaluation machine ---------------------------------------------------------------------


def _evaluation_in(world, state: str) -> dict:
    """A midterm evaluation in ``state``. ``open`` is ready to finalize (every recipient rated,
    T, B, C entered, report in); ``published`` is inside its appeal window, ``appeal over`` past it."""
    objects = flows.delivering_contract(world, households=3)
    evaluation = objects["evaluation"]
    if state == "open":
        for resident in objects["residents"]:
            flows.rate(resident, objects["contract"], 5)
        flows.score_components(world, evaluation)
        flows.submit_report(world, objects["contract"], "midterm")
    elif state == "published":
        evaluation = flows.published_evaluation(world, objects)
    elif state == "appeal over":
        evaluation = flows.pass_appeal_window(flows.published_evaluation(world, objects))
    elif state == "final":
        evaluation = flows.final_evaluation(world, objects)
    return {**objects, "evaluation": evaluation}


ACTIONS = {
    "scores": ("assessor_member", {"component": "third_party", "score": "90"}),
    "survey": ("assessor_member", {"n": 40, "n_pos": 30}),
    "finalize": ("officer", None),
    "confirm": ("officer", None),
}
# (state, action) → the status after, or the refusal (status, code)
EVALUATION_PAIRS = {
    ("open", "scores"): "open",
    ("open", "survey"): "open",
    ("open", "finalize"): "published",
    ("open", "confirm"): (409, "invalid_transition"),
    ("published", "scores"): (409, "invalid_transition"),
    ("published", "survey"): (409, "invalid_transition"),
    ("published", "finalize"): (409, "invalid_transition"),
    ("published", "confirm"): (409, "appeal_window_open"),
    ("appeal over", "scores"): (409, "invalid_transition"),
    ("appeal over", "survey"): (409, "invalid_transition"),
    ("appeal over", "finalize"): (409, "invalid_transition"),
    ("appeal over", "confirm"): "final",
    ("final", "scores"): (409, "invalid_transition"),
    ("final", "survey"): (409, "invalid_transition"),
    ("final", "finalize"): (409, "invalid_transition"),
    ("final", "confirm"): (409, "invalid_transition"),
}


@pytest.mark.parametrize(
    ("state", "action"), list(EVALUATION_PAIRS), ids=[f"{s} × {a}" for s, a in EVALUATION_PAIRS]
)
def test_every_state_and_transition_of_an_evaluation(world, api, state, action):
    # Given a midterm evaluation in the state
    objects = _evaluation_in(world, state)
    evaluation = objects["evaluation"]
    caller, body = ACTIONS[action]
    client = api(world[caller])
    logs_before = StateLog.objects.for_(evaluation).count()
    before = snapshot()

    # When the right role acts on it
    response = client.post(f"evaluations/{evaluation.id}/{action}/", body)

    # Then it moves as the machine allows, or is refused with nothing changed
    outcome = EVALUATION_PAIRS[(state, action)]
    if isinstance(outcome, tuple):
        assert_error(response, *outcome)
        assert_unchanged(before)
        return
    assert response.status_code == OK, response.json()
    assert response.json()["status"] == outcome
    evaluation.refresh_from_db()
    assert evaluation.status == outcome
    if outcome == state:  # scores and surveys change data, not state, and log nothing
        assert StateLog.objects.for_(evaluation).count() == logs_before
    else:
        assert StateLog.objects.for_(evaluation).count() == logs_before + 1
        transition = {"published": "publish", "final": "confirm"}[outcome]
        source = "open" if outcome == "published" else "published"
        assert _log(evaluation) == (source, outcome, transition, world["officer"], None)


def test_finalizing_is_refused_until_scores_report_and_enough_ratings_are_in(world, api):
    objects = flows.delivering_contract(world, households=3)
    contract, evaluation = objects["contract"], objects["evaluation"]
    officer = api(world["officer"])
    path = f"evaluations/{evaluation.id}/finalize/"

    def refused(code, extra=None):
        before = snapshot()
        response = officer.post(path)
        assert_error(response, 409, code)
        if extra is not None:
            assert response.json()["extra"] == extra
        assert_unchanged(before)

    refused("scores_missing", {"missing": ["third_party", "buyer", "community"]})
    services.evaluation_score(
        actor=world["assessor_member"], evaluation=evaluation, component="third_party", score=Decimal(80)
    )
    refused("scores_missing", {"missing": ["buyer", "community"]})
    flows.score_components(world, evaluation)
    refused("report_missing")
    flows.submit_report(world, contract, "final")  # the other stage's report does not count
    refused("report_missing")
    flows.submit_report(world, contract, "midterm")
    flows.rate(objects["residents"][0], contract, 5)
    refused("insufficient_ratings", {"n": 1, "n_min": 3})

    # The assessor's survey stands in for the missing ratings
    api(world["assessor_member"]).post(f"evaluations/{evaluation.id}/survey/", {"n": 30, "n_pos": 24})
    published = officer.post(path).json()
    assert published["status"] == "published"
    assert {key: published["residents"][key] for key in ("n", "n_pos", "n_min", "score", "method")} == (
        {"n": 1, "n_pos": 1, "n_min": 3, "score": "78.00", "method": "survey"}
    )
    assert published["available_transitions"] == []  # the appeal window is open


def test_a_final_confirm_refused_by_the_contract_is_rolled_back_whole(world, api):
    # Given a published final evaluation past its appeal window, and the contract suspended
    objects = flows.delivering_contract(world, households=3)
    flows.final_evaluation(world, objects)
    final = objects["contract"].evaluations.get(stage="final")
    final = flows.pass_appeal_window(flows.published_evaluation(world, {**objects, "evaluation": final}))
    contract_services.contract_suspend(actor=world["officer"], contract=objects["contract"], reason="Audit")
    officer = api(world["officer"])
    before = snapshot()

    # When the officer confirms, the contract cannot complete: nothing of the confirmation stays
    response = officer.post(f"evaluations/{final.id}/confirm/")
    assert_error(response, 409, "invalid_transition")
    assert_unchanged(before)


def test_the_scheduler_confirms_past_the_appeal_window_and_logs_no_person(world):
    objects = flows.delivering_contract(world, households=3)
    evaluation = flows.published_evaluation(world, objects)
    assert confirm_due_evaluations() == 0  # the window is open
    flows.pass_appeal_window(evaluation)

    assert confirm_due_evaluations() == 1
    evaluation.refresh_from_db()
    assert evaluation.status == "final"
    assert _log(evaluation) == ("published", "final", "confirm", None, None)
    assert confirm_due_evaluations() == 0  # idempotent


# --- The rating machine -------------------------------------------------------------------------


def _rating_in(world, state: str) -> dict:
    objects = flows.delivering_contract(world, households=3)
    contract = objects["contract"]
    if state == "valid":
        rating = flows.rate(objects["residents"][0], contract, 5)
    else:
        rating = flows.quarantined_rating(objects["residents"][0], contract)
    if state == "excluded":
        rating = services.rating_review(actor=world["officer"], rating=rating, decision="exclude", reason="x")
    return {**objects, "rating": rating}


RATING_PAIRS = {
    ("valid", "restore"): (409, "invalid_transition"),
    ("valid", "exclude"): (409, "invalid_transition"),
    ("quarantined", "restore"): "valid",
    ("quarantined", "exclude"): "excluded",
    ("excluded", "restore"): (409, "invalid_transition"),
    ("excluded", "exclude"): (409, "invalid_transition"),
}


@pytest.mark.parametrize(("state", "action"), list(RATING_PAIRS), ids=[f"{s} × {a}" for s, a in RATING_PAIRS])
def test_every_state_and_transition_of_a_rating(world, api, state, action):
    rating = _rating_in(world, state)["rating"]
    officer = api(world["officer"])
    before = snapshot()

    response = officer.post(f"ratings/{rating.id}/{action}/", {"reason": REASON})

    outcome = RATING_PAIRS[(state, action)]
    if isinstance(outcome, tuple):
        assert_error(response, *outcome)
        assert_unchanged(before)
        return
    assert response.status_code == OK, response.json()
    rating.refresh_from_db()
    assert response.json()["status"] == rating.status == outcome
    assert _log(rating) == ("quarantined", outcome, action, world["officer"], REASON)


def test_a_quarantined_rating_is_logged_with_the_rule_that_caught_it(world, settings):
    settings.RATING_IP_BURST = 1
    objects = flows.delivering_contract(world, households=3)
    first = flows.rate(objects["residents"][0], objects["contract"], 5, address="192.0.2.1")
    second = flows.rate(objects["residents"][1], objects["contract"], 5, address="192.0.2.1")
    assert (first.status, second.status) == ("valid", "quarantined")
    source, state, transition, by, description = _log(second)
    assert (source, state, transition, by) == ("valid", "quarantined", "quarantine", None)
    assert description and second.quarantine_reason == description
    assert StateLog.objects.for_(first).count() == 0


def test_a_rating_is_changed_only_while_its_evaluation_is_open(world, api):
    objects = flows.delivering_contract(world, households=3)
    flows.published_evaluation(world, objects)
    rating = Rating.objects.get(household=objects["residents"][0].household)
    rater = api(objects["residents"][0].user)
    before = snapshot()
    response = rater.patch(f"ratings/{rating.id}/", {"satisfaction": 1})
    assert_error(response, 409, "rating_window_closed")
    assert_unchanged(before)


def test_a_completed_contract_cannot_be_rated(world, api):
    objects = flows.delivering_contract(world, households=3)
    flows.final_evaluation(world, objects)
    final = objects["contract"].evaluations.get(stage="final")
    flows.final_evaluation(world, {**objects, "evaluation": final})
    newcomer = f.ResidentFactory(household=objects["residents"][0].household)
    client = api(newcomer.user)
    before = snapshot()
    response = client.post(
        "ratings/", {"contract": objects["contract"].id, "satisfaction": 5, "resolved": "yes"}
    )
    assert_error(response, 409, "rating_window_closed")
    assert_unchanged(before)


# --- available_transitions ----------------------------------------------------------------------


def _available(api, user, path):
    response = api(user).get(path)
    assert response.status_code == OK, response.json()
    return response.json()["available_transitions"]


EVALUATION_CALLERS = ("officer", "finance", "assessor_member", "community_member", "platform_admin")


@pytest.mark.parametrize(
    ("state", "officer_may"),
    [("open", ["finalize"]), ("published", []), ("appeal over", ["confirm"]), ("final", [])],
)
def test_available_transitions_of_an_evaluation(world, api, state, officer_may):
    evaluation = _evaluation_in(world, state)["evaluation"]
    path = f"evaluations/{evaluation.id}/"
    for who in EVALUATION_CALLERS:
        expected = officer_may if who == "officer" else []
        assert _available(api, world[who], path) == expected, who
    assert _available(api, world["provider_admins"][0], path) == []


@pytest.mark.parametrize(
    ("state", "officer_may"), [("valid", []), ("quarantined", ["restore", "exclude"]), ("excluded", [])]
)
def test_available_transitions_of_a_rating(world, api, state, officer_may):
    objects = _rating_in(world, state)
    path = f"ratings/{objects['rating'].id}/"
    assert _available(api, world["officer"], path) == officer_may
    assert _available(api, objects["residents"][0].user, path) == []  # the rater
    assert _available(api, world["platform_admin"], path) == []


# --- Counting ratings ---------------------------------------------------------------------------


def test_what_counts_in_n_and_in_big_n(world, api):
    # Given three recipient households in a first service event
    objects = flows.delivering_contract(world, households=3)
    contract, evaluation = objects["contract"], objects["evaluation"]
    h0, h1, h2 = objects["residents"]
    officer = api(world["officer"])
    flows.score_components(world, evaluation)
    flows.submit_report(world, contract, "midterm")

    # not_received is stored but not counted
    flows.rate(h0, contract, 5)
    flows.rate(h1, contract, 4)
    not_received = flows.rate(h2, contract, Rating.NOT_RECEIVED)
    shown = api(h2.user).get(f"ratings/{not_received.id}/").json()
    assert (shown["satisfaction"], shown["status"]) == ("not_received", "valid")
    response = officer.post(f"evaluations/{evaluation.id}/finalize/")
    assert_error(response, 409, "insufficient_ratings")
    assert response.json()["extra"] == {"n": 2, "n_min": 3}

    # N counts distinct recipient households recorded so far: h2 is served again, three are new
    compound = world["areas"]["compound"]
    h3, h4, h5 = (f.ResidentFactory(household=f.HouseholdFactory(area=compound)) for _ in range(3))
    flows.log_service(world, contract, [h2.household, h3.household, h4.household, h5.household])
    # quarantined and excluded ratings are not counted
    flows.quarantined_rating(h3, contract)
    excluded = flows.quarantined_rating(h4, contract)
    services.rating_review(actor=world["officer"], rating=excluded, decision="exclude", reason="Duplicate")
    flows.rate(h5, contract, 2)
    response = officer.post(f"evaluations/{evaluation.id}/finalize/")
    assert response.json()["extra"] == {"n": 3, "n_min": 6}
    assert api().get(f"contracts/{contract.id}/satisfaction/").json()["count"] == 3

    # Restoring the quarantined rating counts it
    restored = Rating.objects.get(household=h3.household)
    services.rating_review(actor=world["officer"], rating=restored, decision="restore", reason=REASON)
    assert officer.post(f"evaluations/{evaluation.id}/finalize/").json()["extra"] == {"n": 4, "n_min": 6}

    # Changing not_received into a level counts it too: n = 5 of n_min 6, so a survey is needed
    api(h2.user).patch(f"ratings/{not_received.id}/", {"satisfaction": 5})
    api(world["assessor_member"]).post(f"evaluations/{evaluation.id}/survey/", {"n": 60, "n_pos": 45})
    published = officer.post(f"evaluations/{evaluation.id}/finalize/").json()
    assert {key: published["residents"][key] for key in ("n", "n_pos", "n_min", "score", "method")} == (
        {"n": 5, "n_pos": 4, "n_min": 6, "score": "75.00", "method": "survey"}
    )


def test_online_ratings_give_r_once_n_reaches_n_min(world, api):
    objects = flows.delivering_contract(world, households=3)
    evaluation = flows.published_evaluation(world, objects, satisfaction=4)
    assert (evaluation.residents_n, evaluation.residents_n_pos, evaluation.residents_n_min) == (3, 3, 3)
    assert evaluation.residents == Decimal("78.26")  # 100 × (3 + 15) / 23
    assert evaluation.residents_method == "online"


# --- When evaluations open ----------------------------------------------------------------------


def test_the_midterm_opens_with_the_active_contract_and_the_final_when_the_midterm_is_final(world, api):
    # A draft contract has no evaluation, and reading its evaluations opens none
    contract = flows.draft_contract(world)
    officer = api(world["officer"])
    assert officer.get(f"contracts/{contract.id}/evaluations/").json() == []
    assert not Evaluation.objects.filter(contract=contract).exists()

    # Activation: the midterm opens when first needed (here, by the periodic job)
    contract_services.contract_sign(actor=world["officer"], contract=contract)
    contract_services.contract_sign(actor=world["provider_admins"][0], contract=contract)
    assert open_due_evaluations() == 1
    assert open_due_evaluations() == 0
    listed = officer.get(f"contracts/{contract.id}/evaluations/").json()
    assert [(e["stage"], e["round"], e["status"]) for e in listed] == [("midterm", 1, "open")]

    # The final evaluation opens only when the midterm is final
    objects = flows.delivering_contract(world, households=3)
    midterm = flows.published_evaluation(world, objects)
    assert list(objects["contract"].evaluations.values_list("stage", "status")) == [("midterm", "published")]
    flows.pass_appeal_window(midterm)
    api(world["officer"]).post(f"evaluations/{midterm.id}/confirm/")
    assert list(objects["contract"].evaluations.values_list("stage", "round", "status")) == [
        ("midterm", 1, "final"),
        ("final", 1, "open"),
    ]


def test_reading_an_active_contracts_evaluations_opens_none(world, api):
    # A read never writes (issue 8): the midterm opens with the activation through the API or the
    # pages (tests/evaluations/test_reads_do_not_write.py), with the first rating, or by the job.
    contract = flows.activated_without_evaluation(world)
    listed = api(world["provider_admins"][0]).get(f"contracts/{contract.id}/evaluations/").json()
    assert listed == []
    assert not Evaluation.objects.filter(contract=contract).exists()


# --- Money follows the final evaluation ---------------------------------------------------------


def test_a_final_evaluation_below_60_withholds_the_whole_holdback_and_completes_the_contract(world, api):
    # Given a passed midterm and a final evaluation scored to S < 60
    objects = flows.delivering_contract(world, households=3)
    contract = objects["contract"]
    flows.final_evaluation(world, objects)
    final = contract.evaluations.get(stage="final")
    final = flows.pass_appeal_window(
        flows.published_evaluation(
            world, {**objects, "evaluation": final}, satisfaction=1, t="40", b="40", c="40"
        )
    )
    assert (final.residents, final.composite, final.band, final.release_pct) == (
        Decimal("65.22"),
        Decimal("47.57"),
        "E",
        Decimal("0.00"),
    )
    holdback = Instalment.objects.get(contract=contract, kind="holdback")
    committed_before = Tender.objects.get(pk=contract.tender_id).committed_amount

    # When the officer confirms it
    response = api(world["officer"]).post(f"evaluations/{final.id}/confirm/")

    # Then the whole holdback is withheld and returns to the budget line, and the contract completes
    assert response.status_code == OK, response.json()
    holdback.refresh_from_db()
    assert holdback.status == "withheld"
    assert (holdback.release_amount or 0, holdback.withheld_amount) == (0, holdback.amount)
    assert holdback.amount == 8_400_000  # 30 % of the winning 28,000,000
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed_before - holdback.amount
    assert _log(holdback)[:4] == ("scheduled", "withheld", "withhold", world["officer"])
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    assert _log(contract)[:4] == ("active", "completed", "complete", world["officer"])
    interim = Instalment.objects.get(contract=contract, kind="interim")
    assert (interim.status, interim.release_amount) == ("payable", interim.amount)  # from the midterm
