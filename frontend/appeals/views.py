"""Appeal pages (复核, docs/rules.md §11.7), calling the same services and selectors as the API: the
provider appeals a published evaluation from its contract page and follows the appeal; the
bureau's officers and the review body see the queue of open appeals and decide, with S, S', S''
and the money each part moves shown."""

from typing import Any, cast

import rules
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.history import history_of
from common.transitions import transitions_available
from evaluations import appeals as appeal_services
from evaluations.appeal_rules import CLAIMABLE
from evaluations.models import Appeal, Evaluation
from evaluations.permissions import APPEAL_TRANSITIONS
from evaluations.selectors import appeal_money, appeals_to_decide
from orgs.models import User
from orgs.permissions import member_organization_ids

from ..access import area_required
from ..documents.views import documents_block
from ..forms import add_service_error
from .forms import AppealDecisionForm, AppealForm

# A service's field errors ("claimed.buyer", "scores.buyer") on the pages' fields.
CLAIM_FIELDS = {f"claimed.{c.value}": c.value for c in CLAIMABLE}
SCORE_FIELDS = {f"scores.{c.value}": f"score_{c.value}" for c in CLAIMABLE}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def may_appeal(user: Any, evaluation: Evaluation) -> bool:
    """Whether the provider's page offers "Appeal this evaluation": the service's rule
    (``evaluations.appeals.check_may_appeal``)."""
    try:
        appeal_services.check_may_appeal(user, evaluation)
    except ApplicationError:
        return False
    return True


def _rows(appeal: Appeal) -> list[dict[str, Any]]:
    """Each claimed component: published, claimed and (once decided) final score."""
    published = appeal.evaluation.component_scores()
    claimed, final = appeal.claimed(), appeal.final()
    return [
        {
            "label": component.label,
            "published": published[component.value],
            "claimed": claimed[component.value],
            "final": final.get(component.value),
        }
        for component in CLAIMABLE
        if component.value in claimed
    ]


def _detail(request: HttpRequest, appeal: Appeal, template: str, extra: dict[str, Any]) -> HttpResponse:
    context = {
        "appeal": appeal,
        "evaluation": appeal.evaluation,
        "contract": appeal.evaluation.contract,
        "rows": _rows(appeal),
        "money": appeal_money(appeal),
        "history": [
            {
                "log": log,
                "label": Appeal.Status(log.state).label if log.state in Appeal.Status.values else log.state,
            }
            for log in history_of(appeal)
        ],
        "documents": documents_block(request, appeal),
        **extra,
    }
    form = extra.get("form")
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, template, context, status=status)


# --- Provider -------------------------------------------------------------------------------------


def _own_evaluations(request: HttpRequest) -> QuerySet[Evaluation]:
    evaluations: QuerySet[Evaluation] = Evaluation.objects.visible_to(request.user)
    return evaluations.filter(contract__provider_id__in=member_organization_ids(request.user))


def _own_appeals(request: HttpRequest) -> QuerySet[Appeal]:
    appeals: QuerySet[Appeal] = Appeal.objects.visible_to(request.user)
    return appeals.filter(evaluation__contract__provider_id__in=member_organization_ids(request.user))


@area_required("provider")
def appeal_new(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_object_or_404(_own_evaluations(request).select_related("contract"), pk=pk)
    try:  # the service's rule, and its reason when it refuses (pending, decided, window closed …)
        appeal_services.check_may_appeal(request.user, evaluation)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("provider:contract", pk=evaluation.contract_id)
    form = AppealForm(request.POST or None, published=evaluation.component_scores())
    if request.method == "POST" and form.is_valid():
        try:
            appeal = appeal_services.appeal_file(
                actor=_user(request),
                evaluation=evaluation,
                grounds=form.cleaned_data["grounds"],
                claimed=form.claimed(),
            )
        except ApplicationError as error:
            add_service_error(form, error, CLAIM_FIELDS)
        else:
            messages.success(request, _("Appeal sent. Add the documents that support it below."))
            return redirect("provider:appeal", pk=appeal.pk)
    return render(
        request,
        "frontend/appeals/appeal_form.html",
        {"evaluation": evaluation, "contract": evaluation.contract, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@area_required("provider")
def provider_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(_own_appeals(request), pk=pk)
    back = reverse("provider:contract", args=[appeal.evaluation.contract_id])
    return _detail(request, appeal, "frontend/appeals/appeal_detail.html", {"back": back})


# --- Bureau and review body -----------------------------------------------------------------------


def _decide(request: HttpRequest, pk: int, back: str, here: str) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)
    if not rules.has_perm("evaluations.view_appeal_details", request.user, appeal):
        raise Http404
    form = None
    if "decide" in transitions_available(request.user, appeal, APPEAL_TRANSITIONS):
        form = AppealDecisionForm(
            request.POST or None, published=appeal.evaluation.component_scores(), claimed=appeal.claimed()
        )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            appeal_services.appeal_decide(
                actor=_user(request),
                appeal=appeal,
                decision=form.cleaned_data["decision"],
                scores=form.scores() if form.cleaned_data["decision"] == "partly" else {},
                reasoning=form.cleaned_data["reasoning"],
            )
        except ApplicationError as error:
            add_service_error(form, error, SCORE_FIELDS)
        else:
            messages.success(
                request, _("Decision recorded. The provider, the bureau and the review body are told.")
            )
            return redirect(here, pk=appeal.pk)
    return _detail(request, appeal, "frontend/appeals/appeal_detail.html", {"back": back, "form": form})


@area_required("bureau")
def bureau_appeals(request: HttpRequest) -> HttpResponse:
    """The bureau's queue: open appeals its officers decide, and the decided ones."""
    decided = (
        Appeal.objects.visible_to(request.user)
        .filter(status__in=Appeal.DECIDED_STATUSES)
        .select_related("evaluation__contract")
        .order_by("-decided_at", "-id")[:50]
    )
    return render(
        request,
        "frontend/appeals/queue.html",
        {"to_decide": list(appeals_to_decide(user=request.user)), "decided": list(decided), "area": "bureau"},
    )


@area_required("bureau")
def bureau_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, reverse("casework:appeals"), "casework:appeal")


@area_required("review")
def review_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, reverse("review:home"), "review:appeal")
