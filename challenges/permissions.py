"""Who may see and do what with challenges and complaints (docs/rules.md §17.5): rules predicates
and visibility querysets."""

import rules
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import InvalidTransition
from documents.models import Document
from documents.owners import Owner
from marketplace.permissions import BUREAU_ROLES, PROVIDER_ROLES, bureau_member_ids
from orgs.auth import Caller, signed_in
from orgs.models import Membership, Organization, User
from orgs.permissions import has_role, is_platform_admin, organization_ids_of

from .models import Challenge, Complaint

Role = Membership.Role
REVIEW_BODY_ROLES = (Role.ADMIN, Role.MEMBER)


def review_body_ids(user: Caller) -> list[int]:
    """The verified review bodies (finance departments) the user decides complaints for."""
    return organization_ids_of(
        user, *REVIEW_BODY_ROLES, kind=Organization.Kind.REVIEW_BODY, verified_only=True
    )


def officer_bureau_ids(user: Caller) -> list[int]:
    """The verified bureaus where the user is an officer: whose challenges the user replies to."""
    return organization_ids_of(user, Role.OFFICER, kind=Organization.Kind.BUREAU, verified_only=True)


def own_provider_ids(user: Caller, *, verified_only: bool) -> list[int]:
    """The providers the user belongs to: their challenges are the user's own."""
    return organization_ids_of(user, kind=Organization.Kind.PROVIDER, verified_only=verified_only)


def officers_of(bureau_id: int) -> QuerySet[User]:
    """Who is told of a challenge to the bureau's award and reminded of its reply: its officers."""
    return User.objects.filter(
        memberships__organization_id=bureau_id, memberships__role=Role.OFFICER, is_active=True
    ).distinct()


def reviewers_of(review_body_id: int) -> QuerySet[User]:
    """Who is told of a complaint and reminded of its decision: the review body's members."""
    return User.objects.filter(
        memberships__organization_id=review_body_id,
        memberships__role__in=REVIEW_BODY_ROLES,
        is_active=True,
    ).distinct()


@rules.predicate
def is_challenge_officer(user: Caller, challenge: Challenge) -> bool:
    return has_role(user, challenge.tender.bureau_id, Role.OFFICER)


@rules.predicate
def is_challenge_bureau_member(user: Caller, challenge: Challenge) -> bool:
    return has_role(user, challenge.tender.bureau_id, *BUREAU_ROLES)


@rules.predicate
def is_challenger(user: Caller, challenge: Challenge) -> bool:
    """A member of the challenging provider, acting for it (admin or staff, verified)."""
    return has_role(user, challenge.provider_id, *PROVIDER_ROLES)


@rules.predicate
def is_challenger_member(user: Caller, challenge: Challenge) -> bool:
    """A member of the challenging provider in any status: it reads its own challenges."""
    return challenge.provider_id in organization_ids_of(user, verified_only=False)


@rules.predicate
def is_challenge_reviewer(user: Caller, challenge: Challenge) -> bool:
    complaint = challenge.complaint_or_none
    return complaint is not None and has_role(user, complaint.review_body_id, *REVIEW_BODY_ROLES)


@rules.predicate
def is_complaint_reviewer(user: Caller, complaint: Complaint) -> bool:
    return has_role(user, complaint.review_body_id, *REVIEW_BODY_ROLES)


@rules.predicate
def is_complaint_party(user: Caller, complaint: Complaint) -> bool:
    challenge = complaint.challenge
    return bool(
        is_complaint_reviewer(user, complaint)
        or is_challenge_bureau_member(user, challenge)
        or is_challenger_member(user, challenge)
    )


def has_complaint(challenge: Challenge) -> bool:
    return challenge.complaint_or_none is not None


@rules.predicate
def may_reply_now(user: Caller, challenge: Challenge) -> bool:
    """An officer of the bureau replies to a challenge awaiting its reply, until the challenger has
    taken it to the review body."""
    return (
        challenge.status == Challenge.Status.SUBMITTED
        and is_challenge_officer(user, challenge)
        and not has_complaint(challenge)
    )


@rules.predicate
def may_complain_now(user: Caller, challenge: Challenge) -> bool:
    """The challenger complains after a dismissal, or once the reply is overdue, within the
    complaint window, once."""
    opens, until = challenge.complaint_opens, challenge.complaint_until
    now = timezone.now()
    return (
        opens is not None
        and until is not None
        and (challenge.status == Challenge.Status.DISMISSED or now > opens)
        and now <= until
        and is_challenger(user, challenge)
        and not has_complaint(challenge)
    )


@rules.predicate
def may_decide_now(user: Caller, complaint: Complaint) -> bool:
    return complaint.status == Complaint.Status.OPEN and is_complaint_reviewer(user, complaint)


def challenges_visible_to(challenges: QuerySet[Challenge], user: Caller) -> QuerySet[Challenge]:
    """``Challenge.objects.visible_to(user)``: the bureau sees its tenders' challenges, a provider
    its own, the review body those complained of to it; the public sees replied ones (without the
    challenger: ``is_challenge_party`` decides the representation)."""
    challenges = challenges.select_related("tender", "provider", "complaint")
    if is_platform_admin(user):
        return challenges
    visible = Q(status__in=Challenge.REPLIED_STATUSES)
    if signed_in(user):
        visible |= party_challenge_q(user)
    return challenges.filter(visible)


def party_challenge_q(user: Caller) -> Q:
    """The challenges the (signed-in) user is a party to: the bureau's members, the challenger's
    members and the review body its complaint went to."""
    return (
        Q(tender__bureau_id__in=bureau_member_ids(user))
        | Q(provider_id__in=organization_ids_of(user, verified_only=False))
        | Q(complaint__review_body_id__in=review_body_ids(user))
    )


def complaints_visible_to(complaints: QuerySet[Complaint], user: Caller) -> QuerySet[Complaint]:
    """``Complaint.objects.visible_to(user)``: its review body, the bureau and the challenger; the
    public sees decided ones (without the challenger)."""
    complaints = complaints.select_related(
        "challenge", "challenge__tender", "challenge__provider", "review_body"
    )
    if is_platform_admin(user):
        return complaints
    visible = ~Q(status=Complaint.Status.OPEN)
    if signed_in(user):
        visible |= Q(review_body_id__in=review_body_ids(user))
        visible |= Q(challenge__tender__bureau_id__in=bureau_member_ids(user))
        visible |= Q(challenge__provider_id__in=organization_ids_of(user, verified_only=False))
    return complaints.filter(visible)


# Documents (docs/rules.md §17.2, §17.5): the challenger's admins and staff attach the evidence for
# their grounds while the challenge awaits the bureau's reply; the parties (the bureau, the
# challenger, the review body its complaint went to) and the platform admin read it — never the
# public, who sees a replied challenge without its challenger.


def challenge_documents_readable(user: Caller) -> QuerySet[Challenge]:
    challenges: QuerySet[Challenge] = Challenge.objects.visible_to(user)
    if is_platform_admin(user):
        return challenges
    if not signed_in(user):
        return challenges.none()
    return challenges.filter(party_challenge_q(user))


def check_challenge_takes_documents(challenge: Challenge, amendment: object = None) -> None:
    if challenge.status != Challenge.Status.SUBMITTED:
        raise InvalidTransition(_("Documents are added to a challenge while it awaits the bureau's reply."))


DOCUMENT_OWNERS = (
    Owner(
        model=Challenge,
        name="challenge",
        attach_permission="challenges.attach_document_to_challenge",
        readable=challenge_documents_readable,
        kinds=(Document.Kind.EVIDENCE, Document.Kind.OTHER),
        check_attachable=check_challenge_takes_documents,
    ),
)


# The permissions of challenges and complaints, registered by ``ChallengesConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "challenges.reply_to_challenge": may_reply_now,
    "challenges.complain_about_challenge": may_complain_now,
    "challenges.decide_complaint": may_decide_now,
    "challenges.attach_document_to_challenge": is_challenger,
    # Who sees the challenger's name and the whole file: the parties and the admin.
    "challenges.view_challenge_details": (
        is_challenge_bureau_member | is_challenger_member | is_challenge_reviewer | is_platform_admin
    ),
    "challenges.view_complaint_details": is_complaint_party | is_platform_admin,
}

# Each API verb: (the transition's method, or None, and the permission); see orgs.permissions.
CHALLENGE_TRANSITIONS = {
    "reply": (None, "challenges.reply_to_challenge"),
    "complain": (None, "challenges.complain_about_challenge"),
}
COMPLAINT_TRANSITIONS = {
    "decide": (None, "challenges.decide_complaint"),
}
