"""Reloading the address of an action that only acts on a POST (or following a link to it) takes
the person back to the page the action belongs to, never to an empty 405 page."""

import pathlib

import pytest

from marketplace import services
from marketplace.models import Tender
from orgs.models import Resident

from .. import factories as f
from .. import flows
from .helpers import english_client

pytestmark = pytest.mark.django_db

FRONTEND = pathlib.Path(__file__).resolve().parents[2] / "frontend"


def test_no_page_view_answers_a_get_with_an_empty_405():
    """Page views use ``frontend.post_only.post_only_or_redirect``, not Django's POST-only
    decorators (which answer a reload with a blank 405)."""
    offenders = [
        str(path.relative_to(FRONTEND))
        for path in FRONTEND.rglob("*.py")
        if "require_POST" in path.read_text() or 'require_http_methods(["POST"])' in path.read_text()
    ]
    assert offenders == []


def test_tender_actions_lead_back_to_the_tender(world):
    tender = flows.published_tender(world)
    officer = english_client(world["officer"])
    for action in ("publish", "close", "finalize-award"):
        response = officer.get(f"/bureau/tenders/{tender.pk}/{action}/")
        assert response.status_code == 302, action
        assert response["Location"] == f"/bureau/tenders/{tender.pk}/"
    assert officer.head(f"/bureau/tenders/{tender.pk}/close/").status_code == 302
    assert officer.put(f"/bureau/tenders/{tender.pk}/close/").status_code == 405
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED  # a GET changed nothing


def test_answering_a_question_leads_back_to_the_questions(world):
    tender = flows.published_tender(world)
    question = services.question_ask(actor=world["provider_admins"][0], tender=tender, text="Halal?")
    response = english_client(world["officer"]).get(
        f"/bureau/tenders/{tender.pk}/questions/{question.pk}/answer/"
    )
    assert response.status_code == 302 and response["Location"] == f"/bureau/tenders/{tender.pk}/questions/"
    question.refresh_from_db()
    assert not question.is_answered


def test_the_resident_codes_lead_back_to_the_resident_home(world):
    resident = f.ResidentFactory(
        household=f.HouseholdFactory(area=world["areas"]["compound"]), status=Resident.Status.PENDING
    )
    client = english_client(resident.user)
    for path in ("/resident/confirm/", "/resident/confirm/new-code/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/resident/", path


def test_sign_out_leads_home(world):
    client = english_client(world["officer"])
    response = client.get("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/bureau/").status_code == 200  # a GET does not sign out
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/bureau/").status_code == 302  # now signed out: to sign in


def test_signing_a_contract_is_confirmed_on_its_own_page(world):
    contract = flows.draft_contract(world)
    officer = english_client(world["officer"])
    detail = officer.get(f"/bureau/contracts/{contract.pk}/").content.decode()
    assert f'href="/bureau/contracts/{contract.pk}/sign/"' in detail  # a link, not a one-click form

    confirm = officer.get(f"/bureau/contracts/{contract.pk}/sign/")
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "A signature cannot be withdrawn." in html and "¥" in html
    assert f"You are signing for {contract.bureau.name} a contract with {contract.provider.name}" in html
    contract.refresh_from_db()
    assert contract.bureau_signed_at is None  # looking at the page signs nothing

    officer.post(f"/bureau/contracts/{contract.pk}/sign/")
    contract.refresh_from_db()
    assert contract.bureau_signed_by == world["officer"]
    # signed: the confirmation page is no longer offered
    again = officer.get(f"/bureau/contracts/{contract.pk}/sign/")
    assert again.status_code == 302 and again["Location"] == f"/bureau/contracts/{contract.pk}/"
    # the provider's confirmation page is the same page, in its own words
    provider = english_client(world["provider_admins"][0]).get(f"/provider/contracts/{contract.pk}/sign/")
    assert "You are signing for your organisation a contract with" in provider.content.decode()
    assert english_client(world["finance"]).get(f"/bureau/contracts/{contract.pk}/sign/").status_code == 302
