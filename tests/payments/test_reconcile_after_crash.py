"""Issue 8 item 6: a crash in the middle of the transfer call leaves the payment ``pending`` with
no transfer reference although the transfer reached Stripe. Reconciliation finds that transfer
by the payment's metadata within the contract's transfer group (Stripe lists transfers by group,
not by metadata, and prunes idempotency keys after 24 hours), so the instalment is paid once,
with exactly one transfer, and never stays blocked."""

import pytest

from contracts.models import Instalment
from payments.gateways import StripeGateway
from payments.models import Payment
from payments.tasks import reconcile_payments

from .conftest import deliver_all
from .test_stripe import assert_paid_once

pytestmark = pytest.mark.django_db


def pay_and_crash(api, world, instalment, *, transfer_reached_stripe: bool) -> Payment:
    """Finance pays; the worker sends the transfer and dies before recording the answer (its
    task's commit callbacks never run here, as when the process is killed)."""
    response = api(world["finance"]).post(f"instalments/{instalment.id}/pay/")
    assert response.status_code == 200, response.content
    payment = Payment.objects.get(pk=response.json()["payment"]["id"])
    Payment.objects.filter(pk=payment.pk).update(attempts=1)
    payment.refresh_from_db()
    if transfer_reached_stripe:
        account = instalment.contract.provider.payout_account.account_id
        StripeGateway().send(payment=payment, destination=account)  # the answer is lost
    assert (payment.status, payment.reference) == (Payment.Status.PENDING, "")
    return payment


def test_reconciliation_finds_the_transfer_of_a_payment_left_pending_by_a_crash(
    world, api, settings, stripe_server, stripe_contract
):
    # Given a payment left pending, without reference, whose transfer reached Stripe
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay_and_crash(api, world, advance, transfer_reached_stripe=True)
    blocked = api(world["finance"]).post(f"instalments/{advance.id}/pay/")
    assert blocked.status_code == 409 and blocked.json()["code"] == "payment_in_progress"

    # When the scheduler reconciles payments that waited too long
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0
    assert reconcile_payments() == 1

    # Then the payment is matched to that transfer: one transfer, paid once, nothing blocked
    assert_paid_once(stripe_server, advance, payment)
    assert reconcile_payments() == 0
    deliver_all(api, stripe_server, "transfer.created")  # the late webhook changes nothing
    assert_paid_once(stripe_server, advance, payment)


def test_reconciliation_sends_a_payment_that_never_reached_stripe_with_the_same_key(
    world, api, settings, stripe_server, stripe_contract
):
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay_and_crash(api, world, advance, transfer_reached_stripe=False)
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0

    assert reconcile_payments() == 1

    payment.refresh_from_db()
    assert payment.status == Payment.Status.PROCESSING
    assert payment.attempts == 2
    deliver_all(api, stripe_server, "transfer.created")
    assert_paid_once(stripe_server, advance, payment)


def test_reconciliation_pages_through_a_busy_transfer_group(
    world, api, settings, stripe_server, stripe_contract
):
    # Given the crashed payment's transfer, followed by more transfers of the same group than
    # one page of Stripe's list holds
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay_and_crash(api, world, advance, transfer_reached_stripe=True)
    account = stripe_contract.provider.payout_account.account_id
    for number in range(105):
        stripe_server.client.v1.transfers.create(
            {
                "amount": 1,
                "currency": "cny",
                "destination": account,
                "transfer_group": f"contract-{stripe_contract.id}",
                "metadata": {"payment": f"other-{number}"},
            }
        )
    settings.PAYMENTS_RECONCILE_AFTER_SECONDS = 0

    assert reconcile_payments() == 1

    payment.refresh_from_db()
    advance.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert advance.status == Instalment.Status.PAID
    ours = [
        t
        for t in stripe_server.client.v1.transfers.list(
            {"transfer_group": f"contract-{stripe_contract.id}", "limit": 100}
        ).auto_paging_iter()
        if t.metadata.to_dict().get("payment") == str(payment.pk)
    ]
    assert [t.id for t in ours] == [payment.reference]
