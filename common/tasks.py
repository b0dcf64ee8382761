"""Shared shape of the periodic jobs: find what is due, then queue one task per object, so one
object's failure stops none of the others and each task stays idempotent and retryable."""

from typing import Any

from django.db.models import QuerySet


def fan_out(due: QuerySet, task: Any) -> int:
    """Queue ``task`` with the id of every object in ``due``; return how many were queued."""
    ids = list(due.values_list("id", flat=True))
    for object_id in ids:
        task.delay(object_id)
    return len(ids)
