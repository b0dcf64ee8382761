"""Never a 500 for bad input (docs/rules.md §16): malformed ids, bodies, numbers, types, filters and pages
all answer with the error envelope ``{"code", "message", "extra"}``."""

import pytest

from marketplace.models import Bid, BudgetLine, Criterion, Tender
from orgs.models import Household, Organization

from ..flows import evaluating_tender, published_tender
from ..test_journey import tender_body

pytestmark = pytest.mark.django_db

HUGE = 10**30  # beyond any database integer


def assert_envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "extra"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["extra"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body


def raw_post(client, path: str, body: str, content_type: str = "application/json"):
    return client.client.post(f"/api/v1/{path}", data=body, content_type=content_type)


# --- ids in URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "tenders/abc/",
        "tenders/1.5/",
        "tenders/-1/",
        "tenders/1e3/",
        "tenders/abc/publish/",
        "tenders/abc/ranking/",
        "tenders/abc/bids/",
        "tenders/abc/questions/",
        "bids/abc/",
        "questions/abc/",
        "contracts/abc/",
        "contracts/abc/history/",
        "instalments/abc/",
        "organizations/abc/",
        "areas/abc/",
        "households/abc/",
        "budget-lines/abc/",
        "catalogue/abc/",
        "no-such-collection/",
    ],
)
def test_non_integer_ids_are_404_with_the_envelope(world, api, path):
    assert_envelope(api(world["officer"]).get(path), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    ["tenders/abc/publish/", "bids/abc/submit/", "contracts/abc/sign/", "organizations/x/verify/"],
)
def test_posts_to_non_integer_ids_are_404_with_the_envelope(world, api, path):
    assert_envelope(api(world["officer"]).post(path), 404, "not_found")


@pytest.mark.parametrize(
    "path",
    [
        f"tenders/{HUGE}/",
        f"tenders/{HUGE}/bids/",
        f"tenders/{HUGE}/questions/",
        f"tenders/{HUGE}/ranking/",
        f"bids/{HUGE}/",
        f"contracts/{HUGE}/",
        f"instalments/{HUGE}/",
        f"organizations/{HUGE}/",
        f"areas/{HUGE}/",
        f"households/{HUGE}/",
        f"budget-lines/{HUGE}/",
        f"catalogue/{HUGE}/",
        "tenders/99999/",
    ],
)
def test_ids_out_of_range_are_404(world, api, path):
    assert_envelope(api(world["platform_admin"]).get(path), 404, "not_found")


def test_pages_outside_the_api_keep_the_html_404(world, client):
    response = client.get("/tenders/abc/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


# --- malformed bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["tenders/", "providers/register/", "residents/register/", "auth/token/", "budget-lines/", "households/"],
)
@pytest.mark.parametrize(
    "body",
    [
        "{bad",
        '{"title": "a",}',
        "",
        '{"ceiling_amount": NaN}',
        '{"ceiling_amount": Infinity}',
        '{"ceiling_amount": ' + "9" * 5000 + "}",  # beyond Python's int parsing limit
        '"\\ud800"',
    ],
)
def test_malformed_json_is_400_malformed_request(world, api, path, body):
    client = api(world["officer"])
    tenders = Tender.objects.count()

    response = raw_post(client, path, body)

    if body == "":
        # an empty body is an empty object: a validation error, not a parse error
        assert_envelope(response, 400)
    elif body == '"\\ud800"':
        assert_envelope(response, 400)
    else:
        assert_envelope(response, 400, "malformed_request")
    assert Tender.objects.count() == tenders


def test_a_body_that_is_not_an_object_is_400_invalid(world, api):
    client = api(world["officer"])

    for body in ("[]", "[1, 2]", "5", '"text"', "null", "true"):
        body_response = raw_post(client, "tenders/", body)
        assert_envelope(body_response, 400, "invalid")


def test_unsupported_media_type_is_415(world, api):
    assert_envelope(
        raw_post(api(world["officer"]), "tenders/", "a=b", "text/plain"), 415, "unsupported_media_type"
    )


def test_wrong_method_is_405(world, api):
    tender = published_tender(world)

    response = api(world["officer"]).client.delete(f"/api/v1/tenders/{tender.id}/")

    assert_envelope(response, 405, "method_not_allowed")


# --- numbers and types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ceiling_amount", HUGE),
        ("ceiling_amount", -HUGE),
        ("ceiling_amount", 0),
        ("ceiling_amount", 1.5),
        ("ceiling_amount", "30 million"),
        ("ceiling_amount", None),
        ("ceiling_amount", [1]),
        ("ceiling_amount", {"amount": 1}),
        ("min_bids", HUGE),
        ("standstill_days", HUGE),
        ("standstill_days", -1),
        ("catalogue_item", HUGE),
        ("catalogue_item", "abc"),
        ("budget_line", HUGE),
        ("budget_line", [1]),
        ("areas", [HUGE]),
        ("areas", "x"),
        ("areas", [None]),
        ("bid_deadline", "tomorrow"),
        ("bid_deadline", HUGE),
        ("service_start", "2026-02-30"),
        ("kpis", "x"),
        ("kpis", [{"name": "a", "target": "1e400", "unit": "x"}]),
        ("kpis", [{"name": "a", "target": "NaN", "unit": "x"}]),
        ("criteria", "x"),
        ("criteria", [{"name": "Price", "kind": "price", "weight": HUGE}]),
        ("criteria", [{"name": "Price", "kind": "cheapest", "weight": 30}]),
        ("payment_schedule", [{"kind": "advance", "share_pct": "Infinity"}]),
        ("score_weights", "x"),
        ("score_weights", {"third_party": HUGE}),
        ("title", "a\x00b"),
        ("title", "x" * 201),
    ],
)
def test_bad_tender_fields_are_400_invalid(world, api, field, value):
    tenders = Tender.objects.count()

    response = api(world["officer"]).post("tenders/", tender_body(world, **{field: value}))

    body = assert_envelope(response, 400, "invalid")
    assert field in body["extra"]["fields"], body
    assert Tender.objects.count() == tenders


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_amount", HUGE),
        ("price_amount", -5),
        ("price_amount", "cheap"),
        ("price_amount", 2.5),
        ("provider", HUGE),
        ("provider", "x"),
        ("declarations", "yes"),
        ("declarations", {"eligibility": "perhaps"}),
        ("technical_proposal", None),
        ("technical_proposal", ["a"]),
    ],
)
def test_bad_bid_fields_are_400_invalid(world, api, field, value):
    tender = published_tender(world)
    body = {"price_amount": 25_000_000, "technical_proposal": "Plan", "staffing_plan": "Team", field: value}

    response = api(world["provider_admins"][0]).post(f"tenders/{tender.id}/bids/", body)

    assert field in assert_envelope(response, 400, "invalid")["extra"]["fields"]
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", HUGE),
        ("amount", -1),
        ("amount", "lots"),
        ("fiscal_year", HUGE),
        ("fiscal_year", "twenty"),
        ("source", "lottery"),
        ("currency", "USD"),
        ("bureau", HUGE),
    ],
)
def test_bad_budget_line_fields_are_400_invalid(world, api, field, value):
    body = {"fiscal_year": 2026, "name": "Elderly care", "source": "department_budget", "amount": 1000}
    lines = BudgetLine.objects.count()

    response = api(world["finance"]).post("budget-lines/", {**body, field: value})

    assert field in assert_envelope(response, 400, "invalid")["extra"]["fields"]
    assert BudgetLine.objects.count() == lines


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bid": HUGE}, "bid"),
        ({"bid": "first"}, "bid"),
        ({"bid": None}, "bid"),
        ({}, "bid"),
    ],
)
def test_bad_award_is_400_and_nothing_changes(world, api, body, field):
    tender = evaluating_tender(world)

    response = api(world["officer"]).post(f"tenders/{tender.id}/award/", body)

    assert field in assert_envelope(response, 400, "invalid")["extra"]["fields"]
    assert Tender.objects.get(pk=tender.pk).status == Tender.Status.EVALUATING


@pytest.mark.parametrize(
    ("criterion", "score"),
    [
        (HUGE, "80"),
        ("plan", "80"),
        (None, "80"),
        ("quality", "NaN"),
        ("quality", "Infinity"),
        ("quality", "-Infinity"),
        ("quality", "1e400"),
        ("quality", "100.01"),
        ("quality", "-1"),
        ("quality", "eighty"),
        ("quality", [80]),
    ],
)
def test_bad_scores_are_400(world, api, criterion, score):
    tender = evaluating_tender(world)
    bid = tender.bids.first()
    evaluator = api(world["evaluators"][0])
    assert evaluator.post(f"tenders/{tender.id}/declarations/", {"no_conflict": True}).status_code == 201
    if criterion == "quality":
        criterion = tender.criteria.filter(kind=Criterion.Kind.QUALITY).first().id

    response = evaluator.post(f"bids/{bid.id}/scores/", {"criterion": criterion, "score": score})

    assert_envelope(response, 400, "invalid")
    assert not bid.scores.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"area": HUGE, "code": "WH-1"},
        {"area": "compound", "code": "WH-1"},
        {"area": None, "code": "WH-1"},
        {"code": "WH-1"},
        {"area": "__compound__", "code": ["WH-1"]},
        {"area": "__compound__", "code": "x" * 41},
        {"area": "__compound__", "code": "户 1"},
    ],
)
def test_bad_households_are_400(world, api, body):
    if body.get("area") == "__compound__":
        body = {**body, "area": world["areas"]["compound"].id}

    response = api(world["officer"]).post("households/", body)

    assert_envelope(response, 400, "invalid")
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"organization": "x", "admin": 5}',
        '{"organization": {"name": null, "legal_type": 1, "credit_code": []}, "admin": {}}',
        '{"organization": {"name": "A", "legal_type": "enterprise", "credit_code": "91350100M000100Y43"},'
        ' "admin": {"username": "a", "password": "correct-horse-battery-9", "email": "not-an-email"}}',
    ],
)
def test_bad_registrations_are_400(db, api, body):
    response = raw_post(api(), "providers/register/", body)

    assert_envelope(response, 400, "invalid")
    assert not Organization.objects.exists()


def test_bad_resident_registration_types_are_400(db, api):
    body = '{"username": null, "password": 5, "household_code": {}}'

    assert_envelope(raw_post(api(), "residents/register/", body), 400, "invalid")


# --- filters and pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("tenders/", {"status": "bogus"}),
        ("tenders/", {"area": "abc"}),
        ("tenders/", {"catalogue_item": "abc"}),
        ("tenders/", {"catalogue_item": str(HUGE)}),
        ("tenders/", {"bureau": "abc"}),
        ("areas/", {"level": "bogus"}),
        ("areas/", {"parent": "abc"}),
        ("areas/", {"parent": str(HUGE)}),
        ("organizations/", {"kind": "bogus"}),
        ("organizations/", {"status": "bogus"}),
        ("households/", {"area": "abc"}),
    ],
)
def test_unknown_filter_values_are_400_invalid(world, api, path, params):
    response = api(world["platform_admin"]).get(path, **params)

    body = assert_envelope(response, 400, "invalid")
    assert set(params) <= set(body["extra"]["fields"])


def test_filter_on_an_area_that_does_not_exist_is_empty(world, api):
    published_tender(world)

    for area in ("99999", str(HUGE)):
        response = api().get("tenders/", area=area)
        assert response.status_code == 200
        assert response.json()["count"] == 0


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", str(HUGE), "1.5"])
def test_bad_page_numbers_are_404_with_the_envelope(world, api, page):
    published_tender(world)

    assert_envelope(api().get("tenders/", page=page), 404, "not_found")


@pytest.mark.parametrize("page_size", ["abc", "0", "-5", str(HUGE)])
def test_bad_page_sizes_fall_back_to_a_bounded_page(world, api, page_size):
    published_tender(world)

    response = api().get("tenders/", page_size=page_size)

    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- the envelope of refusals --------------------------------------------------------------------


def test_refusals_carry_the_envelope(world, api):
    tender = published_tender(world)

    assert_envelope(api().post("tenders/", tender_body(world)), 401, "not_authenticated")
    assert_envelope(api(world["stranger"]).post(f"tenders/{tender.id}/publish/"), 403)
    assert_envelope(api(world["officer"]).post(f"tenders/{tender.id}/publish/"), 409, "invalid_transition")
    assert_envelope(api(world["officer"]).get(f"tenders/{tender.id}/bids/"), 409, "bids_sealed")
