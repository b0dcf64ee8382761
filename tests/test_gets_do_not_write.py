"""Reads never write (issue 10): every GET of the API (every path of the OpenAPI schema) and every
page (every pattern of ``frontend.urls``), as each role, on the demo's year of data, leaves every
table as it was. Ids are filled with real objects — one of each state of the object the path
names — so detail pages render their full state, not only a 404; the demo's unsigned contract is
activated by the contracts service alone, so one active contract has no evaluation yet (the state
in which reading a contract's evaluations once opened one).

Allowed: the session (``django_session``), the cache table (throttle counters) and a user's
``last_login`` (set by signing in, a POST). A page may answer 302, 403 or 404; a 500 is a failure."""

import hashlib
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, models, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts import services as contract_services
from contracts.models import Contract
from demo.seed import seed
from frontend import urls as frontend_urls
from frontend.bureau.drafts import SECTIONS as TENDER_SECTIONS
from frontend.provider.bids import SECTIONS as BID_SECTIONS
from orgs.models import User

pytestmark = pytest.mark.django_db

# The demo's log-ins, one of each role (None: anonymous).
ROLES = {
    "anonymous": None,
    "officer": "officer",
    "finance": "finance",
    "evaluator": "evaluator1",
    "provider_admin": "provider1",
    "assessor": "assessor",
    "community": "community",
    "resident": "resident1",
    "platform_admin": "admin",
}

# The model a path's id names, by the path segment before it (API and pages alike).
MODEL_OF_SEGMENT = {
    "admission-items": "AdmissionItem",
    "appeals": "Appeal",
    "areas": "Area",
    "bids": "Bid",
    "budget-lines": "BudgetLine",
    "catalogue": "CatalogueItem",
    "challenges": "Challenge",
    "communities": "Organization",
    "community-tasks": "CommunityTask",
    "complaints": "Complaint",
    "contracts": "Contract",
    "documents": "Document",
    "events": "ServiceEvent",
    "evaluations": "Evaluation",
    "exclusions": "Exclusion",
    "grid-posts": "GridPost",
    "households": "Household",
    "imports": "HouseholdImport",
    "instalments": "Instalment",
    "needs": "Need",
    "organizations": "Organization",
    "providers": "Organization",
    "payments": "Payment",
    "posts": "GridPost",
    "questions": "Question",
    "ratings": "Rating",
    "rate": "Contract",
    "residents": "Resident",
    "tasks": "CommunityTask",
    "tenders": "Tender",
    "variations": "Variation",
}
MISSING_ID = 987_654_321


def _open_data_values() -> dict[str, list[str]]:
    """The open data's addresses name no model: a release's id, an ocid, an extension file."""
    from opendata import packages, selectors

    releases = selectors.releases()
    ids = [releases[0]["id"], releases[-1]["id"], "1-missing"] if releases else ["1-missing"]
    ocids = [*sorted({r["ocid"] for r in releases})[:2], "ocds-missing-1"]
    return {"release_id": ids, "ocid": ocids, "name": [*packages.EXTENSION_FILES, "missing.json"]}


def _receipts() -> list[str]:
    """A rating's receipt names no id: the newest rating's, and one no rating has."""
    from evaluations.models import Rating

    newest = Rating.objects.order_by("-pk").values_list("receipt", flat=True).first()
    return [*([newest] if newest else []), "missing-receipt"]


EVALUATION_COMPONENTS = ("third_party", "buyer", "community")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def model_named(name: str) -> type[models.Model]:
    (model,) = [model for model in apps.get_models() if model.__name__ == name]
    return model


def ids_of(name: str) -> list[int]:
    """The oldest and the newest object of each state (of all, where the model has no state), or a
    missing id."""
    model = model_named(name)
    objects = model._default_manager.order_by("pk")
    has_state = any(field.name == "status" for field in model._meta.fields)
    oldest: dict[str | None, int] = {}
    newest: dict[str | None, int] = {}
    rows = (
        objects.values_list("pk", "status")
        if has_state
        else ((pk, None) for pk in objects.values_list("pk", flat=True))
    )
    for pk, status in rows:
        oldest.setdefault(status, pk)
        newest[status] = pk
    return sorted(set(oldest.values()) | set(newest.values())) or [MISSING_ID]


def model_before(path: str, parameter: str) -> str:
    segments = [segment for segment in path.split("/") if segment]
    position = next(i for i, segment in enumerate(segments) if parameter in segment)
    segment = segments[position - 1]
    assert segment in MODEL_OF_SEGMENT, f"which model does {path} name? add {segment!r} to MODEL_OF_SEGMENT"
    return MODEL_OF_SEGMENT[segment]


# --- Addresses -------------------------------------------------------------------------------------


def api_paths() -> list[str]:
    """Every GET path of the API's schema, each id filled with real ids."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = []
    for template, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        parameters = re.findall(r"\{(\w+)\}", template)
        assert len(parameters) <= 1, f"{template}: fill nested ids here"
        if not parameters:
            paths.append(template)
            continue
        if parameters[0] == "receipt":
            paths.extend(template.replace("{receipt}", value) for value in _receipts())
            continue
        if template.startswith("/api/v1/ocds/"):
            values = _open_data_values()[parameters[0]]
            paths.extend(template.replace("{" + parameters[0] + "}", value) for value in values)
            continue
        for pk in ids_of(model_before(template, "{" + parameters[0] + "}")):
            paths.append(template.replace("{" + parameters[0] + "}", str(pk)))
    return paths


def _patterns(patterns: list, prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _children(model: str, parent: str, parent_id: int) -> list[int]:
    """The first child of the parent (a tender's bid or question), or a missing id."""
    child = model_named(model)._default_manager.filter(**{parent: parent_id}).order_by("pk").first()
    return [child.pk if child else MISSING_ID]


def page_paths() -> list[str]:
    """Every page address, each converter filled with real values: ids of each state of the object
    the address names, the tender's own bids and questions, every section slug and component."""
    admin = User.objects.get(username="admin")
    reset = {
        "uidb64": [urlsafe_base64_encode(force_bytes(admin.pk))],
        "token": [default_token_generator.make_token(admin), "set-password"],
    }
    paths = []
    for template in _patterns(frontend_urls.urlpatterns):
        filled = [template]
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", template):
            marker = f"<{converter}:{name}>" if converter else f"<{name}>"
            expanded = []
            for partial in filled:
                if name in reset:
                    values: list[Any] = reset[name]
                elif name == "slug":
                    values = [section.slug for section in TENDER_SECTIONS]
                elif name == "section":
                    values = list(BID_SECTIONS)
                elif name == "receipt":
                    values = _receipts()
                elif name == "component":
                    values = list(EVALUATION_COMPONENTS)
                elif name in ("table", "fmt"):  # the open data's downloads
                    from opendata import downloads

                    values = list(downloads.TABLES) if name == "table" else list(downloads.FORMATS)
                elif name in ("bid_pk", "question_pk"):
                    tender_id = int(re.search(r"tenders/(\d+)/", partial)[1])  # type: ignore[index]
                    values = _children("Bid" if name == "bid_pk" else "Question", "tender", tender_id)
                else:
                    values = ids_of(model_before(template, marker))
                expanded.extend(partial.replace(marker, str(value), 1) for value in values)
            filled = expanded
        paths.extend("/" + path for path in filled)
    return paths


# --- What the database holds -----------------------------------------------------------------------

IGNORED_TABLES = {"django_session"} | {
    cache["LOCATION"] for cache in settings.CACHES.values() if cache["BACKEND"].endswith("DatabaseCache")
}
IGNORED_COLUMNS = {User._meta.db_table: {"last_login"}}


def database_state() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of all its rows (the demo is small enough to read whole)."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in IGNORED_TABLES:
                continue
            columns = [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
                if column.name not in IGNORED_COLUMNS.get(table, set())
            ]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())  # in an order no database decides
            state[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def writes(context: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in context.captured_queries
        if WRITE.match(query["sql"]) and not any(table in query["sql"] for table in IGNORED_TABLES)
    ]


# --- The walk --------------------------------------------------------------------------------------


def _activate_without_evaluation() -> None:
    """The demo's contract awaiting both signatures, signed through the contracts service alone:
    active, its midterm evaluation not opened yet (as before the periodic job runs) — the state in
    which a read once opened it."""
    contract = Contract.objects.get(status=Contract.Status.DRAFT)
    for username in ("officer", "provider1"):
        contract_services.contract_sign(actor=User.objects.get(username=username), contract=contract)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert not contract.evaluations.exists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """The demo, loaded once for the module inside a transaction rolled back at its end (each test
    runs in a savepoint inside it); the addresses and every user's API token made before walking."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                seed()
            _activate_without_evaluation()
            users = {role: User.objects.get(username=name) if name else None for role, name in ROLES.items()}
            tokens = {role: Token.objects.create(user=user).key for role, user in users.items() if user}
            yield {"users": users, "tokens": tokens, "api": api_paths(), "pages": page_paths()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _quiet_refusals():
    """Thousands of 403s and 404s: Django logs each with its traceback, which costs more than the
    request. Only errors are logged (and a 500 fails the test with its address)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def _walk(client: Any, paths: list[str], **headers: str) -> list[str]:
    failures = []
    for path in paths:
        with CaptureQueriesContext(connection) as context:
            try:
                response = client.get(path, **headers)
            except Exception as error:  # a page that breaks is reported with its address
                failures.append(f"{path}: {type(error).__name__}: {error}")
                continue
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
        failures.extend(f"{path} wrote: {sql[:200]}" for sql in writes(context))
    return failures


@pytest.mark.parametrize("role", list(ROLES))
def test_no_get_of_the_api_writes(demo, role):
    client = APIClient()
    if role in demo["tokens"]:
        client.credentials(HTTP_AUTHORIZATION=f"Token {demo['tokens'][role]}")
    before = database_state()

    failures = _walk(client, demo["api"])

    assert failures == []
    after = database_state()
    assert [table for table in before if before[table] != after.get(table)] == []


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_writes(demo, role):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if demo["users"][role] is not None:
        client.force_login(demo["users"][role])  # sets last_login: before the first snapshot
    before = database_state()

    failures = _walk(client, demo["pages"])
    failures += _walk(client, ["/tenders/"], HTTP_HX_REQUEST="true")  # the htmx partial

    assert failures == []
    after = database_state()
    assert [table for table in before if before[table] != after.get(table)] == []
