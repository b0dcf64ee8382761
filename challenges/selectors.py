"""Reads of challenges and complaints for the pages and the waiting lists (docs/rules.md §17.5)."""

from django.db.models import QuerySet

from marketplace.models import Tender
from orgs.auth import Caller

from .models import Challenge, Complaint
from .permissions import officer_bureau_ids, own_provider_ids, review_body_ids


def challenge_list(*, user: Caller) -> QuerySet[Challenge]:
    """Every challenge the user may see (``Challenge.objects.visible_to``), its complaint joined."""
    challenges: QuerySet[Challenge] = Challenge.objects.visible_to(user)
    return challenges.order_by("-submitted_at", "-id")


def challenges_of_tender(*, user: Caller, tender: Tender) -> QuerySet[Challenge]:
    return challenge_list(user=user).filter(tender=tender)


def own_challenges(*, user: Caller, verified_only: bool = False) -> QuerySet[Challenge]:
    """The challenges of the providers the user belongs to."""
    return challenge_list(user=user).filter(
        provider_id__in=own_provider_ids(user, verified_only=verified_only)
    )


def complaint_list(*, user: Caller) -> QuerySet[Complaint]:
    complaints: QuerySet[Complaint] = Complaint.objects.visible_to(user)
    return complaints.order_by("-submitted_at", "-id")


def complaints_to_decide(*, user: Caller) -> QuerySet[Complaint]:
    """The open complaints made to the review bodies the user decides for, oldest due first."""
    return (
        complaint_list(user=user)
        .filter(review_body_id__in=review_body_ids(user), status=Complaint.Status.OPEN)
        .order_by("decide_due", "id")
    )


def replies_due(*, user: Caller) -> QuerySet[Challenge]:
    """The challenges awaiting a reply from the bureaus where the user is an officer (and not yet
    taken to the review body), oldest due first."""
    bureau_ids = officer_bureau_ids(user)
    due: QuerySet[Challenge] = (
        Challenge.objects.filter(
            tender__bureau_id__in=bureau_ids, status=Challenge.Status.SUBMITTED, complaint__isnull=True
        )
        .select_related("tender")
        .order_by("reply_due", "id")
    )
    return due
