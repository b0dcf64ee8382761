"""Pieces the bureau's, the assessor's and the community's case-work pages share: which contracts
and evaluations an area's organisation works on, and the evaluation's score entry (component
scores and the sample survey), each saved through the evaluations service."""

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from common.client_address import client_address
from common.errors import ApplicationError
from contracts.models import Contract
from contracts.permissions import party_organization_ids
from contracts.selectors import contract_list
from evaluations import services as evaluation_services
from evaluations.models import Evaluation
from evaluations.permissions import COMPONENT_PERMS
from evaluations.selectors import delivery_flags, tallies_of
from marketplace.components import Component

from .. import components
from ..forms import add_service_error
from .forms import AssistedRatingForm, ScoreForm, SurveyForm

# The organisation field of a contract through which each area works on it.
PARTY_FIELDS = {"bureau": "bureau_id", "assessor": "assessor_id", "community": "community_id"}

# The components each area's organisation enters (who may: evaluations.permissions.COMPONENT_PERMS).
COMPONENTS_OF_AREA = {
    "bureau": (Component.BUYER, Component.COMMUNITY),
    "assessor": (Component.THIRD_PARTY,),
    "community": (Component.COMMUNITY,),
}


def contracts_of(request: HttpRequest, area: str) -> QuerySet[Contract]:
    """The contracts the user's organisations work on in ``area`` (other contracts: 404)."""
    ids = party_organization_ids(request.user)
    return contract_list(user=request.user).filter(**{f"{PARTY_FIELDS[area]}__in": ids})


def evaluations_of(request: HttpRequest, area: str) -> QuerySet[Evaluation]:
    ids = party_organization_ids(request.user)
    return Evaluation.objects.visible_to(request.user).filter(**{f"contract__{PARTY_FIELDS[area]}__in": ids})


def may_score(user: Any, evaluation: Evaluation, component: str) -> bool:
    """Whether to offer the component's form: the user may enter it, and scores are still taken."""
    is_open = evaluation.status == Evaluation.Status.OPEN
    return is_open and rules.has_perm(COMPONENT_PERMS[component], user, evaluation)


def may_survey(user: Any, evaluation: Evaluation) -> bool:
    is_open = evaluation.status == Evaluation.Status.OPEN
    return is_open and rules.has_perm("evaluations.survey_evaluation", user, evaluation)


def score_form(evaluation: Evaluation, component: str, data: Any = None) -> ScoreForm:
    current = getattr(evaluation, component)
    return ScoreForm(
        data,
        prefix=component,
        label=str(Component(component).label),
        initial={"score": current} if current is not None else None,
    )


def survey_form(evaluation: Evaluation, data: Any = None) -> SurveyForm:
    initial = {"n": evaluation.survey_n, "n_pos": evaluation.survey_n_pos} if evaluation.survey_n else None
    return SurveyForm(data, prefix="survey", initial=initial)


def component_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The evaluation's components with the weights frozen into its contract."""
    return components.component_rows(evaluation, evaluation.contract.frozen_terms.score_weights)


def save_score(
    request: HttpRequest,
    evaluation: Evaluation,
    component: str,
    *,
    success_url: str,
    render_page: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    """Validate the score, save it through the service; on a refusal re-render with the values."""
    form = score_form(evaluation, component, request.POST)
    if form.is_valid():
        try:
            evaluation_services.evaluation_score(
                actor=request.user,  # type: ignore[arg-type]
                evaluation=evaluation,
                component=component,
                score=form.cleaned_data["score"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(component)s saved: %(score)s.")
                % {"component": Component(component).label, "score": form.cleaned_data["score"]},
            )
            return redirect(success_url)
    return render_page({f"{component}_form": form, "form": form})


def save_survey(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    success_url: str,
    render_page: Callable[[dict[str, Any]], HttpResponse],
) -> HttpResponse:
    form = survey_form(evaluation, request.POST)
    if form.is_valid():
        try:
            evaluation_services.evaluation_survey(
                actor=request.user,  # type: ignore[arg-type]
                evaluation=evaluation,
                n=form.cleaned_data["n"],
                n_pos=form.cleaned_data["n_pos"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Sample survey saved: %(n_pos)s satisfied of %(n)s households.")
                % {"n": form.cleaned_data["n"], "n_pos": form.cleaned_data["n_pos"]},
            )
            return redirect(success_url)
    return render_page({"survey_form": form, "form": form})


def may_collect(user: Any, evaluation: Evaluation) -> bool:
    """Whether to offer "Record ratings": the user collects for the assessor or the community (never
    the provider) and the evaluation still takes ratings (docs/rules.md §10.6)."""
    is_open = evaluation.status == Evaluation.Status.OPEN
    return is_open and rules.has_perm("evaluations.collect_rating", user, evaluation)


def ratings_context(user: Any, evaluation: Evaluation) -> dict[str, Any]:
    """The evaluation's ratings, online and assisted side by side; the delivery signals for the
    bureau and the assessor, and the delivery flags for the bureau (docs/rules.md §11.10)."""
    return {
        "tallies": tallies_of(evaluation),
        "show_signals": rules.has_perm("evaluations.view_delivery_signals", user, evaluation),
        "flags": (
            delivery_flags(evaluation)
            if rules.has_perm("evaluations.view_delivery_flags", user, evaluation)
            else None
        ),
    }


def save_assisted_rating(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    success_url: str,
    render_page: Callable[[AssistedRatingForm], HttpResponse],
) -> HttpResponse:
    """Record the household's answers through the service; then back to an empty form for the next
    household, with a confirmation. On a refusal the page comes back with everything as typed."""
    form = AssistedRatingForm(request.POST)
    if form.is_valid():
        try:
            rating = evaluation_services.rating_record_assisted(
                actor=request.user,  # type: ignore[arg-type]
                evaluation=evaluation,
                client_address=client_address(request),
                **form.service_arguments(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Rating recorded for household %(code)s. Enter the next household.")
                % {"code": rating.household.code},
            )
            return redirect(success_url)
    return render_page(form)
