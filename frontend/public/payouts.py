"""What a holdback pays, on the public tender and contract pages (docs/rules.md §11): what each band
pays at its floor, a simulator where anyone enters T, B, R and C (a GET form: it works without
JavaScript, and htmx swaps only the result in), and the page that walks a published evaluation from
its inputs to the money. The numbers are ``evaluations.payouts``' (the functions finalising uses)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from evaluations import payouts
from evaluations.models import Evaluation
from evaluations.scoring import BAND_GRADES
from marketplace.components import Component
from marketplace.models import Tender
from marketplace.selectors import tender_list

from ..forms import GovukForm
from ..htmx import vary_on_htmx, wants_fragment
from .reads import public_evaluations, visible_contracts


def _score_field(component: Component) -> forms.DecimalField:
    return forms.DecimalField(
        label=component.label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "required": _("Enter the score"),
            "invalid": _("Enter the score as a number, like 82.5"),
            "min_value": _("The score must be 0 or more"),
            "max_value": _("The score must be 100 or less"),
            "max_digits": _("Enter the score with at most two decimal places"),
            "max_decimal_places": _("Enter the score with at most two decimal places"),
            "max_whole_digits": _("The score must be 100 or less"),
        },
    )


class PayoutForm(GovukForm):
    """T, B, R and C, each from 0 to 100 with up to two decimals (as the API's simulator takes them)."""

    t = _score_field(Component.THIRD_PARTY)
    b = _score_field(Component.BUYER)
    r = _score_field(Component.RESIDENTS)
    c = _score_field(Component.COMMUNITY)


def payout_block(request: HttpRequest, basis: payouts.PayoutBasis, action: str) -> dict[str, Any]:
    """The band table and the simulator for a page: the form is bound when the query has scores."""
    asked = any(name in request.GET for name in PayoutForm.base_fields)
    form = PayoutForm(request.GET if asked else None, auto_id="payout-%s")
    result = payouts.simulate(basis, **form.cleaned_data) if asked and form.is_valid() else None
    return {
        "basis": basis,
        "rule": basis.rule,
        "bands": payouts.band_table(basis),
        "form": form,
        "result": result,
        "grade": BAND_GRADES.get(result.band.letter, "") if result else "",
        "action": action,
    }


def _payout_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    if wants_fragment(request):
        return vary_on_htmx(render(request, "frontend/public/includes/payout_result.html", context))
    return vary_on_htmx(render(request, "frontend/public/payout.html", context))


def tender_payout(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(tender_list(user=request.user), pk=pk)
    action = reverse("public:tender_payout", args=[tender.pk])
    context = {
        "subject": tender,
        "back": reverse("public:tender", args=[tender.pk]),
        "payout": payout_block(request, payouts.tender_basis(tender), action),
        "on_ceiling": True,
    }
    return _payout_page(request, context)


def contract_payout(request: HttpRequest, pk: int) -> HttpResponse:
    contract = get_object_or_404(visible_contracts(request.user), pk=pk)
    action = reverse("public:contract_payout", args=[contract.pk])
    context = {
        "subject": contract,
        "back": reverse("public:contract", args=[contract.pk]),
        "payout": payout_block(request, payouts.contract_basis(contract), action),
        "on_ceiling": False,
    }
    return _payout_page(request, context)


def tender_payout_block(request: HttpRequest, tender: Tender) -> dict[str, Any]:
    return payout_block(
        request, payouts.tender_basis(tender), reverse("public:tender_payout", args=[tender.pk])
    )


def contract_payout_block(request: HttpRequest, contract: Contract) -> dict[str, Any]:
    return payout_block(
        request, payouts.contract_basis(contract), reverse("public:contract_payout", args=[contract.pk])
    )


def _with_grade(after_appeal: dict[str, Any] | None) -> dict[str, Any] | None:
    """The page names a band's grade beside its letter (合格, 良好 …)."""
    if after_appeal is None:
        return None
    return {**after_appeal, "grade": BAND_GRADES.get(after_appeal["band"].letter, "")}


def evaluation_computation(request: HttpRequest, pk: int, evaluation_pk: int) -> HttpResponse:
    """How a published evaluation's payment was computed, step by step, with its numbers."""
    contract = get_object_or_404(visible_contracts(request.user).select_related("provider"), pk=pk)
    evaluation: Evaluation = get_object_or_404(public_evaluations([contract.pk]), pk=evaluation_pk)
    computation = payouts.recomputation(evaluation)
    if computation is None:
        raise Http404
    context = {
        "contract": contract,
        "evaluation": evaluation,
        "c": computation,
        "grade": BAND_GRADES.get(computation["band"].letter, ""),
        "weight_letters": [component.letter for component in Component],
        "after_appeal": _with_grade(payouts.appeal_recomputation(evaluation, computation)),
    }
    return render(request, "frontend/public/evaluation_computation.html", context)
