"""Failed sign-ins lock the account for a while, whatever the address, on the sign-in page and
``POST auth/token/`` alike (orgs/lockout.py); an address is locked only after more failures, so one
person's typos do not lock out the office that shares it."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from .. import factories as f
from ..factories import PASSWORD

LOCK_SECONDS = 600


@pytest.fixture(autouse=True)
def limits(settings):
    settings.SIGNIN_LOCKOUT_FAILURES = 3
    settings.SIGNIN_LOCKOUT_ADDRESS_FAILURES = 6
    settings.SIGNIN_LOCKOUT_SECONDS = LOCK_SECONDS


def token(username: str, password: str, address: str):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def sign_in(client, username: str, password: str, address: str):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_an_account_locks_after_n_failures_from_many_addresses(db):
    user = f.UserFactory()
    first, second, third = (token(user.username, "wrong", f"203.0.113.{i}") for i in range(1, 4))
    assert [first.status_code, second.status_code] == [400, 400]
    assert first.json()["code"] == "invalid_credentials"
    # The third failure locks the account, and says so.
    assert third.status_code == 429 and third.json()["code"] == "account_locked"

    refused = token(user.username, PASSWORD, "198.51.100.20")  # the right password, a new address
    body = refused.json()
    assert refused.status_code == 429 and body["code"] == "account_locked"
    assert "locked" in body["message"] and "10 minutes" in body["message"]
    assert 0 < body["extra"]["retry_after"] <= LOCK_SECONDS
    assert int(refused["Retry-After"]) == body["extra"]["retry_after"]


def test_the_page_and_the_api_count_the_same_failures(db, client):
    user = f.UserFactory()
    assert sign_in(client, user.username, "wrong", "203.0.113.1").status_code == 200
    assert token(user.username, "wrong", "203.0.113.2").status_code == 400
    page = sign_in(client, user.username, "wrong", "203.0.113.3")
    assert "Too many failed sign-ins to this account" in page.content.decode()

    page = sign_in(client, user.username, PASSWORD, "198.51.100.20")
    text = page.content.decode()
    assert page.status_code == 200 and "_auth_user_id" not in client.session
    assert "Too many failed sign-ins to this account, so it is locked for now. Try again in 10" in text
    assert 'class="govuk-error-summary"' in text


def test_the_username_is_counted_whatever_its_case_or_spaces(db):
    user = f.UserFactory(username="officer.li")
    for attempt in ("Officer.Li", " officer.li", "OFFICER.LI"):
        token(attempt, "wrong", "203.0.113.1")
    assert token("officer.li", PASSWORD, "203.0.113.1").json()["code"] == "account_locked"
    assert user.username == "officer.li"


def test_a_colleague_at_the_same_address_is_not_locked_by_one_persons_typos(db, client):
    typist, colleague = f.UserFactory(), f.UserFactory()
    office = "192.0.2.10"
    for _ in range(3):
        token(typist.username, "wrong", office)
    assert token(typist.username, PASSWORD, office).json()["code"] == "account_locked"

    assert token(colleague.username, PASSWORD, office).status_code == 200
    response = sign_in(client, colleague.username, PASSWORD, office)
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_an_address_is_locked_after_its_own_higher_limit(db):
    users = [f.UserFactory() for _ in range(4)]
    guesser = "192.0.2.99"
    for user in users[:3]:  # two failures each: no account reaches its limit of three
        token(user.username, "wrong", guesser)
        token(user.username, "wrong", guesser)

    refused = token(users[3].username, PASSWORD, guesser)
    assert refused.status_code == 429 and refused.json()["code"] == "address_locked"
    assert "from your network" in refused.json()["message"]
    assert token(users[3].username, PASSWORD, "198.51.100.20").status_code == 200  # elsewhere


def test_a_success_clears_the_accounts_count_but_not_the_addresss(db):
    user, other = f.UserFactory(), f.UserFactory()
    address = "203.0.113.1"
    for _ in range(2):
        token(user.username, "wrong", address)
    assert token(user.username, PASSWORD, address).status_code == 200
    for _ in range(2):  # a third failure in a row would have locked it without the success between
        assert token(user.username, "wrong", address).status_code == 400
    assert token(user.username, PASSWORD, address).status_code == 200
    # The address still counts all four failures: two more reach its limit of six.
    assert token(other.username, "wrong", address).status_code == 400
    assert token(other.username, "wrong", address).json()["code"] == "address_locked"


def test_a_locked_account_is_refused_until_the_lock_expires(db, client):
    user = f.UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for index in range(3):
            sign_in(client, user.username, "wrong", f"203.0.113.{index}")

        clock.shift(datetime.timedelta(seconds=LOCK_SECONDS - 30))
        page = sign_in(client, user.username, PASSWORD, "198.51.100.20")
        assert "Try again in 1 minute," in page.content.decode() and "_auth_user_id" not in client.session
        refused = token(user.username, PASSWORD, "198.51.100.21")
        assert refused.json()["code"] == "account_locked" and refused.json()["extra"]["retry_after"] == 30

        clock.shift(datetime.timedelta(seconds=31))
        assert token(user.username, PASSWORD, "198.51.100.21").status_code == 200
        assert sign_in(client, user.username, PASSWORD, "198.51.100.20").status_code == 302
        assert "_auth_user_id" in client.session


def test_failures_older_than_the_period_are_forgotten(db):
    user = f.UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        token(user.username, "wrong", "203.0.113.1")
        token(user.username, "wrong", "203.0.113.1")
        clock.shift(datetime.timedelta(seconds=LOCK_SECONDS + 1))
        assert token(user.username, "wrong", "203.0.113.1").status_code == 400
        assert token(user.username, PASSWORD, "203.0.113.1").status_code == 200
