"""Who may see and do what with evaluations and ratings."""

import rules
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from challenges.permissions import REVIEW_BODY_ROLES, review_body_ids
from common.errors import InvalidTransition
from contracts.models import Contract
from contracts.permissions import is_contract_officer, is_contract_party, party_contract_q
from documents.models import Document
from documents.owners import Owner
from marketplace.components import Component
from marketplace.permissions import PROVIDER_ROLES
from orgs.auth import Caller, signed_in
from orgs.models import GridPost, Membership, User
from orgs.permissions import confirmed_resident, has_role, is_platform_admin, organization_ids_of

from .models import Appeal, Evaluation, Rating

Role = Membership.Role
ORG_ROLES = (Role.ADMIN, Role.MEMBER)


@rules.predicate
def is_evaluation_party(user: Caller, evaluation: Evaluation) -> bool:
    return is_contract_party(user, evaluation.contract) or is_platform_admin(user)


@rules.predicate
def is_evaluation_officer(user: Caller, evaluation: Evaluation) -> bool:
    return is_contract_officer(user, evaluation.contract)


@rules.predicate
def is_evaluation_assessor(user: Caller, evaluation: Evaluation) -> bool:
    return has_role(user, evaluation.contract.assessor_id, *ORG_ROLES)


@rules.predicate
def is_evaluation_community(user: Caller, evaluation: Evaluation) -> bool:
    return has_role(user, evaluation.contract.community_id, *ORG_ROLES)


@rules.predicate
def is_provider_affiliated(user: Caller, evaluation: Evaluation) -> bool:
    """Any membership (any role, any status) in the contract's provider, or a current post on the
    grid paid by it (a grid worker the provider employs, FR-1.7, docs/rules.md §25): a conflict of
    interest for collecting ratings, whatever else the user is (docs/rules.md §10.6)."""
    provider_id = evaluation.contract.provider_id
    if provider_id is None or not getattr(user, "is_authenticated", False):
        return False
    if provider_id in organization_ids_of(user, verified_only=False):
        return True
    return bool(
        GridPost.objects.filter(user=user, employer_id=provider_id, status=GridPost.Status.ACTIVE).exists()
    )


@rules.predicate
def is_rating_reviewer(user: Caller, rating: Rating) -> bool:
    return is_contract_officer(user, rating.contract)


@rules.predicate
def is_evaluation_provider(user: Caller, evaluation: Evaluation) -> bool:
    """A member of the contract's provider acting for it (admin or staff, verified): it appeals."""
    return has_role(user, evaluation.contract.provider_id, *PROVIDER_ROLES)


@rules.predicate
def is_appeal_provider(user: Caller, appeal: Appeal) -> bool:
    return has_role(user, appeal.evaluation.contract.provider_id, *PROVIDER_ROLES)


@rules.predicate
def is_appeal_decider(user: Caller, appeal: Appeal) -> bool:
    """The bureau's officer, or a member of the review body the appeal went to (docs/rules.md §11.7)."""
    return is_contract_officer(user, appeal.evaluation.contract) or bool(
        appeal.review_body_id and has_role(user, appeal.review_body_id, *REVIEW_BODY_ROLES)
    )


@rules.predicate
def is_appeal_party(user: Caller, appeal: Appeal) -> bool:
    return bool(is_contract_party(user, appeal.evaluation.contract) or is_appeal_decider(user, appeal))


# Who enters which component of the composite score (docs/rules.md §11.2).
COMPONENT_PERMS: dict[str, str] = {
    Component.THIRD_PARTY: "evaluations.score_third_party",
    Component.BUYER: "evaluations.score_buyer",
    Component.COMMUNITY: "evaluations.score_community",
}

# The permissions of evaluations, registered by ``EvaluationsConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "evaluations.score_third_party": is_evaluation_assessor,
    "evaluations.score_buyer": is_evaluation_officer,
    "evaluations.score_community": is_evaluation_community | is_evaluation_officer,
    "evaluations.survey_evaluation": is_evaluation_assessor,
    "evaluations.finalize_evaluation": is_evaluation_officer,
    "evaluations.confirm_evaluation": is_evaluation_officer,
    "evaluations.review_rating": is_rating_reviewer,
    "evaluations.appeal_evaluation": is_evaluation_provider,
    "evaluations.decide_appeal": is_appeal_decider,
    "evaluations.attach_document_to_appeal": is_appeal_provider,
    "evaluations.view_appeal_details": is_appeal_party | is_platform_admin,
    # Assisted ratings: a member of the assessor or the community, never of the provider (§10.6).
    "evaluations.collect_rating": (is_evaluation_assessor | is_evaluation_community)
    & ~is_provider_affiliated,
    # The delivery signals (not_received answers): the bureau and the assessor (§11.10).
    "evaluations.view_delivery_signals": is_evaluation_officer | is_evaluation_assessor | is_platform_admin,
    # The delivery flags (households and events to look at): the bureau only (§11.10).
    "evaluations.view_delivery_flags": is_evaluation_officer | is_platform_admin,
}

# Each API verb of a machine: (the transition's method, permission); see orgs.permissions.
EVALUATION_TRANSITIONS = {
    "finalize": ("publish", "evaluations.finalize_evaluation"),
    "confirm": ("confirm", "evaluations.confirm_evaluation"),
}
APPEAL_TRANSITIONS = {
    "decide": ("dismiss", "evaluations.decide_appeal"),  # any decision leaves "open", as dismissing does
}
RATING_TRANSITIONS = {
    "restore": ("restore", "evaluations.review_rating"),
    "exclude": ("exclude", "evaluations.review_rating"),
}


def evaluations_visible_to(evaluations: QuerySet[Evaluation], user: Caller) -> QuerySet[Evaluation]:
    """``Evaluation.objects.visible_to(user)``: evaluations are seen by the contract's parties and
    the admin."""
    evaluations = evaluations.select_related("contract")
    if is_platform_admin(user):
        return evaluations
    if not signed_in(user):
        return evaluations.none()
    return evaluations.filter(party_contract_q(user, "contract__"))


def ratings_visible_to(ratings: QuerySet[Rating], user: Caller) -> QuerySet[Rating]:
    """``Rating.objects.visible_to(user)``: a resident sees the ratings of their household; the
    buying bureau's officers see the ratings of their contracts (to review quarantined ones); the
    admin sees all."""
    ratings = ratings.select_related("contract", "evaluation", "household")
    if is_platform_admin(user):
        return ratings
    if not signed_in(user):
        return ratings.none()
    visible = Q(contract__bureau_id__in=organization_ids_of(user, Role.OFFICER, verified_only=True))
    resident = confirmed_resident(user)
    if resident is not None:
        visible |= Q(household_id=resident.household_id)
    return ratings.filter(visible)


def party_ids(contract: Contract) -> set[int]:
    """The organisations party to the contract: bureau, provider, assessor and committee."""
    ids = (contract.bureau_id, contract.provider_id, contract.assessor_id, contract.community_id)
    return {i for i in ids if i}


def is_party_member(user: User, contract: Contract, member_of: set[int] | None = None) -> bool:
    """Any membership (verified or not) in an organisation party to the contract: such people may
    not rate it. ``member_of``: the user's organisation ids, when the caller checks many contracts."""
    if member_of is None:
        member_of = set(organization_ids_of(user, verified_only=False))
    return bool(member_of & party_ids(contract))


def provider_members_of(contract: Contract) -> QuerySet[User]:
    """Who is told of an appeal for the provider: its active admins and staff."""
    return User.objects.filter(
        memberships__organization_id=contract.provider_id,
        memberships__role__in=PROVIDER_ROLES,
        is_active=True,
    ).distinct()


def appeal_decider_q(user: Caller) -> Q:
    """Appeals the (signed-in) user may decide, as ``is_appeal_decider`` says."""
    bureaus = organization_ids_of(user, Role.OFFICER, verified_only=True)
    return Q(evaluation__contract__bureau_id__in=bureaus) | Q(review_body_id__in=review_body_ids(user))


def appeals_visible_to(appeals: QuerySet[Appeal], user: Caller) -> QuerySet[Appeal]:
    """``Appeal.objects.visible_to(user)``: the contract's parties and the review body the appeal
    went to, and the admin. The public sees a decided appeal's outcome on the evaluation's public
    page only (``selectors.public_appeal_outcomes``), never the appeal itself."""
    appeals = appeals.select_related("evaluation", "evaluation__contract")
    if is_platform_admin(user):
        return appeals
    if not signed_in(user):
        return appeals.none()
    return appeals.filter(
        party_contract_q(user, "evaluation__contract__") | Q(review_body_id__in=review_body_ids(user))
    )


# Documents of an appeal (docs/rules.md §11.7, §17.2): the provider's admins and staff attach the
# evidence for its grounds while the appeal is open; the parties and the review body read them.


def appeal_documents_readable(user: Caller) -> QuerySet[Appeal]:
    appeals: QuerySet[Appeal] = Appeal.objects.visible_to(user)
    return appeals


def check_appeal_takes_documents(appeal: Appeal, amendment: object = None) -> None:
    if appeal.status != Appeal.Status.OPEN:
        raise InvalidTransition(_("Documents are added to an appeal while it is open."))


DOCUMENT_OWNERS = (
    Owner(
        model=Appeal,
        name="appeal",
        attach_permission="evaluations.attach_document_to_appeal",
        readable=appeal_documents_readable,
        kinds=(Document.Kind.EVIDENCE, Document.Kind.OTHER),
        check_attachable=check_appeal_takes_documents,
    ),
)
