import hashlib
import json
import logging
from typing import Any

import rules
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.transitions import run_transition
from documents.selectors import document_hashes
from documents.services import documents_intact
from marketplace.errors import MarketplaceError
from orgs.errors import OrgsError
from orgs.models import Organization, User

from ..models import Bid, Tender
from .exclusions import check_not_excluded

# The StateLog description of opening a bid whose content no longer matches its receipt.
TAMPERED_DESCRIPTION = reasons.BID_TAMPERED

logger = logging.getLogger(__name__)


def _bidding_open(tender: Tender) -> bool:
    return tender.is_bidding_open


def _check_conflict_of_interest(actor: User, tender: Tender) -> None:
    """Nobody may act as bureau and provider on the same tender."""
    if rules.has_perm("marketplace.buy_through_tender", actor, tender):
        raise Forbidden(
            _("Members of the buying bureau may not bid on its tender."), code=OrgsError.CONFLICT_OF_INTEREST
        )


def _apply(bid: Bid, data: dict[str, Any]) -> None:
    for key in ("price_amount", "technical_proposal", "staffing_plan"):
        if key in data:
            setattr(bid, key, data[key])
    for key, value in data.get("declarations", {}).items():
        setattr(bid, f"declaration_{key}", value)


def _check_price(bid: Bid, tender: Tender) -> None:
    if bid.price_amount > tender.ceiling_amount:
        raise Invalid({"price_amount": [_("The price may not exceed the tender's ceiling.")]})


def _draft_exists(draft_id: int | None) -> Conflict:
    return Conflict(
        _("Your organisation already has a draft bid on this tender: continue with it."),
        code=MarketplaceError.DRAFT_EXISTS,
        extra={"bid": draft_id},
    )


@transaction.atomic
def bid_create(*, actor: User, tender: Tender, provider: Organization, data: dict[str, Any]) -> Bid:
    """A verified provider's member prepares a draft bid while bidding is open; a provider holds at
    most one draft per tender (409 ``draft_exists`` names it), which all its members work on."""
    if not rules.has_perm("marketplace.bid_for_provider", actor, provider):
        raise Forbidden()
    _check_conflict_of_interest(actor, tender)
    if not _bidding_open(tender):
        raise Conflict(_("This tender is not open for bidding."), code=MarketplaceError.BIDDING_CLOSED)
    drafts = Bid.objects.filter(tender=tender, provider=provider, status=Bid.Status.DRAFT)
    existing = drafts.values_list("pk", flat=True).first()
    if existing is not None:
        raise _draft_exists(existing)
    bid: Bid = Bid(tender=tender, provider=provider, created_by=actor)
    _apply(bid, data)
    _check_price(bid, tender)
    try:
        with transaction.atomic():
            bid.save()
    except IntegrityError as error:  # a concurrent create by another member of the provider
        existing = drafts.values_list("pk", flat=True).first()
        if existing is None:
            raise
        raise _draft_exists(existing) from error
    return bid


@transaction.atomic
def bid_update(*, actor: User, bid: Bid, data: dict[str, Any]) -> Bid:
    bid = Bid.objects.select_for_update().select_related("tender").get(pk=bid.pk)
    if not rules.has_perm("marketplace.change_bid", actor, bid):
        raise Forbidden()
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(_("Only a draft bid can be edited."), code=MarketplaceError.NOT_EDITABLE)
    _apply(bid, data)
    _check_price(bid, bid.tender)
    bid.save()
    return bid


def receipt_for(bid: Bid) -> str:
    """SHA-256 of the bid's canonical content at submission: the bidder's proof of what it sent.
    It covers the SHA-256 of each of the bid's documents (sorted); a bid without documents has the
    content it always had, so receipts made before documents existed still match
    (docs/rules.md §17.2)."""
    content: dict[str, Any] = {
        "tender": bid.tender_id,
        "provider": bid.provider_id,
        "price_amount": bid.price_amount,
        "currency": bid.tender.currency,
        "technical_proposal": bid.technical_proposal,
        "staffing_plan": bid.staffing_plan,
        "declarations": bid.declarations,
        "submitted_at": bid.submitted_at.isoformat() if bid.submitted_at else None,
    }
    documents = document_hashes(bid)
    if documents:
        content["documents"] = documents
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def bid_open(*, actor: User | None, bid: Bid) -> Bid:
    """Open a submitted bid at close, checking first that its stored content still has the receipt
    made at submission (``receipt_for``, which covers its documents' SHA-256: a document added or
    removed since changes it) and that each document's stored bytes still hash to their SHA-256: a
    mismatch means the bid was changed after it was sealed, so it is marked tampered
    (``tampered_at``), logged, and shown to the bureau — never silently opened. The caller
    (``tender_close``) holds the tender's and the bid's locks."""
    assert transaction.get_connection().in_atomic_block
    description = None
    if receipt_for(bid) != bid.receipt or not documents_intact(bid):
        bid.tampered_at = timezone.now()
        description = TAMPERED_DESCRIPTION
        logger.warning(
            "bid %s of tender %s: stored content does not match its receipt; marked tampered",
            bid.pk,
            bid.tender_id,
        )
    return run_transition(bid, bid.open, by=actor, description=description)


@transaction.atomic
def bid_submit(*, actor: User, bid: Bid) -> Bid:
    """Submit seals the bid: verified provider, tender open, price within the ceiling, every
    declaration made, one live bid per provider and tender."""
    tender = Tender.objects.select_for_update().get(pk=bid.tender_id)  # serialises with close
    bid = Bid.objects.select_for_update().select_related("provider").get(pk=bid.pk)
    if not rules.has_perm("marketplace.submit_bid", actor, bid):
        raise Forbidden()
    _check_conflict_of_interest(actor, tender)
    if bid.status != Bid.Status.DRAFT:
        raise InvalidTransition()
    if not _bidding_open(tender):
        raise Conflict(_("This tender is not open for bidding."), code=MarketplaceError.BIDDING_CLOSED)
    check_not_excluded(bid.provider)  # docs/rules.md §17.6
    if bid.price_amount > tender.ceiling_amount:
        raise Conflict(
            _("The price exceeds the tender's ceiling."), code=MarketplaceError.PRICE_ABOVE_CEILING
        )
    if not bid.declarations_complete:
        raise Conflict(
            _("Every declaration must be made before submitting."),
            code=MarketplaceError.DECLARATIONS_REQUIRED,
        )
    if Bid.objects.filter(tender=tender, provider=bid.provider, status=Bid.Status.SUBMITTED).exists():
        raise Conflict(
            _("Your organisation already has a submitted bid here."), code=MarketplaceError.DUPLICATE_BID
        )
    bid.submitted_at = timezone.now()
    try:
        with transaction.atomic():
            run_transition(bid, bid.submit, by=actor, receipt=receipt_for(bid))
    except IntegrityError as error:  # a concurrent submission of another draft
        raise Conflict(
            _("Your organisation already has a submitted bid here."), code=MarketplaceError.DUPLICATE_BID
        ) from error
    return bid


@transaction.atomic
def bid_withdraw(*, actor: User, bid: Bid) -> Bid:
    tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
    bid = Bid.objects.select_for_update().get(pk=bid.pk)
    if not rules.has_perm("marketplace.withdraw_bid", actor, bid):
        raise Forbidden()
    if bid.status != Bid.Status.SUBMITTED:
        raise InvalidTransition()
    if not _bidding_open(tender):
        raise Conflict(
            _("Bids can be withdrawn only before the deadline."), code=MarketplaceError.BIDDING_CLOSED
        )
    return run_transition(bid, bid.withdraw, by=actor)


@transaction.atomic
def bid_disqualify(*, actor: User, bid: Bid, reason: str) -> Bid:
    """An officer disqualifies an opened bid, with a reason, while the bids are scored (`evaluating`)."""
    tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
    bid = Bid.objects.select_for_update().select_related("tender").get(pk=bid.pk)
    if not rules.has_perm("marketplace.disqualify_bid", actor, bid):
        raise Forbidden()
    if not reason.strip():
        raise Invalid({"reason": [_("Give the reason for disqualifying.")]})
    if tender.status != Tender.Status.EVALUATING:
        raise InvalidTransition()
    return run_transition(bid, bid.disqualify, by=actor, description=reason.strip())
