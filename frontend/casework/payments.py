"""Bureau finance's payments: instalments due, payments in progress and paid ones; paying an
instalment (after a confirmation page naming the amount and payee) and confirming a treasury
payment with the bank voucher number, through payments.services."""

from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.money import yuan
from contracts.models import Instalment
from payments import services as payment_services
from payments.models import Gateway, Payment
from payments.permissions import finance_bureau_ids, payment_transitions_available

from ..access import area_required
from ..forms import add_service_error
from .forms import VoucherForm

PAID_SHOWN = 50


def _finance_instalments(request: HttpRequest) -> Any:
    bureau_ids = finance_bureau_ids(request.user)
    return (
        Instalment.objects.visible_to(request.user)
        .filter(contract__bureau_id__in=bureau_ids)
        .select_related("contract__provider")
    )


def _payments(request: HttpRequest) -> Any:
    return Payment.objects.visible_to(request.user).select_related("instalment__contract__provider")


def _may_confirm(request: HttpRequest, payment: Payment) -> bool:
    """The payments app's rule for offering ``confirm`` (a treasury order in progress, finance)."""
    return "confirm" in payment_transitions_available(request.user, payment)


def _paid_order(row: dict[str, Any]) -> tuple[float, int]:
    """Newest payment first; the id breaks ties (and orders rows without a date)."""
    payment = row["payment"]
    moment = payment.succeeded_at if payment is not None else None
    return (moment.timestamp() if moment else 0.0, row["instalment"].pk)


@area_required("bureau", "finance")
def payment_list(request: HttpRequest) -> HttpResponse:
    instalments = (
        _finance_instalments(request)
        .filter(status__in=[Instalment.Status.PAYABLE, Instalment.Status.PAID])
        .prefetch_related("payments")
        .order_by("payable_at", "id")
    )
    due, in_progress, paid = [], [], []
    for instalment in instalments:
        payment = next(iter(instalment.payments.all()), None)  # newest first
        row = {"instalment": instalment, "payment": payment, "amount": instalment.amount_payable}
        if instalment.status == Instalment.Status.PAID:
            paid.append(row)
        elif payment is None or payment.status not in payment_services.LIVE:
            row["may_pay"] = rules.has_perm("payments.pay_instalment", request.user, instalment)
            due.append(row)
        else:
            payment.instalment = instalment
            row["may_confirm"] = _may_confirm(request, payment)
            in_progress.append(row)
    paid.sort(key=_paid_order, reverse=True)
    context = {"due": due, "in_progress": in_progress, "paid": paid[:PAID_SHOWN]}
    return render(request, "frontend/casework/payment_list.html", context)


@area_required("bureau", "finance")
def instalment_pay(request: HttpRequest, pk: int) -> HttpResponse:
    instalment = get_object_or_404(_finance_instalments(request).prefetch_related("payments"), pk=pk)
    if request.method == "POST":
        try:
            payment = payment_services.instalment_pay(actor=request.user, instalment=instalment)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("casework:payments")
        values = {"amount": f"¥{yuan(payment.amount)}", "payee": instalment.contract.provider.name}
        if payment.status == Payment.Status.PROCESSING and payment.gateway == Gateway.TREASURY:
            messages.success(
                request,
                _(
                    "Payment order issued: %(amount)s to %(payee)s. When the treasury has paid, "
                    "confirm the payment with the bank voucher number."
                )
                % values,
            )
        else:
            messages.success(
                request, _("Payment of %(amount)s to %(payee)s sent to the payment gateway.") % values
            )
        return redirect("casework:payments")
    if instalment.status != Instalment.Status.PAYABLE:
        messages.error(request, _("This instalment is not due for payment."))
        return redirect("casework:payments")
    previous = next(iter(instalment.payments.all()), None)
    if previous is not None and previous.status in payment_services.LIVE:
        messages.error(request, _("This instalment is already being paid."))
        return redirect("casework:payments")
    context = {
        "instalment": instalment,
        "contract": instalment.contract,
        "amount": previous.amount if previous is not None else instalment.amount_payable,
        "payment": previous,
        "gateway": Gateway(previous.gateway if previous else settings.PAYMENTS_GATEWAY).label,
    }
    return render(request, "frontend/casework/instalment_pay.html", context)


@area_required("bureau", "finance")
def payment_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(_payments(request), pk=pk)
    if request.method == "POST":
        form = VoucherForm(request.POST)
        if form.is_valid():
            voucher = form.cleaned_data["voucher_number"]
            try:
                payment = payment_services.payment_confirm(
                    actor=request.user,  # type: ignore[arg-type]
                    payment=payment,
                    voucher_number=voucher,
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Payment confirmed with voucher %(voucher)s: %(amount)s paid to %(payee)s.")
                    % {
                        "voucher": payment.reference,
                        "amount": f"¥{yuan(payment.amount)}",
                        "payee": payment.instalment.contract.provider.name,
                    },
                )
                return redirect("casework:payments")
    else:
        if not _may_confirm(request, payment):
            messages.error(request, _("This payment cannot be confirmed with a voucher now."))
            return redirect("casework:payments")
        form = VoucherForm()
    context = {
        "payment": payment,
        "instalment": payment.instalment,
        "contract": payment.instalment.contract,
        "form": form,
    }
    return render(request, "frontend/casework/payment_confirm.html", context)
