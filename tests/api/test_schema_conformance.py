"""The API does what its schema says (issue 8 item 7): schemathesis sends every operation generated
requests, valid and invalid, as six identities on the demo's data, and fails on any 5xx or any
response that breaks the schema — a status it does not document, another content type, a body
that does not match. Bounded and deterministic: a few examples per operation, a fixed seed.

Select it with ``-m api_fuzz`` (``make api-fuzz``); ``make test`` runs it with the whole suite."""

import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from contracts.models import Contract, Instalment
from demo.seed import seed
from evaluations.models import Evaluation, Rating
from marketplace import services as market
from marketplace.models import Bid, BudgetLine, CatalogueItem, Question, Tender
from orgs.models import Area, Household, Organization, Resident, User
from payments.models import Payment

pytestmark = pytest.mark.api_fuzz

# Per operation and identity; API_FUZZ_EXAMPLES=100 for a deeper run by hand.
EXAMPLES_PER_OPERATION = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))

# Fuzzing only: the coverage phase's boundary cases cost about five times as much per operation.
CONFIG = schemathesis.Config.from_dict({"seed": 2026, "phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

IDENTITIES = {
    "anonymous": None,
    "platform_admin": "admin",
    "officer": "officer",
    "finance": "finance",
    "provider_admin": "provider1",
    "resident": "resident1",
}

# The objects behind the first path segment, so generated ids land on objects that exist.
COLLECTIONS: dict[str, Any] = {
    "areas": Area,
    "bids": Bid,
    "budget-lines": BudgetLine,
    "catalogue": CatalogueItem,
    "contracts": Contract,
    "evaluations": Evaluation,
    "households": Household,
    "instalments": Instalment,
    "organizations": Organization,
    "payments": Payment,
    "questions": Question,
    "ratings": Rating,
    "residents": Resident,
    "tenders": Tender,
}
known_ids: dict[str, list[int]] = {}


def _small(value: Any) -> int | None:
    """A generated integer (or string of digits) of ordinary size, else None."""
    if isinstance(value, str) and value.isdigit() and len(value) < 7:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**6:
        return value
    return None


@schema.hook
def map_path_parameters(context, path_parameters):
    """Most generated ids become ids of demo objects (which the caller may or may not see); huge
    ones and non-numbers stay as they are, to be 404."""
    if not path_parameters:
        return path_parameters
    segments = context.operation.path.strip("/").split("/")
    ids = known_ids.get(segments[segments.index("v1") + 1]) or [1]
    mapped = dict(path_parameters)
    for name, value in path_parameters.items():
        if (number := _small(value)) is not None:
            mapped[name] = ids[number % len(ids)]
    return mapped


@schema.hook
def map_query(context, query):
    """Mostly the first page, which has results, sometimes the second."""
    if query and (page := _small(query.get("page"))) is not None:
        query = {**query, "page": 2 if page % 5 == 0 else 1}
    return query


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The demo's data and a token per identity, made once for the module inside a transaction
    that is rolled back at its end; each test runs in a savepoint of it (the ``db`` fixture).

    Requests go straight to the WSGI handler, whose request signals would close the database
    connection (inside a transaction it counts as obsolete) and with it the test's transaction on
    PostgreSQL; Django's test client unhooks them the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield from _demo_tokens(django_db_blocker)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


def _demo_tokens(django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        seed()
        open_tender = Tender.objects.filter(status=Tender.Status.PUBLISHED).first()
        market.question_ask(
            actor=User.objects.get(username="provider1"), tender=open_tender, text="Are meals included?"
        )
        for collection, model in COLLECTIONS.items():
            known_ids[collection] = list(model.objects.order_by("pk").values_list("pk", flat=True))
        yield {
            identity: Token.objects.create(user=User.objects.get(username=username)).key
            for identity, username in IDENTITIES.items()
            if username is not None
        }
        transaction.set_rollback(True)
        known_ids.clear()


@pytest.mark.parametrize("identity", list(IDENTITIES))
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, identity, tokens, db):
    headers = {"Authorization": f"Token {tokens[identity]}"} if identity in tokens else {}
    # The WSGI client does not decompress as an HTTP client does: ask for answers as they are.
    headers["Accept-Encoding"] = "identity"
    case.call_and_validate(
        headers=headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            ignored_auth,  # an operation the schema says needs credentials refuses a call without
        ],
    )
