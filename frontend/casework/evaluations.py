"""The bureau's evaluation page: the officer enters the buyer score B (and the community score C
when the permission allows), sees T, R and the survey, finalizes (S, band, release) and, after the
appeal window, confirms. Every write goes through evaluations.services."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.transitions import transitions_available
from evaluations import services as evaluation_services
from evaluations.models import Appeal, Evaluation
from evaluations.permissions import EVALUATION_TRANSITIONS
from evaluations.selectors import appeal_money

from ..access import area_required
from .common import (
    COMPONENTS_OF_AREA,
    component_rows,
    evaluations_of,
    may_score,
    ratings_context,
    save_score,
    score_form,
)


def _evaluation_or_404(request: HttpRequest, pk: int) -> Evaluation:
    evaluations = evaluations_of(request, "bureau").select_related("contract__provider")
    return get_object_or_404(evaluations, pk=pk)


def _page(request: HttpRequest, evaluation: Evaluation, extra: dict[str, Any] | None = None) -> HttpResponse:
    extra = extra or {}
    score_forms = []
    for component in COMPONENTS_OF_AREA["bureau"]:
        if may_score(request.user, evaluation, component):
            form = extra.get(f"{component}_form") or score_form(evaluation, component)
            action = reverse("casework:evaluation_score", args=[evaluation.pk, component.value])
            score_forms.append({"component": component, "form": form, "action": action})
    context = {
        "evaluation": evaluation,
        "contract": evaluation.contract,
        "components": component_rows(evaluation),
        "score_forms": score_forms,
        "transitions": transitions_available(request.user, evaluation, EVALUATION_TRANSITIONS),
        "form": extra.get("form"),
        "appeals": list(Appeal.objects.visible_to(request.user).filter(evaluation=evaluation)),
        **ratings_context(request.user, evaluation),
    }
    return render(request, "frontend/casework/evaluation_detail.html", context)


@area_required("bureau")
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _evaluation_or_404(request, pk))


@area_required("bureau")
def evaluation_score(request: HttpRequest, pk: int, component: str) -> HttpResponse:
    if component not in COMPONENTS_OF_AREA["bureau"]:
        raise Http404
    evaluation = _evaluation_or_404(request, pk)
    if request.method != "POST":
        return redirect("casework:evaluation", pk=evaluation.pk)
    return save_score(
        request,
        evaluation,
        component,
        success_url=reverse("casework:evaluation", args=[evaluation.pk]),
        render_page=lambda extra: _page(request, evaluation, extra),
    )


def _confirmation_page(request: HttpRequest, evaluation: Evaluation, verb: str, refusal: str) -> HttpResponse:
    """The page that asks the officer to ``verb`` the evaluation, or back to it with ``refusal``
    when the officer may not take that transition now."""
    if verb not in transitions_available(request.user, evaluation, EVALUATION_TRANSITIONS):
        messages.error(request, refusal)
        return redirect("casework:evaluation", pk=evaluation.pk)
    pending = Appeal.objects.filter(evaluation=evaluation, status=Appeal.Status.OPEN).first()
    context = {
        "evaluation": evaluation,
        "contract": evaluation.contract,
        "components": component_rows(evaluation),
        "pending_appeal": pending,
        "money": appeal_money(pending) if pending is not None else None,
    }
    return render(request, f"frontend/casework/evaluation_{verb}.html", context)


@area_required("bureau")
def evaluation_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation_or_404(request, pk)
    if request.method == "POST":
        try:
            evaluation = evaluation_services.evaluation_finalize(actor=request.user, evaluation=evaluation)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _(
                    "The evaluation is published: composite score S %(score)s, band %(band)s, "
                    "release %(release)s. The appeal window is open until %(until)s."
                )
                % {
                    "score": evaluation.composite,
                    "band": evaluation.band,
                    "release": f"{evaluation.release_pct}%",
                    "until": _local(evaluation.appeal_until),
                },
            )
        return redirect("casework:evaluation", pk=evaluation.pk)
    return _confirmation_page(request, evaluation, "finalize", _("This evaluation cannot be finalized now."))


@area_required("bureau")
def evaluation_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation_or_404(request, pk)
    if request.method == "POST":
        try:
            evaluation = evaluation_services.evaluation_confirm(actor=request.user, evaluation=evaluation)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The evaluation is final. The instalments follow its result."))
        return redirect("casework:evaluation", pk=evaluation.pk)
    return _confirmation_page(request, evaluation, "confirm", _("This evaluation cannot be confirmed now."))


def _local(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""
