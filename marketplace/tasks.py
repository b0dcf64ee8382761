import logging

from celery import shared_task
from django.utils import timezone

from common.errors import ApplicationError
from common.tasks import fan_out

from .models import Tender
from .services import tender_close

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def close_due_tenders() -> int:
    """Close every published tender whose bid deadline has passed (beat, every minute)."""
    due = Tender.objects.filter(status=Tender.Status.PUBLISHED, bid_deadline__lte=timezone.now())
    return fan_out(due, close_tender)


@shared_task(ignore_result=True, acks_late=True)
def close_tender(tender_id: int) -> None:
    try:
        tender_close(actor=None, tender=Tender.objects.get(pk=tender_id))
    except (Tender.DoesNotExist, ApplicationError) as error:
        logger.info("tender %s not closed: %s", tender_id, error)
