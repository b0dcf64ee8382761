"""The bureau's case-work pages: contracts, evaluations, payments and the ratings review. Every
write goes through the services; these tests drive the pages as the officer and finance would."""

import re

import pytest

from contracts.models import Contract, Instalment, LedgerEntry
from contracts.settlement import ledger_invariant_holds
from evaluations.models import Evaluation, Rating
from orgs.models import Organization
from payments.models import Payment
from tests import factories as f
from tests import flows

from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


# --- Access -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(world, as_user):
    contract = flows.draft_contract(world)
    client = as_user(None)
    for path in (
        "/bureau/contracts/",
        f"/bureau/contracts/{contract.pk}/",
        f"/bureau/contracts/{contract.pk}/terminate/",
        "/bureau/payments/",
        "/bureau/ratings/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path


def test_providers_and_wrong_roles_get_403(world, as_user):
    contract = flows.active_contract(world)
    client = as_user(world["provider_admins"][0])
    for path in ("/bureau/contracts/", f"/bureau/contracts/{contract.pk}/", "/bureau/payments/"):
        assert client.get(path).status_code == 403, path
    assert as_user(world["officer"]).get("/bureau/payments/").status_code == 403  # finance only
    assert as_user(world["finance"]).get("/bureau/ratings/").status_code == 403  # officers only


def test_another_bureaus_contract_is_not_found(world, as_user):
    contract = flows.active_contract(world)
    instalment = contract.instalments.get(kind="advance")
    client = as_user(world["other_officer"])
    assert client.get(f"/bureau/contracts/{contract.pk}/").status_code == 404
    assert client.post(f"/bureau/contracts/{contract.pk}/suspend/", {"reason": "x"}).status_code == 404
    assert contract.title not in page(client.get("/bureau/contracts/"))
    other_finance = f.member(world["other_bureau"], "finance")
    assert as_user(other_finance).get(f"/bureau/instalments/{instalment.pk}/pay/").status_code == 404


# --- Contracts ----------------------------------------------------------------------------------


def test_contract_list_filters_by_state(world, as_user):
    draft = flows.draft_contract(world)
    client = as_user(world["officer"])
    listing = page(client.get("/bureau/contracts/"))
    assert draft.title in listing and "¥" in listing
    assert draft.title not in page(client.get("/bureau/contracts/?status=active"))
    assert draft.title in page(client.get("/bureau/contracts/?status=draft"))
    partial = client.get("/bureau/contracts/?status=draft", HTTP_HX_REQUEST="true")
    assert draft.title in page(partial) and "<html" not in page(partial)


def test_draft_contract_offers_sign_and_assign_only_and_signing_works(world, as_user):
    contract = flows.draft_contract(world)
    client = as_user(world["officer"])
    html = page(client.get(f"/bureau/contracts/{contract.pk}/"))
    assert "Sign contract" in html and "Assign assessor and committee" in html
    assert "Suspend contract" not in html and "Terminate contract" not in html
    assert "Resume contract" not in html
    assert "Advance" in html and "Performance holdback" in html  # the instalments table

    response = client.post(f"/bureau/contracts/{contract.pk}/sign/", follow=True)

    contract.refresh_from_db()
    assert contract.bureau_signed_by == world["officer"] and contract.status == Contract.Status.DRAFT
    assert "It becomes active when the provider signs." in messages_of(response)[0]
    assert "Sign contract" not in page(response)  # signed once: no longer offered


def test_second_signature_activates_and_a_refusal_is_shown(world, as_user):
    contract = flows.draft_contract(world)
    from contracts import services

    services.contract_sign(actor=world["provider_admins"][0], contract=contract)
    client = as_user(world["officer"])
    response = client.post(f"/bureau/contracts/{contract.pk}/sign/", follow=True)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert contract.instalments.get(kind="advance").status == Instalment.Status.PAYABLE
    assert "it is active" in messages_of(response)[0]
    # signing again is refused by the service and the page says why
    again = client.post(f"/bureau/contracts/{contract.pk}/sign/", follow=True)
    assert "This action is not possible in the current state." in messages_of(again)


def test_finance_sees_the_contract_without_actions(world, as_user):
    contract = flows.active_contract(world)
    html = page(as_user(world["finance"]).get(f"/bureau/contracts/{contract.pk}/"))
    assert contract.title in html
    for label in ("Sign contract", "Suspend contract", "Terminate contract", "Assign assessor"):
        assert label not in html


def test_suspend_needs_a_reason_then_resume_is_offered(world, as_user):
    contract = flows.active_contract(world)
    client = as_user(world["officer"])
    html = page(client.get(f"/bureau/contracts/{contract.pk}/"))
    assert "Suspend contract" in html and "Terminate contract" in html and "Resume contract" not in html

    response = client.post(f"/bureau/contracts/{contract.pk}/suspend/", {"reason": ""})
    assert response.status_code == 200
    assert "There is a problem" in page(response) and "Enter the reason" in page(response)
    assert page(response).count("<title>Error:") == 1
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE

    response = client.post(
        f"/bureau/contracts/{contract.pk}/suspend/", {"reason": "Audit of records"}, follow=True
    )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED
    html = page(response)
    assert "Resume contract" in html and "Suspend contract" not in html
    assert "Audit of records" in html  # the history timeline with the reason

    client.post(f"/bureau/contracts/{contract.pk}/resume/", {"reason": ""})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_an_unavailable_action_page_sends_back_to_the_case(world, as_user):
    contract = flows.draft_contract(world)
    response = as_user(world["officer"]).get(f"/bureau/contracts/{contract.pk}/terminate/", follow=True)
    assert response.redirect_chain[-1][0] == f"/bureau/contracts/{contract.pk}/"
    assert "This action is not possible for this contract now." in messages_of(response)


def test_terminate_asks_for_reason_and_confirmation_and_withholds_instalments(world, as_user):
    contract = flows.active_contract(world)
    client = as_user(world["officer"])
    assert "cannot be undone" in page(client.get(f"/bureau/contracts/{contract.pk}/terminate/"))

    response = client.post(f"/bureau/contracts/{contract.pk}/terminate/", {"reason": "Staff left"})
    assert response.status_code == 200
    html = page(response)
    assert "Confirm that you understand terminating cannot be undone" in html
    assert "Staff left" in html  # the value is kept
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE

    client.post(f"/bureau/contracts/{contract.pk}/terminate/", {"reason": "Staff left", "confirm": "on"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED and contract.termination_reason == "Staff left"
    assert contract.instalments.get(kind="holdback").status == Instalment.Status.WITHHELD
    assert contract.instalments.get(kind="advance").status == Instalment.Status.PAYABLE
    assert ledger_invariant_holds(contract)


def test_assign_assessor_and_committee(world, as_user):
    contract = flows.active_contract(world)
    client = as_user(world["officer"])
    form_page = page(client.get(f"/bureau/contracts/{contract.pk}/assign/"))
    assert world["assessor"].name in form_page and world["community"].name in form_page

    empty = client.post(f"/bureau/contracts/{contract.pk}/assign/", {"assessor": "", "community": ""})
    assert empty.status_code == 200 and "Choose an assessor, a residents&#x27; committee, or both" in page(
        empty
    )

    response = client.post(
        f"/bureau/contracts/{contract.pk}/assign/",
        {"assessor": world["assessor"].pk, "community": world["community"].pk},
        follow=True,
    )
    contract.refresh_from_db()
    assert contract.assessor == world["assessor"] and contract.community == world["community"]
    assert world["assessor"].name in page(response)


def test_assign_shows_the_services_refusal_and_changes_nothing(world, as_user):
    contract = flows.active_contract(world)
    far_committee = f.OrganizationFactory(
        kind=Organization.Kind.COMMUNITY,
        legal_type="grassroots_autonomous",
        jurisdiction=world["areas"]["other_compound"],
    )
    response = as_user(world["officer"]).post(
        f"/bureau/contracts/{contract.pk}/assign/",
        {"assessor": world["assessor"].pk, "community": far_committee.pk},
    )
    assert response.status_code == 200
    assert "does not meet the service areas" in page(response)
    assert f'value="{world["assessor"].pk}" selected' in page(response)  # values kept
    contract.refresh_from_db()
    assert contract.assessor is None and contract.community is None


# --- Evaluations --------------------------------------------------------------------------------


def test_contract_page_lists_events_reports_and_evaluations(world, as_user):
    objects = flows.delivering_contract(world)
    flows.submit_report(world, objects["contract"], "midterm")
    html = page(as_user(world["officer"]).get(f"/bureau/contracts/{objects['contract'].pk}/"))
    assert "Community lunch" in html and "Done." in html
    assert f"/bureau/evaluations/{objects['evaluation'].pk}/" in html


def test_officer_enters_buyer_and_community_scores_with_validation(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = objects["evaluation"]
    client = as_user(world["officer"])
    html = page(client.get(f"/bureau/evaluations/{evaluation.pk}/"))
    assert "Save buyer score" in html and "Save community score" in html  # C: the officer may
    assert "Finalize evaluation" in html and "Confirm evaluation" not in html

    bad = client.post(f"/bureau/evaluations/{evaluation.pk}/scores/buyer/", {"buyer-score": "150"})
    assert bad.status_code == 200
    assert "The score must be 100 or less" in page(bad) and 'value="150"' in page(bad)
    evaluation.refresh_from_db()
    assert evaluation.buyer is None

    response = client.post(
        f"/bureau/evaluations/{evaluation.pk}/scores/buyer/", {"buyer-score": "85.5"}, follow=True
    )
    evaluation.refresh_from_db()
    assert str(evaluation.buyer) == "85.50"
    assert "Buyer score (B) saved: 85.5" in messages_of(response)[0]
    client.post(f"/bureau/evaluations/{evaluation.pk}/scores/community/", {"community-score": "70"})
    evaluation.refresh_from_db()
    assert str(evaluation.community) == "70.00"
    # T is the assessor's: no page takes it from the officer
    assert client.post(f"/bureau/evaluations/{evaluation.pk}/scores/third_party/", {}).status_code == 404


def test_finalize_refused_until_scores_are_in_then_shows_s_band_and_release(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = objects["evaluation"]
    client = as_user(world["officer"])
    assert "Finalize and publish" in page(client.get(f"/bureau/evaluations/{evaluation.pk}/finalize/"))

    refused = client.post(f"/bureau/evaluations/{evaluation.pk}/finalize/", follow=True)
    assert "Enter every component score first." in messages_of(refused)
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.OPEN

    for resident in objects["residents"]:
        flows.rate(resident, objects["contract"], 5)
    flows.score_components(world, evaluation, t="82", b="88", c="90")
    flows.submit_report(world, objects["contract"], "midterm")
    response = client.post(f"/bureau/evaluations/{evaluation.pk}/finalize/", follow=True)

    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.PUBLISHED
    message = messages_of(response)[0]
    assert f"composite score S {evaluation.composite}" in message and f"band {evaluation.band}" in message
    html = page(response)
    assert str(evaluation.composite) in html and f"{evaluation.release_pct}%" in html
    assert "Save buyer score" not in html and "Finalize evaluation" not in html


def test_confirm_is_offered_after_the_appeal_window_and_releases_the_interim(world, as_user):
    objects = flows.delivering_contract(world)
    evaluation = flows.published_evaluation(world, objects)
    client = as_user(world["officer"])
    assert "Confirm evaluation" not in page(client.get(f"/bureau/evaluations/{evaluation.pk}/"))

    flows.pass_appeal_window(evaluation)
    assert "Confirm evaluation" in page(client.get(f"/bureau/evaluations/{evaluation.pk}/"))
    client.post(f"/bureau/evaluations/{evaluation.pk}/confirm/")

    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.FINAL
    assert objects["contract"].instalments.get(kind="interim").status == Instalment.Status.PAYABLE


def test_another_bureau_cannot_open_the_evaluation(world, as_user):
    objects = flows.delivering_contract(world)
    assert (
        as_user(world["other_officer"]).get(f"/bureau/evaluations/{objects['evaluation'].pk}/").status_code
        == 404
    )


# --- Payments -----------------------------------------------------------------------------------


def test_finance_pays_and_confirms_with_a_voucher(world, as_user):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    client = as_user(world["finance"])
    listing = page(client.get("/bureau/payments/"))
    assert f"/bureau/instalments/{advance.pk}/pay/" in listing
    assert "No payment is in progress." in listing

    confirmation = page(client.get(f"/bureau/instalments/{advance.pk}/pay/"))
    assert f"¥{advance.amount // 100:,}.00" in confirmation
    assert contract.provider.name in confirmation and "Issue payment" in confirmation

    response = client.post(f"/bureau/instalments/{advance.pk}/pay/", follow=True)
    payment = Payment.objects.get(instalment=advance)
    assert payment.status == Payment.Status.PROCESSING
    assert "Payment order issued" in messages_of(response)[0]
    assert f"/bureau/payments/{payment.pk}/confirm/" in page(response)

    empty = client.post(f"/bureau/payments/{payment.pk}/confirm/", {"voucher_number": "  "})
    assert empty.status_code == 200 and "There is a problem" in page(empty)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert not LedgerEntry.objects.filter(instalment=advance).exists()

    done = client.post(
        f"/bureau/payments/{payment.pk}/confirm/", {"voucher_number": "GK2026-000999"}, follow=True
    )

    payment.refresh_from_db()
    advance.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.reference == "GK2026-000999"
    assert advance.status == Instalment.Status.PAID
    entry = LedgerEntry.objects.get(instalment=advance, kind=LedgerEntry.Kind.PAID)
    assert entry.amount == advance.amount and ledger_invariant_holds(contract)
    assert "Payment confirmed with voucher GK2026-000999" in messages_of(done)[0]
    html = page(done)
    assert "govuk-notification-banner--success" in html and "GK2026-000999" in html
    paid_section = html.split('id="paid"')[1]
    assert re.search(r"govuk-tag--green\">Paid<", paid_section)


def test_paying_twice_is_refused_by_the_service(world, as_user):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    client = as_user(world["finance"])
    client.post(f"/bureau/instalments/{advance.pk}/pay/")
    again = client.post(f"/bureau/instalments/{advance.pk}/pay/", follow=True)
    assert "This instalment is already being paid." in messages_of(again)
    assert Payment.objects.filter(instalment=advance).count() == 1


def test_the_pay_page_is_not_offered_for_a_payment_in_progress(world, as_user):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    client = as_user(world["finance"])
    client.post(f"/bureau/instalments/{advance.pk}/pay/")
    response = client.get(f"/bureau/instalments/{advance.pk}/pay/", follow=True)
    assert response.redirect_chain[-1][0] == "/bureau/payments/"
    assert "This instalment is already being paid." in messages_of(response)


def test_confirm_page_only_for_a_payment_in_progress(world, as_user):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    client = as_user(world["finance"])
    client.post(f"/bureau/instalments/{advance.pk}/pay/")
    payment = Payment.objects.get(instalment=advance)
    client.post(f"/bureau/payments/{payment.pk}/confirm/", {"voucher_number": "GK-1"})
    response = client.get(f"/bureau/payments/{payment.pk}/confirm/", follow=True)
    assert "This payment cannot be confirmed with a voucher now." in messages_of(response)
    assert (
        as_user(f.member(world["other_bureau"], "finance"))
        .get(f"/bureau/payments/{payment.pk}/confirm/")
        .status_code
        == 404
    )


# --- Ratings review -----------------------------------------------------------------------------


def test_quarantined_ratings_are_restored_or_excluded_with_a_reason(world, as_user):
    objects = flows.delivering_contract(world)
    first = flows.quarantined_rating(objects["residents"][0], objects["contract"])
    second = flows.quarantined_rating(objects["residents"][1], objects["contract"])
    client = as_user(world["officer"])
    listing = page(client.get("/bureau/ratings/"))
    assert (
        f"/bureau/ratings/{first.pk}/review/" in listing and f"/bureau/ratings/{second.pk}/review/" in listing
    )
    assert objects["residents"][0].user.username not in listing  # never who rated

    missing = client.post(f"/bureau/ratings/{first.pk}/review/", {"decision": "restore", "reason": ""})
    assert missing.status_code == 200 and "Enter the reason for your decision" in page(missing)
    first.refresh_from_db()
    assert first.status == Rating.Status.QUARANTINED

    client.post(f"/bureau/ratings/{first.pk}/review/", {"decision": "restore", "reason": "Family of four"})
    response = client.post(
        f"/bureau/ratings/{second.pk}/review/", {"decision": "exclude", "reason": "Same device"}, follow=True
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Rating.Status.VALID and second.status == Rating.Status.EXCLUDED
    assert "No ratings are waiting for review." in page(response)
    again = client.get(f"/bureau/ratings/{first.pk}/review/", follow=True)
    assert "This rating is not awaiting review." in messages_of(again)


def test_another_bureaus_officer_cannot_review(world, as_user):
    objects = flows.delivering_contract(world)
    rating = flows.quarantined_rating(objects["residents"][0], objects["contract"])
    client = as_user(world["other_officer"])
    assert f"/bureau/ratings/{rating.pk}/review/" not in page(client.get("/bureau/ratings/"))
    assert client.get(f"/bureau/ratings/{rating.pk}/review/").status_code == 404
