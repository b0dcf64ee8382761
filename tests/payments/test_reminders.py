"""Beat reminds bureau finance of payable instalments nobody is paying yet (e-mail and SMS)."""

import pytest
from django.core import mail

from common.notifications import LocmemSmsBackend
from contracts.payments.tasks import remind_finance_of_payable_instalments
from tests import flows

pytestmark = pytest.mark.django_db


def test_finance_is_reminded_until_the_instalment_is_being_paid(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_SMS_BACKEND = "common.notifications.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    world["finance"].email, world["finance"].phone = "finance@bureau.example", "13800000000"
    world["finance"].save()
    contract = flows.active_contract(world)

    assert remind_finance_of_payable_instalments() == 1
    assert [m.to for m in mail.outbox] == [["finance@bureau.example"]]
    assert [m.to for m in LocmemSmsBackend.outbox] == ["13800000000"]

    from contracts.payments import services

    services.instalment_pay(actor=world["finance"], instalment=contract.instalments.get(kind="advance"))
    assert remind_finance_of_payable_instalments() == 0
