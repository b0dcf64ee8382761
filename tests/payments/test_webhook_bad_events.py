"""Issue 8 item 6: a validly signed Stripe event we cannot read (no ``data``, a null object, a
non-numeric ``amount_reversed``, …) is a 400 ``invalid_event``: nothing changes, nothing is
stored, and it is logged. A well-formed event still works."""

import json
import logging

import pytest

from contracts.models import Instalment, LedgerEntry
from payments.models import Payment, PayoutAccount, WebhookEvent

from .conftest import deliver, deliver_all
from .test_stripe import assert_paid_once, pay

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(Payment.objects.order_by("pk").values_list("pk", "status", "reference", "reversed_amount")),
        list(Instalment.objects.order_by("pk").values_list("pk", "status")),
        list(LedgerEntry.objects.order_by("pk").values_list("pk", "kind", "amount")),
        list(PayoutAccount.objects.order_by("pk").values_list("pk", "status", "status_as_of")),
        list(WebhookEvent.objects.order_by("pk").values_list("event_id", "processed_at")),
    )


def event(payment: Payment, **changes) -> dict:
    """A ``transfer.created`` event for the payment, as Stripe would send it, then ``changes``."""
    body = {
        "id": "evt_malformed_1",
        "object": "event",
        "type": "transfer.created",
        "created": 1_790_000_000,
        "data": {
            "object": {
                "id": payment.reference,
                "object": "transfer",
                "amount": payment.amount,
                "amount_reversed": 0,
                "metadata": {"payment": str(payment.pk), "instalment": str(payment.instalment_id)},
            }
        },
    }
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = body
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return body


DELETE = object()

MALFORMED = {
    "no data": {"data": DELETE},
    "data is null": {"data": None},
    "data is a list": {"data": [1, 2]},
    "null object": {"data.object": None},
    "no object": {"data.object": DELETE},
    "object is text": {"data.object": "tr_123"},
    "non-numeric amount_reversed": {"data.object.amount_reversed": "a lot"},
    "fractional amount_reversed": {"data.object.amount_reversed": 2.5},
    "boolean amount_reversed": {"data.object.amount_reversed": True},
    "negative amount_reversed": {"data.object.amount_reversed": -5},
    "metadata is text": {"data.object.metadata": "payment=1"},
    "no id": {"id": DELETE},
    "id is a number": {"id": 42},
    "no type": {"type": DELETE},
    "type is null": {"type": None},
    "type too long": {"type": "transfer." + "x" * 200},
    "created is text": {"created": "yesterday"},
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_signed_event_we_cannot_read_is_400_and_changes_nothing(
    change, world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks, caplog
):
    # Given a payment in progress, waiting for its webhook
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    before = snapshot()

    # When Stripe (validly signed) sends an event of that payment in a shape we cannot read
    with caplog.at_level(logging.WARNING, logger="payments.services"):
        response = deliver(api, json.dumps(event(payment, **change)).encode())

    # Then it is refused with a stable code, logged, and nothing changed or was stored
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_event"
    assert set(body) == {"code", "message", "extra"}
    assert snapshot() == before
    assert any("invalid_event" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "payload",
    [b"[1, 2, 3]", b'"event"', b"null", b"{not json", b"[" * 5_000 + b"]" * 5_000],
    ids=["list", "string", "null", "not json", "nested too deep"],
)
def test_a_signed_body_that_is_not_an_event_object_is_400(payload, world, api, stripe_server):
    response = deliver(api, payload)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_event"
    assert not WebhookEvent.objects.exists()


def test_an_account_event_we_cannot_read_is_400(world, api, stripe_server, stripe_contract):
    account = stripe_contract.provider.payout_account
    before = snapshot()
    body = {
        "id": "evt_account_bad",
        "object": "event",
        "type": "account.updated",
        "created": 1_790_000_000,
        "data": {"object": {"id": account.account_id, "capabilities": "all of them"}},
    }

    response = deliver(api, json.dumps(body).encode())

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_event"
    assert snapshot() == before


def test_a_well_formed_event_still_works_after_malformed_ones(
    world, api, stripe_server, stripe_contract, django_capture_on_commit_callbacks
):
    advance = stripe_contract.instalments.get(kind="advance")
    payment = pay(api, world, advance, django_capture_on_commit_callbacks)
    payment.refresh_from_db()
    for change in MALFORMED.values():
        assert deliver(api, json.dumps(event(payment, **change)).encode()).status_code == 400

    # The hand-made event in its proper shape is applied
    assert deliver(api, json.dumps(event(payment)).encode()).status_code == 200
    # and so are the server's own events (the same transfer: no double)
    deliver_all(api, stripe_server, "transfer.created")

    assert_paid_once(stripe_server, advance, payment)


def test_an_event_of_a_type_we_ignore_is_accepted_and_changes_nothing(world, api, stripe_server):
    body = {"id": "evt_other", "object": "event", "type": "payout.paid", "created": 1, "data": {"object": {}}}

    response = deliver(api, json.dumps(body).encode())

    assert response.status_code == 200
    assert WebhookEvent.objects.get().event_id == "evt_other"
