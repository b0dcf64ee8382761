import logging

from celery import shared_task
from django.utils import timezone

from common.errors import ApplicationError
from common.tasks import fan_out
from marketplace.models import Award, Tender

from .services import award_finalize

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def finalize_due_awards() -> int:
    """Finalize every proposed award whose standstill has ended and that no challenge holds (beat)."""
    due = Tender.objects.filter(
        status=Tender.Status.AWARD_PROPOSED, standstill_until__lte=timezone.now()
    ).exclude(awards__status=Award.Status.CHALLENGED)
    return fan_out(due, finalize_award)


@shared_task(ignore_result=True, acks_late=True)
def finalize_award(tender_id: int) -> None:
    try:
        award_finalize(actor=None, tender=Tender.objects.get(pk=tender_id))
    except (Tender.DoesNotExist, ApplicationError) as error:
        logger.info("award of tender %s not finalized: %s", tender_id, error)
