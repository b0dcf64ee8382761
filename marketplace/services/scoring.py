"""Bid scoring (docs/rules.md §3): evaluators declare on a tender, then score its opened bids on
each quality criterion. The ranking that follows is a read (``marketplace.selectors.ranking_of``)."""

from decimal import Decimal

import rules
from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from marketplace.errors import MarketplaceError
from marketplace.permissions import is_conflicted_on_bid, is_conflicted_on_tender
from orgs.errors import OrgsError
from orgs.models import User

from ..models import (
    SCORE_MAX,
    SCORE_MIN,
    Bid,
    BidScore,
    BidScoreEntry,
    Criterion,
    EvaluatorDeclaration,
    Tender,
)

SCORING_STATUSES = (Tender.Status.PUBLISHED, Tender.Status.EVALUATING)


@transaction.atomic
def evaluator_declare(*, actor: User, tender: Tender, no_conflict: bool) -> EvaluatorDeclaration:
    """An evaluator declares, once per tender, whether they have a conflict of interest. A member of
    any bidding organisation, or a member within the last 3 years, has one, whatever they declare
    (docs/rules.md §17.7)."""
    if not rules.has_perm("marketplace.declare_on_tender", actor, tender):
        raise Forbidden()
    if tender.status not in SCORING_STATUSES:
        raise InvalidTransition(_("Declarations are made before the scoring ends."))
    if no_conflict and is_conflicted_on_tender(actor, tender):
        raise Forbidden(_("You belong to a bidding organisation."), code=OrgsError.CONFLICT_OF_INTEREST)
    declaration, created = EvaluatorDeclaration.objects.get_or_create(
        tender=tender, evaluator=actor, defaults={"no_conflict": no_conflict}
    )
    if not created and declaration.no_conflict != no_conflict:
        raise Conflict(_("You have already declared on this tender."), code=MarketplaceError.ALREADY_DECLARED)
    return declaration


@transaction.atomic
def bid_score(*, actor: User, bid: Bid, criterion: Criterion, score: Decimal) -> BidScore:
    """A declared evaluator scores an opened bid on a quality criterion (0–100); scoring again
    replaces the earlier score until the award is proposed. The declaration is re-checked: an
    evaluator who belongs, or belonged within 3 years, to the bid's organisation is refused 403
    ``conflict_of_interest`` (docs/rules.md §17.7)."""
    tender = Tender.objects.select_for_update().get(pk=bid.tender_id)
    if not rules.has_perm("marketplace.declare_on_tender", actor, tender):
        raise Forbidden()
    if criterion.tender_id != tender.id or criterion.kind != Criterion.Kind.QUALITY:
        raise Invalid({"criterion": [_("Choose a quality criterion of this tender.")]})
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise Invalid({"score": [_("Scores run from 0 to 100.")]})
    declared = EvaluatorDeclaration.objects.filter(tender=tender, evaluator=actor, no_conflict=True).exists()
    if not declared:
        raise Conflict(
            _("Declare no conflict of interest before scoring."), code=MarketplaceError.DECLARATION_REQUIRED
        )
    if tender.status != Tender.Status.EVALUATING or bid.status != Bid.Status.OPENED:
        raise InvalidTransition(_("Only opened bids of a tender in scoring are scored."))
    if is_conflicted_on_bid(actor, bid):  # the declaration re-checked (docs/rules.md §17.7)
        raise Forbidden(
            _("You belong, or belonged within 3 years, to this bid's organisation: you may not score it."),
            code=OrgsError.CONFLICT_OF_INTEREST,
        )
    previous = (
        BidScore.objects.filter(bid=bid, criterion=criterion, evaluator=actor)
        .values_list("score", flat=True)
        .first()
    )
    bid_score, _created = BidScore.objects.update_or_create(
        bid=bid, criterion=criterion, evaluator=actor, defaults={"score": score}
    )
    BidScoreEntry.objects.create(
        bid=bid, criterion=criterion, evaluator=actor, score=score, previous_score=previous
    )
    return bid_score
