"""Celery tasks of payments. Each loads by id and calls one service; each is idempotent, so a
redelivery after a crash (``acks_late``) does no harm: retries reuse the stored idempotency key."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import yuan
from common.notifications import notify_after_commit
from common.tasks import fan_out
from contracts.models import Instalment
from payments.permissions import finance_staff_of

from . import services
from .models import Gateway, Payment

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def payment_execute_task(payment_id: int) -> None:
    services.payment_execute(payment_id=payment_id)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def payment_reconcile_task(payment_id: int) -> None:
    services.payment_reconcile(payment_id=payment_id)


@shared_task(ignore_result=True)
def retry_failed_payments() -> int:
    """Beat: send again every gateway payment that failed for a reason that may pass."""
    due = Payment.objects.filter(
        status=Payment.Status.FAILED,
        is_retryable=True,
        gateway=Gateway.STRIPE,
        attempts__lt=settings.PAYMENTS_MAX_ATTEMPTS,
    )
    return fan_out(due, payment_execute_task)


@shared_task(ignore_result=True)
def reconcile_payments() -> int:
    """Beat: ask the gateway about payments that have waited too long for their webhook (or whose
    task was lost)."""
    before = timezone.now() - datetime.timedelta(seconds=settings.PAYMENTS_RECONCILE_AFTER_SECONDS)
    waiting = Payment.objects.filter(
        gateway=Gateway.STRIPE,
        status__in=[Payment.Status.PENDING, Payment.Status.PROCESSING],
        updated_at__lte=before,
    )
    return fan_out(waiting, payment_reconcile_task)


@shared_task(ignore_result=True)
def remind_finance_of_payable_instalments() -> int:
    """Beat: tell each bureau's finance staff about instalments payable and not yet being paid (by
    e-mail and SMS, queued once this task's reads are done and any transaction around it commits)."""
    live_payment = Payment.objects.filter(
        instalment=OuterRef("pk"),
        status__in=[Payment.Status.PENDING, Payment.Status.PROCESSING, Payment.Status.SUCCEEDED],
    )
    unpaid = (
        Instalment.objects.filter(status=Instalment.Status.PAYABLE)
        .exclude(Exists(live_payment))
        .select_related("contract")
    )
    by_bureau: dict[int, list[Instalment]] = {}
    for instalment in unpaid:
        by_bureau.setdefault(instalment.contract.bureau_id, []).append(instalment)
    for bureau_id, instalments in by_bureau.items():
        finance = finance_staff_of(bureau_id).values_list("id", flat=True)
        lines = [
            _("%(contract)s, instalment %(sequence)s (%(kind)s): ¥%(amount)s")
            % {
                "contract": i.contract.title,
                "sequence": i.sequence,
                "kind": i.get_kind_display(),
                "amount": yuan(i.amount - i.withheld_amount),
            }
            for i in instalments
        ]
        lines.append(_("Pay them at /bureau/payments/."))
        notify_after_commit(
            user_ids=list(finance), subject=_("Instalments waiting for payment"), body="\n".join(lines)
        )
    return sum(len(instalments) for instalments in by_bureau.values())
