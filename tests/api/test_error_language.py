"""One message, one language — the request's (issue 9, Words): every API error, its message and
its field messages, is wholly in Simplified Chinese by default and wholly in English with
``Accept-Language: en``. Codes, field names, numbers and what the client sent may appear in both."""

import re

import pytest
from rest_framework import throttling as drf_throttling
from rest_framework.test import APIClient

from tests import flows

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
# what a Chinese message may quote: the client's own input, HTTP words and codes
ALLOWED_IN_CHINESE = {"DELETE", "text", "plain", "nonsense", "JSON", "ID", "API"}


def _messages(body: dict) -> list[str]:
    """The envelope's message and every message under ``extra.fields``."""
    found = [body["message"]]

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.append(value)

    walk(body.get("extra", {}).get("fields", {}))
    return found


def _errors(world, api, language: str) -> dict[str, dict]:
    """One answer of each kind, as the client in ``language`` gets it."""
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    contract = flows.draft_contract(world)
    tender = flows.published_tender(world)
    officer = api(world["officer"]).client
    provider = api(world["provider_admins"][0]).client
    anonymous = APIClient()
    answers = {
        "validation": officer.post(
            "/api/v1/tenders/",
            {"title": "", "ceiling_amount": "abc", "areas": ["x"]},
            format="json",
            **header,
        ),
        "malformed": officer.post("/api/v1/tenders/", "{bad json", content_type="application/json", **header),
        "unsupported": officer.post("/api/v1/tenders/", "a=b", content_type="text/plain", **header),
        "not_found": officer.get("/api/v1/tenders/999999/", **header),
        "no_route": officer.get("/api/v1/nothing-here/", **header),
        "method": officer.delete("/api/v1/tenders/", **header),
        "unauthenticated": anonymous.post("/api/v1/tenders/", {}, format="json", **header),
        "forbidden": provider.post(
            f"/api/v1/tenders/{tender.pk}/cancel/", {"reason": "x"}, format="json", **header
        ),
        "filter": officer.get("/api/v1/tenders/", {"status": "nonsense"}, **header),
        "credentials": anonymous.post(
            "/api/v1/auth/token/", {"username": "nobody", "password": "wrong"}, format="json", **header
        ),
    }
    officer.post(f"/api/v1/contracts/{contract.pk}/sign/", {}, format="json", **header)
    answers["conflict"] = officer.post(f"/api/v1/contracts/{contract.pk}/sign/", {}, format="json", **header)
    for _attempt in range(3):
        answers["throttled"] = anonymous.post(
            "/api/v1/auth/token/", {"username": "x"}, format="json", **header
        )
    return answers


@pytest.fixture
def one_write_a_minute(monkeypatch):
    monkeypatch.setattr(
        drf_throttling.SimpleRateThrottle, "THROTTLE_RATES", {"anon_write": "2/minute", "ratings": "30/hour"}
    )


EXPECTED_STATUS = {
    "validation": 400,
    "malformed": 400,
    "unsupported": 415,
    "not_found": 404,
    "no_route": 404,
    "method": 405,
    "unauthenticated": 401,
    "forbidden": 403,
    "filter": 400,
    "credentials": 400,
    "conflict": 409,
    "throttled": 429,
}


def test_every_error_is_wholly_in_english_when_english_is_asked_for(world, api, one_write_a_minute):
    for kind, response in _errors(world, api, "en").items():
        assert response.status_code == EXPECTED_STATUS[kind], (kind, response.content)
        for message in _messages(response.json()):
            assert not CJK.search(message), (kind, message)
            assert message.strip(), kind


def test_every_error_is_wholly_in_chinese_by_default(world, api, one_write_a_minute):
    for kind, response in _errors(world, api, "zh-hans").items():
        assert response.status_code == EXPECTED_STATUS[kind], (kind, response.content)
        for message in _messages(response.json()):
            words = set(ENGLISH_WORD.findall(message)) - ALLOWED_IN_CHINESE
            assert not words, (kind, message)
            assert CJK.search(message), (kind, message)


def test_a_throttled_client_is_told_when_to_come_back_in_its_language(world, api, one_write_a_minute):
    answer = _errors(world, api, "en")["throttled"]
    body = answer.json()
    assert body["code"] == "throttled" and body["extra"]["wait"] > 0
    assert body["message"] == f"Too many requests. Try again in {body['extra']['wait']} seconds."
    assert answer["Retry-After"] == str(body["extra"]["wait"])
