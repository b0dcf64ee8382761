"""Who may see and do what with contracts: rules predicates and visibility querysets."""

import rules
from django.db.models import Q, QuerySet

from orgs.auth import Caller, signed_in
from orgs.models import Membership
from orgs.permissions import has_role, is_platform_admin, organization_ids_of

from .models import Contract, Instalment

Role = Membership.Role


@rules.predicate
def is_contract_officer(user: Caller, contract: Contract) -> bool:
    return has_role(user, contract.bureau_id, Role.OFFICER)


@rules.predicate
def is_contract_provider_admin(user: Caller, contract: Contract) -> bool:
    return has_role(user, contract.provider_id, Role.ADMIN)


@rules.predicate
def is_contract_party(user: Caller, contract: Contract) -> bool:
    """A member of a verified organisation party to the contract (what ``party_contract_q`` lists)."""
    party_ids = {contract.bureau_id, contract.provider_id, contract.assessor_id, contract.community_id}
    return bool(party_ids & set(party_organization_ids(user)))


@rules.predicate
def may_sign_now(user: Caller, contract: Contract) -> bool:
    """An officer signs for the bureau, the provider's admin for the provider, each once."""
    bureau_side = is_contract_officer(user, contract) and contract.bureau_signed_at is None
    provider_side = is_contract_provider_admin(user, contract) and contract.provider_signed_at is None
    return contract.status == Contract.Status.DRAFT and (bureau_side or provider_side)


# Who enters the T and C scores may be named until the contract is over.
ASSIGNMENT_CLOSED = (Contract.Status.COMPLETED, Contract.Status.CLOSED, Contract.Status.TERMINATED)


@rules.predicate
def may_assign_now(user: Caller, contract: Contract) -> bool:
    return is_contract_officer(user, contract) and contract.status not in ASSIGNMENT_CLOSED


@rules.predicate
def is_contract_provider_member(user: Caller, contract: Contract) -> bool:
    return has_role(user, contract.provider_id, Role.ADMIN, Role.STAFF)


def party_organization_ids(user: Caller) -> list[int]:
    """The verified organisations the user works for on contracts, in whatever seat (bureau,
    provider, assessor, community): what ``is_contract_party`` counts."""
    return organization_ids_of(user, verified_only=True)


def officer_bureau_ids(user: Caller) -> list[int]:
    """The verified bureaus whose contracts the user manages as officer (signs, assigns, reviews)."""
    return organization_ids_of(user, Role.OFFICER, verified_only=True)


def party_contract_q(user: Caller, prefix: str = "") -> Q:
    """Contracts (through ``prefix``) of which the user is a party, as ``is_contract_party`` says:
    members of a pending or suspended organisation see what the public sees."""
    org_ids = party_organization_ids(user)
    return (
        Q(**{f"{prefix}bureau_id__in": org_ids})
        | Q(**{f"{prefix}provider_id__in": org_ids})
        | Q(**{f"{prefix}assessor_id__in": org_ids})
        | Q(**{f"{prefix}community_id__in": org_ids})
    )


def contracts_visible_to(contracts: QuerySet[Contract], user: Caller) -> QuerySet[Contract]:
    """``Contract.objects.visible_to(user)``: parties and the admin see every contract of theirs;
    the public sees non-draft ones."""
    if is_platform_admin(user):
        return contracts
    visible = ~Q(status=Contract.Status.DRAFT)
    if signed_in(user):
        visible |= party_contract_q(user)
    return contracts.filter(visible)


def instalments_visible_to(instalments: QuerySet[Instalment], user: Caller) -> QuerySet[Instalment]:
    """``Instalment.objects.visible_to(user)``: instalments are seen by the contract's parties and
    the admin."""
    instalments = instalments.select_related("contract")
    if is_platform_admin(user):
        return instalments
    if not signed_in(user):
        return instalments.none()
    return instalments.filter(party_contract_q(user, "contract__"))


# The permissions of contracts, registered by ``ContractsConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "contracts.sign_contract": may_sign_now,
    "contracts.assign_contract_now": may_assign_now,
    "contracts.suspend_contract": is_contract_officer,
    "contracts.resume_contract": is_contract_officer,
    "contracts.terminate_contract": is_contract_officer,
    "contracts.assign_contract": is_contract_officer,
    "contracts.view_contract_details": is_contract_party | is_platform_admin,
    "contracts.log_delivery_on_contract": is_contract_provider_member,
}

# Each API verb of the contract: (the transition's method, or None, and the permission); see
# orgs.permissions.
CONTRACT_TRANSITIONS = {
    "sign": (None, "contracts.sign_contract"),
    "suspend": ("suspend", "contracts.suspend_contract"),
    "resume": ("resume", "contracts.resume_contract"),
    "terminate": ("terminate", "contracts.terminate_contract"),
    "assign": (None, "contracts.assign_contract_now"),
}
