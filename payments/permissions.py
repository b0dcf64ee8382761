"""Who may pay, confirm, see payments, and onboard payout accounts."""

from typing import Any

import rules
from django.db.models import QuerySet

from contracts.models import Instalment
from orgs.models import Membership, Organization
from orgs.permissions import has_role, is_platform_admin, organization_ids_of

from .models import Payment

Role = Membership.Role


@rules.predicate
def is_instalment_finance(user: Any, instalment: Instalment) -> bool:
    return has_role(user, instalment.contract.bureau_id, Role.FINANCE)


@rules.predicate
def is_payment_finance(user: Any, payment: Payment) -> bool:
    return has_role(user, payment.instalment.contract.bureau_id, Role.FINANCE)


@rules.predicate
def is_provider_admin(user: Any, organization: Organization) -> bool:
    return organization.kind == Organization.Kind.PROVIDER and has_role(user, organization.id, Role.ADMIN)


rules.add_perm("contracts.pay_instalment", is_instalment_finance)
rules.add_perm("contracts.confirm_payment", is_payment_finance)
rules.add_perm("contracts.onboard_payout_account", is_provider_admin)


def payment_list_visible_to(user: Any) -> QuerySet[Payment]:
    """Payments are the business of the paying bureau's finance (and the platform admin); the
    parties see an instalment's payment nested in the instalment."""
    payments = Payment.objects.select_related("instalment__contract")
    if is_platform_admin(user):
        return payments
    bureau_ids = organization_ids_of(user, Role.FINANCE, verified_only=True)
    return payments.filter(instalment__contract__bureau_id__in=bureau_ids)
