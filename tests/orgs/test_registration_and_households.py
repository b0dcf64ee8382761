"""Self-registration (providers, residents), verification by the platform admin, households by
bureau officers (one at a time; the CSV import is in test_household_import.py), and createsuperuser
without prompts."""

import pytest
from django.core.management import call_command

from marketplace.models import Bid
from orgs.models import Household, Membership, Organization, Resident, User

from .. import factories as f
from ..flows import published_tender

pytestmark = pytest.mark.django_db


def provider_registration(**organization) -> dict:
    return {
        "organization": {
            "name": "Yulin Social Work Centre",
            "legal_type": "social_organization",
            "credit_code": f.credit_code(),
            **organization,
        },
        "admin": {"username": "yulin-admin", "password": f.PASSWORD, "email": "admin@yulin.example"},
    }


def bid_body(price: int = 25_000_000) -> dict:
    return {
        "price_amount": price,
        "technical_proposal": "Weekly visits.",
        "staffing_plan": "Two social workers.",
        "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
    }


# --- providers -----------------------------------------------------------------------------------


def test_provider_registers_and_starts_pending(db, api):
    response = api().post("providers/register/", provider_registration())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending"
    assert body["kind"] == "provider"
    admin = User.objects.get(username="yulin-admin")
    assert body["admin"] == {"id": admin.id, "username": "yulin-admin"}
    assert admin.check_password(f.PASSWORD)
    assert Membership.objects.filter(
        user=admin, organization_id=body["id"], role=Membership.Role.ADMIN
    ).exists()


def test_provider_cannot_bid_until_the_platform_admin_verifies_it(world, api):
    tender = published_tender(world)
    organization_id = api().post("providers/register/", provider_registration()).json()["id"]
    provider_admin = api(User.objects.get(username="yulin-admin"))

    # Pending: no bid
    refused = provider_admin.post(f"tenders/{tender.id}/bids/", bid_body())
    assert refused.status_code == 403, refused.json()
    assert not Bid.objects.filter(provider_id=organization_id).exists()

    # Neither a stranger nor the provider's own admin may verify it
    assert api(world["stranger"]).post(f"organizations/{organization_id}/verify/").status_code == 404
    assert provider_admin.post(f"organizations/{organization_id}/verify/").status_code == 403
    assert Organization.objects.get(pk=organization_id).status == "pending"

    # The platform admin verifies it
    verified = api(world["platform_admin"]).post(f"organizations/{organization_id}/verify/")
    assert verified.status_code == 200, verified.json()
    assert verified.json()["status"] == "verified"

    # Now it bids
    created = provider_admin.post(f"tenders/{tender.id}/bids/", bid_body())
    assert created.status_code == 201, created.json()
    assert created.json()["provider"] == organization_id


def test_pending_provider_is_visible_to_its_admin_but_not_the_public(db, api):
    organization_id = api().post("providers/register/", provider_registration()).json()["id"]

    assert api().get(f"organizations/{organization_id}/").status_code == 404
    own = api(User.objects.get(username="yulin-admin")).get(f"organizations/{organization_id}/")
    assert own.status_code == 200 and own.json()["status"] == "pending"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization": {"legal_type": "government_agency"}}, "organization"),
        ({"admin": {"username": "yulin-admin", "password": "123"}}, "admin"),
        ({"admin": {"username": "", "password": f.PASSWORD}}, "admin"),
    ],
)
def test_provider_registration_refusals_create_nothing(db, api, change, field):
    body = provider_registration()
    for key, value in change.items():
        body[key] = {**body[key], **value}
    organizations, users = Organization.objects.count(), User.objects.count()

    response = api().post("providers/register/", body)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert field in response.json()["extra"]["fields"]
    assert (Organization.objects.count(), User.objects.count()) == (organizations, users)


def test_provider_registration_with_a_taken_credit_code_or_username_creates_nothing(world, api):
    taken_code = world["providers"][0].credit_code
    organizations, users = Organization.objects.count(), User.objects.count()

    same_code = api().post("providers/register/", provider_registration(credit_code=taken_code))
    body = provider_registration()
    body["admin"]["username"] = world["stranger"].username
    same_username = api().post("providers/register/", body)

    assert same_code.status_code == 400 and same_username.status_code == 400
    assert (Organization.objects.count(), User.objects.count()) == (organizations, users)


# --- residents -----------------------------------------------------------------------------------


def test_resident_registers_with_a_household_code(world, api):
    household = f.HouseholdFactory(area=world["areas"]["compound"], code="WH-0001")

    response = api().post(
        "residents/register/",
        {"username": "li-na", "password": f.PASSWORD, "phone": "13800000000", "household_code": "WH-0001"},
    )

    assert response.status_code == 201, response.json()
    resident = Resident.objects.get(user__username="li-na")
    assert resident.household == household
    assert response.json()["household"] == "WH-0001"
    me = api(resident.user).get("me/").json()
    assert me["resident"] == {
        "id": resident.id,
        "status": "pending",
        "household": "WH-0001",
        "area": world["areas"]["compound"].id,
    }


def test_resident_with_a_bad_household_code_is_refused_and_nothing_created(world, api):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH-0001")
    users = User.objects.count()

    response = api().post(
        "residents/register/",
        {"username": "li-na", "password": f.PASSWORD, "phone": "", "household_code": "WH-9999"},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_household_code"
    assert set(body) == {"code", "message", "extra"}
    assert User.objects.count() == users
    assert not Resident.objects.exists()


# --- households ----------------------------------------------------------------------------------


def test_officer_creates_a_household_within_the_jurisdiction(world, api):
    compound = world["areas"]["compound"]

    response = api(world["officer"]).post("households/", {"area": compound.id, "code": "WH-0001"})

    assert response.status_code == 201, response.json()
    assert response.json()["area"] == compound.id
    household = Household.objects.get(code="WH-0001")
    assert household.created_by == world["officer"]


def test_officer_cannot_create_a_household_outside_the_jurisdiction(world, api):
    response = api(world["officer"]).post(
        "households/", {"area": world["areas"]["other_compound"].id, "code": "JJ-0001"}
    )

    assert response.status_code == 400
    assert "area" in response.json()["extra"]["fields"]
    assert not Household.objects.exists()


def test_households_belong_to_compound_level_areas(world, api):
    response = api(world["officer"]).post("households/", {"area": world["areas"]["street"].id, "code": "X1"})

    assert response.status_code == 400
    assert not Household.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "provider_admin", "finance"])
def test_others_cannot_create_households(world, api, who):
    user = world["provider_admins"][0] if who == "provider_admin" else world[who]

    response = api(user).post("households/", {"area": world["areas"]["compound"].id, "code": "WH-0001"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Household.objects.exists()


def test_anonymous_cannot_create_households(world, api):
    response = api().post("households/", {"area": world["areas"]["compound"].id, "code": "WH-0001"})

    assert response.status_code == 401
    assert not Household.objects.exists()


def test_household_code_is_unique(world, api):
    officer = api(world["officer"])
    assert (
        officer.post("households/", {"area": world["areas"]["compound"].id, "code": "WH-1"}).status_code
        == 201
    )

    again = officer.post("households/", {"area": world["areas"]["compound"].id, "code": "WH-1"})

    assert again.status_code == 400
    assert Household.objects.count() == 1


def test_officer_lists_only_households_of_the_jurisdiction(world, api):
    mine = f.HouseholdFactory(area=world["areas"]["compound"])
    f.HouseholdFactory(area=world["areas"]["other_compound"])

    listed = api(world["officer"]).get("households/").json()

    assert [h["id"] for h in listed["results"]] == [mine.id]


# --- createsuperuser -----------------------------------------------------------------------------


def test_createsuperuser_noinput_needs_only_a_username(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", f.PASSWORD)

    call_command("createsuperuser", interactive=False, username="root", verbosity=0)

    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert root.check_password(f.PASSWORD)
    assert User.REQUIRED_FIELDS == []
