"""Beat reminds bureau finance of payable instalments nobody is paying yet (e-mail and SMS), with
each amount in yuan, in the reader's words, once the reminder's transaction commits."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from common.money import yuan
from common.notifications import LocmemSmsBackend
from payments.tasks import remind_finance_of_payable_instalments
from tests import flows

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_reachable(world, settings):
    """Finance has an e-mail address and a phone; messages stay in memory."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_SMS_BACKEND = "common.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    world["finance"].email, world["finance"].phone = "finance@bureau.example", "13800000000"
    world["finance"].save()
    return world["finance"]


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """The beat task, its transaction committed (the test's own transaction never commits)."""

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return remind_finance_of_payable_instalments()

    return run


def test_finance_is_reminded_until_the_instalment_is_being_paid(world, finance_reachable, remind):
    contract = flows.active_contract(world)

    assert remind() == 1
    assert [m.to for m in mail.outbox] == [["finance@bureau.example"]]
    assert [m.to for m in LocmemSmsBackend.outbox] == ["13800000000"]

    from payments import services

    services.instalment_pay(actor=world["finance"], instalment=contract.instalments.get(kind="advance"))
    assert remind() == 0


def test_finance_reminder_shows_each_amount_in_yuan_and_where_to_pay(world, finance_reachable, remind):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")

    with translation.override("en"):
        remind()

    (message,) = mail.outbox
    assert message.subject == "Instalments waiting for payment"
    assert f"¥{yuan(advance.amount)}" in message.body
    assert f": {advance.amount}" not in message.body  # never fen
    with translation.override("en"):
        assert f"({advance.get_kind_display()})" in message.body  # the kind's label, not its value
    assert "/bureau/payments/" in message.body
    (sms,) = LocmemSmsBackend.outbox
    assert f"¥{yuan(advance.amount)}" in sms.body


class RolledBack(Exception):
    pass


def test_a_reminder_rolled_back_tells_nobody(world, finance_reachable, django_capture_on_commit_callbacks):
    flows.active_contract(world)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        try:
            with transaction.atomic():
                assert remind_finance_of_payable_instalments() == 1
                raise RolledBack
        except RolledBack:
            pass

    assert queued == [] and mail.outbox == [] and LocmemSmsBackend.outbox == []
