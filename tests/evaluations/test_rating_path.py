"""The lean rating path (issue 13): a resident's rating POST costs a pinned number of statements —
the token with its user, the resident with its household, one read of the contract's open
evaluation with everything the rules need, the INSERT — reads the contract once and locks no row
FOR UPDATE; every rule still answers with its code (docs/rules.md §10; the closed window and the
midterm opened by the first rating: test_machines.py, test_reads_do_not_write.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Rating
from orgs.models import Membership

from .. import factories as f
from .. import flows

# The log's entries stay pending here, as in the rating's own transaction (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.log_pending]


@pytest.fixture(autouse=True)
def _outbox(monkeypatch):
    """The rating's own statements, as on PostgreSQL (SQLite seals in the same transaction)."""
    from auditchain import chain

    monkeypatch.setattr(chain, "_seals_in_the_transaction", lambda: False)


# token + user, resident + household, the one read (evaluation, contract, party, recipient, rated,
# burst count), the INSERT. Savepoints (a test runs inside a transaction) are not statements of ours.
# Then the tamper-evident log's pending entry in the same transaction (docs/rules.md §24): one
# INSERT, no lock of the head (the entry is sealed after the commit, in a transaction of its own).
PINNED_STATEMENTS = 4 + 1


def _statements(captured) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def _post(api, resident, contract_id, **extra):
    body = {"contract": contract_id, "satisfaction": 5, "resolved": "yes", **extra}
    client = api(resident.user)  # its token made before counting
    with CaptureQueriesContext(connection) as captured:
        response = client.post("ratings/", body, REMOTE_ADDR="198.51.100.20")
    return response, _statements(captured)


def test_a_rating_costs_the_pinned_statements_and_reads_the_contract_once(world, api):
    objects = flows.delivering_contract(world, households=2)

    response, statements = _post(api, objects["residents"][0], objects["contract"].id)

    assert response.status_code == 201, response.json()
    assert len(statements) == PINNED_STATEMENTS, "\n".join(statements)
    assert sum("contracts_contract" in sql for sql in statements) == 1
    assert not any("FOR UPDATE" in sql or "auditchain_head" in sql for sql in statements)
    rating = Rating.objects.get()
    assert (rating.household, rating.evaluation) == (objects["residents"][0].household, objects["evaluation"])
    assert response.json()["household"] == rating.household.code and response.json()["status"] == "valid"


def test_the_same_statements_whatever_the_ratings_already_given(world, api):
    objects = flows.delivering_contract(world, households=6)
    contract, residents = objects["contract"], objects["residents"]
    first, first_statements = _post(api, residents[0], contract.id)
    for resident in residents[1:5]:
        flows.rate(resident, contract, address="198.51.100.20")

    last, last_statements = _post(api, residents[5], contract.id)

    assert first.status_code == last.status_code == 201
    assert len(first_statements) == len(last_statements) == PINNED_STATEMENTS


def test_every_rule_still_answers_with_its_code(world, api, settings):
    settings.LANGUAGE_CODE = "en"
    objects = flows.delivering_contract(world, households=3)
    contract, residents = objects["contract"], objects["residents"]
    stranger = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
    party = residents[2]
    f.MembershipFactory(user=party.user, organization=world["assessor"], role=Membership.Role.MEMBER)

    assert _post(api, residents[0], contract.id)[0].status_code == 201
    again, _ = _post(api, residents[0], contract.id)
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    refused, _ = _post(api, stranger, contract.id)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_a_recipient")
    refused, _ = _post(api, party, contract.id)
    assert (refused.status_code, refused.json()["code"]) == (403, "conflict_of_interest")
    missing, _ = _post(api, residents[1], contract.id + 1000)
    assert missing.status_code == 404
    draft = flows.draft_contract(
        world, budget_line=f.BudgetLineFactory(bureau=world["bureau"], amount=50_000_000)
    )
    assert _post(api, residents[1], draft.id)[0].status_code == 404
    assert Rating.objects.count() == 1


def test_a_burst_is_still_quarantined_on_the_lean_path(world, api, settings):
    settings.RATING_IP_BURST = 2
    objects = flows.delivering_contract(world, households=3)
    statuses = [
        _post(api, resident, objects["contract"].id)[0].json()["status"] for resident in objects["residents"]
    ]
    assert statuses == ["valid", "valid", "quarantined"]
    assert Rating.objects.get(status=Rating.Status.QUARANTINED).quarantine_reason


def test_a_contract_id_beyond_any_database_id_is_a_400_not_a_500(world):
    from ..conftest import Api

    resident = f.ResidentFactory().user
    response = Api(resident).post(
        "ratings/", {"contract": 2**63, "satisfaction": 5, "resolved": "yes", "comment": ""}
    )

    assert response.status_code == 400
    assert "contract" in response.json()["extra"]["fields"]


def test_the_throttle_counts_in_the_database_cache_refused_attempts_included(
    world, api, settings, monkeypatch
):
    """Without Redis the throttle counts in the database cache; on PostgreSQL its count commits with
    the rating (one commit), and an attempt the service refuses still counts."""
    from django.core.cache import caches
    from django.core.management import call_command
    from rest_framework import throttling

    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shequ_cache"},
    }
    call_command("createcachetable", verbosity=0)
    monkeypatch.setattr(throttling.SimpleRateThrottle, "THROTTLE_RATES", {"ratings": "3/hour"})
    objects = flows.delivering_contract(world, households=1)
    resident = objects["residents"][0]

    statuses = [_post(api, resident, objects["contract"].id)[0].status_code for _ in range(4)]

    assert statuses == [201, 409, 409, 429]
    assert Rating.objects.count() == 1
    caches["default"].clear()
