"""The provider's contracts: summary, instalments and payments received, signing, service events
(台账), reports, evaluation results and the payout account."""

from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.transitions import transitions_available
from contracts import delivery
from contracts.models import Contract, Report, ServiceEvent, Variation
from contracts.permissions import CONTRACT_TRANSITIONS, VARIATION_TRANSITIONS
from contracts.selectors import contract_list
from documents.selectors import with_document_counts
from evaluations import services as evaluation_services
from evaluations.models import Appeal, Evaluation
from evaluations.scoring import BAND_GRADES
from evaluations.selectors import score_history_of
from orgs.models import Area
from orgs.permissions import area_subtree_q
from payments import services as payment_services
from payments.models import Gateway, Payment, PayoutAccount

from ..access import area_required
from ..appeals.views import may_appeal
from ..components import component_rows
from ..documents.views import documents_block
from ..forms import add_service_error
from ..variations import change_of, signing_deadline, variation_rows
from .common import actor, posted, provider_organization
from .forms import ReportForm, ServiceEventForm
from .views import member_provider_ids


def _contracts(request: HttpRequest) -> QuerySet[Contract]:
    """Contracts of the member's own provider organisations (as the user may see them)."""
    return contract_list(user=request.user).filter(provider_id__in=member_provider_ids(request.user))


def _contract(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(_contracts(request).select_related("bureau", "bid"), pk=pk)


@area_required("provider")
def contract_list_page(request: HttpRequest) -> HttpResponse:
    contracts = _contracts(request).select_related("bureau")
    return render(request, "frontend/provider/contract_list.html", {"contracts": contracts})


def _evaluations(request: HttpRequest, contract: Contract) -> list[dict[str, Any]]:
    weights = contract.frozen_terms.score_weights
    rows = []
    appeals: dict[int, list[Appeal]] = {}
    for appeal in (
        Appeal.objects.visible_to(request.user).filter(evaluation__contract=contract).order_by("id")
    ):
        appeals.setdefault(appeal.evaluation_id, []).append(appeal)
    evaluations = list(Evaluation.objects.visible_to(request.user).filter(contract=contract).order_by("id"))
    history = score_history_of(evaluations)
    for evaluation in evaluations:
        rows.append(
            {
                "history": history.get(evaluation.pk, []),
                "evaluation": evaluation,
                "components": component_rows(evaluation, weights),
                "grade": BAND_GRADES.get(evaluation.band, ""),
                "is_open": evaluation.status == Evaluation.Status.OPEN,
                "appeals": appeals.get(evaluation.pk, []),
                "may_appeal": may_appeal(request.user, evaluation),
            }
        )
    return rows


@area_required("provider")
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    organization = provider_organization(request)
    instalments = contract.instalments.prefetch_related(
        Prefetch("payments", queryset=Payment.objects.order_by("-id"))
    )
    instalment_rows = [
        {"instalment": instalment, "payment": next(iter(instalment.payments.all()), None)}
        for instalment in instalments
    ]
    received = sum(
        row["payment"].amount
        for row in instalment_rows
        if row["payment"] is not None and row["payment"].status == Payment.Status.SUCCEEDED
    )
    events = (
        with_document_counts(ServiceEvent.objects.filter(contract=contract))
        .select_related("area")
        .annotate(recipient_count=Count("recipients", distinct=True))[:20]
    )
    reports = Report.objects.filter(contract=contract).prefetch_related("kpi_actuals__kpi")
    available = transitions_available(request.user, contract, CONTRACT_TRANSITIONS)
    may_log = (
        rules.has_perm("contracts.log_delivery_on_contract", request.user, contract)
        and contract.status in delivery.DELIVERING
    )
    show_payout = settings.PAYMENTS_GATEWAY == Gateway.STRIPE and rules.has_perm(
        "payments.onboard_payout_account", request.user, organization
    )
    return render(
        request,
        "frontend/provider/contract_detail.html",
        {
            "contract": contract,
            "instalment_rows": instalment_rows,
            "received": received,
            "events": events,
            "reports": reports,
            "evaluations": _evaluations(request, contract),
            "documents": documents_block(request, contract),
            "can_sign": "sign" in available,
            "signing": signing_deadline(contract),
            "variations": variation_rows(request.user, contract),
            "may_log": may_log,
            "show_payout": show_payout,
            "payout_account": PayoutAccount.objects.filter(organization=organization).first()
            if show_payout
            else None,
        },
    )


@area_required("provider")
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Signing binds the organisation, so it is confirmed on its own page."""
    contract = _contract(request, pk)
    if request.method == "POST":
        try:
            contract = evaluation_services.contract_sign(actor=actor(request), contract=contract)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if contract.status == Contract.Status.ACTIVE:
                messages.success(request, _("You have signed the contract. It is now active."))
            else:
                messages.success(
                    request, _("You have signed the contract. It becomes active when the bureau signs.")
                )
        return redirect("provider:contract", pk=contract.pk)
    if "sign" not in transitions_available(request.user, contract, CONTRACT_TRANSITIONS):
        messages.error(request, _("You cannot sign this contract now."))
        return redirect("provider:contract", pk=contract.pk)
    return render(request, "frontend/provider/contract_sign.html", {"contract": contract})


@area_required("provider")
def variation_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's admin signs a variation of its contract, confirmed on its own page."""
    variations = Variation.objects.visible_to(request.user).filter(contract__in=_contracts(request))
    variation = get_object_or_404(variations.select_related("contract"), pk=pk)
    contract = variation.contract
    if request.method == "POST":
        try:
            variation = evaluation_services.variation_sign(actor=actor(request), variation=variation)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if variation.status == Variation.Status.EFFECTIVE:
                messages.success(request, _("You have signed the variation. It is now in effect."))
            else:
                messages.success(
                    request, _("You have signed the variation. It takes effect when the bureau signs.")
                )
        return redirect("provider:contract", pk=contract.pk)
    if "sign" not in transitions_available(request.user, variation, VARIATION_TRANSITIONS):
        messages.error(request, _("You cannot sign this variation now."))
        return redirect("provider:contract", pk=contract.pk)
    context = {
        "contract": contract,
        "variation": variation,
        "change": change_of(variation),
        "back_url": reverse("provider:contract", args=[contract.pk]),
    }
    return render(request, "frontend/provider/variation_sign.html", context)


def _event_areas(contract: Contract) -> list[Area]:
    """The contract's service areas and every area inside them."""
    paths = [area.path for area in contract.tender.areas.all()]
    return list(Area.objects.filter(area_subtree_q(paths)).order_by("path"))


@area_required("provider")
def event_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    areas = _event_areas(contract)
    form = ServiceEventForm(posted(request), areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = next(area for area in areas if area.pk == data["area"])
        try:
            delivery.service_event_create(
                actor=actor(request),
                contract=contract,
                date=data["date"],
                area=area,
                title=data["title"],
                description=data["description"],
                recipient_codes=data["recipients"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The service event has been logged."))
            return redirect("provider:contract", pk=contract.pk)
    return render(request, "frontend/provider/event_form.html", {"form": form, "contract": contract})


@area_required("provider")
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    kpis = list(contract.tender.kpis.all())
    form = ReportForm(posted(request), kpis=kpis)
    if request.method == "POST" and form.is_valid():
        try:
            delivery.report_submit(
                actor=actor(request),
                contract=contract,
                stage=form.cleaned_data["stage"],
                summary=form.cleaned_data["summary"],
                kpi_actuals=form.kpi_actuals(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your report has been submitted."))
            return redirect("provider:contract", pk=contract.pk)
    return render(request, "frontend/provider/report_form.html", {"form": form, "contract": contract})


@area_required("provider")
def payout_account(request: HttpRequest) -> HttpResponse:
    """Open (or resume) the payout account's onboarding at the gateway, then follow its link."""
    if request.method != "POST":
        return redirect("provider:contracts")
    back = request.POST.get("contract")
    target = (
        redirect("provider:contract", pk=int(back))
        if back and back.isdigit()
        else redirect("provider:contracts")
    )
    try:
        _account, url = payment_services.payout_account_onboard(
            actor=actor(request), organization=provider_organization(request)
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return target
    if url:
        return redirect(url)
    messages.success(request, _("Your payout account is set up."))
    return target
