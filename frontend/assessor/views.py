"""The third-party assessor's pages: the contracts assigned to the assessor's organisation, and per
evaluation the third-party score T and the sample survey, saved through evaluations.services."""

from django.http import HttpRequest, HttpResponse

from ..casework.party import PartyPages
from ..waiting import tasks_for

pages = PartyPages("assessor", survey=True)


def home(request: HttpRequest) -> HttpResponse:
    """The assigned contracts, and the scores and surveys waiting for the assessor."""
    return pages.home(request, extra=lambda: {"tasks": tasks_for(request.user, "assessor")})


contract_detail = pages.contract_detail
evaluation_detail = pages.evaluation_detail
evaluation_score = pages.evaluation_score
record_ratings = pages.record_ratings
evaluation_survey = pages.evaluation_survey
