"""Shared shape of the periodic jobs: find what is due, then queue one task per object, so one
object's failure stops none of the others and each task stays idempotent and retryable."""

from typing import Any

from celery import shared_task
from django.db.models import QuerySet

from .notifications import notify_users, send_email, send_sms


def fan_out(due: QuerySet[Any], task: Any) -> int:
    """Queue ``task`` with the id of every object in ``due``; return how many were queued."""
    ids = list(due.values_list("id", flat=True))
    for object_id in ids:
        task.delay(object_id)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sms_task(to: list[str], body: str) -> int:
    """One text message, sent by the worker so a slow or failing SMS gateway never holds up (or
    breaks) the request that caused it; retried with back-off on network errors."""
    return send_sms(to=to, body=body)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_task(to: list[str], subject: str, body: str) -> int:
    """One e-mail, sent by the worker: a slow mail server neither holds up the request nor, by the
    time it takes, tells the sender whether the address has an account (password reset)."""
    return send_email(to=to, subject=subject, body=body)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_user_task(user_id: int, subject: str, body: str) -> None:
    """Tell one user by e-mail and SMS (common.notifications.notify_users), from the worker."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first()
    if user is not None:
        notify_users([user], subject=subject, body=body)
