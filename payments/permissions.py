"""Who may pay, confirm, see payments, and onboard payout accounts."""

import rules
from django.db.models import QuerySet

from contracts.models import Instalment
from orgs.auth import Caller
from orgs.models import Membership, Organization, User
from orgs.permissions import has_role, is_platform_admin, organization_ids_of

from .models import Disbursement, Payment

Role = Membership.Role


def finance_bureau_ids(user: Caller) -> list[int]:
    """The verified bureaus whose instalments the user pays, as finance staff."""
    return organization_ids_of(user, Role.FINANCE, verified_only=True)


def finance_staff_of(bureau_id: int) -> QuerySet[User]:
    """Who is told about the bureau's instalments waiting for payment: its finance staff."""
    return User.objects.filter(
        memberships__organization_id=bureau_id, memberships__role=Role.FINANCE
    ).distinct()


@rules.predicate
def is_instalment_finance(user: Caller, instalment: Instalment) -> bool:
    return has_role(user, instalment.contract.bureau_id, Role.FINANCE)


@rules.predicate
def is_payment_finance(user: Caller, payment: Payment) -> bool:
    return has_role(user, payment.instalment.contract.bureau_id, Role.FINANCE)


@rules.predicate
def is_provider_admin(user: Caller, organization: Organization) -> bool:
    return organization.kind == Organization.Kind.PROVIDER and has_role(user, organization.id, Role.ADMIN)


@rules.predicate
def is_community_admin(user: Caller, organization: Organization) -> bool:
    """A community committee receives its tasks' funding (docs/rules.md §23) on its own account."""
    return organization.kind == Organization.Kind.COMMUNITY and has_role(user, organization.id, Role.ADMIN)


@rules.predicate
def is_disbursement_finance(user: Caller, disbursement: Disbursement) -> bool:
    return has_role(user, disbursement.payer_id, Role.FINANCE)


def disbursements_visible_to(disbursements: QuerySet[Disbursement], user: Caller) -> QuerySet[Disbursement]:
    """``Disbursement.objects.visible_to(user)``: the paying bureau's finance and the admin."""
    if is_platform_admin(user):
        return disbursements
    return disbursements.filter(payer_id__in=finance_bureau_ids(user))


def payments_visible_to(payments: QuerySet[Payment], user: Caller) -> QuerySet[Payment]:
    """``Payment.objects.visible_to(user)``: payments are the business of the paying bureau's
    finance (and the platform admin); the parties see an instalment's payment nested in the
    instalment."""
    payments = payments.select_related("instalment__contract")
    if is_platform_admin(user):
        return payments
    return payments.filter(instalment__contract__bureau_id__in=finance_bureau_ids(user))


def payment_transitions_available(user: Caller, payment: Payment) -> list[str]:
    """The verbs the user may use on the payment now (the API's ``available_transitions``, the
    pages' buttons): ``confirm`` while a treasury order awaits its voucher, for the paying bureau's
    finance."""
    if payment.awaits_voucher and rules.has_perm("payments.confirm_payment", user, payment):
        return ["confirm"]
    return []


# The permissions of payments, registered by ``PaymentsConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "payments.pay_instalment": is_instalment_finance,
    "payments.confirm_payment": is_payment_finance,
    "payments.onboard_payout_account": is_provider_admin | is_community_admin,
    "payments.confirm_disbursement": is_disbursement_finance,
}
