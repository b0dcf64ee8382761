"""Issue 8 item 6: no GET — API or page — ever writes. Reading a contract's evaluations used to
open its first evaluation; now the midterm opens with the write that activates the contract (the
second signature, through the API or the pages), or by the periodic job."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Contract
from evaluations.models import Evaluation
from evaluations.tasks import open_due_evaluations
from tests import factories as f
from tests import flows

from ..frontend.helpers import english_client

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def writes(context: CaptureQueriesContext) -> list[str]:
    cache_tables = {
        cache["LOCATION"] for cache in settings.CACHES.values() if cache["BACKEND"].endswith("DatabaseCache")
    }
    return [
        query["sql"]
        for query in context.captured_queries
        if WRITE.match(query["sql"]) and not any(table in query["sql"] for table in cache_tables)
    ]


@pytest.fixture
def contract_without_evaluation(world):
    """An active contract of the first provider, assessor and community assigned, households of its
    area recorded as recipients, whose midterm evaluation has not been opened yet (activated by
    the contracts service alone, before the periodic job ran)."""
    contract = flows.activated_without_evaluation(world)
    contract_services.contract_assign(
        actor=world["officer"], contract=contract, assessor=world["assessor"], community=world["community"]
    )
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(
        service_start=today - datetime.timedelta(days=30), service_end=today + datetime.timedelta(days=300)
    )
    residents = [
        f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"])) for _ in range(2)
    ]
    flows.log_service(world, contract, [resident.household for resident in residents])
    assert not Evaluation.objects.filter(contract=contract).exists()
    return {"contract": contract, "residents": residents}


def test_api_reads_of_evaluations_write_nothing(world, api, contract_without_evaluation):
    contract = contract_without_evaluation["contract"]
    readers = [
        (world["officer"], f"contracts/{contract.id}/evaluations/"),
        (world["provider_admins"][0], f"contracts/{contract.id}/evaluations/"),
        (world["assessor_member"], f"contracts/{contract.id}/evaluations/"),
        (world["community_member"], f"contracts/{contract.id}/evaluations/"),
        (world["platform_admin"], f"contracts/{contract.id}/evaluations/"),
        (contract_without_evaluation["residents"][0].user, "me/rateable/"),
        (world["officer"], f"contracts/{contract.id}/satisfaction/"),
        (world["officer"], f"contracts/{contract.id}/"),
    ]
    clients = [(api(user), path) for user, path in readers]  # tokens made before counting

    for client, path in clients:
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
        assert response.status_code == 200, (path, response.content[:200])
        assert writes(context) == [], path

    assert not Evaluation.objects.filter(contract=contract).exists()


def test_pages_of_evaluations_write_nothing(world, contract_without_evaluation):
    contract = contract_without_evaluation["contract"]
    readers = [
        (world["officer"], f"/bureau/contracts/{contract.pk}/"),
        (world["provider_admins"][0], f"/provider/contracts/{contract.pk}/"),
        (world["assessor_member"], f"/assessor/contracts/{contract.pk}/"),
        (world["assessor_member"], "/assessor/"),
        (world["community_member"], f"/community/contracts/{contract.pk}/"),
        (contract_without_evaluation["residents"][0].user, "/resident/"),
        (None, f"/contracts/{contract.pk}/"),
    ]
    clients = [(english_client(user), path) for user, path in readers]  # signed in before counting

    for client, path in clients:
        with CaptureQueriesContext(connection) as context:
            response = client.get(path)
        assert response.status_code == 200, path
        assert writes(context) == [], path

    assert not Evaluation.objects.filter(contract=contract).exists()


def test_the_periodic_job_still_opens_a_midterm_nobody_opened(world, api, contract_without_evaluation):
    contract = contract_without_evaluation["contract"]

    assert open_due_evaluations() == 1

    listed = api(world["officer"]).get(f"contracts/{contract.id}/evaluations/").json()
    assert [(e["stage"], e["status"]) for e in listed] == [("midterm", "open")]


def test_the_second_signature_through_the_api_opens_the_midterm(world, api):
    contract = flows.draft_contract(world)

    first = api(world["officer"]).post(f"contracts/{contract.id}/sign/")
    assert first.status_code == 200, first.content
    assert not Evaluation.objects.filter(contract=contract).exists()  # still a draft

    second = api(world["provider_admins"][0]).post(f"contracts/{contract.id}/sign/")

    assert second.status_code == 200, second.content
    assert second.json()["status"] == "active"
    assert list(Evaluation.objects.filter(contract=contract).values_list("stage", "round", "status")) == [
        ("midterm", 1, "open")
    ]
    assert open_due_evaluations() == 0


@pytest.mark.parametrize("last_to_sign", ["bureau", "provider"])
def test_the_second_signature_on_the_pages_opens_the_midterm(world, last_to_sign):
    contract = flows.draft_contract(world)
    bureau_page = (world["officer"], f"/bureau/contracts/{contract.pk}/sign/")
    provider_page = (world["provider_admins"][0], f"/provider/contracts/{contract.pk}/sign/")
    order = [provider_page, bureau_page] if last_to_sign == "bureau" else [bureau_page, provider_page]

    for user, path in order:
        response = english_client(user).post(path)
        assert response.status_code == 302, path

    contract.refresh_from_db()
    assert contract.status == "active"
    assert list(Evaluation.objects.filter(contract=contract).values_list("stage", "status")) == [
        ("midterm", "open")
    ]


def test_a_resident_still_rates_a_contract_whose_midterm_nobody_opened(
    world, api, contract_without_evaluation
):
    # The first rating is a write that needs the evaluation: it opens it.
    contract = contract_without_evaluation["contract"]
    resident = contract_without_evaluation["residents"][0]

    response = api(resident.user).post(
        "ratings/", {"contract": contract.id, "satisfaction": 4, "resolved": "yes", "comment": ""}
    )

    assert response.status_code == 201, response.content
    assert Evaluation.objects.get(contract=contract).ratings.count() == 1
