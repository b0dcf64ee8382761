"""After the deadline: the opened bids, disqualifying one, the evaluators' declarations and scores,
the ranking and the award."""

from typing import Any

import rules
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import ApplicationError, Conflict
from common.history import history_of
from common.transitions import transitions_available
from marketplace import services
from marketplace.models import Bid, BidScore, Criterion, EvaluatorDeclaration, Tender
from marketplace.permissions import (
    BID_TRANSITIONS,
    TENDER_TRANSITIONS,
    tender_bids_visible_to,
)
from marketplace.selectors import bid_score_history, ranking_of, ranking_shown_to

from ..access import area_required
from ..forms import add_service_error
from .forms import DeclarationForm, DisqualifyForm, ScoreForm
from .shared import get_tender, user_of


def _sealed(request: HttpRequest, tender: Tender, heading: str) -> HttpResponse:
    return render(request, "frontend/bureau/sealed.html", {"tender": tender, "heading": heading})


@area_required("bureau")
def bid_list(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    try:
        bids = tender_bids_visible_to(user_of(request), tender).order_by("id")
    except Conflict:
        return _sealed(request, tender, _("Bids"))
    return render(request, "frontend/bureau/bid_list.html", {"tender": tender, "bids": bids})


def _get_bid(request: HttpRequest, tender: Tender, bid_pk: int) -> Bid:
    try:
        bids = tender_bids_visible_to(user_of(request), tender)
    except Conflict as error:
        raise Http404 from error
    return get_object_or_404(bids, pk=bid_pk)


@area_required("bureau")
def bid_detail(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    bid = _get_bid(request, tender, bid_pk)
    context = {
        "tender": tender,
        "bid": bid,
        "available": transitions_available(request.user, bid, BID_TRANSITIONS),
        "history": history_of(bid),
        "score_entries": bid_score_history(user=request.user, bid=bid),
    }
    return render(request, "frontend/bureau/bid_detail.html", context)


@area_required("bureau")
def bid_disqualify(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    bid = _get_bid(request, tender, bid_pk)
    if "disqualify" not in transitions_available(request.user, bid, BID_TRANSITIONS):
        messages.error(request, _("This bid cannot be disqualified now."))
        return redirect("bureau:bid", pk=pk, bid_pk=bid_pk)
    form = DisqualifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bid_disqualify(actor=user_of(request), bid=bid, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Bid disqualified."))
            return redirect("bureau:bids", pk=pk)
    return render(
        request, "frontend/bureau/bid_disqualify.html", {"tender": tender, "bid": bid, "form": form}
    )


# --- Evaluators ---------------------------------------------------------------------------------


def _declaration(request: HttpRequest, tender: Tender) -> EvaluatorDeclaration | None:
    return EvaluatorDeclaration.objects.filter(tender=tender, evaluator=user_of(request)).first()


@area_required("bureau", "evaluator")
def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    if not rules.has_perm("marketplace.declare_on_tender", request.user, tender):
        raise Http404
    existing = _declaration(request, tender)
    declaring_conflict = request.method == "POST" and "conflict" in request.POST
    form = DeclarationForm(request.POST if request.method == "POST" and not declaring_conflict else None)
    if request.method == "POST" and (declaring_conflict or form.is_valid()):
        try:
            services.evaluator_declare(
                actor=user_of(request), tender=tender, no_conflict=not declaring_conflict
            )
        except ApplicationError as error:
            if declaring_conflict:
                messages.error(request, error.message)
                return redirect("bureau:declaration", pk=pk)
            add_service_error(form, error)
        else:
            if declaring_conflict:
                messages.success(
                    request, _("Your conflict of interest is recorded: you will not score this tender.")
                )
                return redirect("bureau:tender", pk=pk)
            messages.success(request, _("Declaration recorded. You can now score the bids."))
            return redirect("bureau:scores", pk=pk)
    return render(
        request, "frontend/bureau/declaration.html", {"tender": tender, "form": form, "existing": existing}
    )


def _score_forms(request: HttpRequest, tender: Tender, bids: list[Bid]) -> list[dict[str, Any]]:
    criteria = list(tender.criteria.filter(kind=Criterion.Kind.QUALITY))
    mine = {
        (score.bid_id, score.criterion_id): score.score
        for score in BidScore.objects.filter(bid__in=bids, evaluator=user_of(request))
    }
    cards = []
    for bid in bids:
        initial = {f"criterion_{c.pk}": mine[(bid.pk, c.pk)] for c in criteria if (bid.pk, c.pk) in mine}
        form = ScoreForm(
            initial=initial, prefix=f"bid{bid.pk}", criteria=criteria, provider_name=bid.provider.name
        )
        cards.append({"bid": bid, "form": form, "is_scored": len(initial) == len(criteria)})
    return cards


def _scoring_bids(request: HttpRequest, tender: Tender) -> list[Bid]:
    try:
        return list(
            tender_bids_visible_to(user_of(request), tender).filter(status=Bid.Status.OPENED).order_by("id")
        )
    except Conflict:
        return []


@area_required("bureau", "evaluator")
def scores(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    if not rules.has_perm("marketplace.declare_on_tender", request.user, tender):
        raise Http404
    declared = _declaration(request, tender)
    if declared is None:
        return redirect("bureau:declaration", pk=pk)
    if tender.is_sealed:
        return _sealed(request, tender, _("Score the bids"))
    cards = _score_forms(request, tender, _scoring_bids(request, tender))
    context = {"tender": tender, "cards": cards, "declared": declared, "form": None}
    return render(request, "frontend/bureau/scores.html", context)


@area_required("bureau", "evaluator")
def score_bid(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    """Save one evaluator's scores of one bid (a whole card); with htmx only the card is swapped."""
    tender = get_tender(request, pk)
    if request.method != "POST":
        return redirect("bureau:scores", pk=pk)
    bid = _scoring_bid(request, tender, bid_pk)
    criteria = list(tender.criteria.filter(kind=Criterion.Kind.QUALITY))
    form = ScoreForm(request.POST, prefix=f"bid{bid.pk}", criteria=criteria, provider_name=bid.provider.name)
    saved = False
    if form.is_valid():
        try:
            with transaction.atomic():  # all of the card's scores or none
                for criterion, value in form.scores():
                    services.bid_score(actor=user_of(request), bid=bid, criterion=criterion, score=value)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            saved = True
    is_htmx = request.headers.get("HX-Request") == "true"
    if saved and not is_htmx:
        messages.success(request, _("Scores saved for %(provider)s.") % {"provider": bid.provider.name})
        return redirect("bureau:scores", pk=pk)
    card = {"bid": bid, "form": form, "is_scored": saved, "just_saved": saved}
    if is_htmx:
        return render(request, "frontend/bureau/includes/score_card.html", {"tender": tender, "card": card})
    context = {"tender": tender, "cards": [card], "declared": _declaration(request, tender), "form": form}
    return render(request, "frontend/bureau/scores.html", context)


def _scoring_bid(request: HttpRequest, tender: Tender, bid_pk: int) -> Bid:
    for bid in _scoring_bids(request, tender):
        if bid.pk == bid_pk:
            return bid
    raise Http404


# --- Ranking and award ------------------------------------------------------------------------------


def _ranked_tender(request: HttpRequest, pk: int) -> Tender:
    tender = get_tender(request, pk)
    if not rules.has_perm("marketplace.view_ranking_of_tender", request.user, tender):
        raise Http404
    return tender


@area_required("bureau")
def ranking(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _ranked_tender(request, pk)
    if tender.is_sealed:
        return _sealed(request, tender, _("Ranking"))
    rows = ranking_shown_to(request.user, tender)
    quality = [c for c in tender.criteria.all() if c.kind == Criterion.Kind.QUALITY]
    names = {c.pk: c.name for c in quality}
    for row in rows:
        row.quality_cells = [row.quality_by_criterion.get(c.pk) for c in quality]  # type: ignore[attr-defined]
        # each evaluator's scores, outliers flagged (docs/rules.md §17.7)
        row.individual = [(names[s.criterion_id], s) for s in row.individual_scores]  # type: ignore[attr-defined]
    available = transitions_available(request.user, tender, TENDER_TRANSITIONS)
    context = {
        "tender": tender,
        "rows": rows,
        "quality": quality,
        "can_award": "award" in available and bool(rows),
        "available": available,
        "outliers": sum(1 for row in rows for s in row.individual_scores if s.is_outlier),
        "shows_individual": any(row.individual_scores for row in rows),
    }
    return render(request, "frontend/bureau/ranking.html", context)


@area_required("bureau")
def award(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    tender = _ranked_tender(request, pk)
    if "award" not in transitions_available(request.user, tender, TENDER_TRANSITIONS):
        messages.error(request, _("This tender cannot be awarded now."))
        return redirect("bureau:ranking", pk=pk)
    bid = get_object_or_404(Bid.objects.visible_to(request.user).filter(tender=tender), pk=bid_pk)
    if request.method == "POST":
        try:
            services.tender_award(actor=user_of(request), tender=tender, bid=bid)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("bureau:ranking", pk=pk)
        messages.success(
            request,
            _("Award proposed to %(provider)s. The standstill period has started.")
            % {"provider": bid.provider.name},
        )
        return redirect("bureau:tender", pk=pk)
    row = next((row for row in ranking_of(tender) if row.bid.pk == bid.pk), None)
    return render(request, "frontend/bureau/award_confirm.html", {"tender": tender, "bid": bid, "row": row})
