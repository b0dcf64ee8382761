"""Notifications to people by e-mail and SMS, with pluggable backends.

E-mail goes through Django's e-mail backend (``EMAIL_BACKEND``, console by default). SMS goes
through ``NOTIFICATIONS_SMS_BACKEND`` (a dotted path; console by default, ``LocmemSmsBackend`` in
tests); a provider's SMS gateway is one more class with a ``send(messages)`` method.

Services tell people through ``notify_after_commit`` only: the message leaves once the write that
caused it has committed, so a write that rolls back tells nobody."""

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class Reachable(Protocol):
    """A person with an e-mail address (a user; ``phone`` is read where the user model has one)."""

    @property
    def email(self) -> str: ...


class SmsBackend(Protocol):
    def send(self, messages: list[SmsMessage]) -> int: ...


class ConsoleSmsBackend:
    """Writes each message to standard output, like Django's console e-mail backend."""

    def send(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemSmsBackend:
    """Keeps messages in ``LocmemSmsBackend.outbox`` (tests)."""

    outbox: list[SmsMessage] = []

    def send(self, messages: list[SmsMessage]) -> int:
        LocmemSmsBackend.outbox.extend(messages)
        return len(messages)


def sms_backend() -> SmsBackend:
    path = getattr(settings, "NOTIFICATIONS_SMS_BACKEND", "common.notifications.ConsoleSmsBackend")
    backend: SmsBackend = import_string(path)()
    return backend


def send_sms(*, to: Iterable[str], body: str) -> int:
    messages = [SmsMessage(to=number, body=body) for number in to if number]
    return sms_backend().send(messages) if messages else 0


def send_email(*, to: Iterable[str], subject: str, body: str) -> int:
    recipients = [address for address in to if address]
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)


def notify_users(users: Iterable[Reachable], *, subject: str, body: str) -> None:
    """Tell each user by e-mail and, where a phone number is known, by SMS."""
    users = list(users)
    send_email(to=[user.email for user in users], subject=subject, body=body)
    send_sms(to=[getattr(user, "phone", "") for user in users], body=f"{subject}: {body}")


def notify_after_commit(
    *,
    user_ids: Iterable[int] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    subject: str = "",
    body: str,
) -> None:
    """Once the current transaction commits (at once outside one), queue for the worker: each user of
    ``user_ids`` told by e-mail and SMS (``notify_users``, a task per user, retried alone), a text of
    ``body`` to ``phones`` and an e-mail of ``subject`` and ``body`` to ``emails`` (an address that
    need not be a user's, like a password reset's). A write that rolls back sends nothing, and no
    gateway holds up the write."""
    from .tasks import notify_user_task, send_email_task, send_sms_task  # the tasks send through here

    subject, body = str(subject), str(body)  # a lazy translation, rendered now, in this language
    for user_id in user_ids:
        transaction.on_commit(partial(notify_user_task.delay, user_id, subject, body))
    numbers = [number for number in phones if number]
    if numbers:
        transaction.on_commit(partial(send_sms_task.delay, numbers, body))
    addresses = [address for address in emails if address]
    if addresses:
        transaction.on_commit(partial(send_email_task.delay, addresses, subject, body))
