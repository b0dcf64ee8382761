"""The residents' committee's pages: the contracts assigned to the committee, and per evaluation
the community score C, saved through evaluations.services."""

from django.http import HttpRequest, HttpResponse

from ..casework.party import PartyPages
from ..registrations import pending_registrations

pages = PartyPages("community", "community")


def home(request: HttpRequest) -> HttpResponse:
    """The assigned contracts, and how many resident registrations wait for the committee."""
    return pages.home(
        request, extra=lambda: {"pending_residents": pending_registrations(request.user).count()}
    )


contract_detail = pages.contract_detail
evaluation_detail = pages.evaluation_detail
evaluation_score = pages.evaluation_score
