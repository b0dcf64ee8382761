import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from common.workdays import end_of_day
from marketplace.models import Tender
from orgs.auth import Caller

from .models import Contract


def contract_list(*, user: Caller) -> QuerySet[Contract]:
    contracts: QuerySet[Contract] = Contract.objects.visible_to(user)
    return contracts.select_related("tender").prefetch_related("instalments__payments")


def award_notice_at(tender: Tender) -> datetime.datetime | None:
    """When the award was notified: the moment the tender was awarded (its standstill, in calendar
    days, runs from then). The one place that says so (docs/rules.md §17.8)."""
    if tender.standstill_until is None:
        return None
    return tender.standstill_until - datetime.timedelta(days=tender.standstill_days)


def sign_by(contract: Contract) -> datetime.datetime | None:
    """The signing deadline: the end of the local day ``CONTRACT_SIGN_DAYS`` days after the award
    notice (FR-7.2; docs/rules.md §17.8)."""
    notice = award_notice_at(contract.tender)
    if notice is None:
        return None
    return end_of_day(timezone.localdate(notice) + datetime.timedelta(days=settings.CONTRACT_SIGN_DAYS))


def is_signing_overdue(contract: Contract, now: datetime.datetime | None = None) -> bool:
    """A draft contract not signed by both parties after its signing deadline."""
    deadline = sign_by(contract)
    if contract.status != Contract.Status.DRAFT or deadline is None:
        return False
    return (now or timezone.now()) > deadline
