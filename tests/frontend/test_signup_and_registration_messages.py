"""Issue 9: the sign-up and registration pages explain themselves — the phone field names its rule,
the household code's hint names the document and a real code (as /help/ does), and a taken credit
code reads like a person wrote it."""

import html

import pytest

from orgs.models import User

from .. import factories as f
from ..orgs.test_phones_and_registration_messages import CREDIT_CODE_TAKEN

pytestmark = pytest.mark.django_db


def test_sign_up_names_the_phone_field_and_keeps_every_other_error(world, browse):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0001")
    client = browse()

    response = client.post(
        "/accounts/signup/",
        {"username": "", "password": f.PASSWORD, "phone": "555-1234", "household_code": ""},
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_phone"' in text  # the error summary links to the field
    assert "Enter a mobile phone number of 11 digits starting with 1, like 138 0013 8000" in text
    assert 'href="#id_username"' in text and 'href="#id_household_code"' in text
    assert 'value="555-1234"' in text  # what was typed is kept
    assert not User.objects.filter(phone="555-1234").exists()


def test_sign_up_stores_the_phone_as_eleven_digits(world, browse):
    f.HouseholdFactory(area=world["areas"]["compound"], code="WH0001")

    response = browse().post(
        "/accounts/signup/",
        {
            "username": "wang-fang",
            "password": f.PASSWORD,
            "phone": "138 0013 8000",
            "household_code": "wh0001",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="wang-fang").phone == "13800138000"


def test_sign_up_and_help_name_the_same_document_and_a_real_code(db, browse):
    client = browse()
    hint = (
        "Your household code is printed on the household index card your residents' committee "
        "issues, for example WH0001."
    )

    signup = html.unescape(client.get("/accounts/signup/").content.decode())
    help_page = html.unescape(client.get("/help/").content.decode())

    assert hint in signup and hint in help_page
    assert "HH00012" not in signup and "HH00012" not in help_page


def test_provider_registration_page_explains_a_taken_credit_code(world, browse):
    client = browse()
    client.post("/provider/register/", {"legal_type": "social_organization"})

    response = client.post(
        "/provider/register/details/",
        {
            "name": "Yulin Social Work Centre",
            "legal_type": "social_organization",
            "credit_code": world["providers"][0].credit_code.lower(),
            "username": "yulin-admin",
            "password": f.PASSWORD,
            "email": "",
        },
    )

    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert CREDIT_CODE_TAKEN in text
    assert 'href="#id_credit_code"' in text
    assert not User.objects.filter(username="yulin-admin").exists()
