from django.db.models import Sum
from django.utils.translation import gettext as _

from common.errors import Forbidden, Invalid
from orgs.models import Membership, Organization, User
from orgs.permissions import has_role

from ..models import BudgetLine, Tender


def budget_line_create(
    *, actor: User, bureau: Organization, fiscal_year: int, name: str, source: str, amount: int, currency: str
) -> BudgetLine:
    """Bureau admins and finance staff fund budget lines ("费随事转": no funded line, no tender)."""
    if not has_role(actor, bureau.id, Membership.Role.ADMIN, Membership.Role.FINANCE):
        raise Forbidden()
    if bureau.kind != Organization.Kind.BUREAU:
        raise Invalid({"bureau": [_("Budget lines belong to bureaus.")]})
    return BudgetLine.objects.create(
        bureau=bureau, fiscal_year=fiscal_year, name=name, source=source, amount=amount, currency=currency
    )


def committed_on(budget_line: BudgetLine) -> int:
    """Derived, never stored: what the line's tenders hold (ceilings of open tenders, awarded prices
    of awarded ones, less withheld money that returned)."""
    total = Tender.objects.filter(budget_line=budget_line).aggregate(total=Sum("committed_amount"))["total"]
    return int(total or 0)


def budget_line_locked(budget_line_id: int) -> BudgetLine:
    """Lock the line: every change of a commitment on it runs under this lock, which keeps
    ``0 <= committed <= amount``."""
    return BudgetLine.objects.select_for_update().get(pk=budget_line_id)
