"""Who may see and do what with contracts: rules predicates and visibility querysets."""

import rules
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from common.errors import InvalidTransition
from documents.models import Document
from documents.owners import Owner
from orgs.auth import Caller, signed_in
from orgs.models import Membership, User
from orgs.permissions import has_role, is_platform_admin, organization_ids_of

from .delivery import DELIVERING
from .models import Contract, Instalment, ServiceEvent, Variation

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


def service_events_visible_to(events: QuerySet[ServiceEvent], user: Caller) -> QuerySet[ServiceEvent]:
    """``ServiceEvent.objects.visible_to(user)``: a contract's service events are seen by its parties
    and the admin (as the contract's ``events/`` are)."""
    if is_platform_admin(user):
        return events
    if not signed_in(user):
        return events.none()
    return events.filter(party_contract_q(user, "contract__"))


@rules.predicate
def is_event_provider_member(user: Caller, event: ServiceEvent) -> bool:
    return has_role(user, event.contract.provider_id, Role.ADMIN, Role.STAFF)


# Documents (docs/rules.md §17.2): either party attaches documents to a contract (its officers for
# the bureau, its admins and staff for the provider) and reads them, with the platform admin; the
# provider attaches sign-in sheets and photos to its service events while the contract is
# delivered, and whoever sees the events sees them. Nothing is removed from either.


def contract_documents_readable(user: Caller) -> QuerySet[Contract]:
    contracts: QuerySet[Contract] = Contract.objects.all()
    if is_platform_admin(user):
        return contracts
    if not signed_in(user):
        return contracts.none()
    return contracts.filter(party_contract_q(user))


def event_documents_readable(user: Caller) -> QuerySet[ServiceEvent]:
    events: QuerySet[ServiceEvent] = ServiceEvent.objects.visible_to(user)
    return events


def _contract_takes_documents(contract: Contract, amendment: object = None) -> None:
    return None


def _event_takes_documents(event: ServiceEvent, amendment: object = None) -> None:
    if event.contract.status not in DELIVERING:
        raise InvalidTransition(_("Documents are added to service events while the contract is active."))


DOCUMENT_OWNERS = (
    Owner(
        model=Contract,
        name="contract",
        attach_permission="contracts.attach_document_to_contract",
        readable=contract_documents_readable,
        kinds=(Document.Kind.CONTRACT, Document.Kind.OTHER),
        check_attachable=_contract_takes_documents,
    ),
    Owner(
        model=ServiceEvent,
        name="event",
        attach_permission="contracts.attach_document_to_event",
        readable=event_documents_readable,
        kinds=(Document.Kind.SIGN_IN_SHEET, Document.Kind.PHOTO, Document.Kind.OTHER),
        check_attachable=_event_takes_documents,
    ),
)


# A signed contract may be varied while it runs (docs/rules.md §17.8).
VARIABLE = (Contract.Status.ACTIVE, Contract.Status.SUSPENDED, Contract.Status.RECTIFICATION)


@rules.predicate
def may_propose_variation_now(user: Caller, contract: Contract) -> bool:
    """The bureau's officer, on a running contract without a variation awaiting signatures."""
    return (
        is_contract_officer(user, contract)
        and contract.status in VARIABLE
        # ``variations`` is prefetched by lists (contracts.selectors.contract_list): no query per row
        and not any(variation.status == Variation.Status.PROPOSED for variation in contract.variations.all())
    )


@rules.predicate
def is_variation_officer(user: Caller, variation: Variation) -> bool:
    return is_contract_officer(user, variation.contract)


@rules.predicate
def may_sign_variation_now(user: Caller, variation: Variation) -> bool:
    """As a contract is signed: the officer for the bureau, the provider's admin for the provider,
    each once, while the variation is proposed."""
    contract = variation.contract
    bureau_side = is_contract_officer(user, contract) and variation.bureau_signed_at is None
    provider_side = is_contract_provider_admin(user, contract) and variation.provider_signed_at is None
    return variation.status == Variation.Status.PROPOSED and (bureau_side or provider_side)


@rules.predicate
def is_variation_party(user: Caller, variation: Variation) -> bool:
    return bool(is_contract_party(user, variation.contract))


def variation_signatories(contract: Contract) -> QuerySet[User]:
    """Who is told about a variation of the contract: those who may sign it, the bureau's officers
    and the provider's admins."""
    return User.objects.filter(
        Q(memberships__organization_id=contract.bureau_id, memberships__role=Role.OFFICER)
        | Q(memberships__organization_id=contract.provider_id, memberships__role=Role.ADMIN)
    ).distinct()


def variations_visible_to(variations: QuerySet[Variation], user: Caller) -> QuerySet[Variation]:
    """``Variation.objects.visible_to(user)``: a contract's parties and the admin see its variations
    as they see the contract; the public sees the variations in effect of contracts it may see."""
    variations = variations.select_related("contract")
    if is_platform_admin(user):
        return variations
    public = Q(
        status=Variation.Status.EFFECTIVE, contract__in=contracts_visible_to(Contract.objects.all(), user)
    )
    if signed_in(user):
        public |= party_contract_q(user, "contract__")
    return variations.filter(public)


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
    "contracts.attach_document_to_contract": is_contract_officer | is_contract_provider_member,
    "contracts.attach_document_to_event": is_event_provider_member,
    "contracts.propose_variation": is_contract_officer,
    "contracts.propose_variation_now": may_propose_variation_now,
    "contracts.sign_variation": may_sign_variation_now,
    "contracts.withdraw_variation": is_variation_officer,
    "contracts.view_variation_details": is_variation_party | is_platform_admin,
}

# Each API verb of the contract: (the transition's method, or None, and the permission); see
# orgs.permissions.
CONTRACT_TRANSITIONS = {
    "sign": (None, "contracts.sign_contract"),
    "suspend": ("suspend", "contracts.suspend_contract"),
    "resume": ("resume", "contracts.resume_contract"),
    "terminate": ("terminate", "contracts.terminate_contract"),
    "assign": (None, "contracts.assign_contract_now"),
    "vary": (None, "contracts.propose_variation_now"),
}

# Each API verb of a variation.
VARIATION_TRANSITIONS = {
    "sign": (None, "contracts.sign_variation"),
    "withdraw": ("withdraw", "contracts.withdraw_variation"),
}
