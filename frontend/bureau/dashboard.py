"""The bureau's dashboard: what waits for the signed-in member (``frontend.waiting``), the pages of
the area their roles open (``frontend.navigation``), budget use, tenders by state and contracts at
risk. Everything here is a read through the apps' selectors and permissions."""

import datetime
from typing import Any

import rules
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import fen_to_yuan
from contracts.models import Contract, Instalment
from contracts.selectors import contract_list
from marketplace.models import Tender
from marketplace.permissions import bureau_member_ids
from marketplace.selectors import budget_line_list
from payments.services import LIVE as LIVE_PAYMENTS

from ..access import area_required
from ..navigation import links_of
from ..waiting import tasks_for
from .shared import bureau_tenders

# What the dashboard flags (display thresholds, not rules of the domain).
LOW_BANDS = ("D", "E")
INSTALMENT_OVERDUE_DAYS = 30


def contract_url(contract_id: int) -> str:
    return reverse("casework:contract", args=[contract_id])


def _budget(user: Any, ids: list[int]) -> dict[str, Any]:
    lines = list(budget_line_list(user=user).filter(bureau_id__in=ids))
    for line in lines:
        line.available = line.amount - line.committed  # type: ignore[attr-defined]
    chart = {
        "type": "bar",
        "stacked": True,
        "horizontal": True,
        "labels": [str(line) for line in lines],
        "datasets": [
            {"label": _("Committed (yuan)"), "data": [fen_to_yuan(line.committed) for line in lines]},  # type: ignore[attr-defined]
            {"label": _("Available (yuan)"), "data": [fen_to_yuan(line.available) for line in lines]},  # type: ignore[attr-defined]
        ],
    }
    return {"lines": lines, "chart": chart}


def _tenders_by_state(user: Any) -> dict[str, Any]:
    counts = dict(bureau_tenders(user).order_by().values_list("status").annotate(n=Count("id")))
    rows = [(value, label, counts.get(value, 0)) for value, label in Tender.Status.choices]
    chart = {
        "type": "bar",
        "labels": [str(label) for _value, label, _n in rows],
        "datasets": [{"label": _("Tenders"), "data": [n for _value, _label, n in rows]}],
    }
    return {"rows": rows, "chart": chart, "total": sum(counts.values())}


def _contracts_at_risk(user: Any, ids: list[int]) -> list[dict[str, Any]]:
    contracts = (
        contract_list(user=user)
        .filter(bureau_id__in=ids)
        .exclude(status__in=[Contract.Status.CLOSED, Contract.Status.TERMINATED])
        .select_related("provider")
        .prefetch_related("evaluations")
    )
    overdue_before = timezone.now() - datetime.timedelta(days=INSTALMENT_OVERDUE_DAYS)
    rows = []
    for contract in contracts:
        reasons = []
        if contract.status in (Contract.Status.RECTIFICATION, Contract.Status.SUSPENDED):
            reasons.append(contract.get_status_display())
        banded = [evaluation for evaluation in contract.evaluations.all() if evaluation.band]
        if banded:
            latest = max(banded, key=lambda evaluation: evaluation.id)
            if latest.band in LOW_BANDS:
                reasons.append(
                    _("Band %(band)s in the %(stage)s evaluation")
                    % {"band": latest.band, "stage": latest.get_stage_display()}
                )
        overdue = [
            instalment
            for instalment in contract.instalments.all()
            if instalment.status == Instalment.Status.PAYABLE
            and instalment.payable_at is not None
            and instalment.payable_at < overdue_before
            and not any(payment.status in LIVE_PAYMENTS for payment in instalment.payments.all())
        ]
        if overdue:
            reasons.append(
                _("%(count)d instalment(s) payable for more than %(days)d days")
                % {"count": len(overdue), "days": INSTALMENT_OVERDUE_DAYS}
            )
        if reasons:
            rows.append({"contract": contract, "reasons": reasons, "url": contract_url(contract.id)})
    return rows


@area_required("bureau")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    ids = bureau_member_ids(user)
    context = {
        "bureau": request.organization,  # type: ignore[attr-defined]
        "budget": _budget(user, ids),
        "tender_states": _tenders_by_state(user),
        "at_risk": _contracts_at_risk(user, ids),
        "tasks": tasks_for(user, "bureau"),
        "links": links_of(user, "bureau"),
        "can_create": rules.has_perm(
            "marketplace.change_tender",
            user,
            Tender(bureau=request.organization),  # type: ignore[attr-defined]
        ),
    }
    return render(request, "frontend/bureau/home.html", context)
