"""Quarantined ratings: the officer restores or excludes each with a reason (rating_review).
The page shows what the rating says and why it was quarantined, the household's code as the API
does, and never who the rater is."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.transitions import transitions_available
from contracts.permissions import officer_bureau_ids
from evaluations import services as evaluation_services
from evaluations.models import Rating
from evaluations.permissions import RATING_TRANSITIONS

from ..access import area_required
from ..forms import add_service_error
from .forms import RatingReviewForm


def _ratings(request: HttpRequest):  # type: ignore[no-untyped-def]
    bureau_ids = officer_bureau_ids(request.user)
    return (
        Rating.objects.visible_to(request.user)
        .filter(contract__bureau_id__in=bureau_ids)
        .select_related("contract__provider", "evaluation", "household")
    )


@area_required("bureau", "officer")
def rating_list(request: HttpRequest) -> HttpResponse:
    ratings = _ratings(request).filter(status=Rating.Status.QUARANTINED).order_by("created_at", "id")
    return render(request, "frontend/casework/rating_list.html", {"ratings": ratings})


@area_required("bureau", "officer")
def rating_review(request: HttpRequest, pk: int) -> HttpResponse:
    rating = get_object_or_404(_ratings(request), pk=pk)
    decisions = transitions_available(request.user, rating, RATING_TRANSITIONS)
    if not decisions:
        messages.error(request, _("This rating is not awaiting review."))
        return redirect("casework:ratings")
    if request.method == "POST":
        form = RatingReviewForm(request.POST, decisions=decisions)
        if form.is_valid():
            decision = form.cleaned_data["decision"]
            try:
                evaluation_services.rating_review(
                    actor=request.user,  # type: ignore[arg-type]
                    rating=rating,
                    decision=decision,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                if decision == "restore":
                    messages.success(request, _("The rating is restored and counts in the residents' score."))
                else:
                    messages.success(request, _("The rating is excluded and does not count."))
                return redirect("casework:ratings")
    else:
        form = RatingReviewForm(decisions=decisions)
    return render(request, "frontend/casework/rating_review.html", {"rating": rating, "form": form})
