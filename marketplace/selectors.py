"""Reads of the marketplace: visible tenders with their terms, budget lines with their derived
commitment, and the ranking of opened bids (docs/rules.md §3.3, lowest-price method)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rules
from django.db.models import Exists, Expression, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.money import round_half_up
from orgs.auth import Caller

from .models import (
    Award,
    Bid,
    BidScore,
    BidScoreEntry,
    BudgetCommitment,
    BudgetLine,
    Criterion,
    Exclusion,
    Tender,
)
from .panel import outlying_scores
from .receipts import RECEIPT_LENGTH, receipt_typed

RANKED_STATUSES = (Bid.Status.OPENED, Bid.Status.AWARDED, Bid.Status.NOT_AWARDED)


def tender_list(*, user: Caller) -> QuerySet[Tender]:
    tenders: QuerySet[Tender] = Tender.objects.visible_to(user)
    return tenders.select_related(
        "bureau", "catalogue_item", "budget_line", "proposed_bid", "contract"
    ).prefetch_related("areas", "needs", "kpis", "criteria", "payment_schedule", "amendments")


def bid_by_receipt(*, tender: Tender, typed: str, provider_ids: Any = None) -> Bid | None:
    """The submitted (or since withdrawn, opened …) bid on ``tender`` whose receipt is ``typed`` —
    the short reference or the full number (``receipts.receipt_typed``); ``None`` if there is
    none, or if a reference were ever shared by two bids (then only the full number tells).
    ``provider_ids`` (ids or a values queryset) limits the search to those bidders' bids."""
    text = receipt_typed(typed)
    if text is None:
        return None
    bids = tender.bids.exclude(receipt="")
    if provider_ids is not None:
        bids = bids.filter(provider_id__in=provider_ids)
    bids = bids.filter(receipt=text) if len(text) == RECEIPT_LENGTH else bids.filter(receipt__startswith=text)
    found = list(bids[:2])
    return found[0] if len(found) == 1 else None


def exclusion_in_force(provider: Any) -> Exclusion | None:
    """The exclusion barring the provider (an organisation or its id) from bidding now
    (docs/rules.md §17.6), the one that ends last if there are several; public."""
    provider_id = getattr(provider, "pk", provider)
    exclusion: Exclusion | None = (
        Exclusion.objects.in_force().filter(provider_id=provider_id).order_by("-ends", "-id").first()
    )
    return exclusion


def open_tender_list(*, user: Caller) -> QuerySet[Tender]:
    """Tenders open for bidding now (``Tender.is_bidding_open`` as a query), as the user may see them."""
    return tender_list(user=user).filter(status=Tender.Status.PUBLISHED, bid_deadline__gt=timezone.now())


def budget_line_list(*, user: Caller) -> QuerySet[BudgetLine]:
    # an aggregate drops Meta.ordering, and pages of an unordered list are not stable
    return (
        BudgetLine.objects.visible_to(user)
        .annotate(
            committed=Coalesce(Sum("tenders__committed_amount"), Value(0))
            + Coalesce(
                Subquery(
                    BudgetCommitment.objects.filter(budget_line=OuterRef("pk"))
                    .values("budget_line")
                    .annotate(total=Sum("amount"))
                    .values("total")
                ),
                Value(0),
            )
        )
        .order_by("-fiscal_year", "id")
    )


def _is_fully_scored() -> Expression:
    """A bid is fully scored when every quality criterion of its tender has at least one
    evaluator's score on it (docs/rules.md §3.3), as an expression to annotate bids with."""
    unscored_quality = Criterion.objects.filter(
        tender_id=OuterRef("tender_id"), kind=Criterion.Kind.QUALITY
    ).exclude(Exists(BidScore.objects.filter(bid_id=OuterRef(OuterRef("pk")), criterion_id=OuterRef("pk"))))
    return ~Exists(unscored_quality)


def fully_scored_tender_ids(*, tender_ids: Any) -> set[int]:
    """Of ``tender_ids``, the tenders ready for the award's scoring rule (``tender_award``): at
    least one ranked bid, and every ranked bid fully scored. One query, whatever the number."""
    rows = (
        Bid.objects.filter(tender_id__in=tender_ids, status__in=RANKED_STATUSES)
        .annotate(is_fully_scored=_is_fully_scored())
        .order_by()
        .values_list("tender_id", "is_fully_scored")
    )
    with_bids: set[int] = set()
    with_unscored: set[int] = set()
    for tender_id, is_fully_scored in rows:
        with_bids.add(tender_id)
        if not is_fully_scored:
            with_unscored.add(tender_id)
    return with_bids - with_unscored


@dataclass
class IndividualScore:
    """One evaluator's score of a bid on a criterion; ``is_outlier`` when it lies far from the other
    evaluators' scores (``panel.outlying_scores``, docs/rules.md §17.7), ``others_mean`` then says
    from what."""

    criterion_id: int
    evaluator_id: int
    evaluator_name: str
    score: Decimal
    is_outlier: bool = False
    others_mean: Decimal | None = None


@dataclass
class RankingRow:
    bid: Bid
    price_score: Decimal
    quality_score: Decimal
    total: Decimal
    is_fully_scored: bool
    rank: int = 0
    quality_by_criterion: dict[int, Decimal] = field(default_factory=dict)
    individual_scores: list[IndividualScore] = field(default_factory=list)

    @property
    def has_outliers(self) -> bool:
        return any(each.is_outlier for each in self.individual_scores)


def _individual_scores(bid: Bid, quality: list[Criterion]) -> list[IndividualScore]:
    """The bid's individual scores by criterion (in the tender's order) and evaluator, flagged."""
    rows: list[IndividualScore] = []
    for criterion in quality:
        panel = {s.evaluator_id: s for s in bid.scores.all() if s.criterion_id == criterion.id}
        flagged = outlying_scores({evaluator: s.score for evaluator, s in panel.items()})
        for evaluator_id, s in sorted(panel.items()):
            rows.append(
                IndividualScore(
                    criterion_id=criterion.id,
                    evaluator_id=evaluator_id,
                    evaluator_name=str(s.evaluator),
                    score=s.score,
                    is_outlier=evaluator_id in flagged,
                    others_mean=round_half_up(flagged[evaluator_id], 2) if evaluator_id in flagged else None,
                )
            )
    return rows


def ranking_of(tender: Tender) -> list[RankingRow]:
    """Rank the opened (not disqualified) bids: price score = lowest price / price × price weight;
    quality per criterion = mean of evaluators' scores × weight / 100; total = sum, rounded to 2
    places; ties go to the lower price, then the earlier submission."""
    bids = list(
        tender.bids.filter(status__in=RANKED_STATUSES)
        .annotate(is_fully_scored=_is_fully_scored())
        .select_related("provider")
        .prefetch_related(
            Prefetch(
                "scores",
                queryset=BidScore.objects.select_related("evaluator").only(
                    "bid_id",
                    "criterion_id",
                    "score",
                    "evaluator_id",
                    "evaluator__username",
                    "evaluator__display_name",
                ),
            )
        )
    )
    if not bids:
        return []
    criteria = list(tender.criteria.all())
    price_weight = sum((c.weight for c in criteria if c.kind == Criterion.Kind.PRICE), 0)
    quality = [c for c in criteria if c.kind == Criterion.Kind.QUALITY]
    lowest = min(bid.price_amount for bid in bids)
    rows = []
    for bid in bids:
        scores: dict[int, list[Decimal]] = defaultdict(list)
        for score in bid.scores.all():
            scores[score.criterion_id].append(score.score)
        by_criterion = {
            c.id: (sum(scores[c.id], Decimal(0)) / len(scores[c.id])) * c.weight / 100
            if scores[c.id]
            else Decimal(0)
            for c in quality
        }
        price_score = round_half_up(Decimal(lowest) / Decimal(bid.price_amount) * price_weight, 2)
        quality_score = round_half_up(sum(by_criterion.values(), Decimal(0)), 2)
        rows.append(
            RankingRow(
                bid=bid,
                price_score=price_score,
                quality_score=quality_score,
                total=price_score + quality_score,
                is_fully_scored=bid.is_fully_scored,  # type: ignore[attr-defined]
                quality_by_criterion={k: round_half_up(v, 2) for k, v in by_criterion.items()},
                individual_scores=_individual_scores(bid, quality),
            )
        )
    rows.sort(key=lambda row: (-row.total, row.bid.price_amount, row.bid.submitted_at, row.bid.id))
    for position, row in enumerate(rows, start=1):
        row.rank = position
    return rows


def ranking_shown_to(user: Caller, tender: Tender) -> list[RankingRow]:
    """``ranking_of`` as ``user`` may read it: who gave which score (each evaluator's scores and
    their outliers) only for the tender's officers and the platform admin, so that evaluators
    still scoring never read their colleagues' scores (docs/rules.md §17.7)."""
    rows = ranking_of(tender)
    if not rules.has_perm("marketplace.view_individual_scores_of_tender", user, tender):
        for row in rows:
            row.individual_scores = []
    return rows


def has_award_notice(tender_id: int) -> bool:
    """Whether an award notice of the tender stands (proposed, challenged or confirmed). After an
    annulment the bids are being scored again, so no bidder reads its live standing until the next
    notice (the annulled notice keeps what it published, ``Award.standings``)."""
    noticed: bool = Award.objects.current().filter(tender_id=tender_id).exists()
    return noticed


def own_standing(bid: Bid, ranking: list[RankingRow] | None = None) -> RankingRow | None:
    """The bid's own scores, total and rank (its row of ``ranking_of``) once its tender's award
    notice has been published (docs/rules.md §17.4); ``None`` before, and for a bid that is not
    ranked (disqualified, withdrawn). ``ranking``: the tender's ranking, when the caller already
    knows the notice is out (``has_award_notice``) and serves many bids."""
    if ranking is None:
        if not bid.is_opened or not has_award_notice(bid.tender_id):
            return None
        ranking = ranking_of(bid.tender)
    return next((row for row in ranking if row.bid.pk == bid.pk), None)


def may_see_individual_scores(user: Caller, tender: Tender) -> bool:
    """Who gave which score, and its history: the tender's officers and the platform admin."""
    return bool(rules.has_perm("marketplace.view_individual_scores_of_tender", user, tender))


def bid_score_history(*, user: Any, bid: Bid) -> list[BidScoreEntry]:
    """Every entry of a score on ``bid`` with who, when and the score it replaced (docs/rules.md §11),
    for those who may see individual scores; empty for anyone else."""
    if not may_see_individual_scores(user, bid.tender):
        return []
    return list(BidScoreEntry.objects.filter(bid=bid).select_related("criterion", "evaluator"))
