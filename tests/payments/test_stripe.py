"""The stripe gateway with the real ``stripe`` SDK over HTTP against the local Stripe-compatible
server: onboarding, a transfer with the idempotency key ``instalment:<id>:v1``, confirmation by
signed webhook, reversal; and the faults — server down, timing out, 500, duplicate and
out-of-order webhooks — each ending with the instalment paid exactly once."""

import json

import pytest

from contracts.models import Instalment, LedgerEntry
from contracts.settlement import ledger_invariant_holds
from payments import services
from payments.models import Payment, WebhookEvent
from payments.tasks import reconcile_payments, retry_failed_payments

from .conftest import deliver, deliver_all, signed

pytestmark = pytest.mark.django_db


def pay(api, world, instalment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world["finance"]).post(f"instalments/{instalment.id}/pay/")
    assert response.status_code == 200, response.content
    return Payment.objects.get(pk=response.json()["payment"]["id"])


def assert_paid_once(stripe_server, instalment, payment):
    instalment.refresh_from_db()
    payment.refresh_from_db()
    assert instalment.status == Instalment.Status.PAID
    assert payment.status == Payment.Status.SUCCEEDED
    transfers = stripe_server.transfers(transfer_group=f"contract-{instalment.contract_id}")
    assert len(transfers) == 1
    assert transfers[0].id == payment.reference
    assert transfers[0].amount == payment.amount
    assert LedgerEntry.objects.filter(instalment=instalment, kind="paid").count() == 1
    assert ledger_invariant_holds(instalment.contract)


def test_onboarding_returns_the_account_and_its_link(world, api, stripe_server):
    provider = world["providers"][0]
    response = api(world["provider_admins"][0]).post(f"organizations/{provider.id}/payout-account/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["account"].startswith("acct_")
    assert body["status"] == "onboarding"
    assert body["onboarding_url"].startswith(stripe_server.base)
    # asking again resumes onboarding of the same account
    again = api(world["provider_admins"][0]).post(f"organizations/{provider.id}/payout-account/")
    assert again.json()["account"] == body["account"]


def test_a_stripe_payment_is_a_transfer_confirmed_by_webhook(
    world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    advance = stripe_contract.instalments.get(kind="advance")

    payment = pay(api, world, advance, django_capture_on_commit_callbacks)

    # The transfer was sent with the stored key; the payment waits for the webhook
    payment.refresh_from_db()
    assert payment.idempotency_key == f"instalment:{advance.id}:v1"
    assert payment.status == Payment.Status.PROCESSING
    assert payment.reference.startswith("tr_")
    (transfer,) = stripe_server.transfers(transfer_group=f"contract-{stripe_contract.id}")
    assert transfer.metadata["instalment"] == str(advance.id)
    assert transfer.destination == stripe_contract.provider.payout_account.account_id
    advance.refresh_from_db()
    assert advance.status == Instalment.Status.PAYABLE

    deliver_all(api, stripe_server, "transfer.created")

    assert_paid_once(stripe_server, advance, payment)
    nested = api(world["finance"]).get(f"instalments/{advance.id}/").json()["payment"]
    assert nested == {
        "id": payment.id,
        "status": "succeeded",
        "amount": advance.amount,
        "gateway": "stripe",
        "reference": payment.reference,
    }


def test_webhooks_with_a_bad_signature_are_refused(world, api, stripe_server, stripe_contract):
    (payload,) = stripe_server.events("account.updated")
    assert deliver(api, payload, signature="t=1,v1=deadbeef").status_code == 400
    assert deliver(api, payload, signature=signed(payload, secret="whsec_wrong")).status_code == 400
    assert deliver(api, payload, signature="").status_code == 400
    tampered = payload.replace(b'"account.updated"', b'"transfer.created"')
    response = deliver(api, tampered, signature=signed(payload))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 1  # only the genuine delivery of the fixture


@pytest.mark.parametrize("mode", ["down", "hang", "error"])
def test_a_failed_transfer_call_fails_cleanly_and_a_retry_pays_once(
    mode, world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    # Given the server loses the connection, times out (after making the transfer), or answers 500
    advance = stripe_contract.instalments.get(kind="advance")
    stripe_server.fault(mode, count=1, seconds=3)

    # When finance pays
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)

    # Then the payment failed, retryably, and the instalment is still payable
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert payment.is_retryable
    assert payment.attempts == 1
    advance.refresh_from_db()
    assert advance.status == Instalment.Status.PAYABLE
    assert not LedgerEntry.objects.exists()

    # When the beat job retries it (same key), and the webhook arrives
    assert retry_failed_payments() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert payment.attempts == 2
    deliver_all(api, stripe_server, "transfer.created")

    # Then exactly one transfer exists in total, and the instalment is paid once
    assert_paid_once(stripe_server, advance, payment)


def test_the_same_webhook_twice_has_one_effect(
    world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    (payload,) = stripe_server.events("transfer.created")

    assert deliver(api, payload).status_code == 200
    assert deliver(api, payload).status_code == 200

    assert_paid_once(stripe_server, advance, payment)
    assert WebhookEvent.objects.filter(event_id=json.loads(payload)["id"]).count() == 1


def test_webhooks_out_of_order_have_one_effect(
    world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    # Given a transfer that was created and then partly reversed at Stripe
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    stripe_server.client.v1.transfers.reversals.create(payment.reference, {"amount": 500})
    (created,) = stripe_server.events("transfer.created")
    (reversed_,) = stripe_server.events("transfer.reversed")

    # When the reversal arrives first, then the creation, then the reversal again
    for payload in (reversed_, created, reversed_):
        assert deliver(api, payload).status_code == 200

    # Then the payment succeeded once and the reversal is recorded once
    assert_paid_once(stripe_server, advance, payment)
    payment.refresh_from_db()
    assert payment.reversed_amount == 500
    assert list(LedgerEntry.objects.filter(kind="reversed").values_list("amount", flat=True)) == [500]


def test_a_payment_sent_before_its_response_was_lost_is_confirmed_by_webhook_alone(
    world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    # The transfer is made but the answer never arrives: the webhook alone settles it.
    advance = stripe_contract.instalments.get(kind="advance")
    stripe_server.fault("hang", count=1, seconds=3)
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.FAILED

    deliver_all(api, stripe_server, "transfer.created")

    assert_paid_once(stripe_server, advance, payment)
    assert retry_failed_payments() == 0


def test_reconciliation_confirms_a_payment_whose_webhook_was_lost(
    world, api, settings, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0

    assert reconcile_payments() == 1

    assert_paid_once(stripe_server, advance, payment)


def test_reversal_claws_back_through_stripe(
    world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    deliver_all(api, stripe_server, "transfer.created")
    payment.refresh_from_db()

    services.payment_reverse(
        actor=world["finance"], payment=payment, amount=2500, reason="service not delivered"
    )
    deliver_all(api, stripe_server, "transfer.reversed")  # the webhook of our own reversal: no double

    transfer = stripe_server.client.v1.transfers.retrieve(payment.reference)
    assert transfer.amount_reversed == 2500
    payment.refresh_from_db()
    assert payment.reversed_amount == 2500
    assert LedgerEntry.objects.filter(kind="reversed").count() == 1
    assert ledger_invariant_holds(stripe_contract)


def test_paying_needs_an_onboarded_payout_account(world, api, stripe_server):
    from tests import flows

    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    response = api(world["finance"]).post(f"instalments/{advance.id}/pay/")
    assert response.status_code == 409
    assert response.json()["code"] == "payout_account_not_ready"
    assert not Payment.objects.exists()
