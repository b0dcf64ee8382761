"""Tender work waiting in the bureau: the officer answers questions, closes bidding once the
deadline has passed, awards once every opened bid is scored and finalizes the award once the
standstill is over; an evaluator declares any conflict of interest, then scores the opened bids."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import rules
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from common.transitions import transitions_available
from marketplace.models import Bid, BidScore, Criterion, EvaluatorDeclaration, Tender
from marketplace.permissions import TENDER_TRANSITIONS
from marketplace.selectors import fully_scored_tender_ids

from ..bureau.shared import bureau_tenders
from . import Task

WORKING_STATUSES = (Tender.Status.PUBLISHED, Tender.Status.EVALUATING, Tender.Status.AWARD_PROPOSED)


def _working_tenders(user: Any) -> list[Tender]:
    return list(
        bureau_tenders(user)
        .filter(status__in=WORKING_STATUSES)
        .select_related(None)
        .prefetch_related(None)
        .annotate(unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True)))
        .order_by("bid_deadline", "id")
    )


@dataclass
class _Scoring:
    """Per evaluating tender: its opened bids, its quality criteria, whether the award's scoring
    rule is met (``fully_scored_tender_ids``), and the (bid, criterion) pairs each evaluator scored."""

    opened: Counter = field(default_factory=Counter)
    quality: Counter = field(default_factory=Counter)
    fully_scored: set[int] = field(default_factory=set)
    by_evaluator: dict[tuple[int, int], set[tuple[int, int]]] = field(default_factory=dict)

    def bids_left_for(self, tender_id: int, evaluator_id: int) -> int:
        pairs = self.by_evaluator.get((tender_id, evaluator_id), set())
        per_bid = Counter(bid_id for bid_id, _criterion in pairs)
        done = sum(1 for n in per_bid.values() if n >= self.quality[tender_id])
        return self.opened[tender_id] - done if self.quality[tender_id] else 0


def _count_by_tender(rows: QuerySet) -> dict[int, int]:
    """How many of ``rows`` each tender has, in one query."""
    return dict(rows.order_by().values_list("tender_id").annotate(n=Count("id")))


def _scoring(tender_ids: list[int], evaluator: Any) -> _Scoring:
    scoring = _Scoring()
    if not tender_ids:
        return scoring
    scoring.fully_scored = fully_scored_tender_ids(tender_ids=tender_ids)
    scoring.opened.update(
        _count_by_tender(Bid.objects.filter(tender_id__in=tender_ids, status=Bid.Status.OPENED))
    )
    scoring.quality.update(
        _count_by_tender(Criterion.objects.filter(tender_id__in=tender_ids, kind=Criterion.Kind.QUALITY))
    )
    rows = (
        BidScore.objects.filter(
            bid__tender_id__in=tender_ids,
            bid__status=Bid.Status.OPENED,
            criterion__kind=Criterion.Kind.QUALITY,
            evaluator=evaluator,
        )
        .order_by()
        .values_list("bid__tender_id", "bid_id", "criterion_id", "evaluator_id")
    )
    for tender_id, bid_id, criterion_id, evaluator_id in rows:
        scoring.by_evaluator.setdefault((tender_id, evaluator_id), set()).add((bid_id, criterion_id))
    return scoring


def _officer_tasks(user: Any, tender: Tender, is_fully_scored: bool) -> list[Task]:
    tasks = []
    title = {"title": tender.title}
    unanswered: int = tender.unanswered  # type: ignore[attr-defined]
    if unanswered and rules.has_perm("marketplace.answer_question_on_tender", user, tender):
        tasks.append(
            Task(
                _("Answer the questions on “%(title)s”") % title,
                reverse("bureau:questions", args=[tender.pk]),
                unanswered,
            )
        )
    available = transitions_available(user, tender, TENDER_TRANSITIONS)
    detail = reverse("bureau:tender", args=[tender.pk])
    if "close" in available:
        tasks.append(Task(_("Close bidding on “%(title)s”: the deadline has passed") % title, detail))
    if "award" in available and is_fully_scored:
        tasks.append(
            Task(
                _("Check the ranking of “%(title)s” and award it") % title,
                reverse("bureau:ranking", args=[tender.pk]),
            )
        )
    if "finalize-award" in available:
        tasks.append(Task(_("Finalize the award of “%(title)s”: the standstill is over") % title, detail))
    return tasks


def tasks(user: Any) -> list[Task]:
    tenders = _working_tenders(user)
    evaluating_ids = [tender.pk for tender in tenders if tender.status == Tender.Status.EVALUATING]
    scoring = _scoring(evaluating_ids, user)
    declarations: dict[int, bool] = {}
    if evaluating_ids:
        declarations = dict(
            EvaluatorDeclaration.objects.filter(tender_id__in=evaluating_ids, evaluator=user).values_list(
                "tender_id", "no_conflict"
            )
        )
    result: list[Task] = []
    for tender in tenders:
        result.extend(_officer_tasks(user, tender, tender.pk in scoring.fully_scored))
        if tender.status == Tender.Status.EVALUATING and rules.has_perm(
            "marketplace.declare_on_tender", user, tender
        ):
            result.extend(_evaluator_tasks(user, tender, declarations, scoring))
    return result


def _evaluator_tasks(
    user: Any, tender: Tender, declarations: dict[int, bool], scoring: _Scoring
) -> list[Task]:
    title = {"title": tender.title}
    if tender.pk not in declarations:
        return [
            Task(
                _("Declare any conflict of interest on “%(title)s”") % title,
                reverse("bureau:declaration", args=[tender.pk]),
            )
        ]
    if not declarations[tender.pk]:  # a declared conflict: this evaluator does not score
        return []
    bids_left = scoring.bids_left_for(tender.pk, user.pk)
    if bids_left <= 0:
        return []
    return [
        Task(
            _("Score the bids on “%(title)s”") % title, reverse("bureau:scores", args=[tender.pk]), bids_left
        )
    ]
