"""Celery tasks of the orgs app. Each loads by id and calls one service, and is safe to run again
(``acks_late``: a worker killed mid-import has its task redelivered, and the import starts over)."""

import logging

from celery import shared_task

from . import imports
from .models import HouseholdImport

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def household_import_task(import_id: int) -> None:
    try:
        imports.household_import_run(import_id=import_id)
    except HouseholdImport.DoesNotExist:
        logger.info("household import %s no longer exists", import_id)
