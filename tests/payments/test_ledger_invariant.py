"""paid + withheld + outstanding = value, per contract, checked one source against another: paid
from the ledger, withheld and outstanding from the instalments."""

import pytest
from django.db import transaction

from common.transitions import run_transition
from contracts.models import LedgerEntry
from contracts.settlement import contract_balance, ledger_invariant_holds, ledger_record
from payments import services
from tests import flows

pytestmark = pytest.mark.django_db


def test_invariant_at_every_step_of_a_contract(world):
    contract = flows.active_contract(world)
    assert ledger_invariant_holds(contract)
    assert contract_balance(contract).outstanding == contract.value_amount

    advance = contract.instalments.get(kind="advance")
    payment = services.instalment_pay(actor=world["finance"], instalment=advance)
    assert ledger_invariant_holds(contract)
    services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-1")
    assert ledger_invariant_holds(contract)

    # a holdback released in part: the rest is withheld, recorded by the evaluation's code path
    holdback = contract.instalments.get(kind="holdback")
    with transaction.atomic():
        release = holdback.amount * 68 // 100
        run_transition(holdback, holdback.make_payable, release_amount=release)
        ledger_record(
            contract=contract, kind="withheld", amount=holdback.amount - release, instalment=holdback
        )
        ledger_record(
            contract=contract, kind="withheld", amount=holdback.amount - release, instalment=holdback
        )
    assert LedgerEntry.objects.filter(kind="withheld").count() == 1  # recorded once, retries are safe
    balance = contract_balance(contract)
    assert balance.withheld == holdback.amount - release
    assert ledger_invariant_holds(contract)


def test_the_invariant_catches_a_payment_recorded_twice(world):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    payment = services.instalment_pay(actor=world["finance"], instalment=advance)
    services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-1")
    # a bogus extra movement (not tied to the instalment) breaks the sum
    LedgerEntry.objects.create(contract=contract, kind="paid", amount=1, currency="CNY")
    assert not contract_balance(contract).is_balanced
    assert not ledger_invariant_holds(contract)


def test_ledger_refuses_a_second_payment_of_one_instalment(world):
    from django.db import IntegrityError

    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    LedgerEntry.objects.create(contract=contract, instalment=advance, kind="paid", amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(contract=contract, instalment=advance, kind="paid", amount=1)
