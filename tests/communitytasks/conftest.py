"""Helpers of the community task tests: tasks sent and moved through the real services."""

import datetime

import pytest
from django.utils import timezone

from communitytasks import services
from communitytasks.models import AdmissionItem, CommunityTask

from ..payments import conftest as payments_fixtures

# The local Stripe server of the payment tests (tests/payments/conftest.py), for these tests too.
stripe_server_process = payments_fixtures.stripe_server_process
stripe_server = payments_fixtures.stripe_server


def local_today(days: int = 0) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def listed_item(world) -> AdmissionItem:
    return services.admission_item_create(
        actor=world["platform_admin"],
        name="Elderly visits",
        description="Monthly visits.",
        funding_per_year=1_000_000,
    )


def send_task(
    world, *, funding: int = 500_000, listed: bool = True, starts_in: int = 30, **fields
) -> CommunityTask:
    """A task the bureau's officer sends to the world's community."""
    values = {
        "community": world["community"],
        "title": "Door-to-door census of the elderly",
        "scope": "Visit every household with a resident over 80.",
        "starts": local_today(starts_in),
        "ends": local_today(starts_in + 60),
        "funding_amount": funding,
        "budget_line": world["budget_line"],
        "admission_item": listed_item(world) if listed else None,
        **fields,
    }
    return services.community_task_propose(actor=world["officer"], **values)


def task_in(world, state: str, **fields) -> CommunityTask:
    """A task in ``state``, reached through the services (treasury gateway: funded by finance's
    voucher)."""
    task = send_task(world, **fields)
    if state == "proposed":
        return task
    if state == "refused":
        return services.community_task_refuse(actor=world["community_member"], task=task, reason="Not ours.")
    if state == "withdrawn":
        return services.community_task_withdraw(actor=world["officer"], task=task, reason="Sent by mistake.")
    task = services.community_task_accept(actor=world["community_member"], task=task)
    if state == "accepted":
        return task
    task = services.community_task_pay(task_id=task.pk)
    if state == "ordered":
        return task
    task = services.community_task_confirm_payment(actor=world["finance"], task=task, voucher_number="V-1")
    if state == "funded":
        return task
    assert state == "completed", state
    return services.community_task_complete(actor=world["officer"], task=task)


@pytest.fixture(autouse=True)
def _treasury(settings):
    settings.PAYMENTS_GATEWAY = "treasury"
    settings.LANGUAGE_CODE = "en"
