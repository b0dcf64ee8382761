import datetime
from typing import Any

import rules
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from common.transitions import run_transition
from marketplace.errors import MarketplaceError
from needs.services import check_needs_for_tender, needs_reopened, needs_tendered
from orgs.models import Organization, User

from ..components import DEFAULT_SCORE_WEIGHTS, Component, ScoreWeights
from ..models import Bid, Criterion, Kpi, PaymentScheduleItem, Tender
from ..selectors import ranking_of
from .awards import award_annul, award_confirm, award_notify, award_publish, standing_award
from .bids import bid_open
from .budget import available_on, budget_line_locked, ceiling_errors
from .terms import DEFAULT_SCHEDULE, earliest_bid_deadline, origin_errors, validate_terms

NESTED = ("kpis", "criteria", "payment_schedule")


def _require(actor: User, perm: str, tender: Tender) -> None:
    if not rules.has_perm(perm, actor, tender):
        raise Forbidden()


def _current_terms(tender: Tender) -> dict[str, Any]:
    return {
        "bid_deadline": tender.bid_deadline,
        "service_start": tender.service_start,
        "service_end": tender.service_end,
        "multi_year_justification": tender.multi_year_justification,
        "criteria": [{"name": c.name, "kind": c.kind, "weight": c.weight} for c in tender.criteria.all()],
        "kpis": [{"name": kpi.name, "target": kpi.target, "unit": kpi.unit} for kpi in tender.kpis.all()],
        "payment_schedule": [
            {"kind": item.kind, "share_pct": item.share_pct} for item in tender.payment_schedule.all()
        ],
        "score_weights": ScoreWeights.of_tender(tender).as_dict(),
        "areas": list(tender.areas.all()),
        "needs": list(tender.needs.select_related("community")),
        "initiative_reason": tender.initiative_reason,
        "budget_line": tender.budget_line,
        "catalogue_item": tender.catalogue_item,
        "currency": tender.currency,
    }


def _validate_references(
    bureau: Organization, terms: dict[str, Any], *, tender_id: int | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if terms["budget_line"].bureau_id != bureau.id:
        errors["budget_line"] = [_("The budget line belongs to another bureau.")]
    elif terms["budget_line"].currency != terms["currency"]:
        errors["currency"] = [_("The currency differs from the budget line's.")]
    if not terms["catalogue_item"].is_active:
        errors["catalogue_item"] = [_("This catalogue item is no longer in use.")]
    if not terms["areas"]:
        errors["areas"] = [_("Name at least one service area.")]
    elif bureau.jurisdiction is None or not all(bureau.jurisdiction.contains(a) for a in terms["areas"]):
        errors["areas"] = [_("Service areas must lie within the bureau's jurisdiction.")]
    if errors:
        raise Invalid(errors)
    jurisdiction = bureau.jurisdiction.path if bureau.jurisdiction else ""
    check_needs_for_tender(terms.get("needs", []), jurisdiction_path=jurisdiction, tender_id=tender_id)


def _write(tender: Tender, data: dict[str, Any]) -> None:
    scalar = {
        key: value for key, value in data.items() if key not in (*NESTED, "areas", "needs", "score_weights")
    }
    for key, value in scalar.items():
        setattr(tender, key, value)
    for key, value in data.get("score_weights", {}).items():
        setattr(tender, Component(key).weight_field, value)
    tender.save()
    if "areas" in data:
        tender.areas.set(data["areas"])
    if "needs" in data:
        tender.needs.set(data["needs"])
    if "kpis" in data:
        tender.kpis.all().delete()
        Kpi.objects.bulk_create([Kpi(tender=tender, **item) for item in data["kpis"]])
    if "criteria" in data:
        tender.criteria.all().delete()
        Criterion.objects.bulk_create([Criterion(tender=tender, **item) for item in data["criteria"]])
    if "payment_schedule" in data:
        tender.payment_schedule.all().delete()
        PaymentScheduleItem.objects.bulk_create(
            [PaymentScheduleItem(tender=tender, **item) for item in data["payment_schedule"]]
        )


@transaction.atomic
def tender_create(*, actor: User, bureau: Organization, data: dict[str, Any]) -> Tender:
    """A bureau officer drafts a tender. The terms are validated now (``validate_terms``: a bid
    deadline that leaves the minimum bidding period, positive KPI targets, ...); the budget line's
    money only at publish, when the ceiling is committed."""
    probe = Tender(bureau=bureau)
    _require(actor, "marketplace.change_tender", probe)
    data = {**data}
    data.setdefault("payment_schedule", DEFAULT_SCHEDULE)
    data["score_weights"] = {**DEFAULT_SCORE_WEIGHTS.as_dict(), **data.get("score_weights", {})}
    data.setdefault("standstill_days", settings.MARKETPLACE_STANDSTILL_DAYS)
    data.setdefault("currency", "CNY")
    _validate_references(bureau, data)
    validate_terms(data)
    tender: Tender = Tender(bureau=bureau, created_by=actor)
    _write(tender, data)
    return tender


@transaction.atomic
def tender_update(*, actor: User, tender: Tender, data: dict[str, Any]) -> Tender:
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require(actor, "marketplace.change_tender", tender)
    if tender.status != Tender.Status.DRAFT:
        raise Conflict(_("Only a draft tender can be edited."), code=MarketplaceError.NOT_EDITABLE)
    merged = _current_terms(tender)
    merged.update(data)
    if "score_weights" in data:
        merged["score_weights"] = {**_current_terms(tender)["score_weights"], **data["score_weights"]}
        data = {**data, "score_weights": merged["score_weights"]}
    _validate_references(tender.bureau, merged, tender_id=tender.pk)
    validate_terms(merged)
    _write(tender, data)
    return tender


@transaction.atomic
def tender_publish(*, actor: User, tender: Tender) -> Tender:
    """Publish commits the ceiling on the budget line, which must have it available, and opens
    bidding for at least MARKETPLACE_MIN_BIDDING_DAYS."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require(actor, "marketplace.publish_tender", tender)
    if tender.status != Tender.Status.DRAFT:
        raise InvalidTransition()
    earliest = earliest_bid_deadline()
    if tender.bid_deadline < earliest:
        raise Conflict(
            _("The bid deadline must be at least %(days)d days after publication.")
            % {"days": settings.MARKETPLACE_MIN_BIDDING_DAYS},
            code=MarketplaceError.DEADLINE_TOO_SOON,
            extra={"earliest_deadline": earliest.isoformat()},
        )
    terms = _current_terms(tender)
    _validate_references(tender.bureau, terms, tender_id=tender.pk)
    validate_terms(terms)
    missing = origin_errors(terms["needs"], terms["initiative_reason"])
    if missing:
        raise Conflict(missing["initiative_reason"][0], code=MarketplaceError.ORIGIN_MISSING)
    line = budget_line_locked(tender.budget_line_id)
    available = available_on(line)
    shortfall = ceiling_errors(ceiling_amount=tender.ceiling_amount, available=available)
    if shortfall:
        raise Conflict(
            shortfall["ceiling_amount"][0],
            code=MarketplaceError.BUDGET_INSUFFICIENT,
            extra={"available": available, "ceiling_amount": tender.ceiling_amount},
        )
    tender.committed_amount = tender.ceiling_amount
    run_transition(tender, tender.publish, by=actor)
    needs_tendered(tender.needs.all(), tender_id=tender.pk, by=actor)  # docs/rules.md §22
    return tender


@transaction.atomic
def tender_close(*, actor: User | None, tender: Tender) -> Tender:
    """At the deadline bids are opened, each checked against its receipt (``bid_open``); with fewer
    than ``min_bids`` submitted the tender is unsuccessful and its commitment released. Idempotent:
    closing a closed tender changes nothing, so the scheduler and the ``close/`` endpoint can race."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    if actor is not None:
        _require(actor, "marketplace.close_tender", tender)
    if tender.status in (Tender.Status.EVALUATING, Tender.Status.UNSUCCESSFUL):
        return tender
    if tender.status == Tender.Status.PUBLISHED and not tender.is_deadline_passed:
        raise Conflict(_("Bidding is open until the deadline."), code=MarketplaceError.DEADLINE_NOT_PASSED)
    submitted = list(tender.bids.select_for_update().filter(status=Bid.Status.SUBMITTED))
    for bid in submitted:
        bid.tender = tender  # the receipt covers the tender's currency: no query per bid
    if tender.status == Tender.Status.PUBLISHED and len(submitted) < tender.min_bids:
        line = budget_line_locked(tender.budget_line_id)  # noqa: F841  (serialise commitment changes)
        tender.committed_amount = 0
        run_transition(tender, tender.close_unsuccessful, by=actor, description=reasons.TENDER_TOO_FEW_BIDS)
        for bid in submitted:
            bid_open(actor=actor, bid=bid)
            run_transition(bid, bid.mark_not_awarded, by=actor, description=reasons.TENDER_UNSUCCESSFUL)
        needs_reopened(tender.needs.all(), tender_id=tender.pk, by=actor)
        return tender
    run_transition(tender, tender.close, by=actor)
    for bid in submitted:
        bid_open(actor=actor, bid=bid)
    return tender


@transaction.atomic
def tender_cancel(*, actor: User, tender: Tender, reason: str) -> Tender:
    """Cancelling releases whatever the tender holds on its budget line. Bids are not opened: those
    of a tender cancelled before it closed stay sealed for good (returned unopened)."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require(actor, "marketplace.cancel_tender", tender)
    if not reason.strip():
        raise Invalid({"reason": [_("Give the reason for cancelling.")]})
    award = standing_award(tender)
    if award is not None:
        return award_annul(
            award=award, tender=tender, by=actor, description=reason.strip(), cancel_tender=True
        )
    budget_line_locked(tender.budget_line_id)
    tender.committed_amount = 0
    run_transition(tender, tender.cancel, by=actor, description=reason.strip())
    needs_reopened(tender.needs.all(), tender_id=tender.pk, by=actor)
    return tender


@transaction.atomic
def tender_award(*, actor: User, tender: Tender, bid: Bid) -> Tender:
    """Award to the top-ranked bid only, once every opened bid is scored; starts the standstill."""
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    _require(actor, "marketplace.award_tender", tender)
    if tender.status != Tender.Status.EVALUATING:
        raise InvalidTransition()
    if bid.tender_id != tender.id:
        raise Invalid({"bid": [_("This bid belongs to another tender.")]})
    ranking = ranking_of(tender)
    if not ranking:
        raise Conflict(_("No bid remains to award."), code=MarketplaceError.NO_ELIGIBLE_BID)
    unscored = [row.bid.id for row in ranking if not row.is_fully_scored]
    if unscored:
        raise Conflict(
            _("Every opened bid must be scored on every quality criterion first."),
            code=MarketplaceError.SCORING_INCOMPLETE,
            extra={"bids": unscored},
        )
    if ranking[0].bid.id != bid.id:
        raise Conflict(
            _("Only the top-ranked bid can be awarded."),
            code=MarketplaceError.NOT_TOP_RANKED,
            extra={"top_ranked_bid": ranking[0].bid.id},
        )
    award = award_publish(actor=actor, tender=tender, ranking=ranking)
    # The standstill ends at the later of its own days and the end of the challenge window.
    standstill_until = max(
        award.notice_published_at + datetime.timedelta(days=tender.standstill_days), award.challenge_until
    )
    run_transition(tender, tender.award, by=actor, bid=bid, standstill_until=standstill_until)
    award_notify(award=award, tender=tender)
    return tender


def tender_finalize_award(*, actor: User | None, tender: Tender) -> Tender:
    """Make the proposed award final once the standstill is over: the winner is awarded, the other
    opened bids are not, and the commitment becomes the awarded price. The caller (contracts) holds
    the tender's lock and creates the contract in the same transaction."""
    assert transaction.get_connection().in_atomic_block
    if actor is not None:
        _require(actor, "marketplace.finalize_award_tender", tender)
    if tender.status == Tender.Status.AWARD_PROPOSED and not tender.is_standstill_over:
        raise Conflict(
            _("The standstill period has not ended."),
            code=MarketplaceError.STANDSTILL_NOT_OVER,
            extra={
                "standstill_until": tender.standstill_until.isoformat() if tender.standstill_until else None
            },
        )
    award_confirm(actor=actor, tender=tender)
    run_transition(tender, tender.finalize_award, by=actor)
    winner = tender.proposed_bid
    assert winner is not None
    budget_line_locked(tender.budget_line_id)
    tender.committed_amount = winner.price_amount
    tender.save(update_fields=["committed_amount"])
    for bid in tender.bids.select_for_update().filter(status=Bid.Status.OPENED):
        if bid.id == winner.id:
            run_transition(bid, bid.mark_awarded, by=actor)
        else:
            run_transition(bid, bid.mark_not_awarded, by=actor)
    return tender
