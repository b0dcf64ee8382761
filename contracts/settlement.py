"""Settling a contract: the ledger of its money, the rule that closes it, and the invariant
``paid + withheld + held + outstanding = value`` (docs/rules.md §8, §11.7).

Other apps (evaluations) call ``ledger_record`` to record withheld money and
``contract_close_if_settled`` after settling an instalment."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum

from common import reasons
from common.bulk import rows_update
from common.transitions import run_transition

from .models import Contract, Instalment, LedgerEntry

SETTLED = (Instalment.Status.PAID, Instalment.Status.WITHHELD)


@transaction.atomic
def ledger_record(
    *,
    contract: Contract,
    kind: str,
    amount: int,
    instalment: Instalment | None = None,
    payment_id: int | None = None,
    description: str = "",
) -> LedgerEntry | None:
    """Write one movement of money. Paying or withholding an instalment is recorded once: a second
    call for the same instalment and kind returns the first entry, so callers may retry. A zero
    amount moves nothing and writes nothing."""
    if amount < 0:
        raise ValueError("ledger amounts are positive; the kind gives the direction")
    if amount == 0:
        return None
    if instalment is not None and kind in (LedgerEntry.Kind.PAID, LedgerEntry.Kind.WITHHELD):
        existing = LedgerEntry.objects.filter(instalment=instalment, kind=kind).first()
        if existing is not None:
            return existing
    entry = ledger_entry(
        contract=contract,
        kind=kind,
        amount=amount,
        instalment=instalment,
        payment_id=payment_id,
        description=description,
    )
    entry.save()
    return entry


def ledger_entry(
    *,
    contract: Contract,
    kind: str,
    amount: int,
    instalment: Instalment | None = None,
    payment_id: int | None = None,
    description: str = "",
) -> LedgerEntry:
    """The row of one movement, not saved: ``ledger_record`` saves it, the chunked confirmation
    bulk-inserts it (``settled_in_bulk``)."""
    return LedgerEntry(
        contract=contract,
        instalment=instalment,
        payment_id=payment_id,
        kind=kind,
        amount=amount,
        currency=contract.currency,
        description=description[:255],
    )


def settled_in_bulk(
    *, contracts: list[Contract], instalments: list[Instalment], entries: list[LedgerEntry]
) -> None:
    """Write what a chunk of settlements moved in memory (``evaluations.batch``), one statement per
    table whatever the number of contracts: the contracts' and instalments' new states and amounts,
    and the ledger's new rows. The caller holds the rows' locks, has checked every transition with
    the state machine and chains the rows (``auditchain.chain.record_created``)."""
    if contracts:
        rows_update(Contract, contracts, ["status"])
    if instalments:
        rows_update(Instalment, instalments, ["status", "release_amount", "withheld_amount"])
    if entries:
        LedgerEntry.objects.bulk_create(entries)


def is_settled_now(instalments: list[Instalment]) -> bool:
    """``is_settled`` of instalments already read (and locked): every one paid or withheld."""
    return all(instalment.status in SETTLED for instalment in instalments)


def is_settled(contract: Contract) -> bool:
    return not contract.instalments.exclude(status__in=SETTLED).exists()


@transaction.atomic
def contract_close_if_settled(*, contract: Contract, by: Any = None) -> bool:
    """A completed contract closes when every instalment is paid or withheld. Safe to call any
    time, from any path that settles an instalment; returns whether the contract is closed now."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status == Contract.Status.CLOSED:
        return True
    if contract.status != Contract.Status.COMPLETED or not is_settled(contract):
        return False
    run_transition(contract, contract.close, by=by, description=reasons.CONTRACT_SETTLED)
    return True


@dataclass(frozen=True)
class ContractBalance:
    value: int
    paid: int  # paid to the provider, net of reversals (ledger)
    withheld: int  # never released, or clawed back: back to the bureau
    outstanding: int  # still owed: scheduled amounts and releases not yet paid
    held: int = 0  # held while an appeal is decided: neither owed yet nor back to the bureau

    @property
    def is_balanced(self) -> bool:
        return self.paid + self.withheld + self.held + self.outstanding == self.value


def contract_balance(contract: Contract) -> ContractBalance:
    """Where the contract's money is. ``paid`` comes from the ledger, ``withheld``, ``held`` and
    ``outstanding`` from the instalments, so the invariant checks one against the other."""
    sums = dict(
        LedgerEntry.objects.filter(contract=contract)
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    reversed_total = sums.get(LedgerEntry.Kind.REVERSED, 0) or 0
    paid = (sums.get(LedgerEntry.Kind.PAID, 0) or 0) - reversed_total
    withheld = reversed_total
    outstanding = held = 0
    for instalment in contract.instalments.all():
        withheld += instalment.withheld_amount
        if instalment.status == Instalment.Status.SCHEDULED:
            outstanding += instalment.amount
        elif instalment.status == Instalment.Status.PAYABLE:
            outstanding += instalment.amount_payable
        elif instalment.status == Instalment.Status.HELD:
            held += instalment.amount
    return ContractBalance(contract.value_amount, paid, withheld, outstanding, held)


def ledger_invariant_holds(contract: Contract) -> bool:
    """paid + withheld + held + outstanding = value, each paid instalment was paid exactly its
    release amount (once), and each held instalment's hold is in the ledger with its amount."""
    if not contract_balance(contract).is_balanced:
        return False
    for instalment in contract.instalments.filter(status=Instalment.Status.HELD):
        hold = instalment.ledger_entries.filter(kind=LedgerEntry.Kind.HELD).order_by("-id").first()
        if hold is None or hold.amount != instalment.amount:
            return False
    for instalment in contract.instalments.filter(status=Instalment.Status.PAID):
        entries = list(instalment.ledger_entries.filter(kind=LedgerEntry.Kind.PAID))
        expected = instalment.amount_payable
        if len(entries) != 1 or entries[0].amount != expected:
            return False
    return True
