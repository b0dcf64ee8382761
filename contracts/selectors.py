import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.workdays import end_of_day
from marketplace.models import Award, Tender
from orgs.auth import Caller

from .models import Contract

# Lists that show signing deadlines prefetch this (``prefetch_related(AWARDS)``): one query for all.
AWARDS = "tender__awards"


def contract_list(*, user: Caller) -> QuerySet[Contract]:
    contracts: QuerySet[Contract] = Contract.objects.visible_to(user)
    return contracts.select_related("tender").prefetch_related("instalments__payments", AWARDS, "variations")


def award_notice_at(tender: Tender) -> datetime.datetime | None:
    """When the award was notified: the standing award's notice (``marketplace.models.Award``). The
    one place that says so (docs/rules.md §17.8). Reads ``tender.awards`` (prefetched or not)."""
    standing = [award for award in tender.awards.all() if award.status != Award.Status.ANNULLED]
    if not standing:
        return None
    notice: datetime.datetime = max(standing, key=lambda award: award.pk).notice_published_at
    return notice


def sign_by(contract: Contract) -> datetime.datetime | None:
    """The signing deadline: the end of the local day ``CONTRACT_SIGN_DAYS`` days after the award
    notice (docs/rules.md §17.8)."""
    notice = award_notice_at(contract.tender)
    if notice is None:
        return None
    return end_of_day(timezone.localdate(notice) + datetime.timedelta(days=settings.CONTRACT_SIGN_DAYS))


def is_signing_overdue(contract: Contract, deadline: datetime.datetime | None = None) -> bool:
    """A draft contract not signed by both parties after its signing deadline (``deadline``: its
    ``sign_by``, when the caller has it already)."""
    if contract.status != Contract.Status.DRAFT:
        return False
    deadline = deadline or sign_by(contract)
    return deadline is not None and timezone.now() > deadline
