"""Celery tasks of community task admission: each loads by id and calls one service, idempotent."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from common.errors import ApplicationError
from common.tasks import fan_out
from payments.models import Disbursement

from . import services
from .models import CommunityTask

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def community_task_pay_task(task_id: int) -> None:
    try:
        services.community_task_pay(task_id=task_id)
    except ApplicationError as error:  # no payout account yet: the next run tries again
        logger.warning("community task %s not paid: %s (%s)", task_id, error.message, error.code)


@shared_task(ignore_result=True)
def pay_due_community_tasks() -> int:
    """Beat: pay the funding of accepted tasks that start within ``COMMUNITY_TASK_PAY_DAYS_BEFORE``
    days (or have started), and send again those whose payment failed (docs/rules.md §23). A
    treasury order waiting for its voucher is finance's to confirm, not sent again."""
    horizon = timezone.localdate() + datetime.timedelta(days=settings.COMMUNITY_TASK_PAY_DAYS_BEFORE)
    due = CommunityTask.objects.filter(
        status=CommunityTask.Status.ACCEPTED, funding_amount__gt=0, starts__lte=horizon
    ).exclude(disbursement__status__in=[Disbursement.Status.PROCESSING, Disbursement.Status.SUCCEEDED])
    return fan_out(due, community_task_pay_task)
