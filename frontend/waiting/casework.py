"""Case work waiting in the bureau. Officers: contracts to sign, the buyer's score B (and the
community score C where no residents' committee is named), evaluations to finalize once every
component score, the provider's report and enough ratings (or the survey) are in, evaluations to
confirm once the appeal window is over, and quarantined ratings to review. Finance: instalments
payable with no payment under way, and treasury payments awaiting their bank voucher."""

from typing import Any

import rules
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from common.money import yuan
from common.transitions import transitions_available
from contracts.models import Contract, Instalment, Report
from contracts.permissions import officer_bureau_ids
from contracts.selectors import AWARDS, contract_list
from evaluations.models import Evaluation, Rating
from evaluations.permissions import EVALUATION_TRANSITIONS
from marketplace.components import ENTERED_COMPONENTS
from orgs.models import Membership
from payments.models import Gateway, Payment
from payments.permissions import finance_bureau_ids
from payments.services import LIVE as LIVE_PAYMENTS

from ..variations import sign_contract_text, variations_to_sign
from . import KIND_IN_SENTENCE, STAGE_IN_SENTENCE, Task, sentence
from .assessment import surveys_needed

Role = Membership.Role


def _names(evaluation: Evaluation) -> dict[str, Any]:
    return {"title": evaluation.contract.title, "stage": STAGE_IN_SENTENCE[evaluation.stage]}


def contracts_to_sign(user: Any) -> list[Task]:
    officer_bureaus = officer_bureau_ids(user)
    if not officer_bureaus:
        return []
    drafts = (
        contract_list(user=user)
        .prefetch_related(None)
        .prefetch_related(AWARDS)
        .filter(bureau_id__in=officer_bureaus, status=Contract.Status.DRAFT, bureau_signed_at__isnull=True)
        .order_by("id")
    )
    running = contract_list(user=user).prefetch_related(None).filter(bureau_id__in=officer_bureaus)
    return [
        Task(sign_contract_text(contract), reverse("casework:contract_sign", args=[contract.pk]))
        for contract in drafts
        if rules.has_perm("contracts.sign_contract", user, contract)
    ] + variations_to_sign(user, running, "casework:variation_sign")


def _evaluation_tasks(
    user: Any, evaluation: Evaluation, reported: set[tuple[int, str]], without_residents: set[int]
) -> list[Task]:
    url = reverse("casework:evaluation", args=[evaluation.pk])
    names = _names(evaluation)
    if evaluation.status == Evaluation.Status.PUBLISHED:
        if "confirm" in transitions_available(user, evaluation, EVALUATION_TRANSITIONS):
            return [
                Task(
                    _("Confirm the %(stage)s evaluation of “%(title)s”: the appeal window is over") % names,
                    reverse("casework:evaluation_confirm", args=[evaluation.pk]),
                )
            ]
        return []
    tasks = []
    if evaluation.buyer is None and rules.has_perm("evaluations.score_buyer", user, evaluation):
        tasks.append(
            Task(_("Enter the buyer score B of the %(stage)s evaluation of “%(title)s”") % names, url)
        )
    no_committee = evaluation.contract.community_id is None
    if (
        evaluation.community is None
        and no_committee
        and rules.has_perm("evaluations.score_community", user, evaluation)
    ):
        tasks.append(
            Task(
                _(
                    "Enter the community score C of the %(stage)s evaluation of “%(title)s”: "
                    "no residents' committee is named"
                )
                % names,
                url,
            )
        )
    scores_in = all(getattr(evaluation, each.value) is not None for each in ENTERED_COMPONENTS)
    report_in = (evaluation.contract_id, evaluation.stage) in reported
    residents_in = evaluation.pk not in without_residents  # enough ratings, or the survey
    if (
        scores_in
        and report_in
        and residents_in
        and "finalize" in transitions_available(user, evaluation, EVALUATION_TRANSITIONS)
    ):
        tasks.append(
            Task(
                _("Finalize the %(stage)s evaluation of “%(title)s”: every score is in") % names,
                reverse("casework:evaluation_finalize", args=[evaluation.pk]),
            )
        )
    return tasks


def evaluations(user: Any) -> list[Task]:
    officer_bureaus = officer_bureau_ids(user)
    if not officer_bureaus:
        return []
    rows = list(
        Evaluation.objects.visible_to(user)
        .filter(
            contract__bureau_id__in=officer_bureaus,
            status__in=[Evaluation.Status.OPEN, Evaluation.Status.PUBLISHED],
        )
        .select_related("contract")
        .order_by("id")
    )
    reported = (
        set(
            Report.objects.filter(contract_id__in={row.contract_id for row in rows}).values_list(
                "contract_id", "stage"
            )
        )
        if rows
        else set()
    )
    without_residents = surveys_needed([row for row in rows if row.status == Evaluation.Status.OPEN])
    tasks: list[Task] = []
    for evaluation in rows:
        tasks.extend(_evaluation_tasks(user, evaluation, reported, without_residents))
    return tasks


def quarantined_ratings(user: Any) -> list[Task]:
    officer_bureaus = officer_bureau_ids(user)
    if not officer_bureaus:
        return []
    count = (
        Rating.objects.visible_to(user)
        .filter(
            status=Rating.Status.QUARANTINED,
            contract__bureau_id__in=officer_bureaus,
            evaluation__status=Evaluation.Status.OPEN,  # reviewed while R is still open
        )
        .count()
    )
    if not count:
        return []
    return [Task(_("Review the quarantined ratings"), reverse("casework:ratings"), count)]


def payments(user: Any) -> list[Task]:
    """Finance: each instalment payable with no payment under way (to the page that pays it), and
    the treasury payment orders waiting for their bank voucher (to the page that confirms them)."""
    finance_bureaus = finance_bureau_ids(user)
    if not finance_bureaus:
        return []
    live_payment = Payment.objects.filter(instalment=OuterRef("pk"), status__in=LIVE_PAYMENTS)
    payable = (
        Instalment.objects.visible_to(user)
        .filter(contract__bureau_id__in=finance_bureaus, status=Instalment.Status.PAYABLE)
        .exclude(Exists(live_payment))
        .order_by("payable_at", "id")
    )
    tasks = [
        Task(
            sentence(
                _("Pay the %(kind)s instalment of “%(title)s”: %(amount)s"),
                kind=KIND_IN_SENTENCE[instalment.kind],
                title=instalment.contract.title,
                values={"amount": f"¥{yuan(instalment.amount_payable)}"},
            ),
            reverse("casework:instalment_pay", args=[instalment.pk]),
        )
        for instalment in payable
        if rules.has_perm("payments.pay_instalment", user, instalment)
    ]
    awaiting = (
        Payment.objects.visible_to(user)
        .filter(
            instalment__contract__bureau_id__in=finance_bureaus,
            gateway=Gateway.TREASURY,
            status=Payment.Status.PROCESSING,
        )
        .order_by("created_at", "id")
    )
    tasks.extend(
        Task(
            sentence(
                _("Confirm the payment of %(amount)s for “%(title)s” with its bank voucher number"),
                title=payment.instalment.contract.title,
                values={"amount": f"¥{yuan(payment.amount)}"},
            ),
            reverse("casework:payment_confirm", args=[payment.pk]),
        )
        for payment in awaiting
        if rules.has_perm("payments.confirm_payment", user, payment)
    )
    return tasks


def tasks(user: Any) -> list[Task]:
    return contracts_to_sign(user) + evaluations(user) + quarantined_ratings(user) + payments(user)
