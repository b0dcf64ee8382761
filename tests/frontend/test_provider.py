"""Provider pages: registration with the eligibility pre-check, home and status, tenders and
questions, the bid task list through to the receipt, withdrawing, contracts (signing, service
events, reports, evaluation results, payout account)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from contracts.models import Contract, Report, ServiceEvent
from marketplace import services
from marketplace.models import Bid, Question
from orgs import services as org_services
from orgs.models import Membership, Organization, User

from .. import factories as f
from .. import flows
from .helpers import english_client as client_for
from .helpers import page

pytestmark = pytest.mark.django_db


def pending_admin() -> User:
    return flows.pending_provider().memberships.get().user


def registration_body(**overrides) -> dict:
    body = {
        "name": "Lotus Social Work Centre",
        "legal_type": "social_organization",
        "credit_code": f.credit_code(),
        "username": "lotus-admin",
        "password": "a-long-and-unusual-passphrase-7",
        "email": "admin@lotus.example",
    }
    return {**body, **overrides}


def fill_bid(client: Client, tender, price="280000.50") -> None:
    base = f"/provider/tenders/{tender.pk}/bid"
    sections = [
        ("price", {"price": price, "completed": "yes"}),
        ("technical-proposal", {"technical_proposal": "Weekly home visits.", "completed": "yes"}),
        ("staffing-plan", {"staffing_plan": "Two social workers.", "completed": "yes"}),
        (
            "declarations",
            {"eligibility": "on", "no_double_funding": "on", "no_conflict": "on", "completed": "yes"},
        ),
    ]
    for slug, body in sections:
        response = client.post(f"{base}/{slug}/", body)
        assert response.status_code == 302, page(response)
        assert response.url == f"{base}/"


# --- Access --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_others_are_refused(world):
    response = client_for().get("/provider/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/provider/")
    assert client_for(world["officer"]).get("/provider/").status_code == 403
    assert client_for(world["stranger"]).get("/provider/tenders/").status_code == 403


# --- Registration --------------------------------------------------------------------------------


def test_an_eligible_organisation_registers_and_is_signed_in_as_pending():
    client = client_for()
    response = client.get("/provider/register/")
    assert "What type of organisation is yours?" in page(response)

    response = client.post("/provider/register/", {"legal_type": "social_organization"})
    assert response.url == "/provider/register/details/"
    body = registration_body()
    response = client.post("/provider/register/details/", body)

    assert response.status_code == 302 and response.url == "/provider/register/done/"
    organization = Organization.objects.get(credit_code=body["credit_code"])
    assert organization.status == Organization.Status.PENDING
    assert organization.memberships.get().role == Membership.Role.ADMIN
    status = client.get(response.url)
    assert status.status_code == 200
    assert "Registration received" in page(status) and "Pending verification" in page(status)


def test_an_invalid_credit_code_shows_the_error_and_keeps_the_answers():
    client = client_for()
    client.post("/provider/register/", {"legal_type": "enterprise"})
    body = registration_body(credit_code="52510107000000001X")

    response = client.post("/provider/register/details/", body)

    assert response.status_code == 200
    text = page(response)
    assert (
        "govuk-error-summary" in text
        and text.count("Enter a valid 18-character unified social credit code") == 2
    )
    assert 'value="Lotus Social Work Centre"' in text and 'value="52510107000000001X"' in text
    assert 'value="social_organization" selected' in text
    assert "<title>Error:" in text
    assert not Organization.objects.filter(name="Lotus Social Work Centre").exists()
    assert not User.objects.filter(username="lotus-admin").exists()


def test_an_ineligible_legal_type_gets_the_not_eligible_page_and_cannot_skip_it():
    client = client_for()
    response = client.post("/provider/register/", {"legal_type": "government_agency"})
    assert response.url == "/provider/register/not-eligible/"
    text = page(client.get(response.url))
    assert "Your organisation cannot register as a provider" in text
    assert "government agencies buy services" in text

    skipped = client.post("/provider/register/details/", registration_body(legal_type="government_agency"))
    assert skipped.status_code == 302 and skipped.url == "/provider/register/not-eligible/"
    assert not Organization.objects.filter(name="Lotus Social Work Centre").exists()


def test_the_eligibility_question_must_be_answered():
    response = client_for().post("/provider/register/", {})
    assert response.status_code == 200
    assert "Select the type of your organisation" in page(response)


# --- Home and pending providers ------------------------------------------------------------------


def test_home_shows_status_bids_contracts_and_open_tenders(world):
    tender = flows.published_tender(world, title="Elderly lunch club")
    flows.submitted_bid(world, tender, 0, 28_000_000)
    response = client_for(world["provider_admins"][0]).get("/provider/")
    text = page(response)
    assert response.status_code == 200
    assert "Verified" in text and "Elderly lunch club" in text and "Submitted" in text


def test_a_pending_provider_sees_its_status_and_cannot_bid_or_ask(world):
    tender = flows.published_tender(world)
    client = client_for(pending_admin())

    home = page(client.get("/provider/"))
    assert "Pending verification" in home and "you cannot ask questions, bid or sign contracts" in home

    # No form that would end in a refusal: the bid and question pages lead back to the tender,
    # which says why and what happens next (tests/frontend/test_unverified_provider.py).
    response = client.get(f"/provider/tenders/{tender.pk}/bid/")
    assert response.status_code == 302 and response["Location"] == f"/provider/tenders/{tender.pk}/"
    response = client.post(f"/provider/tenders/{tender.pk}/bid/price/", {"price": "1000", "completed": "yes"})
    assert response.status_code == 302 and response["Location"] == f"/provider/tenders/{tender.pk}/"
    assert not Bid.objects.exists()

    response = client.post(f"/provider/tenders/{tender.pk}/questions/new/", {"text": "Meals?"})
    assert response.status_code == 302 and response["Location"] == f"/provider/tenders/{tender.pk}/"
    assert not Question.objects.exists()


def test_a_suspended_provider_sees_what_happens_next(world):
    org_services.organization_suspend(actor=world["platform_admin"], organization=world["providers"][2])
    text = page(client_for(world["provider_admins"][2]).get("/provider/"))
    assert "Suspended" in text and "reinstates it" in text


# --- Tenders and questions -----------------------------------------------------------------------


def test_tenders_are_filtered_by_text_and_only_open_ones_are_listed(world):
    flows.published_tender(world, title="Elderly lunch club")
    flows.published_tender(world, title="Youth football")
    flows.draft_tender(world, title="Secret draft")
    closed = flows.published_tender(world, title="Past deadline")
    flows.pass_deadline(closed)
    client = client_for(world["provider_staff"][0])

    text = page(client.get("/provider/tenders/"))
    assert "Elderly lunch club" in text and "Youth football" in text
    assert "Secret draft" not in text and "Past deadline" not in text

    filtered = client.get("/provider/tenders/", {"q": "lunch"})
    assert "Elderly lunch club" in page(filtered) and "Youth football" not in page(filtered)

    partial = client.get("/provider/tenders/", {"q": "football"}, HTTP_HX_REQUEST="true")
    assert "Youth football" in page(partial) and "<html" not in page(partial)


def test_a_provider_asks_a_question(world):
    tender = flows.published_tender(world)
    client = client_for(world["provider_staff"][0])
    form = page(client.get(f"/provider/tenders/{tender.pk}/questions/new/"))
    assert "What is your question?" in form and 'data-maxlength="2000"' in form

    empty = client.post(f"/provider/tenders/{tender.pk}/questions/new/", {"text": ""})
    assert empty.status_code == 200 and "Enter your question" in page(empty)
    assert not Question.objects.exists()

    response = client.post(f"/provider/tenders/{tender.pk}/questions/new/", {"text": "Are meals included?"})
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.text == "Are meals included?" and question.asker_organization == world["providers"][0]


# --- Bids ----------------------------------------------------------------------------------------


def test_a_bid_is_prepared_through_the_task_list_checked_and_submitted(world):
    tender = flows.published_tender(world)
    client = client_for(world["provider_admins"][0])
    base = f"/provider/tenders/{tender.pk}/bid"

    start = page(client.get(f"{base}/"))
    assert start.count("Cannot start yet") == 4  # three sections and the check, until a price is saved
    fill_bid(client, tender)

    bid = Bid.objects.get()
    assert bid.status == Bid.Status.DRAFT and bid.price_amount == 28_000_050
    assert bid.technical_proposal == "Weekly home visits." and bid.declarations_complete
    task_list = page(client.get(f"{base}/"))
    assert task_list.count("Completed") >= 4 and "Check answers and submit your bid" in task_list

    check = page(client.get(f"{base}/check/"))
    assert "¥280,000.50" in check and "Submit bid" in check
    assert 'Change<span class="govuk-visually-hidden"> price</span>' in check

    response = client.post(f"{base}/check/")

    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED and len(bid.receipt) == 64
    assert response.url == f"/provider/bids/{bid.pk}/confirmation/"
    confirmation = page(client.get(response.url))
    assert "Bid submitted" in confirmation and bid.receipt in confirmation
    assert "govuk-panel--confirmation" in confirmation and "Print or save this page" in confirmation


def test_a_section_kept_for_later_is_in_progress_and_blocks_the_check(world):
    tender = flows.published_tender(world)
    client = client_for(world["provider_admins"][0])
    base = f"/provider/tenders/{tender.pk}/bid"
    client.post(f"{base}/price/", {"price": "1000", "completed": "no"})

    assert "In progress" in page(client.get(f"{base}/"))
    assert client.get(f"{base}/check/").url == f"{base}/"
    form = page(client.get(f"{base}/price/"))
    assert 'value="1000.00"' in form


def test_a_price_above_the_ceiling_is_shown_on_the_field_and_saves_nothing(world):
    tender = flows.published_tender(world)  # ceiling ¥300,000.00
    client = client_for(world["provider_admins"][0])

    response = client.post(
        f"/provider/tenders/{tender.pk}/bid/price/", {"price": "300000.01", "completed": "yes"}
    )

    assert response.status_code == 200
    text = page(response)
    assert '<a href="#id_price">The price may not exceed the tender&#x27;s ceiling.</a>' in text
    assert 'value="300000.01"' in text
    assert not Bid.objects.exists()


def test_submitting_without_the_declarations_shows_the_refusal(world):
    tender = flows.published_tender(world)
    client = client_for(world["provider_admins"][0])
    fill_bid(client, tender)
    base = f"/provider/tenders/{tender.pk}/bid"
    client.post(f"{base}/declarations/", {"eligibility": "on", "completed": "yes"})

    response = client.post(f"{base}/check/", follow=True)

    assert "Every declaration must be made before submitting." in page(response)
    assert Bid.objects.get().status == Bid.Status.DRAFT


def test_a_submitted_bid_is_withdrawn_after_confirmation(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_000)
    client = client_for(world["provider_staff"][0])

    detail = page(client.get(f"/provider/bids/{bid.pk}/"))
    assert bid.receipt in detail and "Withdraw bid" in detail
    confirm = page(client.get(f"/provider/bids/{bid.pk}/withdraw/"))
    assert "Are you sure you want to withdraw your bid?" in confirm

    response = client.post(f"/provider/bids/{bid.pk}/withdraw/")

    assert response.url == f"/provider/bids/{bid.pk}/"
    bid.refresh_from_db()
    assert bid.status == Bid.Status.WITHDRAWN
    assert "Withdraw bid" not in page(client.get(response.url))


def test_only_available_transitions_are_shown_on_a_bid(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_000)
    client = client_for(world["provider_admins"][0])
    assert "Withdraw bid" in page(client.get(f"/provider/bids/{bid.pk}/"))

    flows.pass_deadline(tender)  # sealed until the deadline; no withdrawing after it
    text = page(client.get(f"/provider/bids/{bid.pk}/"))
    assert (
        "Withdraw bid" not in text and "Continue preparing your bid" not in text and "Disqualify" not in text
    )
    response = client.post(f"/provider/bids/{bid.pk}/withdraw/")
    assert response.status_code == 302
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED


def test_another_providers_bid_is_not_found(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_000)
    rival = client_for(world["provider_admins"][1])
    for path in (
        f"/provider/bids/{bid.pk}/",
        f"/provider/bids/{bid.pk}/withdraw/",
        f"/provider/bids/{bid.pk}/confirmation/",
    ):
        assert rival.get(path).status_code == 404
    assert rival.post(f"/provider/bids/{bid.pk}/withdraw/").status_code == 404
    bid.refresh_from_db()
    assert bid.status == Bid.Status.SUBMITTED


def test_a_draft_is_not_shown_to_a_rival_task_list(world):
    tender = flows.published_tender(world)
    services.bid_create(
        actor=world["provider_admins"][0],
        tender=tender,
        provider=world["providers"][0],
        data={"price_amount": 1000, "technical_proposal": "Secret plan", "staffing_plan": ""},
    )
    rival = client_for(world["provider_admins"][1])
    assert "Secret plan" not in page(rival.get(f"/provider/tenders/{tender.pk}/bid/technical-proposal/"))


# --- Contracts -----------------------------------------------------------------------------------


def test_the_provider_admin_signs_a_draft_contract(world):
    contract = flows.draft_contract(world)
    admin = client_for(world["provider_admins"][0])
    staff = client_for(world["provider_staff"][0])

    assert "Sign contract" in page(admin.get(f"/provider/contracts/{contract.pk}/"))
    assert "Sign contract" not in page(staff.get(f"/provider/contracts/{contract.pk}/"))
    assert "A signature cannot be withdrawn." in page(admin.get(f"/provider/contracts/{contract.pk}/sign/"))

    response = admin.post(f"/provider/contracts/{contract.pk}/sign/")

    assert response.url == f"/provider/contracts/{contract.pk}/"
    contract.refresh_from_db()
    assert (
        contract.provider_signed_by == world["provider_admins"][0]
        and contract.status == Contract.Status.DRAFT
    )
    assert "Sign contract" not in page(admin.get(response.url))


def test_contract_pages_list_own_contracts_and_hide_others(world):
    contract = flows.active_contract(world)
    own = client_for(world["provider_admins"][0])
    text = page(own.get("/provider/contracts/"))
    assert contract.title in text
    detail = page(own.get(f"/provider/contracts/{contract.pk}/"))
    assert "Payable" in detail and "Log a service event" in detail and "Submit a report" in detail
    assert (
        client_for(world["provider_admins"][1]).get(f"/provider/contracts/{contract.pk}/").status_code == 404
    )
    assert (
        client_for(world["provider_admins"][1])
        .get(f"/provider/contracts/{contract.pk}/events/new/")
        .status_code
        == 404
    )


def _delivering(world) -> Contract:
    contract = flows.active_contract(world)
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(
        service_start=today - datetime.timedelta(days=30), service_end=today + datetime.timedelta(days=300)
    )
    contract.refresh_from_db()
    return contract


def test_a_bad_household_code_is_shown_on_the_field_and_logs_nothing(world):
    contract = _delivering(world)
    household = f.HouseholdFactory(area=world["areas"]["compound"])
    client = client_for(world["provider_staff"][0])
    body = {
        "date": timezone.localdate().isoformat(),
        "area": world["areas"]["compound"].pk,
        "title": "Community lunch",
        "description": "",
        "recipients": f"{household.code}\nNO-SUCH-HOUSE\n",
    }

    response = client.post(f"/provider/contracts/{contract.pk}/events/new/", body)

    assert response.status_code == 200
    text = page(response)
    assert '<a href="#id_recipients">Unknown household codes: NO-SUCH-HOUSE</a>' in text
    assert 'id="id_recipients-error"' in text and "Community lunch" in text
    assert not ServiceEvent.objects.exists()

    body["recipients"] = household.code
    response = client.post(f"/provider/contracts/{contract.pk}/events/new/", body)
    assert response.status_code == 302
    event = ServiceEvent.objects.get()
    assert list(event.recipients.all()) == [household]


def test_a_report_is_submitted_with_the_kpi_actuals(world):
    contract = _delivering(world)
    kpi = contract.tender.kpis.get()
    client = client_for(world["provider_admins"][0])
    form = page(client.get(f"/provider/contracts/{contract.pk}/reports/new/"))
    assert "Actual: Visits" in form

    missing = client.post(f"/provider/contracts/{contract.pk}/reports/new/", {"stage": "midterm"})
    assert missing.status_code == 200 and "Enter a summary" in page(missing)
    assert not Report.objects.exists()

    response = client.post(
        f"/provider/contracts/{contract.pk}/reports/new/",
        {"stage": "midterm", "summary": "Visited 600 households.", f"kpi_{kpi.pk}": "600"},
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.stage == "midterm" and report.kpi_actuals.get().actual == 600

    again = client.post(
        f"/provider/contracts/{contract.pk}/reports/new/", {"stage": "midterm", "summary": "Again."}
    )
    assert again.status_code == 200 and "The report for this stage has been submitted." in page(again)
    assert Report.objects.count() == 1


def test_evaluation_results_are_shown_to_the_provider(world):
    objects = flows.delivering_contract(world)
    evaluation = flows.published_evaluation(world, objects)
    text = page(client_for(world["provider_admins"][0]).get(f"/provider/contracts/{objects['contract'].pk}/"))
    assert "Midterm evaluation, round 1" in text
    assert str(evaluation.composite) in text and f"{evaluation.release_pct}%" in text
    assert (
        "Appeal deadline" in text and timezone.localtime(evaluation.appeal_until).strftime("%Y-%m-%d") in text
    )


def test_the_payout_account_button_shows_only_with_the_stripe_gateway(world, settings):
    contract = flows.active_contract(world)
    client = client_for(world["provider_admins"][0])
    settings.PAYMENTS_GATEWAY = "treasury"
    assert "Set up payout account" not in page(client.get(f"/provider/contracts/{contract.pk}/"))
    settings.PAYMENTS_GATEWAY = "stripe"
    assert "Set up payout account" in page(client.get(f"/provider/contracts/{contract.pk}/"))
    staff = client_for(world["provider_staff"][0])
    assert "Set up payout account" not in page(staff.get(f"/provider/contracts/{contract.pk}/"))
