"""The treasury gateway (国库集中支付) through the API: finance pays, the order is processing at once,
finance confirms with the bank voucher number, the instalment is paid once and the ledger says so."""

import pytest

from contracts.models import Contract, Instalment, LedgerEntry
from contracts.settlement import contract_balance, contract_close_if_settled, ledger_invariant_holds
from marketplace.models import Tender
from payments.models import Payment
from tests import flows

pytestmark = pytest.mark.django_db


def advance_of(contract: Contract) -> Instalment:
    return contract.instalments.get(kind=Instalment.Kind.ADVANCE)


def test_finance_pays_and_confirms_an_instalment(world, api):
    # Given an active contract whose advance instalment is payable
    contract = flows.active_contract(world)
    advance = advance_of(contract)
    finance = api(world["finance"])
    assert finance.get(f"instalments/{advance.id}/").json()["payment"] is None

    # When finance pays it
    response = finance.post(f"instalments/{advance.id}/pay/")

    # Then the payment order is processing, nested in the instalment, keyed by the instalment
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "payable"
    payment = body["payment"]
    assert payment["status"] == "processing"
    assert payment["gateway"] == "treasury"
    assert payment["amount"] == advance.amount
    assert payment["reference"] == ""
    assert Payment.objects.get(pk=payment["id"]).idempotency_key == f"instalment:{advance.id}:v1"
    detail = finance.get(f"payments/{payment['id']}/").json()
    assert detail["available_transitions"] == ["confirm"]

    # When finance confirms with the bank voucher number
    response = finance.post(f"payments/{payment['id']}/confirm/", {"voucher_number": "GK2026-000123"})

    # Then the payment succeeded, the instalment is paid, and the ledger has one entry
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "succeeded"
    assert response.json()["reference"] == "GK2026-000123"
    instalment = finance.get(f"instalments/{advance.id}/").json()
    assert instalment["status"] == "paid"
    assert instalment["payment"]["status"] == "succeeded"
    assert instalment["payment"]["reference"] == "GK2026-000123"
    entries = list(LedgerEntry.objects.filter(contract=contract).values_list("kind", "amount"))
    assert entries == [("paid", advance.amount)]
    assert ledger_invariant_holds(contract)
    balance = contract_balance(contract)
    assert (balance.paid, balance.withheld) == (advance.amount, 0)
    assert balance.outstanding == contract.value_amount - advance.amount


def test_paying_twice_is_payment_in_progress_and_a_paid_instalment_is_invalid_transition(world, api):
    contract = flows.active_contract(world)
    advance = advance_of(contract)
    finance = api(world["finance"])
    payment_id = finance.post(f"instalments/{advance.id}/pay/").json()["payment"]["id"]

    again = finance.post(f"instalments/{advance.id}/pay/")
    assert again.status_code == 409
    assert again.json()["code"] == "payment_in_progress"

    finance.post(f"payments/{payment_id}/confirm/", {"voucher_number": "V-1"})
    paid = finance.post(f"instalments/{advance.id}/pay/")
    assert paid.status_code == 409
    assert paid.json()["code"] == "invalid_transition"
    confirmed_again = finance.post(f"payments/{payment_id}/confirm/", {"voucher_number": "V-2"})
    assert confirmed_again.status_code == 409
    assert confirmed_again.json()["code"] == "invalid_transition"
    assert Payment.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="paid").count() == 1
    assert Payment.objects.get().reference == "V-1"


def test_a_scheduled_instalment_cannot_be_paid(world, api):
    contract = flows.active_contract(world)
    interim = contract.instalments.get(kind=Instalment.Kind.INTERIM)
    response = api(world["finance"]).post(f"instalments/{interim.id}/pay/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert not Payment.objects.exists()


def test_confirm_needs_a_voucher_number(world, api):
    contract = flows.active_contract(world)
    finance = api(world["finance"])
    payment_id = finance.post(f"instalments/{advance_of(contract).id}/pay/").json()["payment"]["id"]
    for body in ({}, {"voucher_number": "   "}):
        response = finance.post(f"payments/{payment_id}/confirm/", body)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "voucher_number" in response.json()["extra"]["fields"]
    assert Payment.objects.get().status == "processing"


def test_settling_the_last_instalment_closes_a_completed_contract(world):
    # Given a completed contract whose only unsettled instalment is being paid
    from django.db import transaction

    from common.transitions import run_transition
    from payments import services

    contract = flows.active_contract(world)
    advance = advance_of(contract)
    with transaction.atomic():
        for instalment in contract.instalments.exclude(pk=advance.pk):
            run_transition(instalment, instalment.withhold)
        run_transition(contract, contract.complete)
    assert contract_close_if_settled(contract=contract, by=None) is False
    payment = services.instalment_pay(actor=world["finance"], instalment=advance)

    # When finance confirms it
    services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-9")

    # Then the contract is closed and its money adds up
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CLOSED
    balance = contract_balance(contract)
    assert balance.outstanding == 0
    assert balance.paid == advance.amount
    assert balance.withheld == contract.value_amount - advance.amount
    assert ledger_invariant_holds(contract)


def test_a_treasury_reversal_claws_back_and_keeps_the_invariant(world):
    from payments import services

    contract = flows.active_contract(world)
    advance = advance_of(contract)
    payment = services.instalment_pay(actor=world["finance"], instalment=advance)
    payment = services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-1")

    committed = Tender.objects.get(pk=contract.tender_id).committed_amount

    services.payment_reverse(actor=world["finance"], payment=payment, amount=1000, reason="overpaid")

    payment.refresh_from_db()
    assert payment.reversed_amount == 1000
    # the clawed-back money returns to the budget line
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed - 1000
    assert LedgerEntry.objects.filter(kind="reversed").get().amount == 1000
    balance = contract_balance(contract)
    assert balance.paid == advance.amount - 1000
    assert ledger_invariant_holds(contract)
