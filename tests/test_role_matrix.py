"""Every endpoint of the API (docs/rules.md §16) × every kind of caller: anonymous, an unrelated user, a
wrong role and the right role. A refusal carries the status and stable code of docs/rules.md §16 in a
``{"code", "message", "extra"}`` body, and leaves the database exactly as it was.

Status rules (docs/rules.md §16): writes by anonymous callers are 401; what the caller may not see is 404;
what the caller sees but may not act on is 403; conflicts with the state are 409."""

import pytest
from rest_framework import status

from marketplace import services

from . import factories as f
from . import flows
from .roles import (
    ROLE_USERS,
    SCENARIOS,
    Row,
    assert_error,
    bid_body,
    check_row,
    household_csv,
    matrix_ids,
    matrix_params,
    tender_body,
    user_for,
)

OK, CREATED, ACCEPTED = status.HTTP_200_OK, status.HTTP_201_CREATED, status.HTTP_202_ACCEPTED
REASON = {"reason": "Audit finding"}

# Callers that may see the bureau's drafts but hold no officer role.
BUREAU_NON_OFFICERS = {"finance": 403, "bureau_admin": 403, "evaluator": 403}
# Callers who may not see a bureau's draft tender (or anything under it).
DRAFT_OUTSIDERS = {"stranger": 404, "other_officer": 404, "provider_admin": 404}


def _status_is(expected_status):
    def check(response, objects):
        assert response.json()["status"] == expected_status, response.json()

    return check


def _is_full_contract(response, objects):
    assert len(response.json()["instalments"]) == 3, response.json()


ORGS = [
    Row("GET", "health/", "nothing", {"anonymous": OK, "stranger": OK}),
    Row("GET", "log/head/", "nothing", {"anonymous": OK, "stranger": OK, "officer": OK}),
    Row(
        "POST",
        "auth/token/",
        "nothing",
        {"anonymous": OK},
        body=lambda world, objects: {"username": world["stranger"].username, "password": f.PASSWORD},
    ),
    Row(
        "POST",
        "auth/token/",
        "nothing",
        {"anonymous": (400, "invalid_credentials")},
        body=lambda world, objects: {"username": world["stranger"].username, "password": "wrong"},
        note="bad password",
    ),
    Row("GET", "me/", "nothing", {"anonymous": 401, "stranger": OK, "officer": OK, "platform_admin": OK}),
    Row("GET", "areas/", "area", {"anonymous": OK, "stranger": OK}),
    Row("GET", "areas/{area}/", "area", {"anonymous": OK, "stranger": OK}),
    Row(
        "POST",
        "areas/",
        "nothing",
        {"anonymous": 401, "stranger": 403, "officer": 403, "bureau_admin": 403, "platform_admin": CREATED},
        body=lambda world, objects: {
            "name": "Yulin street",
            "code": "YULIN",
            "level": "street",
            "parent": world["areas"]["district"].id,
        },
    ),
    Row("GET", "households/", "household", {"anonymous": 401, "stranger": OK, "officer": OK}),
    Row(
        "GET",
        "households/{household}/",
        "household",
        {
            "anonymous": 401,
            "stranger": 404,
            "other_officer": 404,
            "provider_admin": 404,
            "finance": 404,
            "officer": OK,
            "bureau_admin": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "GET",
        "residents/{resident}/",
        "pending resident",
        {
            "anonymous": 401,
            "stranger": 404,
            "other_officer": 404,
            "provider_admin": 404,
            "finance": 404,
            "assessor": 404,
            "evaluator": 404,
            "officer": OK,
            "bureau_admin": OK,
            "community": OK,
            "platform_admin": OK,
        },
    ),
    *(
        Row(
            "POST",
            f"residents/{{resident}}/{verb}/",
            "pending resident",
            {
                "anonymous": 401,
                "stranger": 404,
                "other_officer": 404,
                "provider_admin": 404,
                "finance": 404,
                "assessor": 404,
                # sees every registration, but confirming is the local committee's or bureau's work
                "platform_admin": 403,
                "officer": OK,
                "community": OK,
            },
            body={"reason": "Not on the household register."},
        )
        for verb in ("confirm", "reject")
    ),
    Row(
        "POST",
        "residents/me/verify-phone/",
        "nothing",
        {"anonymous": 401, "stranger": (403, "not_a_resident"), "officer": (403, "not_a_resident")},
        body={"code": "123456"},
    ),
    Row(
        "POST",
        "households/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "finance": 403,
            "provider_admin": 403,
            # may manage households, but not in this area: a field error
            "other_officer": 400,
            "officer": CREATED,
            "platform_admin": CREATED,
        },
        body=lambda world, objects: {"area": world["areas"]["compound"].id, "code": "HH-NEW-1"},
    ),
    Row(
        "POST",
        "households/import/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "finance": 403,
            "provider_admin": 403,
            # may manage households: the import is a job (rows outside the jurisdiction fail it)
            "other_officer": ACCEPTED,
            "officer": ACCEPTED,
            "platform_admin": ACCEPTED,
        },
        body=lambda world, objects: household_csv(world),
        format="multipart",
        then=_status_is("queued"),
    ),
    Row(
        "POST",
        "residents/register/",
        "household",
        {"anonymous": CREATED, "stranger": CREATED},
        body=lambda world, objects: {
            "username": "resident-li",
            "password": f.PASSWORD,
            "phone": "13800000000",
            "household_code": objects["household"].code,
        },
    ),
    Row(
        "POST",
        "residents/register/",
        "household",
        {"anonymous": (400, "invalid_household_code")},
        body={"username": "resident-li", "password": f.PASSWORD, "phone": "", "household_code": "NOPE"},
        note="bad household code",
    ),
    Row(
        "POST",
        "providers/register/",
        "nothing",
        {"anonymous": CREATED},
        body=lambda world, objects: {
            "organization": {
                "name": "Sunflower",
                "legal_type": "social_organization",
                "credit_code": f.credit_code(),
            },
            "admin": {"username": "sunflower", "password": f.PASSWORD, "email": "a@example.org"},
        },
        then=_status_is("pending"),
    ),
    Row("GET", "organizations/", "nothing", {"anonymous": OK, "stranger": OK}),
    Row("GET", "organizations/{organization}/", "verified provider", {"anonymous": OK, "stranger": OK}),
    Row(
        "GET",
        "organizations/{organization}/",
        "pending provider",
        {"anonymous": 404, "stranger": 404, "officer": 404, "pending_admin": OK, "platform_admin": OK},
    ),
    Row(
        "POST",
        "organizations/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "bureau_admin": 403,
            "provider_admin": 403,
            "platform_admin": CREATED,
        },
        body=lambda world, objects: {
            "name": "Tianfu Evaluation Ltd",
            "kind": "assessor",
            "legal_type": "enterprise",
            "credit_code": f.credit_code(),
        },
        then=_status_is("verified"),
    ),
    Row(
        "POST",
        "organizations/{organization}/verify/",
        "pending provider",
        {
            "anonymous": 401,
            "stranger": 404,
            "officer": 404,
            "pending_admin": 403,
            "platform_admin": OK,
        },
        then=_status_is("verified"),
    ),
    Row(
        "POST",
        "organizations/{organization}/verify/",
        "verified provider",
        {"anonymous": 401, "stranger": 403, "provider_admin": 403, "platform_admin": 409},
    ),
    Row(
        "POST",
        "organizations/{organization}/suspend/",
        "verified provider",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "provider_admin": 403,
            "platform_admin": OK,
        },
        body=REASON,
        then=_status_is("suspended"),
    ),
    Row(
        "POST",
        "organizations/{organization}/members/",
        "verified provider",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "provider_staff": 403,
            "outsider_provider": 403,
            "provider_admin": CREATED,
            "platform_admin": CREATED,
        },
        body={"username": "new-social-worker", "password": f.PASSWORD, "role": "staff"},
    ),
    Row(
        "POST",
        "organizations/{organization}/members/",
        "pending provider",
        {"pending_admin": 403, "platform_admin": CREATED},
        body={"username": "new-social-worker", "password": f.PASSWORD, "role": "staff"},
        note="only verified organisations act",
    ),
]

CATALOGUE_AND_BUDGET = [
    Row("GET", "catalogue/", "catalogue item", {"anonymous": OK}),
    Row("GET", "catalogue/{item}/", "catalogue item", {"anonymous": OK}),
    Row(
        "POST",
        "catalogue/",
        "nothing",
        {"anonymous": 401, "stranger": 403, "officer": 403, "platform_admin": CREATED},
        body={"code": "C999", "name": "Youth services"},
    ),
    Row("GET", "budget-lines/", "budget line", {"anonymous": 401, "stranger": OK, "finance": OK}),
    Row(
        "GET",
        "budget-lines/{budget_line}/",
        "budget line",
        {
            "anonymous": 401,
            "stranger": 404,
            "provider_admin": 404,
            "other_officer": 404,
            "officer": OK,
            "finance": OK,
            "bureau_admin": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "POST",
        "budget-lines/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "evaluator": 403,
            "other_officer": 403,
            "provider_admin": 403,
            "finance": CREATED,
            "bureau_admin": CREATED,
        },
        body={
            "fiscal_year": 2026,
            "name": "Elderly care",
            "source": "department_budget",
            "amount": 50_000_000,
        },
    ),
    Row(
        "POST",
        "budget-lines/",
        "nothing",
        {"finance": 403},
        body=lambda world, objects: {
            "bureau": world["other_bureau"].id,
            "fiscal_year": 2026,
            "name": "Elderly care",
            "source": "department_budget",
            "amount": 50_000_000,
        },
        note="for another bureau",
    ),
]

TENDERS = [
    Row("GET", "tenders/", "draft tender", {"anonymous": OK, "stranger": OK, "officer": OK}),
    Row(
        "GET",
        "tenders/{tender}/",
        "draft tender",
        {
            "anonymous": 404,
            **DRAFT_OUTSIDERS,
            "assessor": 404,
            "officer": OK,
            "finance": OK,
            "evaluator": OK,
            "bureau_admin": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "GET",
        "tenders/{tender}/",
        "published tender",
        {"anonymous": OK, "stranger": OK, "other_officer": OK, "provider_admin": OK},
    ),
    Row(
        "POST",
        "tenders/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            **BUREAU_NON_OFFICERS,
            "provider_admin": 403,
            "platform_admin": 403,
            # acts for its own bureau, with our budget line and areas: invalid references
            "other_officer": 400,
            "officer": CREATED,
        },
        body=lambda world, objects: tender_body(world),
        then=_status_is("draft"),
    ),
    Row(
        "PATCH",
        "tenders/{tender}/",
        "draft tender",
        {
            "anonymous": 401,
            **DRAFT_OUTSIDERS,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        body={"title": "Renamed package"},
    ),
    Row(
        "PATCH",
        "tenders/{tender}/",
        "published tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            "finance": 403,
            "officer": (409, "not_editable"),
        },
        body={"title": "Renamed package"},
    ),
    Row(
        "POST",
        "tenders/{tender}/publish/",
        "draft tender",
        {
            "anonymous": 401,
            **DRAFT_OUTSIDERS,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        then=_status_is("published"),
    ),
    Row(
        "POST",
        "tenders/{tender}/publish/",
        "published tender",
        {"anonymous": 401, "stranger": 403, "provider_admin": 403, "officer": 409},
    ),
    Row(
        "POST",
        "tenders/{tender}/amend/",
        "published tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        body={"reason": "Lunch is included.", "changes": {"description": "Day care with lunch."}},
        then=_status_is("published"),
    ),
    Row(
        "POST",
        "tenders/{tender}/amend/",
        "closable tender",
        {"stranger": 403, "officer": (409, "bidding_closed")},
        body={"reason": "Too late.", "changes": {}},
        note="after the deadline",
    ),
    Row(
        "POST",
        "tenders/{tender}/amend/",
        "draft tender",
        {"anonymous": 401, **DRAFT_OUTSIDERS, "officer": 409},
        body={"reason": "Not published yet.", "changes": {}},
    ),
    Row(
        "GET",
        "tenders/{tender}/award/",
        "award proposed",
        {"anonymous": OK, "stranger": OK, "rival": OK, "officer": OK},
    ),
    Row(
        "POST",
        "tenders/{tender}/close/",
        "closable tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        then=_status_is("evaluating"),
    ),
    Row(
        "POST",
        "tenders/{tender}/close/",
        "published tender",
        {"stranger": 403, "officer": (409, "deadline_not_passed")},
        note="before the deadline",
    ),
    Row(
        "POST",
        "tenders/{tender}/cancel/",
        "draft tender",
        {"anonymous": 401, **DRAFT_OUTSIDERS, "finance": 403, "officer": OK},
        body=REASON,
        then=_status_is("cancelled"),
    ),
    Row(
        "POST",
        "tenders/{tender}/cancel/",
        "published tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        body=REASON,
        then=_status_is("cancelled"),
    ),
    Row(
        "POST",
        "tenders/{tender}/award/",
        "scored tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        body=lambda world, objects: {"bid": objects["top_bid"].id},
        then=_status_is("award_proposed"),
    ),
    Row(
        "POST",
        "tenders/{tender}/award/",
        "scored tender",
        {"stranger": 403, "officer": (409, "not_top_ranked")},
        body=lambda world, objects: {"bid": objects["other_bid"].id},
        note="not the top-ranked bid",
    ),
    Row(
        "POST",
        "tenders/{tender}/finalize-award/",
        "standstill over",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        then=_status_is("awarded"),
    ),
    Row(
        "POST",
        "tenders/{tender}/finalize-award/",
        "award proposed",
        {"stranger": 403, "officer": (409, "standstill_not_over")},
        note="during the standstill",
    ),
    Row(
        "GET",
        "tenders/{tender}/history/",
        "draft tender",
        {"anonymous": 404, **DRAFT_OUTSIDERS, "officer": OK},
    ),
    Row("GET", "tenders/{tender}/history/", "published tender", {"anonymous": OK, "stranger": OK}),
    Row(
        "GET",
        "tenders/{tender}/ranking/",
        "evaluating tender",
        {
            "anonymous": 404,
            "stranger": 404,
            "other_officer": 404,
            "provider_admin": 404,
            "officer": OK,
            "finance": OK,
            "evaluator": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "GET",
        "tenders/{tender}/ranking/",
        "published tender",
        {
            "anonymous": 404,
            "provider_admin": 404,
            "officer": (409, "bids_sealed"),
            "platform_admin": (409, "bids_sealed"),
        },
    ),
    Row(
        "POST",
        "tenders/{tender}/declarations/",
        "evaluating tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "provider_admin": 403,
            "officer": 403,
            "finance": 403,
            "platform_admin": 403,
            "undeclared_evaluator": CREATED,
        },
        body={"no_conflict": True},
    ),
    Row(
        "POST",
        "tenders/{tender}/declarations/",
        "evaluating tender, conflicted evaluator",
        {"conflicted_evaluator": (403, "conflict_of_interest")},
        body={"no_conflict": True},
        note="evaluator working for a bidder",
    ),
    Row(
        "POST",
        "tenders/{tender}/declarations/",
        "draft tender",
        {"stranger": 404, "provider_admin": 404, "evaluator": 409},
        body={"no_conflict": True},
    ),
]

QUESTIONS = [
    Row(
        "GET",
        "tenders/{tender}/questions/",
        "unanswered question",
        {"anonymous": OK, "stranger": OK, "rival": OK, "provider_admin": OK, "officer": OK},
    ),
    Row(
        "GET",
        "tenders/{tender}/questions/",
        "draft tender",
        {"anonymous": 404, **DRAFT_OUTSIDERS, "officer": OK},
    ),
    Row(
        "POST",
        "tenders/{tender}/questions/",
        "published tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "finance": 403,
            "other_officer": 403,
            "assessor": 403,
            "platform_admin": 403,
            "provider_admin": CREATED,
            "provider_staff": CREATED,
        },
        body={"text": "Are meals included?"},
    ),
    Row(
        "POST",
        "tenders/{tender}/questions/",
        "published tender, double agent",
        {"double_agent": 403},
        body={"text": "Are meals included?"},
        note="bureau member asking for a provider",
    ),
    Row(
        "POST",
        "tenders/{tender}/questions/",
        "draft tender",
        {"anonymous": 401, "provider_admin": 404, "officer": 403},
        body={"text": "Are meals included?"},
    ),
    Row(
        "POST",
        "tenders/{tender}/questions/",
        "evaluating tender",
        {"outsider_provider": (409, "bidding_closed")},
        body={"text": "Are meals included?"},
    ),
    Row(
        "GET",
        "questions/{question}/",
        "unanswered question",
        {
            "anonymous": 404,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "provider_admin": OK,
            "provider_staff": OK,
            "officer": OK,
            "platform_admin": OK,
        },
    ),
    Row("GET", "questions/{question}/", "answered question", {"anonymous": OK, "rival": OK}),
    Row(
        "POST",
        "questions/{question}/answer/",
        "unanswered question",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        body={"answer": "Yes, lunch."},
    ),
    Row(
        "POST",
        "questions/{question}/answer/",
        "answered question",
        {"anonymous": 401, "stranger": 403, "officer": (409, "already_answered")},
        body={"answer": "Also dinner."},
    ),
]

SEALED = (409, "bids_sealed")
BIDS = [
    Row(
        "GET",
        "tenders/{tender}/bids/",
        "submitted bid",
        {
            "anonymous": 401,
            "officer": SEALED,
            **dict.fromkeys(("finance", "bureau_admin", "evaluator", "platform_admin"), SEALED),
            # bids stay sealed for everyone but bidders, who see their own (and other providers none)
            "stranger": SEALED,
            "other_officer": SEALED,
            "provider_admin": OK,
            "rival": OK,
            "outsider_provider": OK,
        },
    ),
    Row(
        "GET",
        "tenders/{tender}/bids/",
        "draft tender",
        {"anonymous": 401, **DRAFT_OUTSIDERS, "officer": SEALED},
    ),
    Row(
        "GET",
        "tenders/{tender}/bids/",
        "evaluating tender",
        {
            "anonymous": 401,
            "stranger": OK,
            "other_officer": OK,
            "officer": OK,
            "finance": OK,
            "platform_admin": OK,
            "provider_admin": OK,
        },
    ),
    Row(
        "POST",
        "tenders/{tender}/bids/",
        "published tender",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "finance": 403,
            "other_officer": 403,
            "assessor": 403,
            "platform_admin": 403,
            "provider_admin": CREATED,
            "provider_staff": CREATED,
        },
        body=bid_body(),
        then=_status_is("draft"),
    ),
    Row(
        "POST",
        "tenders/{tender}/bids/",
        "published tender, pending provider",
        {"pending_admin": 403},
        body=bid_body(),
        note="unverified provider",
    ),
    Row(
        "POST",
        "tenders/{tender}/bids/",
        "published tender, double agent",
        {"double_agent": (403, "conflict_of_interest")},
        body=lambda world, objects: bid_body(provider=world["providers"][2].id),
        note="bureau member bidding for a provider",
    ),
    Row(
        "POST",
        "tenders/{tender}/bids/",
        "draft tender",
        {"anonymous": 401, "provider_admin": 404, "officer": 403},
        body=bid_body(),
    ),
    Row(
        "POST",
        "tenders/{tender}/bids/",
        "evaluating tender",
        {"outsider_provider": (409, "bidding_closed")},
        body=bid_body(),
    ),
    Row(
        "GET",
        "bids/{bid}/",
        "submitted bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "officer": 404,
            "finance": 404,
            "platform_admin": 404,
            "provider_admin": OK,
            "provider_staff": OK,
        },
    ),
    Row(
        "GET",
        "bids/{bid}/",
        "opened bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "officer": OK,
            "finance": OK,
            "evaluator": OK,
            "platform_admin": OK,
            "provider_admin": OK,
        },
    ),
    Row(
        "PATCH",
        "bids/{bid}/",
        "draft bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "officer": 404,
            "platform_admin": 404,
            "provider_admin": OK,
            "provider_staff": OK,
        },
        body={"price_amount": 25_000_000},
    ),
    Row(
        "PATCH",
        "bids/{bid}/",
        "submitted bid",
        {"anonymous": 401, "rival": 404, "officer": 404, "provider_admin": (409, "not_editable")},
        body={"price_amount": 25_000_000},
    ),
    Row(
        "POST",
        "bids/{bid}/submit/",
        "draft bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "officer": 404,
            "platform_admin": 404,
            "provider_admin": OK,
            "provider_staff": OK,
        },
        then=_status_is("submitted"),
    ),
    Row(
        "POST",
        "bids/{bid}/withdraw/",
        "submitted bid",
        {"anonymous": 401, "stranger": 404, "rival": 404, "officer": 404, "provider_admin": OK},
        then=_status_is("withdrawn"),
    ),
    Row(
        "POST",
        "bids/{bid}/disqualify/",
        "opened bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "provider_admin": 403,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": OK,
        },
        body=REASON,
        then=_status_is("disqualified"),
    ),
    Row(
        "POST",
        "bids/{bid}/scores/",
        "opened bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "provider_admin": 403,
            "officer": 403,
            "finance": 403,
            "platform_admin": 403,
            "undeclared_evaluator": (409, "declaration_required"),
            "evaluator": CREATED,
        },
        body=lambda world, objects: {"criterion": objects["criterion"].id, "score": "75"},
    ),
]

CONTRACT_OUTSIDERS = {"stranger": 404, "rival": 404, "other_officer": 404}
NOT_THE_OFFICER = {
    "stranger": 403,
    "rival": 403,
    "other_officer": 403,
    "provider_admin": 403,
    "finance": 403,
    "platform_admin": 403,
}
VARIATION_BODY = {"kind": "value", "reason": "More homes.", "value_delta": 100_000}
VARIATIONS = [
    Row(
        "POST",
        "contracts/{contract}/variations/",
        "active contract",
        {"anonymous": 401, **NOT_THE_OFFICER, "provider_staff": 403, "officer": CREATED},
        body=VARIATION_BODY,
    ),
    Row(
        "POST",
        "contracts/{contract}/variations/",
        "draft contract",
        {"anonymous": 401, **CONTRACT_OUTSIDERS, "provider_admin": 403, "officer": 409},
        body=VARIATION_BODY,
    ),
    Row(
        "POST",
        "contracts/{contract}/variations/",
        "proposed variation",
        {"officer": (409, "variation_pending")},
        body=VARIATION_BODY,
    ),
    Row(
        "GET",
        "contracts/{contract}/variations/",
        "draft contract",
        {"anonymous": 404, **CONTRACT_OUTSIDERS, "officer": OK, "provider_admin": OK, "platform_admin": OK},
    ),
    Row(
        "GET",
        "variations/{variation}/",
        "proposed variation",
        {
            "anonymous": 404,
            **CONTRACT_OUTSIDERS,
            "officer": OK,
            "finance": OK,
            "provider_admin": OK,
            "provider_staff": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "GET",
        "variations/{variation}/",
        "effective variation",
        {"anonymous": OK, "stranger": OK, "rival": OK},
    ),
    Row(
        "POST",
        "variations/{variation}/sign/",
        "proposed variation",
        {
            "anonymous": 401,
            **CONTRACT_OUTSIDERS,
            "finance": 403,
            "provider_staff": 403,
            "platform_admin": 403,
            "officer": OK,
            "provider_admin": OK,
        },
    ),
    Row(
        "POST",
        "variations/{variation}/sign/",
        "effective variation",
        {"anonymous": 401, "stranger": 403, "rival": 403, "officer": 409, "provider_admin": 409},
    ),
    Row(
        "POST",
        "variations/{variation}/withdraw/",
        "proposed variation",
        {"anonymous": 401, **CONTRACT_OUTSIDERS, "provider_admin": 403, "finance": 403, "officer": OK},
        body=REASON,
    ),
    Row(
        "POST",
        "variations/{variation}/withdraw/",
        "effective variation",
        {"anonymous": 401, "stranger": 403, "provider_admin": 403, "officer": 409},
        body=REASON,
    ),
    Row("GET", "variations/{variation}/history/", "effective variation", {"anonymous": OK, "officer": OK}),
]
CONTRACTS = [
    Row("GET", "contracts/", "draft contract", {"anonymous": OK, "stranger": OK, "officer": OK}),
    Row(
        "GET",
        "contracts/{contract}/",
        "draft contract",
        {
            "anonymous": 404,
            **CONTRACT_OUTSIDERS,
            "officer": OK,
            "finance": OK,
            "provider_admin": OK,
            "provider_staff": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "GET",
        "contracts/{contract}/",
        "active contract",
        {"anonymous": OK, "stranger": OK, "rival": OK, "officer": OK},
    ),
    Row(
        "POST",
        "contracts/{contract}/sign/",
        "draft contract",
        {
            "anonymous": 401,
            **CONTRACT_OUTSIDERS,
            "finance": 403,
            "evaluator": 403,
            "provider_staff": 403,
            "platform_admin": 403,
            "officer": OK,
            "provider_admin": OK,
        },
    ),
    Row(
        "POST",
        "contracts/{contract}/sign/",
        "active contract",
        {"anonymous": 401, "stranger": 403, "rival": 403, "officer": 409, "provider_admin": 409},
    ),
    Row(
        "POST",
        "contracts/{contract}/suspend/",
        "active contract",
        {"anonymous": 401, **NOT_THE_OFFICER, "officer": OK},
        body=REASON,
        then=_status_is("suspended"),
    ),
    Row(
        "POST",
        "contracts/{contract}/suspend/",
        "draft contract",
        {"anonymous": 401, **CONTRACT_OUTSIDERS, "provider_admin": 403, "officer": 409},
        body=REASON,
    ),
    Row(
        "POST",
        "contracts/{contract}/resume/",
        "suspended contract",
        {"anonymous": 401, **NOT_THE_OFFICER, "officer": OK},
        body=REASON,
        then=_status_is("active"),
    ),
    Row(
        "POST",
        "contracts/{contract}/terminate/",
        "active contract",
        {"anonymous": 401, **NOT_THE_OFFICER, "officer": OK},
        body=REASON,
        then=_status_is("terminated"),
    ),
    Row(
        "POST",
        "contracts/{contract}/assign/",
        "active contract",
        {"anonymous": 401, **NOT_THE_OFFICER, "assessor": 403, "community": 403, "officer": OK},
        body=lambda world, objects: {"assessor": world["assessor"].id, "community": world["community"].id},
    ),
    Row(
        "POST",
        "contracts/{contract}/assign/",
        "draft contract",
        {"anonymous": 401, **CONTRACT_OUTSIDERS, "provider_admin": 403, "officer": OK},
        body=lambda world, objects: {"assessor": world["assessor"].id},
    ),
    Row(
        "POST",
        "contracts/{contract}/sign/",
        "draft contract, provider suspended",
        {"provider_admin": 404, "officer": OK},
        note="only verified organisations act, and a draft is seen by acting parties only",
    ),
    Row(
        "POST",
        "contracts/{contract}/terminate/",
        "draft contract",
        {"anonymous": 401, **CONTRACT_OUTSIDERS, "provider_admin": 403, "officer": 409},
        body=REASON,
    ),
    Row(
        "GET",
        "contracts/{contract}/",
        "assigned contract",
        {"assessor": OK, "community": OK},
        then=_is_full_contract,
    ),
    Row(
        "POST",
        "contracts/{contract}/suspend/",
        "assigned contract",
        {"assessor": 403, "community": 403, "officer": OK},
        body=REASON,
    ),
    Row(
        "GET",
        "instalments/{instalment}/",
        "assigned contract",
        {"assessor": OK, "community": OK, "rival": 404},
    ),
    Row(
        "GET",
        "contracts/{contract}/history/",
        "draft contract",
        {"anonymous": 404, **CONTRACT_OUTSIDERS, "officer": OK, "provider_admin": OK},
    ),
    Row("GET", "contracts/{contract}/history/", "active contract", {"anonymous": OK, "stranger": OK}),
    Row(
        "GET",
        "instalments/{instalment}/",
        "active contract",
        {
            "anonymous": 401,
            **CONTRACT_OUTSIDERS,
            "assessor": 404,
            "officer": OK,
            "finance": OK,
            "provider_admin": OK,
            "provider_staff": OK,
            "platform_admin": OK,
        },
    ),
]


def _upload(kind, content=None, name="evidence.pdf"):
    """A multipart document upload (docs/rules.md §17.2)."""

    def body(world, objects):
        from .documents import files

        return files.body(content or files.PDF, name, title="Evidence", kind=kind)

    return body


MULTIPART = "multipart"
DOCUMENTS = [
    Row(
        "POST",
        "tenders/{tender}/documents/",
        "draft tender",
        {
            "anonymous": 401,
            **DRAFT_OUTSIDERS,
            **BUREAU_NON_OFFICERS,
            "platform_admin": 403,
            "officer": CREATED,
        },
        body=_upload("tender_documents"),
        format=MULTIPART,
    ),
    Row(
        "POST",
        "tenders/{tender}/documents/",
        "draft tender",
        {"officer": (400, "invalid_file")},
        body=_upload("tender_documents", b"<html><body>hi</body></html>", "notice.pdf"),
        format=MULTIPART,
        note="disguised file",
    ),
    Row(
        "POST",
        "tenders/{tender}/documents/",
        "published tender",
        {"anonymous": 401, "provider_admin": 403, "officer": (409, "not_editable")},
        body=_upload("tender_documents"),
        format=MULTIPART,
    ),
    Row(
        "GET",
        "tenders/{tender}/documents/",
        "draft tender document",
        {
            "anonymous": 404,
            "stranger": 404,
            "provider_admin": 404,
            "finance": OK,
            "officer": OK,
            "platform_admin": OK,
        },
    ),
    Row(
        "POST",
        "bids/{bid}/documents/",
        "draft bid",
        {
            "anonymous": 401,
            "stranger": 404,
            "officer": 404,
            "rival": 404,
            "platform_admin": 404,
            "provider_admin": CREATED,
            "provider_staff": CREATED,
        },
        body=_upload("qualification"),
        format=MULTIPART,
    ),
    Row(
        "POST",
        "bids/{bid}/documents/",
        "submitted bid",
        {"anonymous": 401, "officer": 404, "platform_admin": 404, "provider_admin": (409, "not_editable")},
        body=_upload("qualification"),
        format=MULTIPART,
    ),
    Row(
        "POST",
        "contracts/{contract}/documents/",
        "active contract",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "other_officer": 404,
            "finance": 403,
            "bureau_admin": 403,
            "platform_admin": 403,
            "officer": CREATED,
            "provider_admin": CREATED,
            "provider_staff": CREATED,
        },
        body=_upload("contract"),
        format=MULTIPART,
    ),
    Row(
        "POST",
        "events/{event}/documents/",
        "service event",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "officer": 403,
            "assessor": 403,
            "community": 403,
            "platform_admin": 403,
            "provider_admin": CREATED,
            "provider_staff": CREATED,
        },
        body=_upload("photo", name="photo.pdf"),
        format=MULTIPART,
    ),
    Row(
        "GET",
        "events/{event}/",
        "service event",
        {
            "anonymous": 401,
            "stranger": 404,
            "rival": 404,
            "officer": OK,
            "provider_staff": OK,
            "platform_admin": OK,
        },
    ),
    *(
        Row("GET", path, "sealed bid document", expect)
        for path in ("documents/{document}/", "documents/{document}/download/")
        for expect in (
            {
                "anonymous": 404,
                "stranger": 404,
                "officer": 404,
                "evaluator": 404,
                "rival": 404,
                "platform_admin": 404,
                "provider_admin": OK,
                "provider_staff": OK,
            },
        )
    ),
    *(
        Row("GET", path, "opened bid document", expect)
        for path in ("documents/{document}/", "documents/{document}/download/")
        for expect in (
            {
                "anonymous": 404,
                "stranger": 404,
                "rival": 404,
                "other_officer": 404,
                "officer": OK,
                "evaluator": OK,
                "platform_admin": OK,
                "provider_admin": OK,
            },
        )
    ),
    Row(
        "GET",
        "documents/{document}/download/",
        "event document",
        {
            "anonymous": 404,
            "stranger": 404,
            "rival": 404,
            "officer": OK,
            "community": OK,
            "provider_admin": OK,
        },
    ),
    Row(
        "DELETE",
        "documents/{document}/",
        "draft bid document",
        {
            "anonymous": 401,
            "stranger": 404,
            "officer": 404,
            "rival": 404,
            "platform_admin": 404,
            "provider_staff": 204,
        },
    ),
    Row(
        "DELETE",
        "documents/{document}/",
        "draft tender document",
        {"anonymous": 401, "provider_admin": 404, "finance": 403, "platform_admin": 403, "officer": 204},
    ),
    Row(
        "DELETE",
        "documents/{document}/",
        "event document",
        {"anonymous": 401, "officer": 403, "provider_staff": (409, "document_not_removable")},
    ),
]

# docs/rules.md §17.6 and §17.7: exclusions are public; an officer of the bureau that caused one lifts
# it; an excluded provider's submission and a conflicted evaluator's score are refused.
NOT_THE_EXCLUDING_OFFICER = {
    "stranger": 403,
    "provider_admin": 403,
    "rival": 403,
    "other_officer": 403,
    "finance": 403,
    "bureau_admin": 403,
    "evaluator": 403,
    "platform_admin": 403,
}
EXCLUSIONS = [
    Row("GET", "exclusions/", "exclusion", {"anonymous": OK, "stranger": OK, "provider_admin": OK}),
    Row("GET", "exclusions/{exclusion}/", "exclusion", {"anonymous": OK, "rival": OK, "officer": OK}),
    Row("GET", "exclusions/{exclusion}/history/", "exclusion", {"anonymous": OK, "officer": OK}),
    Row(
        "POST",
        "exclusions/{exclusion}/lift/",
        "exclusion",
        {"anonymous": 401, **NOT_THE_EXCLUDING_OFFICER, "officer": OK},
        body=REASON,
        then=_status_is("lifted"),
    ),
    Row("POST", "exclusions/{exclusion}/lift/", "exclusion", {"officer": 400}, body={"reason": ""}),
    Row(
        "POST",
        "bids/{bid}/submit/",
        "exclusion, draft bid",
        {"provider_staff": (409, "provider_excluded"), "provider_admin": (409, "provider_excluded")},
    ),
    Row(
        "POST",
        "bids/{bid}/scores/",
        "evaluating tender, conflicted scorer",
        {"conflicted_scorer": (403, "conflict_of_interest")},
        body=lambda world, objects: {"criterion": objects["criterion"].id, "score": "99"},
    ),
]

GROUNDS = {"grounds": "Our price was lower on the same plan."}
DISMISS = {"decision": "dismissed", "reply": "The ranking stands."}
DECIDE = {"decision": "dismissed", "reasoning": "Scored by the rules."}
NOT_A_BIDDER = (403, "not_a_bidder")

CHALLENGES = [
    Row(
        "POST",
        "tenders/{tender}/challenges/",
        "award proposed",
        {
            "anonymous": 401,
            "stranger": NOT_A_BIDDER,
            "officer": NOT_A_BIDDER,
            "outsider_provider": NOT_A_BIDDER,
            "reviewer": NOT_A_BIDDER,
            "rival": CREATED,
            "provider_staff": CREATED,
        },
        body=GROUNDS,
        then=_status_is("submitted"),
    ),
    Row(
        "POST",
        "tenders/{tender}/challenges/",
        "draft tender",
        {"stranger": 404, "provider_admin": 404},
        body=GROUNDS,
    ),
    Row(
        "POST",
        "tenders/{tender}/challenges/",
        "draft contract",
        {"rival": (409, "challenge_window_closed")},
        body=GROUNDS,
        note="the award is final",
    ),
    Row(
        "GET",
        "tenders/{tender}/challenges/",
        "challenged award",
        {"anonymous": OK, "stranger": OK, "officer": OK, "rival": OK, "platform_admin": OK},
    ),
    Row(
        "GET",
        "challenges/{challenge}/",
        "challenged award",
        {
            "anonymous": 404,
            "stranger": 404,
            "provider_admin": 404,
            "outsider_provider": 404,
            "reviewer": 404,
            "other_officer": 404,
            "officer": OK,
            "finance": OK,
            "evaluator": OK,
            "rival": OK,
            "platform_admin": OK,
        },
    ),
    Row("GET", "challenges/{challenge}/", "dismissed challenge", {"anonymous": OK, "provider_admin": OK}),
    Row(
        "GET",
        "challenges/{challenge}/history/",
        "dismissed challenge",
        {"anonymous": OK, "officer": OK, "rival": OK},
    ),
    Row(
        "POST",
        "challenges/{challenge}/documents/",
        "challenged award",
        {
            "anonymous": 401,
            "stranger": 404,
            "provider_admin": 404,
            "reviewer": 404,
            "officer": 403,
            "platform_admin": 403,
            "rival": CREATED,
        },
        body=_upload("evidence"),
        format=MULTIPART,
    ),
    Row(
        "POST",
        "challenges/{challenge}/documents/",
        "dismissed challenge",
        {"rival": (409, "invalid_transition")},
        body=_upload("evidence"),
        format=MULTIPART,
    ),
    Row(
        "GET",
        "challenges/{challenge}/documents/",
        "dismissed challenge",
        {
            "anonymous": 404,
            "stranger": 404,
            "provider_admin": 404,
            "reviewer": 404,
            "officer": OK,
            "finance": OK,
            "rival": OK,
            "platform_admin": OK,
        },
        note="the replied challenge is public, its evidence is not",
    ),
    Row(
        "POST",
        "challenges/{challenge}/reply/",
        "challenged award",
        {
            "anonymous": 401,
            "stranger": 404,
            "other_officer": 404,
            "finance": 403,
            "bureau_admin": 403,
            "rival": 403,
            "platform_admin": 403,
            "officer": OK,
        },
        body=DISMISS,
        then=_status_is("dismissed"),
    ),
    Row("POST", "challenges/{challenge}/reply/", "dismissed challenge", {"officer": 409}, body=DISMISS),
    Row(
        "POST",
        "challenges/{challenge}/complain/",
        "challenged award",
        {"stranger": 404, "officer": 403, "rival": (409, "reply_not_due")},
        body=GROUNDS,
        note="before the reply is due",
    ),
    Row(
        "POST",
        "challenges/{challenge}/complain/",
        "dismissed challenge",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "provider_admin": 403,
            "reviewer": 403,
            "rival": CREATED,
            "provider_staff": 403,
        },
        body=GROUNDS,
        then=_status_is("open"),
    ),
    Row(
        "POST",
        "challenges/{challenge}/complain/",
        "open complaint",
        {"rival": (409, "already_complained")},
        body=GROUNDS,
    ),
    Row("GET", "complaints/", "open complaint", {"anonymous": OK, "reviewer": OK, "officer": OK}),
    Row(
        "GET",
        "complaints/{complaint}/",
        "open complaint",
        {
            "anonymous": 404,
            "stranger": 404,
            "provider_admin": 404,
            "other_reviewer": 404,
            "reviewer": OK,
            "officer": OK,
            "rival": OK,
            "platform_admin": OK,
        },
    ),
    Row("GET", "complaints/{complaint}/history/", "open complaint", {"anonymous": 404, "reviewer": OK}),
    Row(
        "POST",
        "complaints/{complaint}/decide/",
        "open complaint",
        {
            "anonymous": 401,
            "stranger": 404,
            "other_reviewer": 404,
            "officer": 403,
            "rival": 403,
            "platform_admin": 403,
            "reviewer": OK,
        },
        body=DECIDE,
        then=_status_is("dismissed"),
    ),
]

# Open data (docs/rules.md §21): public to everyone, a draft tender to no one (not even its bureau).
PUBLIC_READ = {"anonymous": OK, "stranger": OK, "officer": OK, "provider_admin": OK}
OPEN_DATA = [
    Row("GET", "ocds/releases/", "active contract", PUBLIC_READ),
    Row("GET", "ocds/records/ocds-xxxxxx-{tender}/", "active contract", PUBLIC_READ),
    Row(
        "GET",
        "ocds/records/ocds-xxxxxx-{tender}/",
        "draft tender",
        {"anonymous": 404, "stranger": 404, "officer": 404, "platform_admin": 404},
    ),
    Row("GET", "ocds/bulk/releases.jsonl.gz", "active contract", {"anonymous": OK, "officer": OK}),
    Row("GET", "ocds/extension/extension.json", "nothing", {"anonymous": OK, "stranger": OK}),
]

MATRIX = [
    *ORGS,
    *CATALOGUE_AND_BUDGET,
    *TENDERS,
    *QUESTIONS,
    *BIDS,
    *CONTRACTS,
    *DOCUMENTS,
    *EXCLUSIONS,
    *CHALLENGES,
    *VARIATIONS,
    *OPEN_DATA,
]
SCENARIO_CALLERS = {"pending_admin", "double_agent", "conflicted_evaluator", "conflicted_scorer"}


def test_the_matrix_names_known_scenarios_and_callers():
    for row in MATRIX:
        assert row.scenario in SCENARIOS, row.name
        for role in row.expect:
            assert role in ROLE_USERS or role in SCENARIO_CALLERS, (row.name, role)
        if row.method != "GET":
            assert set(row.expect) - {"anonymous"} or row.path.startswith(
                ("auth/", "residents/", "providers/")
            )


@pytest.mark.parametrize(("row", "role", "outcome"), matrix_params(MATRIX), ids=matrix_ids(MATRIX))
def test_endpoint_as_role(world, api, row, role, outcome):
    check_row(world, api, SCENARIOS, row, role, outcome)


# --- What each caller sees ----------------------------------------------------------------------


def _ids(response):
    assert response.status_code == OK, response.json()
    return {item["id"] for item in response.json()["results"]}


def test_sealed_bids_before_the_deadline(world, api):
    # Given a published tender with bids of the first and second providers
    objects = SCENARIOS["submitted bid"](world)
    tender, bid, rival_bid = objects["tender"], objects["bid"], objects["rival_bid"]
    path = f"tenders/{tender.id}/bids/"

    # The bureau and the platform admin are told the bids are sealed, and cannot open any one of them
    for who in ("officer", "finance", "bureau_admin", "platform_admin"):
        client = api(user_for(world, objects, who))
        assert_error(client.get(path), 409, "bids_sealed")
        assert_error(client.get(f"tenders/{tender.id}/ranking/"), 409, "bids_sealed")
        for sealed in (bid, rival_bid):
            assert_error(client.get(f"bids/{sealed.id}/"), 404, "not_found")

    # Each provider lists its own bids only; a rival's bid does not exist for it
    assert _ids(api(world["provider_admins"][0]).get(path)) == {bid.id}
    assert _ids(api(world["provider_staff"][0]).get(path)) == {bid.id}
    assert _ids(api(world["provider_admins"][1]).get(path)) == {rival_bid.id}
    assert _ids(api(world["provider_admins"][2]).get(path)) == set()
    assert_error(api(world["provider_admins"][0]).get(f"bids/{rival_bid.id}/"), 404, "not_found")
    assert_error(api(world["provider_admins"][1]).get(f"bids/{bid.id}/"), 404, "not_found")


def test_after_closing_the_bureau_sees_every_bid_and_providers_still_only_their_own(world, api):
    objects = SCENARIOS["evaluating tender"](world)
    tender, bid, rival_bid = objects["tender"], objects["bid"], objects["rival_bid"]
    path = f"tenders/{tender.id}/bids/"

    assert _ids(api(world["officer"]).get(path)) == {bid.id, rival_bid.id}
    assert _ids(api(world["platform_admin"]).get(path)) == {bid.id, rival_bid.id}
    assert _ids(api(world["provider_admins"][0]).get(path)) == {bid.id}
    assert _ids(api(world["provider_admins"][1]).get(path)) == {rival_bid.id}
    assert _ids(api(world["other_officer"]).get(path)) == set()
    assert _ids(api(world["stranger"]).get(path)) == set()
    assert_error(api(world["provider_admins"][1]).get(f"bids/{bid.id}/"), 404, "not_found")


def test_draft_tenders_are_invisible_to_the_public_and_to_other_bureaus(world, api):
    draft = flows.draft_tender(world)
    published = flows.published_tender(world)

    for who in ("anonymous", "stranger", "other_officer", "provider_admin", "assessor"):
        client = api(user_for(world, {}, who))
        assert _ids(client.get("tenders/")) == {published.id}, who
        assert _ids(client.get("tenders/?status=draft")) == set(), who
        assert_error(client.get(f"tenders/{draft.id}/"), 404, "not_found")
        assert_error(client.get(f"tenders/{draft.id}/history/"), 404, "not_found")
        assert_error(client.get(f"tenders/{draft.id}/questions/"), 404, "not_found")
    for who in ("officer", "finance", "evaluator", "bureau_admin", "platform_admin"):
        assert _ids(api(user_for(world, {}, who)).get("tenders/")) == {draft.id, published.id}, who


CONTRACT_SUMMARY_FIELDS = {
    "id",
    "tender",
    "title",
    "bureau",
    "provider",
    "value_amount",
    "currency",
    "service_start",
    "service_end",
    "status",
    "activated_at",
}


def test_the_public_sees_summaries_of_non_draft_contracts_only(world, api):
    draft = flows.draft_contract(world)
    active = flows.active_contract(world)

    for who in ("anonymous", "stranger", "rival", "other_officer"):
        client = api(user_for(world, {}, who))
        assert _ids(client.get("contracts/")) == {active.id}, who
        assert_error(client.get(f"contracts/{draft.id}/"), 404, "not_found")
        summary = client.get(f"contracts/{active.id}/").json()
        assert set(summary) == CONTRACT_SUMMARY_FIELDS, who  # no instalments, terms or signatures
        listed = client.get("contracts/").json()["results"][0]
        assert set(listed) == CONTRACT_SUMMARY_FIELDS and listed["tender"] == active.tender_id
        history = client.get(f"contracts/{active.id}/history/").json()
        assert history and all(entry["by"] is None for entry in history)  # actors hidden

    for who in ("officer", "finance", "provider_admin", "platform_admin"):
        client = api(user_for(world, {}, who))
        assert _ids(client.get("contracts/")) == {draft.id, active.id}, who
        full = client.get(f"contracts/{active.id}/").json()
        assert len(full["instalments"]) == 3 and "available_transitions" in full, who
    history = api(world["officer"]).get(f"contracts/{active.id}/history/").json()
    assert history[-1]["by"]["id"] == world["provider_admins"][0].id


def test_the_asker_of_a_question_is_hidden_from_everyone_but_the_bureau(world, api):
    objects = SCENARIOS["unanswered question"](world)
    tender, unanswered = objects["tender"], objects["question"]
    answered = services.question_ask(actor=world["provider_admins"][1], tender=tender, text="Transport?")
    services.question_answer(actor=world["officer"], question=answered, answer="Not included.")
    path = f"tenders/{tender.id}/questions/"
    hidden = {"asker_organization", "asked_by", "asker"}

    for who in ("anonymous", "stranger", "outsider_provider", "platform_admin"):
        client = api(user_for(world, objects, who))
        questions = client.get(path).json()["results"]
        if who == "platform_admin":
            assert {q["id"] for q in questions} == {unanswered.id, answered.id}
        else:
            assert [q["id"] for q in questions] == [answered.id], who  # unanswered ones stay private
        assert all(not hidden & set(q) for q in questions), who
        assert not hidden & set(client.get(f"questions/{answered.id}/").json()), who

    # The asking organisation sees its own unanswered question, still without who asked
    asker = api(world["provider_admins"][0])
    own = asker.get(path).json()["results"]
    assert {q["id"] for q in own} == {unanswered.id, answered.id}
    assert all(not hidden & set(q) for q in own)
    assert not hidden & set(asker.get(f"questions/{unanswered.id}/").json())
    asked = asker.post(path, {"text": "Weekend visits?"}).json()
    assert not hidden & set(asked)

    # The bureau sees which organisation asked
    for who in ("officer", "finance"):
        questions = api(user_for(world, objects, who)).get(path).json()["results"]
        askers = {q["id"]: q["asker_organization"] for q in questions}
        assert askers[unanswered.id] == world["providers"][0].id, who
        assert askers[answered.id] == world["providers"][1].id, who


def _transitions(client, path):
    response = client.get(path)
    assert response.status_code == OK, response.json()
    return set(response.json()["available_transitions"])


def test_available_transitions_show_only_what_the_caller_may_do(world, api):
    draft = flows.draft_tender(world)
    published = flows.published_tender(world)
    closable = SCENARIOS["closable tender"](world)["tender"]

    def of(who, path):
        return _transitions(api(user_for(world, {}, who)), path)

    assert of("officer", f"tenders/{draft.id}/") == {"publish", "cancel"}
    for who in ("finance", "bureau_admin", "evaluator", "platform_admin"):
        assert of(who, f"tenders/{draft.id}/") == set(), who
    assert of("officer", f"tenders/{published.id}/") == {"amend", "cancel"}  # the deadline is ahead
    for who in ("anonymous", "stranger", "other_officer", "provider_admin", "finance"):
        assert of(who, f"tenders/{published.id}/") == set(), who
    assert of("officer", f"tenders/{closable.id}/") == {"close", "cancel"}
    assert of("stranger", f"tenders/{closable.id}/") == set()


def test_available_transitions_of_bids(world, api):
    draft_bid = SCENARIOS["draft bid"](world)["bid"]
    submitted = flows.submitted_bid(world, draft_bid.tender, 1, 29_000_000)
    opened = SCENARIOS["evaluating tender"](world)["bid"]

    def of(who, bid):
        return _transitions(api(user_for(world, {}, who)), f"bids/{bid.id}/")

    assert of("provider_admin", draft_bid) == {"submit"}
    assert of("provider_staff", draft_bid) == {"submit"}
    assert of("rival", submitted) == {"withdraw"}
    assert of("officer", opened) == {"disqualify"}
    assert of("finance", opened) == set()
    assert of("evaluator", opened) == set()
    assert of("provider_admin", opened) == set()


def test_available_transitions_of_contracts(world, api):
    contract = flows.draft_contract(world)
    path = f"contracts/{contract.id}/"

    def of(who):
        return _transitions(api(user_for(world, {}, who)), path)

    assert of("officer") == {"sign", "assign"}
    assert of("provider_admin") == {"sign"}
    assert of("provider_staff") == set()
    assert of("finance") == set()
    assert of("platform_admin") == set()

    assert api(world["officer"]).post(f"{path}sign/").status_code == OK
    assert of("officer") == {"assign"}  # signed once
    assert of("provider_admin") == {"sign"}

    assert api(world["provider_admins"][0]).post(f"{path}sign/").json()["status"] == "active"
    assert of("officer") == {"suspend", "terminate", "assign", "vary"}
    assert of("provider_admin") == set()
    assert "available_transitions" not in api().get(path).json()  # the public's summary


def test_available_transitions_of_organizations(world, api):
    objects = SCENARIOS["pending provider"](world)
    path = f"organizations/{objects['organization'].id}/"

    assert _transitions(api(world["platform_admin"]), path) == {"verify", "suspend"}
    assert _transitions(api(objects["pending_admin"]), path) == set()
    verified = f"organizations/{world['providers'][0].id}/"
    assert _transitions(api(world["platform_admin"]), verified) == {"suspend"}
    assert _transitions(api(world["provider_admins"][0]), verified) == set()
    assert _transitions(api(), verified) == set()


def test_me_tells_each_caller_who_they_are(world, api):
    stranger = api(world["stranger"]).get("me/").json()
    assert stranger["memberships"] == [] and stranger["resident"] is None
    assert stranger["is_platform_admin"] is False

    officer = api(world["officer"]).get("me/").json()
    assert officer["memberships"] == [
        {
            "organization": {"id": world["bureau"].id, "name": world["bureau"].name, "kind": "bureau"},
            "role": "officer",
        }
    ]
    assert api(world["platform_admin"]).get("me/").json()["is_platform_admin"] is True


def test_households_and_budget_lines_are_seen_within_ones_own_bureau(world, api):
    household = f.HouseholdFactory(area=world["areas"]["compound"])
    other_line = f.BudgetLineFactory(bureau=world["other_bureau"])

    assert _ids(api(world["officer"]).get("households/")) == {household.id}
    assert _ids(api(world["platform_admin"]).get("households/")) == {household.id}
    for who in ("other_officer", "stranger", "finance", "provider_admin"):
        assert _ids(api(user_for(world, {}, who)).get("households/")) == set(), who

    assert _ids(api(world["finance"]).get("budget-lines/")) == {world["budget_line"].id}
    assert _ids(api(world["other_officer"]).get("budget-lines/")) == {other_line.id}
    assert _ids(api(world["stranger"]).get("budget-lines/")) == set()
    assert _ids(api(world["provider_admins"][0]).get("budget-lines/")) == set()
