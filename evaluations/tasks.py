import logging

from celery import shared_task
from django.utils import timezone

from common.errors import ApplicationError
from common.tasks import fan_out
from contracts.models import Contract

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
    """Confirm every published evaluation whose appeal window has ended (beat)."""
    due = Evaluation.objects.filter(status=Evaluation.Status.PUBLISHED, appeal_until__lte=timezone.now())
    return fan_out(due, confirm_evaluation)


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
