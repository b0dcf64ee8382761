"""The residents' committee's pages: the contracts assigned to the committee, and per evaluation
the community score C, saved through evaluations.services."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from evaluations.models import Evaluation
from evaluations.services import evaluation_open_for

from ..access import area_required
from ..casework.common import component_rows, contracts_of, evaluations_of, may_score, save_score, score_form

AREA = "community"


@area_required(AREA)
def home(request: HttpRequest) -> HttpResponse:
    contracts = contracts_of(request, AREA).select_related("provider", "bureau").order_by("-id")
    return render(request, "frontend/community/home.html", {"contracts": contracts})


@area_required(AREA)
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(contracts_of(request, AREA).select_related("provider", "bureau"), pk=pk)
    evaluation_open_for(contract)  # an active contract's first evaluation opens when first needed
    evaluations = Evaluation.objects.filter(contract=contract).order_by("id")
    return render(
        request, "frontend/community/contract_detail.html", {"contract": contract, "evaluations": evaluations}
    )


def _evaluation_or_404(request: HttpRequest, pk: int) -> Evaluation:
    return get_object_or_404(evaluations_of(request, AREA).select_related("contract__provider"), pk=pk)


def _page(request: HttpRequest, evaluation: Evaluation, extra: dict[str, Any] | None = None) -> HttpResponse:
    extra = extra or {}
    context: dict[str, Any] = {
        "evaluation": evaluation,
        "contract": evaluation.contract,
        "components": component_rows(evaluation),
        "form": extra.get("form"),
        "score_form": None,
    }
    if may_score(request.user, evaluation, "community"):
        context["score_form"] = extra.get("community_form") or score_form(evaluation, "community")
    return render(request, "frontend/community/evaluation.html", context)


@area_required(AREA)
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _evaluation_or_404(request, pk))


@area_required(AREA)
def evaluation_score(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation_or_404(request, pk)
    if request.method != "POST":
        return redirect("community:evaluation", pk=evaluation.pk)
    return save_score(
        request,
        evaluation,
        "community",
        success_url=reverse("community:evaluation", args=[evaluation.pk]),
        render_page=lambda extra: _page(request, evaluation, extra),
    )
