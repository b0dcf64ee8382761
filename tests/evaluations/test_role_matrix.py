"""Every endpoint of delivery, ratings and evaluations (docs/rules.md §16) × every kind of caller: anonymous,
an unrelated user, wrong roles and the right role. A refusal carries the status and stable code of
docs/rules.md §16 in a ``{"code", "message", "extra"}`` body and leaves the database exactly as it was; a
read never writes.

Callers beyond tests/roles.py come with the scenario: ``rater`` (the resident whose household gave
``rating``), ``resident`` (a recipient household's resident who has not rated), ``non_recipient``
(a resident of a household never served), ``provider_resident`` (staff of the winning provider who
lives in a recipient household), ``officer_resident`` (the bureau's officer, likewise) and
``assessor_provider`` (a member of the assessor who also works for the provider)."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import status

from .. import factories as f
from .. import flows
from ..roles import (
    ROLE_USERS,
    SCENARIOS,
    Row,
    check_row,
    matrix_ids,
    matrix_params,
)

OK, CREATED = status.HTTP_200_OK, status.HTTP_201_CREATED
REASON = {"reason": "Household confirmed by phone"}


# --- Scenarios ----------------------------------------------------------------------------------


def _callers(world: dict, objects: dict) -> dict:
    """The residents of the scenario as callers (see the module docstring)."""
    compound = world["areas"]["compound"]
    rater, _flagged, resident = objects["residents"]
    provider_resident = f.member(world["providers"][0], "staff")
    f.ResidentFactory(user=provider_resident, household=f.HouseholdFactory(area=compound))
    officer_resident = f.member(world["bureau"], "officer")
    assessor_provider = f.member(world["assessor"], "member")
    f.MembershipFactory(user=assessor_provider, organization=world["providers"][0], role="staff")
    f.ResidentFactory(user=officer_resident, household=f.HouseholdFactory(area=compound))
    objects["contract"].refresh_from_db()
    if objects["contract"].status == "active":
        flows.log_service(
            world,
            objects["contract"],
            [provider_resident.resident.household, officer_resident.resident.household],
        )
    return {
        **objects,
        "rater": rater.user,
        "resident": resident.user,
        "non_recipient": f.ResidentFactory(household=f.HouseholdFactory(area=compound)).user,
        "provider_resident": provider_resident,
        "officer_resident": officer_resident,
        "assessor_provider": assessor_provider,
    }


def _open_evaluation(world: dict) -> dict:
    """Midterm open: the first household rated (valid), the second was quarantined, the third has
    not rated."""
    objects = flows.delivering_contract(world, households=3)
    contract = objects["contract"]
    rating = flows.rate(objects["residents"][0], contract, 4)
    quarantined = flows.quarantined_rating(objects["residents"][1], contract)
    return _callers(world, {**objects, "rating": rating, "quarantined": quarantined})


def _published_evaluation(world: dict, *, appeal_over: bool = False) -> dict:
    objects = flows.delivering_contract(world, households=3)
    evaluation = flows.published_evaluation(world, objects)
    if appeal_over:
        evaluation = flows.pass_appeal_window(evaluation)
    rating = evaluation.ratings.get(household=objects["residents"][0].household)
    return _callers(world, {**objects, "evaluation": evaluation, "rating": rating})


def _final_midterm(world: dict) -> dict:
    """The midterm is final (S >= 60): the interim is payable and the final evaluation is open."""
    objects = flows.delivering_contract(world, households=3)
    midterm = flows.final_evaluation(world, objects)
    rating = midterm.ratings.get(household=objects["residents"][0].household)
    return _callers(world, {**objects, "evaluation": midterm, "rating": rating})


def _completed_contract(world: dict) -> dict:
    objects = flows.delivering_contract(world, households=3)
    flows.final_evaluation(world, objects)
    final = objects["contract"].evaluations.get(stage="final")
    final = flows.final_evaluation(world, {**objects, "evaluation": final})
    return _callers(world, {**objects, "evaluation": final, "rating": final.ratings.first()})


def _suspended_delivery(world: dict) -> dict:
    from contracts import services as contract_services

    objects = flows.delivering_contract(world, households=3)
    contract_services.contract_suspend(actor=world["officer"], contract=objects["contract"], reason="Audit")
    return objects


def _open_appeal(world: dict) -> dict:
    """The provider's admin appealed the published midterm (the window still open)."""
    from evaluations.appeals import appeal_file

    objects = _published_evaluation(world)
    appeal = appeal_file(
        actor=world["provider_admins"][0],
        evaluation=objects["evaluation"],
        grounds="The buyer's score ignores the report.",
        claimed={"buyer": Decimal("95")},
    )
    return {**objects, "appeal": appeal}


EVALUATION_SCENARIOS = {
    "open appeal": _open_appeal,
    "open evaluation": _open_evaluation,
    "published evaluation": _published_evaluation,
    "appeal over": lambda world: _published_evaluation(world, appeal_over=True),
    "final midterm": _final_midterm,
    "completed contract": _completed_contract,
    "suspended delivery": _suspended_delivery,
    "draft contract": SCENARIOS["draft contract"],
}


# --- Bodies -------------------------------------------------------------------------------------


def _rating_body(world: dict, objects: dict) -> dict:
    return {"contract": objects["contract"].id, "satisfaction": 4, "resolved": "yes", "comment": "好"}


def _assisted_body(whose: str):
    """An assisted rating of the household of ``whose`` (a caller of the scenario)."""

    def body(world: dict, objects: dict) -> dict:
        household = objects[whose].resident.household
        return {"household_code": household.code, "satisfaction": 4, "resolved": "yes", "method": "paper"}

    return body


def _event_body(world: dict, objects: dict) -> dict:
    residents = objects.get("residents", [])
    return {
        "date": timezone.localdate().isoformat(),
        "area": world["areas"]["compound"].id,
        "title": "Home visit",
        "recipients": [resident.household.code for resident in residents[:1]],
    }


def _score(component: str, value: str = "85") -> dict:
    return {"component": component, "score": value}


REPORT = {"stage": "midterm", "summary": "Visits as planned."}
FINAL_REPORT = {"stage": "final", "summary": "Visits as planned."}
SURVEY = {"n": 50, "n_pos": 40}


def _status_is(expected_status: str):
    def check(response, objects):
        assert response.json()["status"] == expected_status, response.json()

    return check


def _rateable(response, objects):
    assert [row["contract"] for row in response.json()] == [objects["contract"].id], response.json()


def _nothing_rateable(response, objects):
    assert response.json() == [], response.json()


# --- The table ----------------------------------------------------------------------------------

# Parties to the contract that may read its evaluations.
PARTIES_READ = {
    "officer": OK,
    "finance": OK,
    "bureau_admin": OK,
    "provider_admin": OK,
    "provider_staff": OK,
    "assessor": OK,
    "community": OK,
    "platform_admin": OK,
}
# Callers to whom a contract's evaluations (and ratings, events, reports) do not exist.
OUTSIDERS = {"stranger": 404, "rival": 404, "other_officer": 404, "resident": 404}
# Parties that see an evaluation but hold none of the roles that score, survey, finalize or confirm.
BYSTANDERS = {
    "finance": 403,
    "bureau_admin": 403,
    "evaluator": 403,
    "provider_admin": 403,
    "provider_staff": 403,
    "platform_admin": 403,
}

DELIVERY = [
    Row(
        "GET",
        "contracts/{contract}/events/",
        "open evaluation",
        {"anonymous": 404, **OUTSIDERS, **PARTIES_READ},
    ),
    Row(
        "POST",
        "contracts/{contract}/events/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "officer": 403,
            "finance": 403,
            "assessor": 403,
            "community": 403,
            "platform_admin": 403,
            "provider_staff": CREATED,
            "provider_admin": CREATED,
        },
        body=_event_body,
    ),
    Row(
        "POST",
        "contracts/{contract}/events/",
        "suspended delivery",
        {"anonymous": 401, "stranger": 404, "officer": 403, "provider_admin": 409, "provider_staff": 409},
        body=_event_body,
    ),
    Row(
        "POST",
        "contracts/{contract}/events/",
        "completed contract",
        {"stranger": 404, "officer": 403, "provider_admin": 409},
        body=_event_body,
    ),
    Row(
        "POST",
        "contracts/{contract}/events/",
        "draft contract",
        {"anonymous": 401, "stranger": 404, "officer": 403, "provider_admin": 409},
        body=_event_body,
    ),
    Row(
        "GET",
        "contracts/{contract}/reports/",
        "open evaluation",
        {"anonymous": 404, **OUTSIDERS, **PARTIES_READ},
    ),
    Row(
        "POST",
        "contracts/{contract}/reports/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "officer": 403,
            "finance": 403,
            "assessor": 403,
            "community": 403,
            "platform_admin": 403,
            "provider_staff": CREATED,
            "provider_admin": CREATED,
        },
        body=REPORT,
    ),
    Row(
        "POST",
        "contracts/{contract}/reports/",
        "published evaluation",
        {"officer": 403, "provider_admin": (409, "already_reported")},
        body=REPORT,
        note="the midterm report is in",
    ),
    Row(
        "POST",
        "contracts/{contract}/reports/",
        "suspended delivery",
        {"anonymous": 401, "stranger": 404, "provider_admin": 409},
        body=REPORT,
    ),
    Row(
        "POST",
        "contracts/{contract}/reports/",
        "completed contract",
        {"provider_admin": 409},
        body=FINAL_REPORT,
    ),
]

EVALUATIONS = [
    Row(
        "GET",
        "contracts/{contract}/evaluations/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, "rater": 404, **PARTIES_READ},
    ),
    Row(
        "GET",
        "contracts/{contract}/evaluations/",
        "draft contract",
        {"anonymous": 401, "stranger": 404, "other_officer": 404, "officer": OK, "provider_admin": OK},
    ),
    Row(
        "GET",
        "contracts/{contract}/satisfaction/",
        "open evaluation",
        {"anonymous": OK, "stranger": OK, "rater": OK, "rival": OK, "officer": OK},
    ),
    Row(
        "GET",
        "contracts/{contract}/satisfaction/",
        "draft contract",
        {"anonymous": 404, "stranger": 404, "rival": 404, "officer": OK},
    ),
    Row(
        "GET",
        "evaluations/{evaluation}/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, "rater": 404, **PARTIES_READ},
    ),
    Row(
        "GET",
        "evaluations/{evaluation}/",
        "final midterm",
        {"anonymous": 401, **OUTSIDERS, "officer": OK, "provider_admin": OK},
    ),
    # Score history (docs/rules.md §11.9): the parties, as the evaluation
    Row(
        "GET",
        "evaluations/{evaluation}/history/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, "rater": 404, **PARTIES_READ},
    ),
    # The payout simulator and the public recomputation (docs/rules.md §11.7): public, for what the
    # caller may see
    Row(
        "GET",
        "contracts/{contract}/payout-simulation/?t=80&b=80&r=80&c=80",
        "open evaluation",
        {"anonymous": OK, "stranger": OK, "rival": OK, "officer": OK, "provider_admin": OK},
    ),
    Row(
        "GET",
        "contracts/{contract}/payout-simulation/?t=80&b=80&r=80&c=80",
        "draft contract",
        {"anonymous": 404, "stranger": 404, "rival": 404, "officer": OK},
    ),
    Row(
        "GET",
        "evaluations/{evaluation}/computation/",
        "published evaluation",
        {"anonymous": OK, "stranger": OK, "rival": OK, "officer": OK, "provider_admin": OK},
    ),
    Row(
        "GET",
        "evaluations/{evaluation}/computation/",
        "open evaluation",
        {"anonymous": 404, "stranger": 404, "officer": 404},
    ),
    # Who enters T (assessor), B (officer) and C (community, or the officer)
    Row(
        "POST",
        "evaluations/{evaluation}/scores/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "rater": 404,
            **BYSTANDERS,
            "officer": 403,
            "community": 403,
            "assessor": OK,
        },
        body=_score("third_party"),
        note="T",
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/scores/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, **BYSTANDERS, "assessor": 403, "community": 403, "officer": OK},
        body=_score("buyer"),
        note="B",
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/scores/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, **BYSTANDERS, "assessor": 403, "community": OK, "officer": OK},
        body=_score("community"),
        note="C",
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/scores/",
        "open evaluation",
        {"assessor": 400, "officer": 400},
        body=_score("buyer", "100.01"),
        note="out of range",
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/scores/",
        "published evaluation",
        {"anonymous": 401, "stranger": 404, "provider_staff": 403, "assessor": 409},
        body=_score("third_party"),
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/scores/",
        "final midterm",
        {"stranger": 404, "provider_staff": 403, "officer": 409},
        body=_score("buyer"),
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/survey/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, **BYSTANDERS, "officer": 403, "community": 403, "assessor": OK},
        body=SURVEY,
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/survey/",
        "open evaluation",
        {"assessor": 400},
        body={"n": 10, "n_pos": 11},
        note="n_pos > n",
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/survey/",
        "published evaluation",
        {"anonymous": 401, "stranger": 404, "officer": 403, "assessor": 409},
        body=SURVEY,
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/finalize/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            **BYSTANDERS,
            "assessor": 403,
            "community": 403,
            "officer": (409, "scores_missing"),
        },
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/finalize/",
        "published evaluation",
        {"anonymous": 401, **OUTSIDERS, **BYSTANDERS, "community": 403, "officer": 409},
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/confirm/",
        "open evaluation",
        {"anonymous": 401, **OUTSIDERS, **BYSTANDERS, "community": 403, "officer": 409},
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/confirm/",
        "published evaluation",
        {"anonymous": 401, "stranger": 404, "finance": 403, "officer": (409, "appeal_window_open")},
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/confirm/",
        "appeal over",
        {
            "anonymous": 401,
            **OUTSIDERS,
            **BYSTANDERS,
            "assessor": 403,
            "community": 403,
            "officer": OK,
        },
        then=_status_is("final"),
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/confirm/",
        "final midterm",
        {"anonymous": 401, "stranger": 404, "finance": 403, "officer": 409},
    ),
]

APPEAL = {"grounds": "The assessor visited on a holiday.", "claimed": {"third_party": "95"}}
DISMISS = {"decision": "dismissed", "reasoning": "The scores stand."}

APPEALS = [
    Row(
        "POST",
        "evaluations/{evaluation}/appeals/",
        "published evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "officer": 403,
            "finance": 403,
            "assessor": 403,
            "community": 403,
            "platform_admin": 403,
            "provider_staff": CREATED,
            "provider_admin": CREATED,
        },
        body=APPEAL,
        then=_status_is("open"),
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/appeals/",
        "appeal over",
        {"provider_admin": (409, "appeal_window_closed")},
        body=APPEAL,
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/appeals/",
        "open appeal",
        {"provider_admin": (409, "appeal_pending")},
        body=APPEAL,
    ),
    Row(
        "POST",
        "evaluations/{evaluation}/appeals/",
        "open evaluation",
        {"provider_admin": (409, "invalid_transition")},
        body=APPEAL,
    ),
    Row(
        "GET",
        "evaluations/{evaluation}/appeals/",
        "open appeal",
        {"anonymous": 401, "stranger": 404, "provider_admin": OK, "officer": OK},
    ),
    Row(
        "GET",
        "appeals/{appeal}/",
        "open appeal",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_reviewer": 404,
            "reviewer": OK,
            "officer": OK,
            "provider_admin": OK,
        },
    ),
    Row(
        "POST",
        "appeals/{appeal}/decide/",
        "open appeal",
        {
            "anonymous": 401,
            "stranger": 404,
            "other_reviewer": 404,
            "provider_admin": 403,
            "finance": 403,
            "assessor": 403,
            "officer": OK,
            "reviewer": OK,
        },
        body=DISMISS,
        then=_status_is("dismissed"),
    ),
]

ASSISTED = "evaluations/{evaluation}/assisted-ratings/"
ASSISTED_RATINGS = [
    Row(
        "POST",
        ASSISTED,
        "open evaluation",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "non_recipient": 404,
            "resident": 403,
            "rater": 403,
            "officer": 403,
            "finance": 403,
            "platform_admin": 403,
            "provider_admin": (403, "conflict_of_interest"),
            "provider_staff": (403, "conflict_of_interest"),
            "assessor_provider": (403, "conflict_of_interest"),
            "assessor": CREATED,
            "community": CREATED,
        },
        body=_assisted_body("resident"),
    ),
    Row(
        "POST",
        ASSISTED,
        "open evaluation",
        {"assessor": (409, "already_rated"), "community": (409, "already_rated")},
        body=_assisted_body("rater"),
        note="the household rated online",
    ),
    Row(
        "POST",
        ASSISTED,
        "open evaluation",
        {"assessor": (403, "not_a_recipient")},
        body=_assisted_body("non_recipient"),
    ),
    Row(
        "POST",
        ASSISTED,
        "open evaluation",
        {"assessor": 400},
        body=lambda world, objects: {**_assisted_body("resident")(world, objects), "method": "email"},
        note="no such method",
    ),
    Row(
        "POST",
        ASSISTED,
        "published evaluation",
        {
            "anonymous": 401,
            "stranger": 404,
            "resident": 404,
            "provider_staff": (403, "conflict_of_interest"),
            "officer": 403,
            "assessor": (409, "rating_window_closed"),
            "community": (409, "rating_window_closed"),
        },
        body=_assisted_body("resident"),
    ),
    Row(
        "POST",
        ASSISTED,
        "completed contract",
        {"stranger": 404, "assessor": (409, "rating_window_closed")},
        body=_assisted_body("resident"),
    ),
]

RATINGS = [
    Row(
        "GET",
        "me/rateable/",
        "open evaluation",
        {"anonymous": 401, "resident": OK},
        then=_rateable,
    ),
    Row(
        "GET",
        "me/rateable/",
        "open evaluation",
        {
            "stranger": OK,
            "officer": OK,
            "rater": OK,
            "non_recipient": OK,
            "provider_resident": OK,
            "officer_resident": OK,
        },
        then=_nothing_rateable,
        note="nothing to rate",
    ),
    Row("GET", "me/rateable/", "published evaluation", {"resident": OK}, then=_nothing_rateable),
    Row("GET", "ratings/", "open evaluation", {"anonymous": 401, "stranger": OK, "rater": OK, "officer": OK}),
    Row(
        "GET",
        "ratings/{rating}/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "non_recipient": 404,
            "finance": 404,
            "provider_admin": 404,
            "assessor": 404,
            "rater": OK,
            "officer": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "POST",
        "ratings/",
        "open evaluation",
        {
            "anonymous": 401,
            "stranger": (403, "not_a_resident"),
            "officer": (403, "not_a_resident"),
            "assessor": (403, "not_a_resident"),
            "non_recipient": (403, "not_a_recipient"),
            "provider_resident": (403, "conflict_of_interest"),
            "officer_resident": (403, "conflict_of_interest"),
            "rater": (409, "already_rated"),
            "resident": CREATED,
        },
        body=_rating_body,
    ),
    Row(
        "POST",
        "ratings/",
        "open evaluation",
        {"resident": 400},
        body=lambda world, objects: {**_rating_body(world, objects), "satisfaction": 0},
        note="0 is not a level",
    ),
    Row(
        "POST",
        "ratings/",
        "published evaluation",
        {"rater": (409, "rating_window_closed"), "non_recipient": (403, "not_a_recipient")},
        body=_rating_body,
    ),
    Row(
        "POST",
        "ratings/",
        "final midterm",
        {"rater": CREATED},
        body=_rating_body,
        note="the final evaluation is open",
    ),
    Row(
        "POST",
        "ratings/",
        "completed contract",
        {"anonymous": 401, "rater": (409, "rating_window_closed"), "resident": (409, "rating_window_closed")},
        body=_rating_body,
    ),
    Row(
        "POST",
        "ratings/",
        "draft contract",
        {"anonymous": 401, "stranger": 404, "officer": 404},
        body=lambda world, objects: {
            "contract": objects["contract"].id,
            "satisfaction": 4,
            "resolved": "yes",
        },
    ),
    Row(
        "PATCH",
        "ratings/{rating}/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "non_recipient": 404,
            "finance": 404,
            "officer": 403,
            "platform_admin": 403,
            "rater": OK,
        },
        body={"satisfaction": 5},
    ),
    Row(
        "PATCH",
        "ratings/{rating}/",
        "published evaluation",
        {"anonymous": 401, "resident": 404, "rater": (409, "rating_window_closed")},
        body={"satisfaction": 5},
    ),
    Row(
        "POST",
        "ratings/{quarantined}/restore/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "finance": 404,
            "provider_admin": 404,
            "assessor": 404,
            "community": 404,
            "platform_admin": 403,
            "officer": OK,
        },
        body=REASON,
        then=_status_is("valid"),
    ),
    Row(
        "POST",
        "ratings/{quarantined}/exclude/",
        "open evaluation",
        {
            "anonymous": 401,
            **OUTSIDERS,
            "finance": 404,
            "provider_admin": 404,
            "platform_admin": 403,
            "officer": OK,
        },
        body=REASON,
        then=_status_is("excluded"),
    ),
    Row(
        "POST",
        "ratings/{quarantined}/exclude/",
        "open evaluation",
        {"officer": 400},
        body={"reason": "  "},
        note="no reason",
    ),
    Row(
        "POST",
        "ratings/{rating}/restore/",
        "open evaluation",
        {"rater": 403, "officer": 409},
        body=REASON,
        note="a valid rating",
    ),
    Row(
        "POST",
        "ratings/{rating}/exclude/",
        "open evaluation",
        {"rater": 403, "officer": 409},
        body=REASON,
        note="a valid rating",
    ),
]

MATRIX = [*DELIVERY, *EVALUATIONS, *APPEALS, *ASSISTED_RATINGS, *RATINGS]
SCENARIO_CALLERS = {
    "rater",
    "resident",
    "non_recipient",
    "provider_resident",
    "officer_resident",
    "assessor_provider",
}


def test_the_matrix_names_known_scenarios_and_callers():
    for row in MATRIX:
        assert row.scenario in EVALUATION_SCENARIOS, row.name
        for role in row.expect:
            assert role in ROLE_USERS or role in SCENARIO_CALLERS, (row.name, role)


@pytest.mark.parametrize(("row", "role", "outcome"), matrix_params(MATRIX), ids=matrix_ids(MATRIX))
def test_endpoint_as_role(world, api, row, role, outcome):
    check_row(world, api, EVALUATION_SCENARIOS, row, role, outcome)
