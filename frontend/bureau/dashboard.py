"""The bureau's dashboard: budget use, tenders by state, contracts at risk and what waits for the
signed-in member. Everything here is a read through the apps' selectors and permissions."""

import datetime
from typing import Any

import rules
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.api import transitions_available
from common.templatetags.money import yuan
from contracts.models import Contract, Instalment
from contracts.payments.models import Payment
from contracts.payments.services import LIVE as LIVE_PAYMENTS
from contracts.permissions import instalment_list_visible_to
from contracts.selectors import contract_list
from evaluations.models import Evaluation, Rating
from evaluations.permissions import evaluation_list_visible_to, rating_list_visible_to
from evaluations.serializers import EVALUATION_TRANSITIONS
from marketplace.models import Bid, BidScore, Criterion, EvaluatorDeclaration, Tender
from marketplace.selectors import budget_line_list
from marketplace.serializers import TENDER_TRANSITIONS
from orgs.permissions import may_manage_households

from ..access import area_required
from ..registrations import pending_registrations
from .shared import bureau_ids, bureau_tenders

# What the dashboard flags (display thresholds, not rules of the domain).
LOW_BANDS = ("D", "E")
INSTALMENT_OVERDUE_DAYS = 30


def contract_url(contract_id: int) -> str:
    return reverse("casework:contract", args=[contract_id])


def _fen_to_yuan(amount: int) -> int:
    return amount // 100


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
            {"label": _("Committed (yuan)"), "data": [_fen_to_yuan(line.committed) for line in lines]},  # type: ignore[attr-defined]
            {"label": _("Available (yuan)"), "data": [_fen_to_yuan(line.available) for line in lines]},  # type: ignore[attr-defined]
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


def _tender_tasks(user: Any) -> list[dict[str, Any]]:
    tenders = (
        bureau_tenders(user)
        .filter(status__in=[Tender.Status.PUBLISHED, Tender.Status.EVALUATING, Tender.Status.AWARD_PROPOSED])
        .annotate(unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True)))
        .order_by("bid_deadline")
    )
    tasks = []
    for tender in tenders:
        if tender.unanswered and rules.has_perm("marketplace.answer_question_on_tender", user, tender):  # type: ignore[attr-defined]
            tasks.append(
                {
                    "text": _("Answer %(count)d question(s) on “%(title)s”")
                    % {"count": tender.unanswered, "title": tender.title},  # type: ignore[attr-defined]
                    "url": reverse("bureau:questions", args=[tender.pk]),
                }
            )
        available = transitions_available(user, tender, TENDER_TRANSITIONS)
        detail = reverse("bureau:tender", args=[tender.pk])
        if "close" in available:
            tasks.append(
                {
                    "text": _("Close bidding on “%(title)s”: the deadline has passed")
                    % {"title": tender.title},
                    "url": detail,
                }
            )
        if "award" in available:
            tasks.append(
                {
                    "text": _("Check the ranking of “%(title)s” and award it") % {"title": tender.title},
                    "url": reverse("bureau:ranking", args=[tender.pk]),
                }
            )
        if "finalize-award" in available:
            tasks.append(
                {"text": _("Finalise the award of “%(title)s”") % {"title": tender.title}, "url": detail}
            )
        if tender.status == Tender.Status.EVALUATING and rules.has_perm(
            "marketplace.declare_on_tender", user, tender
        ):
            tasks.extend(_scoring_task(user, tender))
    return tasks


def _scoring_task(user: Any, tender: Tender) -> list[dict[str, Any]]:
    """An evaluator's task on a tender under evaluation: declare, then score every opened bid."""
    declaration = EvaluatorDeclaration.objects.filter(tender=tender, evaluator=user).first()
    if declaration is None:
        return [
            {
                "text": _("Declare any conflict of interest on “%(title)s”") % {"title": tender.title},
                "url": reverse("bureau:declaration", args=[tender.pk]),
            }
        ]
    if not declaration.no_conflict:
        return []
    opened = tender.bids.filter(status=Bid.Status.OPENED).count()
    quality = tender.criteria.filter(kind=Criterion.Kind.QUALITY).count()
    scored = BidScore.objects.filter(
        bid__tender=tender,
        bid__status=Bid.Status.OPENED,
        evaluator=user,
        criterion__kind=Criterion.Kind.QUALITY,
    ).count()
    if scored >= opened * quality:
        return []
    return [
        {
            "text": _("Score the bids on “%(title)s”") % {"title": tender.title},
            "url": reverse("bureau:scores", args=[tender.pk]),
        }
    ]


def _casework_tasks(user: Any, ids: list[int]) -> list[dict[str, Any]]:
    tasks = []
    drafts = contract_list(user=user).filter(bureau_id__in=ids, status=Contract.Status.DRAFT)
    for contract in drafts:
        if rules.has_perm("contracts.sign_contract", user, contract):
            tasks.append(
                {
                    "text": _("Sign the contract “%(title)s”") % {"title": contract.title},
                    "url": contract_url(contract.id),
                }
            )
    evaluations = (
        evaluation_list_visible_to(user)
        .filter(contract__bureau_id__in=ids, status__in=[Evaluation.Status.OPEN, Evaluation.Status.PUBLISHED])
        .order_by("id")
    )
    for evaluation in evaluations:
        available = transitions_available(user, evaluation, EVALUATION_TRANSITIONS)
        url = reverse("casework:evaluation", args=[evaluation.id])
        names = {"title": evaluation.contract.title, "stage": evaluation.get_stage_display()}
        if "finalize" in available:
            tasks.append({"text": _("Finalise the %(stage)s evaluation of “%(title)s”") % names, "url": url})
        if "confirm" in available:
            tasks.append({"text": _("Confirm the %(stage)s evaluation of “%(title)s”") % names, "url": url})
    quarantined = (
        rating_list_visible_to(user)
        .filter(status=Rating.Status.QUARANTINED, contract__bureau_id__in=ids)
        .order_by()
        .values_list("contract_id", "contract__title")
        .annotate(n=Count("id", distinct=True))
    )
    for _contract_id, title, count in quarantined:
        tasks.append(
            {
                "text": _("Review %(count)d quarantined rating(s) of “%(title)s”")
                % {"count": count, "title": title},
                "url": reverse("casework:ratings"),
            }
        )
    waiting = pending_registrations(user).count()
    if waiting:
        tasks.append(
            {
                "text": _("Confirm %(count)d resident registration(s)") % {"count": waiting},
                "url": reverse("bureau:residents"),
            }
        )
    live_payment = Payment.objects.filter(instalment=OuterRef("pk"), status__in=LIVE_PAYMENTS)
    payable = (
        instalment_list_visible_to(user)
        .filter(contract__bureau_id__in=ids, status=Instalment.Status.PAYABLE)
        .exclude(Exists(live_payment))
        .order_by("payable_at", "id")
    )
    for instalment in payable:
        if rules.has_perm("contracts.pay_instalment", user, instalment):
            tasks.append(
                {
                    "text": _("Pay the %(kind)s instalment of “%(title)s”: ¥%(amount)s")
                    % {
                        "kind": instalment.get_kind_display(),
                        "title": instalment.contract.title,
                        "amount": yuan(instalment.amount_payable),
                    },
                    "url": reverse("casework:instalment_pay", args=[instalment.id]),
                }
            )
    return tasks


@area_required("bureau")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    ids = bureau_ids(user)
    context = {
        "bureau": request.organization,  # type: ignore[attr-defined]
        "budget": _budget(user, ids),
        "tender_states": _tenders_by_state(user),
        "at_risk": _contracts_at_risk(user, ids),
        "tasks": _tender_tasks(user) + _casework_tasks(user, ids),
        "can_import_households": may_manage_households(user),
        "can_create": rules.has_perm(
            "marketplace.change_tender",
            user,
            Tender(bureau=request.organization),  # type: ignore[attr-defined]
        ),
    }
    return render(request, "frontend/bureau/home.html", context)
