"""The bureau's contracts: the list with a state filter, the case page (summary, instalments,
delivery, evaluations, history) and the contract's transitions, each through contracts.services."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError
from common.transitions import transitions_available
from contracts import services as contract_services
from contracts import variations as contract_variations
from contracts.models import Contract, KpiActual, Report, Variation
from contracts.permissions import CONTRACT_TRANSITIONS, VARIATION_TRANSITIONS
from documents.selectors import with_document_counts
from evaluations import services as evaluation_services
from evaluations.models import Evaluation

from ..access import area_required
from ..documents.views import documents_block
from ..forms import GovukForm, add_service_error
from ..htmx import vary_on_htmx, wants_fragment
from ..variations import contract_timeline, signing_deadline, variation_rows
from .common import contracts_of
from .forms import (
    AssignForm,
    ContractFilterForm,
    OptionalReasonForm,
    ReasonForm,
    TerminateForm,
    VariationForm,
)

# Labels of the contract machine's transitions in the history timeline.
TRANSITION_LABELS = {
    "activate": gettext_lazy("Activated: signed by both parties"),
    "suspend": gettext_lazy("Suspended"),
    "resume": gettext_lazy("Resumed"),
    "start_rectification": gettext_lazy("Rectification started"),
    "end_rectification": gettext_lazy("Rectification ended"),
    "complete": gettext_lazy("Completed"),
    "close": gettext_lazy("Closed"),
    "terminate": gettext_lazy("Terminated"),
}


def _contract_or_404(request: HttpRequest, pk: int) -> Contract:
    contracts = contracts_of(request, "bureau").select_related(
        "provider", "assessor", "community", "bureau_signed_by", "provider_signed_by"
    )
    return get_object_or_404(contracts, pk=pk)


@area_required("bureau")
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    contracts = contracts_of(request, "bureau").select_related("provider").order_by("-id")
    status = form.cleaned_data.get("status") if form.is_valid() else ""
    if status:
        contracts = contracts.filter(status=status)
    context = {"filter_form": form, "contracts": contracts[:200], "status": status}
    if wants_fragment(request):
        return vary_on_htmx(render(request, "frontend/casework/includes/contract_results.html", context))
    return vary_on_htmx(render(request, "frontend/casework/contract_list.html", context))


@area_required("bureau")
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    instalments = [
        {"instalment": instalment, "payment": next(iter(instalment.payments.all()), None)}
        for instalment in contract.instalments.all()
    ]
    reports = Report.objects.filter(contract=contract).prefetch_related(
        Prefetch("kpi_actuals", queryset=KpiActual.objects.select_related("kpi"))
    )
    context = {
        "contract": contract,
        "transitions": transitions_available(request.user, contract, CONTRACT_TRANSITIONS),
        "instalments": instalments,
        "events": with_document_counts(contract.events.select_related("area")).annotate(
            recipient_count=Count("recipients", distinct=True)
        ),
        "documents": documents_block(request, contract),
        "reports": reports,
        "evaluations": Evaluation.objects.filter(contract=contract).order_by("id"),
        "variations": variation_rows(request.user, contract),
        "signing": signing_deadline(contract),
        "history": contract_timeline(request.user, contract, TRANSITION_LABELS),
    }
    return render(request, "frontend/casework/contract_detail.html", context)


@area_required("bureau")
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Signing binds the bureau, so it is confirmed on its own page (as the provider's is)."""
    contract = _contract_or_404(request, pk)
    if request.method == "POST":
        try:
            contract = evaluation_services.contract_sign(actor=request.user, contract=contract)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if contract.status == Contract.Status.ACTIVE:
                messages.success(
                    request, _("You signed the contract. Both parties have signed: it is active.")
                )
            else:
                messages.success(
                    request, _("You signed the contract. It becomes active when the provider signs.")
                )
        return redirect("casework:contract", pk=contract.pk)
    unavailable = _unavailable(request, contract, "sign")
    if unavailable is not None:
        return unavailable
    return render(request, "frontend/casework/contract_sign.html", {"contract": contract})


# verb → (form, service, page heading, button, success message)
ReasonService = Callable[..., Contract]
_REASON_ACTIONS: dict[str, tuple[type[GovukForm], ReasonService, Any, Any, Any]] = {
    "suspend": (
        ReasonForm,
        contract_services.contract_suspend,
        gettext_lazy("Suspend the contract"),
        gettext_lazy("Suspend contract"),
        gettext_lazy("The contract is suspended."),
    ),
    "resume": (
        OptionalReasonForm,
        contract_services.contract_resume,
        gettext_lazy("Resume the contract"),
        gettext_lazy("Resume contract"),
        gettext_lazy("The contract is active again."),
    ),
    "terminate": (
        TerminateForm,
        evaluation_services.contract_terminate,  # the contract's open appeals lapse with it
        gettext_lazy("Terminate the contract"),
        gettext_lazy("Terminate contract"),
        gettext_lazy("The contract is terminated. Instalments not yet payable are withheld."),
    ),
}


def _unavailable(request: HttpRequest, contract: Contract, verb: str) -> HttpResponse | None:
    """GET of an action the user may not take now: back to the case with the reason."""
    if verb in transitions_available(request.user, contract, CONTRACT_TRANSITIONS):
        return None
    messages.error(request, _("This action is not possible for this contract now."))
    return redirect("casework:contract", pk=contract.pk)


@area_required("bureau")
def contract_reason_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    form_class, service, heading, button, success = _REASON_ACTIONS[verb]
    contract = _contract_or_404(request, pk)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(actor=request.user, contract=contract, reason=form.cleaned_data["reason"])
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, str(success))
                return redirect("casework:contract", pk=contract.pk)
    else:
        unavailable = _unavailable(request, contract, verb)
        if unavailable is not None:
            return unavailable
        form = form_class()
    context = {"contract": contract, "form": form, "verb": verb, "heading": heading, "button": button}
    return render(request, "frontend/casework/contract_reason.html", context)


@area_required("bureau")
def contract_assign(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract_or_404(request, pk)
    if request.method == "POST":
        form = AssignForm(request.POST)
        if form.is_valid():
            try:
                contract_services.contract_assign(
                    actor=request.user,  # type: ignore[arg-type]
                    contract=contract,
                    assessor=form.cleaned_data["assessor"],
                    community=form.cleaned_data["community"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The assessor and the residents' committee are saved."))
                return redirect("casework:contract", pk=contract.pk)
    else:
        unavailable = _unavailable(request, contract, "assign")
        if unavailable is not None:
            return unavailable
        form = AssignForm(initial={"assessor": contract.assessor_id, "community": contract.community_id})
    return render(request, "frontend/casework/contract_assign.html", {"contract": contract, "form": form})


# --- Variations (补充协议, docs/rules.md §17.8) ------------------------------------------------------


@area_required("bureau")
def variation_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer proposes a variation: what it changes (radios revealing the one field needed) and why."""
    contract = _contract_or_404(request, pk)
    if request.method == "POST":
        form = VariationForm(request.POST)
        if form.is_valid():
            try:
                evaluation_services.variation_propose(
                    actor=request.user,  # type: ignore[arg-type]
                    contract=contract,
                    **form.service_data(),
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The variation is proposed. Sign it for the bureau below: it takes effect when "
                        "both parties have signed it."
                    ),
                )
                # to the variations table, where its "Sign" button is
                return redirect(reverse("casework:contract", args=[contract.pk]) + "#variations")
    else:
        unavailable = _unavailable(request, contract, "vary")
        if unavailable is not None:
            return unavailable
        form = VariationForm()
    context = {
        "contract": contract,
        "form": form,
        "max_pct": settings.VARIATION_MAX_PCT,
        "limit": contract_variations.increases_limit(contract),
        "used": contract_variations.increases_so_far(contract),
    }
    return render(request, "frontend/casework/variation_new.html", context)


def _variation_or_404(request: HttpRequest, pk: int) -> Variation:
    contracts = contracts_of(request, "bureau")
    variations = Variation.objects.visible_to(request.user).filter(contract__in=contracts)
    return get_object_or_404(variations.select_related("contract"), pk=pk)


@area_required("bureau")
def variation_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Signing binds the bureau, so it is confirmed on its own page."""
    variation = _variation_or_404(request, pk)
    contract = variation.contract
    if request.method == "POST":
        try:
            variation = evaluation_services.variation_sign(actor=request.user, variation=variation)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if variation.status == Variation.Status.EFFECTIVE:
                messages.success(
                    request, _("You signed the variation. Both parties have signed: it is in effect.")
                )
            else:
                messages.success(
                    request, _("You signed the variation. It takes effect when the provider signs.")
                )
        return redirect("casework:contract", pk=contract.pk)
    if "sign" not in variation_transitions(request, variation):
        messages.error(request, _("This action is not possible for this variation now."))
        return redirect("casework:contract", pk=contract.pk)
    context = {
        "contract": contract,
        "variation": variation,
        "back_url": reverse("casework:contract", args=[contract.pk]),
    }
    return render(request, "frontend/casework/variation_sign.html", context)


@area_required("bureau")
def variation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    variation = _variation_or_404(request, pk)
    contract = variation.contract
    if request.method == "POST":
        form = OptionalReasonForm(request.POST)
        if form.is_valid():
            try:
                contract_variations.variation_withdraw(
                    actor=request.user,  # type: ignore[arg-type]
                    variation=variation,
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The variation is withdrawn."))
                return redirect("casework:contract", pk=contract.pk)
    else:
        if "withdraw" not in variation_transitions(request, variation):
            messages.error(request, _("This action is not possible for this variation now."))
            return redirect("casework:contract", pk=contract.pk)
        form = OptionalReasonForm()
    context = {
        "contract": contract,
        "form": form,
        "verb": "withdraw",
        "heading": _("Withdraw variation No. %(number)s") % {"number": variation.sequence},
        "button": _("Withdraw variation"),
    }
    return render(request, "frontend/casework/contract_reason.html", context)


def variation_transitions(request: HttpRequest, variation: Variation) -> list[str]:
    return transitions_available(request.user, variation, VARIATION_TRANSITIONS)
