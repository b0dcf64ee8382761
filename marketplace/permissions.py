"""Who may see and do what in the marketplace: rules predicates and visibility querysets."""

import datetime

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict
from common.months import add_months
from documents.models import Document
from documents.owners import Owner
from marketplace.errors import MarketplaceError
from orgs.auth import Caller, signed_in
from orgs.models import Membership, Organization, User
from orgs.permissions import has_role, is_platform_admin, organization_ids_ever_of, organization_ids_of

from .models import Award, Bid, BudgetLine, Exclusion, Question, Tender

Role = Membership.Role
BUREAU_ROLES = (Role.ADMIN, Role.OFFICER, Role.FINANCE, Role.EVALUATOR)
PROVIDER_ROLES = (Role.ADMIN, Role.STAFF)


def bureau_member_ids(user: Caller) -> list[int]:
    """The verified bureaus the user works for (admin, officer, finance or evaluator): their
    tenders, drafts included, and their budget lines."""
    return organization_ids_of(user, *BUREAU_ROLES, verified_only=True)


def acting_provider_ids(user: Caller) -> list[int]:
    """The verified organisations where the user acts for a provider (admin or staff): they bid
    and ask questions."""
    return organization_ids_of(user, *PROVIDER_ROLES, verified_only=True)


@rules.predicate
def is_tender_officer(user: Caller, tender: Tender) -> bool:
    return has_role(user, tender.bureau_id, Role.OFFICER)


@rules.predicate
def is_tender_bureau_member(user: Caller, tender: Tender) -> bool:
    return has_role(user, tender.bureau_id, *BUREAU_ROLES)


@rules.predicate
def is_tender_evaluator(user: Caller, tender: Tender) -> bool:
    return has_role(user, tender.bureau_id, Role.EVALUATOR)


@rules.predicate
def is_provider_member(user: Caller) -> bool:
    return bool(acting_provider_ids(user))


@rules.predicate
def is_bid_provider_member(user: Caller, bid: Bid) -> bool:
    return has_role(user, bid.provider_id, *PROVIDER_ROLES)


@rules.predicate
def is_bid_officer(user: Caller, bid: Bid) -> bool:
    return has_role(user, bid.tender.bureau_id, Role.OFFICER)


@rules.predicate
def is_budget_manager_of(user: Caller, bureau: Organization) -> bool:
    """Bureau admins and finance staff fund budget lines."""
    return has_role(user, bureau.id, Role.ADMIN, Role.FINANCE)


@rules.predicate
def is_member_of_provider(user: Caller, provider: Organization) -> bool:
    return provider.kind == Organization.Kind.PROVIDER and has_role(user, provider.id, *PROVIDER_ROLES)


def tenders_visible_to(tenders: QuerySet[Tender], user: Caller) -> QuerySet[Tender]:
    """``Tender.objects.visible_to(user)``: published and later tenders are public; drafts are seen
    by their bureau and the admin."""
    if is_platform_admin(user):
        return tenders
    visible = Q(status__in=Tender.PUBLIC_STATUSES)
    bureau_ids = bureau_member_ids(user)
    if bureau_ids:
        visible |= Q(bureau_id__in=bureau_ids)
    return tenders.filter(visible)


def awards_visible_to(awards: QuerySet[Award], user: Caller) -> QuerySet[Award]:
    """``Award.objects.visible_to(user)``: an award notice is public with its tender (awards exist
    only from ``award_proposed`` on, when the tender is public)."""
    return awards.filter(tender__in=tenders_visible_to(Tender.objects.all(), user))


def budget_lines_visible_to(lines: QuerySet[BudgetLine], user: Caller) -> QuerySet[BudgetLine]:
    """``BudgetLine.objects.visible_to(user)``: a bureau's budget lines are seen by its members and
    the admin."""
    lines = lines.select_related("bureau")
    if is_platform_admin(user):
        return lines
    return lines.filter(bureau_id__in=bureau_member_ids(user))


# The sealed-bids rule. A bid is opened when its tender closes at the deadline (``tender_close``),
# and only an opened bid may be read by anyone but its bidder. Whatever else happens to the tender
# — cancelled while published, even after the deadline but before closing — bids that were never
# opened stay sealed for good: they are returned unopened.


def is_bid_sealed(bid: Bid) -> bool:
    """Whether the bid's content (price, proposals, declarations) is hidden from all but its bidder:
    the pages, the API and the Django admin ask this one question."""
    return not bid.is_opened


def check_bids_unsealed(tender: Tender) -> None:
    """Refuse (409 ``bids_sealed``) to list or rank the bids of a tender whose bids were never opened."""
    if not tender.is_sealed:
        return
    if tender.status == Tender.Status.CANCELLED:
        message = _("The tender was cancelled before its deadline: its bids are returned unopened.")
    else:
        message = _("Bids stay sealed until the deadline.")
    raise Conflict(message, code=MarketplaceError.BIDS_SEALED)


def bids_visible_to(bids: QuerySet[Bid], user: Caller) -> QuerySet[Bid]:
    """``Bid.objects.visible_to(user)``: a provider sees its own bids. The bureau (and the admin)
    sees a bid only once it has been opened, at the deadline: until then, and for good if the tender
    is cancelled before it closes, bids stay sealed for everyone but the bidder."""
    bids = bids.select_related("tender", "provider")
    if not signed_in(user):
        return bids.none()
    own = Q(provider_id__in=organization_ids_of(user, verified_only=False))
    opened = Q(status__in=Bid.OPENED_STATUSES)
    if is_platform_admin(user):
        return bids.filter(own | opened)
    bureau_ids = bureau_member_ids(user)
    return bids.filter(own | (opened & Q(tender__bureau_id__in=bureau_ids)))


# How long a past membership still counts for an evaluator's conflict of interest (docs/rules.md §17.7).
CONFLICT_LOOKBACK_MONTHS = 36


def conflict_organization_ids(user: Caller, now: datetime.datetime | None = None) -> list[int]:
    """The organisations an evaluator may not judge: those they belong to (in any status) or
    belonged to within the last 3 years (docs/rules.md §17.7)."""
    since = add_months(now or timezone.now(), -CONFLICT_LOOKBACK_MONTHS)
    return organization_ids_ever_of(user, since=since)


def is_conflicted_on_bid(user: Caller, bid: Bid) -> bool:
    """Whether the user belongs, or belonged within 3 years, to the bid's provider."""
    return bid.provider_id in conflict_organization_ids(user)


def is_conflicted_on_tender(user: Caller, tender: Tender) -> bool:
    """Whether the user belongs (in any status), or belonged within 3 years, to an organisation
    bidding on the tender: such a member has a conflict of interest as the tender's evaluator."""
    return tender.bids.filter(provider_id__in=conflict_organization_ids(user)).exists()


def provider_admin_ids(provider: Organization) -> list[int]:
    """Who is told about the provider's exclusion: its admins."""
    return list(
        User.objects.filter(memberships__organization=provider, memberships__role=Role.ADMIN)
        .distinct()
        .values_list("id", flat=True)
    )


@rules.predicate
def is_exclusion_officer(user: Caller, exclusion: Exclusion) -> bool:
    """An officer of the bureau that caused the exclusion (docs/rules.md §17.6)."""
    return has_role(user, exclusion.bureau_id, Role.OFFICER)


def tender_bids_visible_to(user: User, tender: Tender) -> QuerySet[Bid]:
    """The bids of one tender the user may list. While they are sealed the list is refused — 409
    ``bids_sealed`` — for everyone but providers, who see their own bids only."""
    is_provider = bool(organization_ids_of(user, kind=Organization.Kind.PROVIDER, verified_only=False))
    if not is_provider:
        check_bids_unsealed(tender)
    bids: QuerySet[Bid] = Bid.objects.visible_to(user)
    return bids.filter(tender=tender)


def provider_people_ids(provider_ids: list[int]) -> list[int]:
    """Who is told about a tender one of these providers bids on (an amendment, the award notice):
    the members acting for the provider, its admins and staff."""
    return list(
        User.objects.filter(
            memberships__organization_id__in=provider_ids, memberships__role__in=PROVIDER_ROLES
        )
        .distinct()
        .order_by("id")
        .values_list("id", flat=True)
    )


def questions_visible_to(questions: QuerySet[Question], user: Caller) -> QuerySet[Question]:
    """``Question.objects.visible_to(user)`` (``tender.questions.visible_to(user)``): answered
    questions are public with the tender; unanswered ones are seen by the tender's bureau (as
    ``is_tender_bureau_member`` says), the asking organisation and the admin."""
    if is_platform_admin(user):
        return questions
    visible = Q(answered_at__isnull=False)
    if signed_in(user):
        visible |= Q(tender__bureau_id__in=bureau_member_ids(user))
        visible |= Q(asker_organization_id__in=organization_ids_of(user, verified_only=False))
    return questions.filter(visible)


# The permissions of the marketplace, registered by ``MarketplaceConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "marketplace.add_catalogue_item": is_platform_admin,
    "marketplace.add_budget_line_of": is_budget_manager_of,
    # Tender transitions and writes: the bureau's officers.
    "marketplace.change_tender": is_tender_officer,
    "marketplace.publish_tender": is_tender_officer,
    "marketplace.amend_tender": is_tender_officer,
    "marketplace.close_tender": is_tender_officer,
    "marketplace.cancel_tender": is_tender_officer,
    "marketplace.award_tender": is_tender_officer,
    "marketplace.finalize_award_tender": is_tender_officer,
    "marketplace.answer_question_on_tender": is_tender_officer,
    "marketplace.ask_question_on_tender": is_provider_member & ~is_tender_bureau_member,
    "marketplace.declare_on_tender": is_tender_evaluator,
    "marketplace.view_ranking_of_tender": is_tender_bureau_member | is_platform_admin,
    "marketplace.view_individual_scores_of_tender": is_tender_officer | is_platform_admin,
    # Nobody acts as bureau and provider on the same tender: the bureau's members buy through it.
    "marketplace.buy_through_tender": is_tender_bureau_member,
    "marketplace.bid_on_tender": is_provider_member & ~is_tender_bureau_member,
    "marketplace.bid_for_provider": is_member_of_provider,
    "marketplace.change_bid": is_bid_provider_member,
    "marketplace.submit_bid": is_bid_provider_member,
    "marketplace.withdraw_bid": is_bid_provider_member,
    "marketplace.disqualify_bid": is_bid_officer,
    # Documents (docs/rules.md §17.2): attaching, and removing from a draft.
    "marketplace.attach_document_to_tender": is_tender_officer,
    "marketplace.attach_document_to_bid": is_bid_provider_member,
    "marketplace.lift_exclusion": is_exclusion_officer,
}

# Each API verb of a machine: (the transition's method, permission); see orgs.permissions.
TENDER_TRANSITIONS = {
    "publish": ("publish", "marketplace.publish_tender"),
    "amend": ("amend", "marketplace.amend_tender"),
    "close": ("close", "marketplace.close_tender"),
    "cancel": ("cancel", "marketplace.cancel_tender"),
    "award": ("award", "marketplace.award_tender"),
    "finalize-award": ("finalize_award", "marketplace.finalize_award_tender"),
}
EXCLUSION_TRANSITIONS = {
    "lift": ("lift", "marketplace.lift_exclusion"),
}
BID_TRANSITIONS = {
    "submit": ("submit", "marketplace.submit_bid"),
    "withdraw": ("withdraw", "marketplace.withdraw_bid"),
    "disqualify": ("disqualify", "marketplace.disqualify_bid"),
}


# Documents (docs/rules.md §17.2): the tender's officers attach documents to a draft tender (to a
# published one only as part of an amendment); a bid's provider to its draft bid. Who reads them:
# a tender's documents whoever sees the tender; a bid's exactly who may read the bid's content —
# its bidder always, the bureau and the platform admin only once the bid is opened.


def tender_documents_readable(user: Caller) -> QuerySet[Tender]:
    tenders: QuerySet[Tender] = Tender.objects.visible_to(user)
    return tenders


def bid_documents_readable(user: Caller) -> QuerySet[Bid]:
    """Bids whose documents the user may read: sealed (``is_bid_sealed``) like the bid's content."""
    bids: QuerySet[Bid] = Bid.objects.visible_to(user)
    readable = Q(status__in=Bid.OPENED_STATUSES)
    if signed_in(user):
        readable |= Q(provider_id__in=organization_ids_of(user, verified_only=False))
    return bids.filter(readable)


def check_tender_takes_documents(tender: Tender, amendment: object = None) -> None:
    """A draft tender takes documents; a published one only as part of an amendment (the amendment
    service passes it as ``amendment``); any other state is 409 ``not_editable``."""
    if tender.status == Tender.Status.DRAFT:
        return
    if tender.status == Tender.Status.PUBLISHED and amendment is not None:
        return
    raise Conflict(
        _("Documents are added to a tender while it is a draft."), code=MarketplaceError.NOT_EDITABLE
    )


def check_bid_takes_documents(bid: Bid, amendment: object = None) -> None:
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(
            _("Documents are added to a bid while it is a draft."), code=MarketplaceError.NOT_EDITABLE
        )


DOCUMENT_OWNERS = (
    Owner(
        model=Tender,
        name="tender",
        attach_permission="marketplace.attach_document_to_tender",
        readable=tender_documents_readable,
        kinds=(Document.Kind.TENDER_DOCUMENTS, Document.Kind.CLARIFICATION, Document.Kind.OTHER),
        check_attachable=check_tender_takes_documents,
        removable=lambda tender: tender.status == Tender.Status.DRAFT,
    ),
    Owner(
        model=Bid,
        name="bid",
        attach_permission="marketplace.attach_document_to_bid",
        readable=bid_documents_readable,
        kinds=(Document.Kind.QUALIFICATION, Document.Kind.TECHNICAL_PROPOSAL, Document.Kind.OTHER),
        check_attachable=check_bid_takes_documents,
        removable=lambda bid: bid.status == Bid.Status.DRAFT,
    ),
)
