import rules
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from common import public_cache
from common.bulk import rows_update
from common.errors import Conflict, Forbidden, Invalid
from common.money import yuan
from orgs.models import Organization, User

from ..errors import MarketplaceError
from ..models import BudgetCommitment, BudgetLine, Tender


def budget_line_create(
    *, actor: User, bureau: Organization, fiscal_year: int, name: str, source: str, amount: int, currency: str
) -> BudgetLine:
    """Bureau admins and finance staff fund budget lines ("费随事转": no funded line, no tender)."""
    if not rules.has_perm("marketplace.add_budget_line_of", actor, bureau):
        raise Forbidden()
    if bureau.kind != Organization.Kind.BUREAU:
        raise Invalid({"bureau": [_("Budget lines belong to bureaus.")]})
    return BudgetLine.objects.create(
        bureau=bureau, fiscal_year=fiscal_year, name=name, source=source, amount=amount, currency=currency
    )


def committed_on(budget_line: BudgetLine) -> int:
    """Derived, never stored: what the line's tenders hold (ceilings of open tenders, awarded prices
    of awarded ones, less withheld money that returned) and what other apps hold on it
    (``BudgetCommitment``: community tasks' funding)."""
    total = Tender.objects.filter(budget_line=budget_line).aggregate(total=Sum("committed_amount"))["total"]
    held = BudgetCommitment.objects.filter(budget_line=budget_line).aggregate(total=Sum("amount"))["total"]
    return int(total or 0) + int(held or 0)


def budget_line_locked(budget_line_id: int) -> BudgetLine:
    """Lock the line: every change of a commitment on it runs under this lock, which keeps
    ``0 <= committed <= amount``."""
    return BudgetLine.objects.select_for_update().get(pk=budget_line_id)


@transaction.atomic
def commitment_release(*, tender: Tender, amount: int) -> Tender:
    """Money the tender's contract will not spend (withheld) or no longer spends (clawed back)
    returns to the budget line: the tender's commitment shrinks by ``amount``. The marketplace owns
    the commitment; contracts calls this and never writes it. Under the tender's lock, then the
    line's (the order of every commitment change), so concurrent releases add up. A release is
    never more than the tender still holds, so money cannot be released twice over; each caller
    releases a movement once, with the ledger entry that records it in the same transaction."""
    if amount < 0:
        raise ValueError("a release is a positive amount")
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if amount == 0:
        return tender
    budget_line_locked(tender.budget_line_id)
    if amount > tender.committed_amount:
        raise ValueError(f"releasing {amount} from tender {tender.pk}, which holds {tender.committed_amount}")
    tender.committed_amount -= amount
    tender.save(update_fields=["committed_amount"])
    return tender


@transaction.atomic
def commitments_release(amounts: dict[int, int]) -> None:
    """``commitment_release`` for many tenders at once (the chunked confirmation of evaluations,
    docs/scaling.md): ``amounts`` maps tender ids to what returns. The tenders are locked in id
    order, then their lines in id order (the order of every commitment change), each release is
    checked as ``commitment_release`` checks it, and the tenders are written in one statement.
    ``bulk_update`` sends no signal: the public cache's version moves here."""
    amounts = {tender_id: amount for tender_id, amount in amounts.items() if amount}
    if any(amount < 0 for amount in amounts.values()):
        raise ValueError("a release is a positive amount")
    if not amounts:
        return
    tenders = list(Tender.objects.select_for_update().filter(pk__in=amounts).order_by("pk"))
    lines = sorted({tender.budget_line_id for tender in tenders})
    list(
        BudgetLine.objects.select_for_update()
        .filter(pk__in=lines)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for tender in tenders:
        amount = amounts[tender.pk]
        if amount > tender.committed_amount:
            raise ValueError(
                f"releasing {amount} from tender {tender.pk}, which holds {tender.committed_amount}"
            )
        tender.committed_amount -= amount
    rows_update(Tender, tenders, ["committed_amount"])
    public_cache.changed()


@transaction.atomic
def commitment_add(*, tender: Tender, amount: int) -> Tender:
    """The tender's contract will spend more (a variation that raises its value, docs/rules.md
    §17.8): the tender's commitment grows by ``amount`` if its budget line has that much available,
    else 409 ``budget_insufficient``. Under the tender's lock, then the line's, as every commitment
    change."""
    if amount < 0:
        raise ValueError("an addition is a positive amount")
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if amount == 0:
        return tender
    line = budget_line_locked(tender.budget_line_id)
    available = available_on(line)
    if amount > available:
        raise Conflict(
            _("The budget line has ¥%(available)s available, less than the ¥%(amount)s needed.")
            % {"available": yuan(available), "amount": yuan(amount)},
            code=MarketplaceError.BUDGET_INSUFFICIENT,
            extra={"available": available, "amount": amount},
        )
    tender.committed_amount += amount
    tender.save(update_fields=["committed_amount"])
    return tender


@transaction.atomic
def commitment_hold(*, budget_line: BudgetLine, amount: int, purpose: str) -> BudgetCommitment:
    """Hold ``amount`` of the line for a higher app's purpose (a community task's funding,
    docs/rules.md §23) if the line has that much available, else 409 ``budget_insufficient``. Under
    the line's lock, as every commitment change; the caller locks its own row first."""
    if amount <= 0:
        raise ValueError("a hold is a positive amount")
    line = budget_line_locked(budget_line.pk)
    available = available_on(line)
    if amount > available:
        raise Conflict(
            _("The budget line has ¥%(available)s available, less than the ¥%(amount)s needed.")
            % {"available": yuan(available), "amount": yuan(amount)},
            code=MarketplaceError.BUDGET_INSUFFICIENT,
            extra={"available": available, "amount": amount},
        )
    return BudgetCommitment.objects.create(budget_line=line, amount=amount, purpose=purpose)


def available_on(budget_line: BudgetLine) -> int:
    """What the line can still commit: its amount less what its tenders hold."""
    return budget_line.amount - committed_on(budget_line)


def ceiling_errors(*, ceiling_amount: int, available: int) -> dict[str, list[str]]:
    """A tender's ceiling fits in what its budget line has available ("费随事转": publish commits the
    ceiling). A pure check, so the tender task list can say so before publish does."""
    if ceiling_amount <= available:
        return {}
    return {
        "ceiling_amount": [
            _(
                "The ceiling is more than the budget line has available (¥%(available)s). "
                "Enter ¥%(available)s or less, or choose another budget line."
            )
            % {"available": yuan(available)}
        ]
    }
