"""Reads of community task admission (docs/rules.md §23): the admission list, the tasks, and a
community's workload per year."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from orgs.auth import Caller
from orgs.models import Organization
from payments.models import Disbursement

from .models import AdmissionItem, CommunityTask

Status = CommunityTask.Status


def admission_item_list() -> QuerySet[AdmissionItem]:
    """The admission list is public: the district-wide items and every bureau's."""
    return AdmissionItem.objects.select_related("bureau").order_by("id")


def community_task_list(*, user: Caller) -> QuerySet[CommunityTask]:
    tasks: QuerySet[CommunityTask] = CommunityTask.objects.visible_to(user)
    return tasks.order_by("-id")


def public_communities() -> QuerySet[Organization]:
    """The communities whose workload is public: verified community committees."""
    communities: QuerySet[Organization] = Organization.objects.filter(
        kind=Organization.Kind.COMMUNITY, status=Organization.Status.VERIFIED
    )
    return communities.order_by("id")


@dataclass(frozen=True)
class WorkloadYear:
    """One year of a community's tasks (by the year each task starts). ``proposed`` counts every
    task sent and not withdrawn; ``refused_protected`` the refusals of unlisted or unfunded
    tasks; ``funded_amount`` the funding of the accepted tasks, ``received_amount`` what was paid."""

    year: int
    proposed: int
    pending: int
    accepted: int
    refused: int
    refused_protected: int
    funded_amount: int
    received_amount: int


def workload_of(*, community: Organization, year: int | None = None) -> list[WorkloadYear]:
    """The community's workload per year, newest first: one aggregate query."""
    tasks = CommunityTask.objects.filter(community=community).exclude(status=Status.WITHDRAWN)
    if year is not None:
        tasks = tasks.filter(starts__year=year)
    accepted = Q(status__in=CommunityTask.ACCEPTED_STATUSES)
    rows = (
        tasks.annotate(year=ExtractYear("starts"))
        .values("year")
        .annotate(
            proposed=Count("id"),
            pending=Count("id", filter=Q(status=Status.PROPOSED)),
            accepted=Count("id", filter=accepted),
            refused=Count("id", filter=Q(status=Status.REFUSED)),
            refused_protected=Count("id", filter=Q(status=Status.REFUSED, refusal_protected=True)),
            funded_amount=Sum("funding_amount", filter=accepted),
            received_amount=Sum(
                "disbursement__amount", filter=Q(disbursement__status=Disbursement.Status.SUCCEEDED)
            ),
        )
        .order_by("-year")
    )
    return [
        WorkloadYear(
            year=row["year"],
            proposed=row["proposed"],
            pending=row["pending"],
            accepted=row["accepted"],
            refused=row["refused"],
            refused_protected=row["refused_protected"],
            funded_amount=int(row["funded_amount"] or 0),
            received_amount=int(row["received_amount"] or 0),
        )
        for row in rows
    ]
