"""The schema says what the API does (issue 8 item 7, issue 10 item 5): every operation documents the
error envelope for the statuses it can answer with and, under each, the codes that operation can
give; every code the code base raises is a member of an app's enum (``<app>/errors.py``), never a
bare string; and the shapes the schema gives history, ranking, reports and public contract summaries
are the ones the API sends (tests/api/test_schema_conformance.py tries the rest by fuzzing). The
suite's conftest checks, on every API error any test provokes, that the operation declares its code."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from challenges.errors import ChallengesError
from common.errors import _DRF_CODES, ApplicationError, CommonError, Conflict, ErrorCode
from common.schema import GENERIC_CODES, error_codes
from communitytasks.errors import CommunityTasksError
from contracts.errors import ContractsError
from contracts.serializers import ContractSummarySerializer
from documents.errors import DocumentsError
from evaluations.errors import EvaluationsError
from marketplace.errors import MarketplaceError
from needs.errors import NeedsError
from orgs.errors import OrgsError
from payments.errors import PaymentsError

from .. import flows

ROOT = Path(__file__).resolve().parents[2]
API_APPS = [
    "common",
    "orgs",
    "documents",
    "needs",
    "marketplace",
    "contracts",
    "challenges",
    "payments",
    "evaluations",
    "communitytasks",
]
APP_ENUMS: list[type[ErrorCode]] = [
    CommonError,
    OrgsError,
    DocumentsError,
    NeedsError,
    MarketplaceError,
    ContractsError,
    ChallengesError,
    PaymentsError,
    EvaluationsError,
    CommunityTasksError,
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def _error_class(module, node: ast.expr) -> type[ApplicationError] | None:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    candidate = getattr(module, name, None) if name else None
    if isinstance(candidate, type) and issubclass(candidate, ApplicationError):
        return candidate
    return None


def _code_value(module, node: ast.expr):
    """What a ``code=`` argument names: an enum member (``MarketplaceError.BIDDING_CLOSED``), a bare
    string, or None for a name computed at run time (``SignInLocked(code=code)``)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        enum = getattr(module, node.value.id, None)
        return getattr(enum, node.attr, None)
    return None


def raised_codes():
    """(status, code, where) of every error the apps raise with a code named in the call or declared
    on an ``ApplicationError`` subclass, and of DRF's own errors."""
    for cls, code in _DRF_CODES.items():
        yield cls.status_code, code, f"common.errors._DRF_CODES[{cls.__name__}]"
    for app in API_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.ClassDef):
                    cls = getattr(module, node.name, None)
                    if isinstance(cls, type) and issubclass(cls, ApplicationError) and "code" in vars(cls):
                        yield cls.status_code, cls.code, where
                elif isinstance(node, ast.Call) and (cls := _error_class(module, node.func)):
                    for keyword in node.keywords:
                        if keyword.arg == "code" and (code := _code_value(module, keyword.value)) is not None:
                            yield cls.status_code, code, where


def test_every_code_raised_is_a_member_of_an_apps_enum_with_the_status_it_comes_with():
    raised = list(raised_codes())
    assert len(raised) > 60
    bare = [(code, where) for _status, code, where in raised if not isinstance(code, ErrorCode)]
    assert not bare, f"name these codes by their app's enum (<app>/errors.py): {bare}"
    wrong_status = [(code, status, where) for status, code, where in raised if code.status != status]
    assert not wrong_status, wrong_status
    members = {member for enum in APP_ENUMS for member in enum}
    assert {code for _status, code, _where in raised} <= members


def test_each_code_is_defined_once():
    values = [member.value for enum in APP_ENUMS for member in enum]
    assert len(values) == len(set(values))


def _listed(response) -> list[str]:
    return re.findall(r"`([a-z_]+)`", response["description"])


def test_every_operation_documents_its_errors_and_their_codes_with_the_envelope(schema):
    for name, operation in operations(schema):
        errors = {status: response for status, response in operation["responses"].items() if status >= "400"}
        if name == "GET /api/v1/health/":
            assert errors == {}
            continue
        assert errors, name
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            codes = _listed(response)
            assert codes, (name, status)
            if not (status == "409" and name.startswith("GET ")):  # a read's 409 is its declared codes'
                assert set(GENERIC_CODES[int(status)]) <= set(codes), (name, status)
            statuses = {member.value: member.status for enum in APP_ENUMS for member in enum}
            assert all(statuses[code] == int(status) for code in codes), (name, status, codes)


def test_every_app_code_is_listed_by_some_operation(schema):
    listed = {
        code
        for _name, operation in operations(schema)
        for status, response in operation["responses"].items()
        if status >= "400"
        for code in _listed(response)
    }
    app_codes = {member.value for enum in APP_ENUMS[1:] for member in enum}
    assert app_codes - listed == set()


@pytest.mark.parametrize(
    ("name", "status", "codes"),
    [
        (
            "POST /api/v1/bids/{id}/submit/",
            "409",
            [
                "invalid_transition",
                "bidding_closed",
                "price_above_ceiling",
                "declarations_required",
                "duplicate_bid",
                "provider_excluded",
            ],
        ),
        ("POST /api/v1/bids/{id}/submit/", "403", ["permission_denied", "conflict_of_interest"]),
        ("GET /api/v1/tenders/{id}/ranking/", "409", ["bids_sealed"]),
        (
            "POST /api/v1/tenders/{id}/publish/",
            "409",
            ["invalid_transition", "deadline_too_soon", "budget_insufficient", "origin_missing"],
        ),
        ("POST /api/v1/auth/token/", "429", ["throttled", "account_locked", "address_locked"]),
        ("POST /api/v1/organizations/{id}/payout-account/", "503", ["gateway_unavailable"]),
    ],
)
def test_an_operation_lists_the_codes_it_can_give_and_no_others(schema, name, status, codes):
    operation = dict(operations(schema))[name]
    assert _listed(operation["responses"][status]) == codes


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("GET /api/v1/tenders/", {"400", "401", "404"}),  # filters; a page past the end
        ("POST /api/v1/tenders/", {"400", "401", "403", "409"}),
        ("GET /api/v1/tenders/{id}/", {"401", "404"}),
        ("POST /api/v1/tenders/{id}/publish/", {"401", "403", "404", "409"}),
        ("GET /api/v1/tenders/{id}/ranking/", {"401", "404", "409"}),  # bids_sealed
        ("GET /api/v1/tenders/{tender_pk}/bids/", {"401", "403", "404", "409"}),
        ("POST /api/v1/residents/register/", {"400", "401", "409", "429"}),  # household_full
        ("POST /api/v1/ratings/", {"400", "401", "403", "404", "409", "429"}),
        ("GET /api/v1/me/", {"401", "403"}),
    ],
)
def test_statuses_follow_from_the_view(schema, name, statuses):
    operation = dict(operations(schema))[name]
    assert {status for status in operation["responses"] if status >= "400"} == statuses


@pytest.mark.parametrize(
    "name",
    [
        "GET /api/v1/contracts/{id}/satisfaction/",
        "GET /api/v1/tenders/",
        "GET /api/v1/contracts/",
        "GET /api/v1/log/head/",
        "GET /api/v1/ratings/receipts/{receipt}/",
    ],
)
def test_public_reads_need_no_credentials(schema, name):
    assert {} in dict(operations(schema))[name]["security"]


def test_history_and_ranking_are_arrays_reports_a_page_contracts_full_or_summary(schema):
    paths = schema["paths"]
    arrays = [
        "/api/v1/tenders/{id}/history/",
        "/api/v1/contracts/{id}/history/",
        "/api/v1/tenders/{id}/ranking/",
    ]
    for path in arrays:
        body = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert body["type"] == "array", path
        assert {parameter["name"] for parameter in paths[path]["get"]["parameters"]} == {"id"}
    reports = paths["/api/v1/contracts/{id}/reports/"]["get"]["responses"]["200"]["content"]
    assert reports["application/json"]["schema"] == {"$ref": "#/components/schemas/PaginatedReportList"}
    components = schema["components"]["schemas"]
    assert components["ContractOrSummary"]["oneOf"] == [
        {"$ref": "#/components/schemas/Contract"},
        {"$ref": "#/components/schemas/ContractSummary"},
    ]
    assert components["ContractSummary"]["additionalProperties"] is False  # no more than these fields
    assert "additionalProperties" not in components["Contract"]


def test_reports_come_as_a_page_history_and_ranking_as_arrays(world, api):
    # Given a delivering contract with its midterm report, and an evaluating tender
    objects = flows.delivering_contract(world)
    contract = objects["contract"]
    flows.submit_report(world, contract, "midterm")
    tender = flows.evaluating_tender(world)
    officer = api(world["officer"])

    # Then reports are a page, like every list; history and ranking are plain arrays (docs/rules.md §16)
    reports = officer.get(f"contracts/{contract.id}/reports/").json()
    assert set(reports) == {"count", "next", "previous", "results"}
    assert reports["count"] == 1 and reports["results"][0]["stage"] == "midterm"
    assert isinstance(officer.get(f"contracts/{contract.id}/history/").json(), list)
    assert isinstance(officer.get(f"tenders/{tender.id}/history/").json(), list)
    assert isinstance(officer.get(f"tenders/{tender.id}/ranking/").json(), list)


def test_the_public_sees_exactly_the_summary_of_a_contract(world, api):
    contract = flows.active_contract(world)
    summary = api().get(f"contracts/{contract.id}/").json()
    full = api(world["officer"]).get(f"contracts/{contract.id}/").json()

    assert set(summary) == set(ContractSummarySerializer.Meta.fields)
    assert {"instalments", "available_transitions", "terms"} <= set(full)


class _Refusing(APIView):
    """Refuses with ``bidding_closed``; ``post`` declares it, ``put`` does not."""

    authentication_classes: list = []
    permission_classes: list = []

    @error_codes(MarketplaceError.BIDDING_CLOSED)
    def post(self, request):
        raise Conflict(code=MarketplaceError.BIDDING_CLOSED)

    def put(self, request):
        raise Conflict(code=MarketplaceError.BIDDING_CLOSED)


def test_the_suite_fails_an_operation_that_answers_with_a_code_it_does_not_declare():
    request = APIRequestFactory()
    view = _Refusing.as_view()

    assert view(request.post("/")).data["code"] == "bidding_closed"
    with pytest.raises(AssertionError, match=r"_Refusing\.put answered 'bidding_closed'"):
        view(request.put("/"))
