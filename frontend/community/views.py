"""The residents' committee's pages: the contracts assigned to the committee, and per evaluation
the community score C, saved through evaluations.services."""

from django.http import HttpRequest, HttpResponse

from ..casework.party import PartyPages
from ..needs.views import needs_awaiting_council
from ..registrations import pending_registrations
from ..waiting import tasks_for

pages = PartyPages("community")


def home(request: HttpRequest) -> HttpResponse:
    """The assigned contracts, what waits for the committee (C scores, residents to confirm) and
    how many resident registrations wait."""
    return pages.home(
        request,
        extra=lambda: {
            "tasks": tasks_for(request.user, "community"),
            "pending_residents": pending_registrations(request.user).count(),
            "waiting_needs": needs_awaiting_council(request.user).count(),
        },
    )


contract_detail = pages.contract_detail
evaluation_detail = pages.evaluation_detail
evaluation_score = pages.evaluation_score
record_ratings = pages.record_ratings
