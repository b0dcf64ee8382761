from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import Contract, Instalment
from contracts.payments.models import Payment
from evaluations.models import Evaluation, Rating
from marketplace.models import Tender

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_every_state_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo data loaded." in out.getvalue()
    assert set(Tender.objects.values_list("status", flat=True)) == set(Tender.Status.values)
    assert set(Contract.objects.values_list("status", flat=True)) >= {"draft", "active"}
    assert Evaluation.objects.filter(status="published").exists()
    assert Instalment.objects.filter(kind="advance", status="paid").count() == 1
    assert Payment.objects.filter(status="processing").count() == 1  # finance's voucher to confirm
    counts = (Tender.objects.count(), Rating.objects.count())

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "already present" in again.getvalue()
    assert (Tender.objects.count(), Rating.objects.count()) == counts
