import logging

from celery import shared_task
from django.conf import settings

from common.errors import ApplicationError
from common.tasks import fan_out
from contracts.models import Contract

from .batch import due_evaluations, evaluations_confirm_chunk
from .models import Evaluation
from .notices import evaluation_publication_notify, evaluations_to_announce
from .services import evaluation_confirm, evaluation_open_for, recipients_remind

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def open_due_evaluations() -> int:
    """Open the midterm evaluation of every active contract that has none yet (beat)."""
    opened = 0
    for contract in Contract.objects.filter(status=Contract.Status.ACTIVE, evaluations__isnull=True):
        opened += evaluation_open_for(contract) is not None
    return opened


@shared_task(ignore_result=True)
def confirm_due_evaluations() -> int:
    """Confirm every published evaluation whose appeal window has ended (beat): one task per chunk
    of ``SETTLEMENT_CHUNK`` evaluations, so that N workers settle N chunks at once (docs/scaling.md)."""
    due = due_evaluations()
    size = max(1, settings.SETTLEMENT_CHUNK)
    for start in range(0, len(due), size):
        confirm_evaluations_chunk.delay(due[start : start + size])
    return len(due)


@shared_task(ignore_result=True, acks_late=True)
def confirm_evaluations_chunk(evaluation_ids: list[int]) -> int:
    """Confirm a chunk in one transaction (``batch``); the rare courses it leaves are confirmed one
    by one, each in its own transaction, as ``confirm_evaluation`` does. Idempotent: a re-run or a
    duplicate message confirms nothing twice. Returns how many were confirmed in the chunk."""
    try:
        confirmed, rest = evaluations_confirm_chunk(evaluation_ids)
    except ApplicationError as error:  # a machine refused in the chunk: nothing written, one by one
        logger.warning("chunk of %s evaluations confirmed one by one: %s", len(evaluation_ids), error)
        confirmed, rest = [], list(evaluation_ids)
    for evaluation_id in rest:
        confirm_evaluation(evaluation_id)
    return len(confirmed)


@shared_task(ignore_result=True, acks_late=True)
def confirm_evaluation(evaluation_id: int) -> None:
    try:
        evaluation_confirm(actor=None, evaluation=Evaluation.objects.get(pk=evaluation_id))
    except (Evaluation.DoesNotExist, ApplicationError) as error:
        logger.info("evaluation %s not confirmed: %s", evaluation_id, error)


@shared_task(ignore_result=True)
def remind_recipients() -> int:
    """Remind recipient households to rate every open evaluation (beat, daily)."""
    return sum(
        recipients_remind(evaluation=evaluation)
        for evaluation in Evaluation.objects.filter(status=Evaluation.Status.OPEN).select_related("contract")
    )


@shared_task(ignore_result=True)
def notify_published_evaluations() -> int:
    """Tell the provider of every published evaluation whose appeal window is open and who has not
    been told yet (beat, every few minutes): once per evaluation (``notices``)."""
    return fan_out(evaluations_to_announce(), notify_evaluation_published)


@shared_task(ignore_result=True, acks_late=True)
def notify_evaluation_published(evaluation_id: int) -> None:
    evaluation_publication_notify(evaluation_id=evaluation_id)
