"""The pages' writes share the API's rates: past the rate a POST gets the 429 page and changes
nothing (guessing household codes or passwords through the forms is no easier than via the API)."""

import pytest

from frontend.throttling import PageRateThrottle
from orgs.models import User


@pytest.fixture(autouse=True)
def tight_rates(monkeypatch):
    monkeypatch.setattr(PageRateThrottle, "THROTTLE_RATES", {"anon_write": "2/minute", "ratings": "1/hour"})


def test_sign_up_past_the_rate_is_refused_and_creates_nothing(db, client):
    data = {"username": "guesser", "password": "a-long-password-2026", "household_code": "NOPE"}
    assert [client.post("/accounts/signup/", data).status_code for _ in range(2)] == [200, 200]
    data["household_code"] = "WH0001"
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 429
    assert not User.objects.filter(username="guesser").exists()


def test_sign_in_past_the_rate_is_refused(world, client):
    wrong = {"username": world["officer"].username, "password": "wrong"}
    assert [client.post("/accounts/login/", wrong).status_code for _ in range(2)] == [200, 200]
    assert client.post("/accounts/login/", wrong).status_code == 429
    assert client.get("/accounts/login/").status_code == 200  # reading the form is never throttled
