"""The exclusions the bureau caused (docs/rules.md §17.6): a terminated contract or a final band E
excludes the provider from bidding; an officer of the bureau may lift one, giving a reason."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.history import history_of
from common.transitions import transitions_available
from marketplace import services
from marketplace.models import Exclusion
from marketplace.permissions import EXCLUSION_TRANSITIONS, bureau_member_ids

from ..access import area_required
from ..forms import add_service_error
from .forms import LiftExclusionForm
from .shared import user_of


def _caused_by_the_bureau(request: HttpRequest) -> QuerySet[Exclusion]:
    return Exclusion.objects.filter(bureau_id__in=bureau_member_ids(request.user)).select_related(
        "provider", "bureau"
    )


@area_required("bureau")
def exclusion_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "exclusion": exclusion,
            "can_lift": "lift" in transitions_available(request.user, exclusion, EXCLUSION_TRANSITIONS),
        }
        for exclusion in _caused_by_the_bureau(request)
    ]
    return render(request, "frontend/bureau/exclusion_list.html", {"rows": rows})


@area_required("bureau")
def exclusion_lift(request: HttpRequest, pk: int) -> HttpResponse:
    exclusion = get_object_or_404(_caused_by_the_bureau(request), pk=pk)
    if "lift" not in transitions_available(request.user, exclusion, EXCLUSION_TRANSITIONS):
        messages.error(request, _("This exclusion cannot be lifted now."))
        return redirect("bureau:exclusions")
    form = LiftExclusionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.exclusion_lift(
                actor=user_of(request), exclusion=exclusion, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Exclusion lifted: the provider may submit bids again."))
            return redirect("bureau:exclusions")
    context = {"exclusion": exclusion, "form": form, "history": history_of(exclusion)}
    return render(request, "frontend/bureau/exclusion_lift.html", context)
