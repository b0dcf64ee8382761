"""Two finance users pay the same instalment at the same moment: one payment (PostgreSQL only:
real concurrency needs real connections)."""

import pytest
from django.db import connection

from common.errors import ApplicationError
from orgs.models import Membership
from payments import services
from payments.models import Payment
from tests import factories as f
from tests import flows
from tests.test_concurrency import as_user, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_two_finance_users_paying_at_once_make_one_payment(world):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    second_finance = f.member(world["bureau"], Membership.Role.FINANCE)

    results = race(
        lambda: services.instalment_pay(actor=as_user(world["finance"]), instalment=advance),
        lambda: services.instalment_pay(actor=as_user(second_finance), instalment=advance),
    )

    payments = [r for r in results if isinstance(r, Payment)]
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(payments) == 1, results
    assert [r.code for r in refusals] == ["payment_in_progress"]
    assert Payment.objects.filter(instalment=advance).count() == 1
