"""The pages of an organisation a contract names to enter one score: the third-party assessor
(score T, and the sample survey) and the residents' committee (score C). Both areas show the
contracts assigned to the organisation, a contract's evaluations, and per evaluation the score
entry, saved through evaluations.services (see ``common``)."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.selectors import tallies_of

from ..access import area_required
from .common import (
    COMPONENTS_OF_AREA,
    component_rows,
    contracts_of,
    evaluations_of,
    may_collect,
    may_score,
    may_survey,
    ratings_context,
    save_assisted_rating,
    save_score,
    save_survey,
    score_form,
    survey_form,
)
from .forms import AssistedRatingForm

View = Callable[..., HttpResponse]


class PartyPages:
    """The views of ``area`` (templates ``frontend/<area>/…``, URL names ``<area>:…``), where the
    organisation enters its one component (``COMPONENTS_OF_AREA``) and, if ``survey``, the sample
    survey."""

    def __init__(self, area: str, *, survey: bool = False) -> None:
        self.area = area
        (self.component,) = COMPONENTS_OF_AREA[area]
        self.survey = survey
        guard = area_required(area)
        self.home: View = guard(self._home)
        self.contract_detail: View = guard(self._contract_detail)
        self.evaluation_detail: View = guard(self._evaluation_detail)
        self.evaluation_score: View = guard(self._evaluation_score)
        self.evaluation_survey: View = guard(self._evaluation_survey)
        self.record_ratings: View = guard(self._record_ratings)

    def _home(self, request: HttpRequest, extra: Callable[[], dict[str, Any]] | None = None) -> HttpResponse:
        contracts = contracts_of(request, self.area).select_related("provider", "bureau").order_by("-id")
        context = {"contracts": contracts, **(extra() if extra else {})}
        return render(request, f"frontend/{self.area}/home.html", context)

    def _contract_detail(self, request: HttpRequest, pk: int) -> HttpResponse:
        contracts = contracts_of(request, self.area).select_related("provider", "bureau")
        contract = get_object_or_404(contracts, pk=pk)
        evaluations = Evaluation.objects.filter(contract=contract).order_by("id")
        context = {
            "contract": contract,
            "component": self.component,
            "evaluations": [(each, getattr(each, self.component.value)) for each in evaluations],
        }
        return render(request, f"frontend/{self.area}/contract_detail.html", context)

    def _evaluation_or_404(self, request: HttpRequest, pk: int) -> Evaluation:
        evaluations = evaluations_of(request, self.area).select_related("contract__provider")
        return get_object_or_404(evaluations, pk=pk)

    def _page(
        self, request: HttpRequest, evaluation: Evaluation, extra: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = extra or {}
        context: dict[str, Any] = {
            "evaluation": evaluation,
            "contract": evaluation.contract,
            "components": component_rows(evaluation),
            "form": extra.get("form"),
            "score_form": None,
            "may_collect": may_collect(request.user, evaluation),
            **ratings_context(request.user, evaluation),
        }
        if may_score(request.user, evaluation, self.component):
            form = extra.get(f"{self.component}_form") or score_form(evaluation, self.component)
            context["score_form"] = form
        if self.survey:
            context["survey_form"] = None
            if may_survey(request.user, evaluation):
                context["survey_form"] = extra.get("survey_form") or survey_form(evaluation)
        return render(request, f"frontend/{self.area}/evaluation.html", context)

    def _evaluation_detail(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, self._evaluation_or_404(request, pk))

    def _evaluation_score(self, request: HttpRequest, pk: int) -> HttpResponse:
        evaluation = self._evaluation_or_404(request, pk)
        if request.method != "POST":
            return redirect(f"{self.area}:evaluation", pk=evaluation.pk)
        return save_score(
            request,
            evaluation,
            self.component,
            success_url=reverse(f"{self.area}:evaluation", args=[evaluation.pk]),
            render_page=lambda extra: self._page(request, evaluation, extra),
        )

    def _evaluation_survey(self, request: HttpRequest, pk: int) -> HttpResponse:
        evaluation = self._evaluation_or_404(request, pk)
        if request.method != "POST":
            return redirect(f"{self.area}:evaluation", pk=evaluation.pk)
        return save_survey(
            request,
            evaluation,
            success_url=reverse(f"{self.area}:evaluation", args=[evaluation.pk]),
            render_page=lambda extra: self._page(request, evaluation, extra),
        )

    def _record_ratings(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The collector's page (docs/rules.md §10.6): one household's answers at a time."""
        evaluation = self._evaluation_or_404(request, pk)

        def render_page(form: AssistedRatingForm) -> HttpResponse:
            context = {
                "area": self.area,
                "evaluation": evaluation,
                "contract": evaluation.contract,
                "form": form,
                "may_collect": may_collect(request.user, evaluation),
                "tallies": tallies_of(evaluation),
            }
            return render(request, "frontend/casework/record_ratings.html", context)

        if request.method != "POST":
            return render_page(AssistedRatingForm())
        return save_assisted_rating(
            request,
            evaluation,
            success_url=reverse(f"{self.area}:record_ratings", args=[evaluation.pk]),
            render_page=render_page,
        )
