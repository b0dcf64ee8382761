"""Issue 9: phone numbers are mainland mobile numbers (one rule, ``orgs.phones``, used by the
services, so the API refuses what the pages refuse), and a taken credit code reads like a person
wrote it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from orgs.models import Household, Organization, Resident, User
from orgs.phones import normalize_mainland_mobile

from .. import factories as f
from .test_registration_and_households import provider_registration


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English wording (the msgids); pages and the API default to Chinese."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


CREDIT_CODE_TAKEN = (
    "An organisation with this unified social credit code is already registered. "
    "If it is yours, sign in or ask its administrator to add you."
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("0086-19912345678", "19912345678"),
        ("8615012345678", "15012345678"),
        ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese input method
        ("", ""),
        ("   ", ""),
    ],
)
def test_mainland_mobile_numbers_are_normalised(typed, stored):
    assert normalize_mainland_mobile(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["12800138000", "1380013800", "138001380001", "028-85551234", "+1 415 555 0100", "abc", "86 138"],
)
def test_other_numbers_are_refused_with_a_message_that_says_how_to_write_one(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_mainland_mobile(typed)
    assert refused.value.code == "invalid_phone"
    assert "11 digits starting with 1" in refused.value.messages[0]


# --- the API refuses what the pages refuse ------------------------------------------------------


@pytest.mark.django_db
def test_resident_registration_refuses_a_bad_phone_and_stores_a_good_one_normalised(world, api):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0001")
    body = {"username": "li-na", "password": f.PASSWORD, "household_code": "WH0001"}

    refused = api().post("residents/register/", {**body, "phone": "12345"})

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_phone"
    assert "11 digits" in refused.json()["extra"]["fields"]["phone"][0]
    assert not User.objects.filter(username="li-na").exists()

    created = api().post("residents/register/", {**body, "phone": "+86 138-0013-8000"})
    assert created.status_code == 201, created.json()
    assert Resident.objects.get(user__username="li-na").user.phone == "13800138000"


@pytest.mark.django_db
def test_a_household_gets_a_mobile_number_on_its_register_or_none(world, api):
    officer = api(world["officer"])
    area = world["areas"]["compound"].pk

    refused = officer.post("households/", {"area": area, "code": "WH0200", "phone": "028 8555 1234"})
    without = officer.post("households/", {"area": area, "code": "WH0201", "phone": ""})
    with_phone = officer.post("households/", {"area": area, "code": "WH0202", "phone": "139 0000 0202"})

    assert refused.status_code == 400 and refused.json()["code"] == "invalid_phone"
    assert "phone" in refused.json()["extra"]["fields"]
    assert not Household.objects.filter(code="WH0200").exists()
    assert without.status_code == 201, without.json()
    assert with_phone.status_code == 201, with_phone.json()
    assert Household.objects.get(code="WH0202").phone == "13900000202"


@pytest.mark.django_db
def test_a_taken_credit_code_is_explained_to_people_on_the_api(world, api):
    taken = world["providers"][0].credit_code
    organizations = Organization.objects.count()

    response = api().post("providers/register/", provider_registration(credit_code=taken))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"  # the stable code of field errors, as before
    assert response.json()["extra"]["fields"]["organization"]["credit_code"] == [CREDIT_CODE_TAKEN]
    assert Organization.objects.count() == organizations
