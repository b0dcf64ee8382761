import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm_log.models import StateLog

from common.history import history_of
from common.workdays import end_of_day
from marketplace.models import Award, Tender
from orgs.auth import Caller

from .models import Contract, Variation

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


# --- The contract's timeline (docs/rules.md §17.8) -----------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a contract's timeline, shaped like a django-fsm-log ``StateLog`` (what
    ``common.history.StateLogSerializer`` and the pages read): a transition of the contract, or a
    step of one of its variations (``variation`` set; ``transition`` then starts with
    ``variation_`` and the states are the variation's)."""

    transition: str
    source_state: str | None
    state: str
    timestamp: datetime.datetime
    by: Any
    description: str | None
    variation: Variation | None = None
    order: int = 0  # among steps at the same instant: proposed, signatures, then in effect


def _variation_steps(variation: Variation) -> list[HistoryEntry]:
    """The steps of a variation that are not state changes: its proposal and each signature."""
    steps = [
        HistoryEntry(
            "variation_propose",
            None,
            Variation.Status.PROPOSED,
            variation.created_at,
            variation.created_by,
            variation.reason,
            variation,
        )
    ]
    for transition, at, by in (
        ("variation_sign_bureau", variation.bureau_signed_at, variation.bureau_signed_by),
        ("variation_sign_provider", variation.provider_signed_at, variation.provider_signed_by),
    ):
        if at is not None:
            steps.append(
                HistoryEntry(
                    transition,
                    Variation.Status.PROPOSED,
                    Variation.Status.PROPOSED,
                    at,
                    by,
                    None,
                    variation,
                    1,
                )
            )
    return steps


def contract_history(*, user: Caller, contract: Contract) -> list[HistoryEntry]:
    """The contract's transitions and, for each variation the user may see, its steps: proposed,
    signed by each party, in effect or withdrawn — in time order, in three queries whatever the
    number of variations."""
    entries = [
        HistoryEntry(log.transition, log.source_state, log.state, log.timestamp, log.by, log.description)
        for log in history_of(contract)
    ]
    variations = {
        variation.pk: variation
        for variation in Variation.objects.visible_to(user)
        .filter(contract=contract)
        .select_related("created_by", "bureau_signed_by", "provider_signed_by")
    }
    for variation in variations.values():
        entries.extend(_variation_steps(variation))
    if variations:
        logs = StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Variation), object_id__in=list(variations)
        ).select_related("by")
        entries.extend(
            HistoryEntry(
                f"variation_{log.transition}",  # variation_take_effect, variation_withdraw
                log.source_state,
                log.state,
                log.timestamp,
                log.by,
                log.description,
                variations[int(log.object_id)],
                2,
            )
            for log in logs
        )
    return sorted(entries, key=lambda entry: (entry.timestamp, entry.order))
