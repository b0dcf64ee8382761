"""The Django admin keeps the promises of the API (issue 8, item 5): what moves through services —
tenders, bids, contracts, instalments, payments, ledger entries, evaluations, ratings — is
read-only there, a sealed bid's content is not shown, and organisations are verified through the
service, logged."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django_fsm_log.models import StateLog

from challenges.models import Challenge, Complaint
from contracts.models import Contract, Instalment, LedgerEntry
from evaluations.models import Evaluation, Rating
from marketplace import services
from marketplace.models import Bid, Question, Tender
from orgs.models import Membership, Organization, PastMembership
from payments import services as payment_services
from payments.models import Payment

from . import factories as f
from . import flows

pytestmark = pytest.mark.django_db

TECHNICAL_PROPOSAL = "Weekly visits and a day centre."  # what flows.submitted_bid writes


def admin_client(world) -> Client:
    client = Client()
    client.force_login(world["platform_admin"])
    return client


def _everything_that_moves_through_services(world) -> dict:
    """One row of each read-only model: an active contract whose advance is paid, rated by a resident
    in its open evaluation; a question on another tender; a challenge complained of on a third."""
    objects = flows.delivering_contract(world)
    contract = objects["contract"]
    flows.rate(objects["residents"][0], contract)
    advance = contract.instalments.get(kind="advance")
    payment = payment_services.instalment_pay(actor=world["finance"], instalment=advance)
    payment_services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-1")
    question = services.question_ask(
        actor=world["provider_admins"][1], tender=flows.published_tender(world), text="Meals?"
    )
    complained = flows.complained_challenge(world)
    return {
        Challenge: complained["challenge"],
        Complaint: complained["complaint"],
        Tender: contract.tender,
        Bid: Bid.objects.get(pk=contract.bid_id),
        Question: question,
        Contract: contract,
        Instalment: advance,
        Payment: Payment.objects.get(pk=payment.pk),
        LedgerEntry: LedgerEntry.objects.get(payment=payment),
        Evaluation: objects["evaluation"],
        Rating: Rating.objects.get(contract=contract),
    }


def _rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def _changelist(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _admin_url(model, action: str, pk: int | None = None) -> str:
    return f"{_changelist(model)}{action}/" if pk is None else f"{_changelist(model)}{pk}/{action}/"


def test_what_moves_through_services_can_be_viewed_but_not_added_changed_or_deleted(world):
    rows = _everything_that_moves_through_services(world)
    client = admin_client(world)
    before = {model: _rows(model) for model in rows}

    for model, instance in rows.items():
        change = _admin_url(model, "change", instance.pk)
        # Viewing is fine
        assert client.get(_changelist(model)).status_code == 200, model
        assert client.get(change).status_code == 200, model
        # Writing is refused: change (the active contract's value to 1, say), add, delete
        assert (
            client.post(change, {"value_amount": "1", "price_amount": "1", "status": "paid"}).status_code
            == 403
        )
        assert client.get(_admin_url(model, "add")).status_code == 403, model
        assert client.post(_admin_url(model, "add"), {}).status_code == 403, model
        assert client.post(_admin_url(model, "delete", instance.pk), {"post": "yes"}).status_code == 403, (
            model
        )
        # and the list offers no bulk deletion (an attempt deletes nothing: checked below)
        assert "delete_selected" not in client.get(_changelist(model)).content.decode(), model
        client.post(
            _changelist(model),
            {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
        )

    assert {model: _rows(model) for model in rows} == before


def test_a_sealed_bid_shows_no_content_in_the_admin_until_it_is_opened(world):
    # Given a submitted bid on a tender still open for bidding
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_123)
    rival = flows.submitted_bid(world, tender, 1, 29_000_456)
    client = admin_client(world)

    # Then its change page and the list show neither its price nor its proposals
    change = client.get(f"/admin/marketplace/bid/{bid.pk}/change/")
    assert change.status_code == 200
    html = change.content.decode()
    assert "28000123" not in html and "280,001.23" not in html and TECHNICAL_PROPOSAL not in html
    listing = client.get("/admin/marketplace/bid/").content.decode()
    assert "28000123" not in listing and "29000456" not in listing and "290,004.56" not in listing
    # And the list cannot be filtered on sealed content (which would reveal prices by bisection)
    assert client.get("/admin/marketplace/bid/", {"price_amount__lt": "28500000"}).status_code == 400
    # And the change page refuses a new price
    assert client.post(f"/admin/marketplace/bid/{bid.pk}/change/", {"price_amount": "1"}).status_code == 403
    bid.refresh_from_db()
    assert bid.price_amount == 28_000_123

    # When the tender closes and the bids are opened, the admin shows them
    services.tender_close(actor=world["officer"], tender=flows.pass_deadline(tender))
    html = client.get(f"/admin/marketplace/bid/{bid.pk}/change/").content.decode()
    assert "¥280,001.23" in html and TECHNICAL_PROPOSAL in html  # in yuan (issue 9)
    assert "¥290,004.56" in client.get("/admin/marketplace/bid/").content.decode()
    assert rival.pk


def test_a_bid_of_a_tender_cancelled_before_its_deadline_stays_sealed_in_the_admin(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_123)
    services.tender_cancel(actor=world["officer"], tender=tender, reason="Funding withdrawn")

    html = admin_client(world).get(f"/admin/marketplace/bid/{bid.pk}/change/").content.decode()
    assert "28000123" not in html and TECHNICAL_PROPOSAL not in html


def test_verifying_an_organisation_in_the_admin_goes_through_the_service_and_is_logged(world):
    pending = flows.pending_provider()
    client = admin_client(world)

    response = client.post(
        "/admin/orgs/organization/", {"action": "verify_selected", "_selected_action": [pending.pk]}
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Organization.Status.VERIFIED
    log = StateLog.objects.for_(pending).get(transition="verify")
    assert (log.source_state, log.state, log.by) == ("pending", "verified", world["platform_admin"])


def test_an_organisation_added_in_the_admin_is_created_by_the_service(world):
    code = f.credit_code()
    response = admin_client(world).post(
        "/admin/orgs/organization/add/",
        {
            "kind": "provider",
            "legal_type": "social_organization",
            "name": "Lotus Social Work Centre",
            "credit_code": code,
            "email": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": world["stranger"].pk,
            "memberships-0-role": "admin",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    organization = Organization.objects.get(credit_code=code)
    assert organization.status == Organization.Status.VERIFIED
    assert list(organization.memberships.values_list("user_id", "role")) == [(world["stranger"].pk, "admin")]
    log = StateLog.objects.for_(organization).get()
    assert (log.state, log.by, log.description) == (
        "verified",
        world["platform_admin"],
        "created by platform admin",
    )


def _organization_change(organization, rows: list[dict]) -> dict:
    """The admin's change form of ``organization`` as posted: its fields unchanged, and the
    membership inline's ``rows`` (each {"id"?, "user", "role", "DELETE"?})."""
    initial = sum(1 for row in rows if "id" in row)
    data = {
        "kind": organization.kind,
        "legal_type": organization.legal_type,
        "name": organization.name,
        "credit_code": organization.credit_code,
        "jurisdiction": organization.jurisdiction_id or "",
        "email": organization.email,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{index}-{key}"] = value
        data[f"memberships-{index}-organization"] = organization.pk
    return data


def test_a_memberships_user_cannot_be_changed_in_the_admin_only_removed_and_added(world):
    # Given a provider's staff member
    provider = world["providers"][0]
    staff = world["provider_staff"][0]
    membership = Membership.objects.get(user=staff, organization=provider)
    rows = [
        {"id": m.pk, "user": m.user_id, "role": m.role}
        for m in provider.memberships.order_by("id")
        if m.pk != membership.pk
    ]

    # When the platform admin posts the row with another user in it
    response = admin_client(world).post(
        f"/admin/orgs/organization/{provider.pk}/change/",
        _organization_change(
            provider, [*rows, {"id": membership.pk, "user": world["stranger"].pk, "role": membership.role}]
        ),
    )

    # Then the row still belongs to the staff member: no membership changed hands unrecorded
    assert response.status_code == 302, response.content.decode()[:2000]
    membership.refresh_from_db()
    assert membership.user_id == staff.pk
    assert not Membership.objects.filter(user=world["stranger"]).exists()
    assert not PastMembership.objects.exists()

    # And removing the row and adding one for the other user keeps the past membership
    response = admin_client(world).post(
        f"/admin/orgs/organization/{provider.pk}/change/",
        _organization_change(
            provider,
            [
                *rows,
                {"id": membership.pk, "user": staff.pk, "role": membership.role, "DELETE": "on"},
                {"user": world["stranger"].pk, "role": membership.role},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PastMembership.objects.get().user_id == staff.pk
    assert Membership.objects.filter(user=world["stranger"], organization=provider).exists()


def test_a_removal_the_service_refuses_is_a_message_in_the_admin_not_an_error(world):
    # Given a staff user of the admin who may change organisations but is no platform admin nor
    # an admin of the organisation (member_remove refuses him)
    clerk = f.UserFactory(is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="orgs",
            codename__in=["view_organization", "change_organization", "view_membership", "delete_membership"],
        )
    )
    provider = world["providers"][0]
    membership = Membership.objects.get(user=world["provider_staff"][0], organization=provider)
    rows = [
        {"id": m.pk, "user": m.user_id, "role": m.role, **({"DELETE": "on"} if m.pk == membership.pk else {})}
        for m in provider.memberships.order_by("id")
    ]
    client = Client()
    client.force_login(clerk)
    client.cookies["django_language"] = "en"

    # When the clerk deletes the membership in the admin
    response = client.post(
        f"/admin/orgs/organization/{provider.pk}/change/", _organization_change(provider, rows), follow=True
    )

    # Then the page says why, and the membership stays, with nothing recorded
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any("permission" in message for message in shown), shown
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not PastMembership.objects.exists()


def test_a_role_the_organisations_kind_does_not_have_is_refused_in_the_admin(world):
    # Given a provider, whose kind has admins and staff only
    provider = world["providers"][0]
    rows = [{"id": m.pk, "user": m.user_id, "role": m.role} for m in provider.memberships.order_by("id")]

    # When the platform admin adds a member as a bureau officer there
    response = admin_client(world).post(
        f"/admin/orgs/organization/{provider.pk}/change/",
        _organization_change(provider, [*rows, {"user": world["stranger"].pk, "role": "officer"}]),
    )

    # Then the form is shown again with the error, and nobody joined (as member_add refuses it)
    assert response.status_code == 200
    assert list(response.context["inline_admin_formsets"][0].formset.errors[-1]) == ["role"]
    assert not Membership.objects.filter(user=world["stranger"]).exists()
