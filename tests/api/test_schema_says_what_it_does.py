"""The schema says what the API does (issue 8 item 7): every operation documents the error envelope
for the statuses it can answer with, every code the code base raises is listed under its status,
and the shapes the schema gives history, ranking, reports and public contract summaries are the
ones the API sends (tests/api/test_schema_conformance.py tries the rest by fuzzing)."""

import ast
import importlib
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

from common.errors import _DRF_CODES, ApplicationError
from common.schema import ERROR_CODES
from contracts.serializers import ContractSummarySerializer

from .. import flows

ROOT = Path(__file__).resolve().parents[2]
API_APPS = ["common", "orgs", "marketplace", "contracts", "evaluations"]


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


def raised_codes():
    """(status, code, where) of every error the apps raise with a literal code or declare on an
    ``ApplicationError`` subclass, and of DRF's own errors."""
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
                        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                            yield cls.status_code, keyword.value.value, where


def test_every_code_raised_is_listed_under_its_status():
    documented = {405, 406, 415}  # DRF's own statuses that no operation of ours means to answer
    missing = [
        (status, code, where)
        for status, code, where in raised_codes()
        if status not in documented and code not in ERROR_CODES.get(status, ())
    ]
    assert not missing, f"list these in common.schema.ERROR_CODES: {missing}"


def test_every_operation_documents_its_errors_with_the_envelope(schema):
    for name, operation in operations(schema):
        errors = {status: response for status, response in operation["responses"].items() if status >= "400"}
        if name == "GET /api/v1/health/":
            assert errors == {}
            continue
        assert errors, name
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            for code in ERROR_CODES[int(status)]:
                assert f"`{code}`" in response["description"], (name, status, code)


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
    "name", ["GET /api/v1/contracts/{id}/satisfaction/", "GET /api/v1/tenders/", "GET /api/v1/contracts/"]
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
