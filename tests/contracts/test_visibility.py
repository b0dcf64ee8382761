"""Lists agree with the detail: only members of a verified party see a draft contract, its
instalments and its evaluations; a pending or suspended organisation's members see what the public
sees."""

import pytest

from contracts.models import Contract, Instalment
from evaluations.models import Evaluation
from orgs import services as org_services
from orgs.models import Organization
from tests.flows import draft_contract

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("status", [Organization.Status.SUSPENDED, Organization.Status.PENDING])
def test_members_of_a_provider_that_does_not_act_see_neither_the_draft_nor_its_instalments(
    world, api, status
):
    # Given a draft contract with the first provider, which then stops acting
    contract = draft_contract(world)
    provider = Organization.objects.get(pk=contract.provider_id)
    admin = world["provider_admins"][world["providers"].index(provider)]
    instalment_ids = set(Instalment.objects.filter(contract=contract).values_list("id", flat=True))
    assert instalment_ids
    if status == Organization.Status.SUSPENDED:
        org_services.organization_suspend(
            actor=world["platform_admin"], organization=provider, reason="Audit"
        )
    else:
        Organization.objects.filter(pk=provider.pk).update(status=status)

    # When its admin reads the contracts and instalments
    client = api(admin)

    # Then the list holds what the detail holds: nothing of the draft, nor of its instalments
    assert contract.id not in _ids(client.get("contracts/"))
    assert client.get(f"contracts/{contract.id}/").status_code == 404
    for instalment_id in instalment_ids:
        assert client.get(f"instalments/{instalment_id}/").status_code == 404


def test_a_verified_party_sees_the_draft_in_full_and_its_instalments(world, api):
    contract = draft_contract(world)
    provider_index = [p.id for p in world["providers"]].index(contract.provider_id)
    client = api(world["provider_admins"][provider_index])

    assert contract.id in _ids(client.get("contracts/"))
    detail = client.get(f"contracts/{contract.id}/").json()
    assert detail["status"] == Contract.Status.DRAFT and "instalments" in detail
    for instalment_id in Instalment.objects.filter(contract=contract).values_list("id", flat=True):
        assert client.get(f"instalments/{instalment_id}/").status_code == 200


def test_members_of_a_suspended_bureau_see_no_evaluation_of_its_contracts(world, api):
    # Given an active contract with its midterm evaluation, and its bureau suspended
    from tests.flows import active_contract

    contract = active_contract(world)
    evaluation_ids = set(Evaluation.objects.filter(contract=contract).values_list("id", flat=True))
    assert evaluation_ids
    Organization.objects.filter(pk=contract.bureau_id).update(status=Organization.Status.SUSPENDED)

    # Then its officer sees none of them, in the contract's list or the detail
    client = api(world["officer"])
    assert client.get(f"contracts/{contract.id}/evaluations/").status_code == 404
    for evaluation_id in evaluation_ids:
        assert client.get(f"evaluations/{evaluation_id}/").status_code == 404


def test_officers_of_a_suspended_bureau_see_no_rating_of_its_contracts(world, api):
    # Given a rating of the bureau's contract, seen by its officer while the bureau acts
    from tests.flows import delivering_contract, rate

    objects = delivering_contract(world)
    rating = rate(objects["residents"][0], objects["contract"])
    client = api(world["officer"])
    assert rating.id in _ids(client.get("ratings/"))

    # When the bureau is suspended
    Organization.objects.filter(pk=objects["contract"].bureau_id).update(status=Organization.Status.SUSPENDED)

    # Then the officer sees it neither in the list nor in the detail, as for every other party rule
    assert rating.id not in _ids(client.get("ratings/"))
    assert client.get(f"ratings/{rating.id}/").status_code == 404
