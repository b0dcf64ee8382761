import hashlib
import json
from typing import Any

import rules
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.transitions import run_transition
from orgs.models import Organization, User
from orgs.permissions import has_role

from ..models import Bid, Tender
from ..permissions import BUREAU_ROLES, PROVIDER_ROLES

DECLARATIONS = ("eligibility", "no_double_funding", "no_conflict")


def _bidding_open(tender: Tender) -> bool:
    return tender.is_bidding_open


def _check_conflict_of_interest(actor: User, tender: Tender) -> None:
    """Nobody may act as bureau and provider on the same tender."""
    if has_role(actor, tender.bureau_id, *BUREAU_ROLES):
        raise Forbidden(
            _("Members of the buying bureau may not bid on its tender."), code="conflict_of_interest"
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


@transaction.atomic
def bid_create(*, actor: User, tender: Tender, provider: Organization, data: dict[str, Any]) -> Bid:
    """A verified provider's member prepares a draft bid while bidding is open."""
    if not has_role(actor, provider.id, *PROVIDER_ROLES) or provider.kind != Organization.Kind.PROVIDER:
        raise Forbidden()
    _check_conflict_of_interest(actor, tender)
    if not _bidding_open(tender):
        raise Conflict(_("This tender is not open for bidding."), code="bidding_closed")
    bid = Bid(tender=tender, provider=provider, created_by=actor)
    _apply(bid, data)
    _check_price(bid, tender)
    bid.save()
    return bid


@transaction.atomic
def bid_update(*, actor: User, bid: Bid, data: dict[str, Any]) -> Bid:
    bid = Bid.objects.select_for_update().select_related("tender").get(pk=bid.pk)
    if not rules.has_perm("marketplace.change_bid", actor, bid):
        raise Forbidden()
    if bid.status != Bid.Status.DRAFT:
        raise Conflict(_("Only a draft bid can be edited."), code="not_editable")
    _apply(bid, data)
    _check_price(bid, bid.tender)
    bid.save()
    return bid


def receipt_for(bid: Bid) -> str:
    """SHA-256 of the bid's canonical content at submission: the bidder's proof of what it sent."""
    content = {
        "tender": bid.tender_id,
        "provider": bid.provider_id,
        "price_amount": bid.price_amount,
        "currency": bid.tender.currency,
        "technical_proposal": bid.technical_proposal,
        "staffing_plan": bid.staffing_plan,
        "declarations": {key: getattr(bid, f"declaration_{key}") for key in DECLARATIONS},
        "submitted_at": bid.submitted_at.isoformat() if bid.submitted_at else None,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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
        raise Conflict(_("This tender is not open for bidding."), code="bidding_closed")
    if bid.price_amount > tender.ceiling_amount:
        raise Conflict(_("The price exceeds the tender's ceiling."), code="price_above_ceiling")
    if not bid.declarations_complete:
        raise Conflict(_("Every declaration must be made before submitting."), code="declarations_required")
    if Bid.objects.filter(tender=tender, provider=bid.provider, status=Bid.Status.SUBMITTED).exists():
        raise Conflict(_("Your organisation already has a submitted bid here."), code="duplicate_bid")
    bid.submitted_at = timezone.now()
    try:
        with transaction.atomic():
            run_transition(bid, bid.submit, by=actor, receipt=receipt_for(bid))
    except IntegrityError as error:  # a concurrent submission of another draft
        raise Conflict(
            _("Your organisation already has a submitted bid here."), code="duplicate_bid"
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
        raise Conflict(_("Bids can be withdrawn only before the deadline."), code="bidding_closed")
    return run_transition(bid, bid.withdraw, by=actor)


@transaction.atomic
def bid_disqualify(*, actor: User, bid: Bid, reason: str) -> Bid:
    """An officer disqualifies an opened bid, with a reason, while the tender is evaluated."""
    tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
    bid = Bid.objects.select_for_update().select_related("tender").get(pk=bid.pk)
    if not rules.has_perm("marketplace.disqualify_bid", actor, bid):
        raise Forbidden()
    if not reason.strip():
        raise Invalid({"reason": [_("Give the reason for disqualifying.")]})
    if tender.status != Tender.Status.EVALUATING:
        raise InvalidTransition()
    return run_transition(bid, bid.disqualify, by=actor, description=reason.strip())
