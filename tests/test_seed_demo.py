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


def test_in_the_demo_a_newcomer_is_confirmed_by_the_committee_and_rates():
    """The demo's own journey: `newcomer` waits for 玉林北路社区's committee, which confirms them on
    its page; then they rate the bathing service their household received today."""
    from orgs.models import Resident, User

    from .frontend.helpers import english_client, page

    call_command("seed_demo", stdout=StringIO())
    newcomer = User.objects.get(username="newcomer")
    resident = Resident.objects.get(user=newcomer)
    assert resident.status == "pending"
    assert Resident.objects.filter(user__username="resident1", status="confirmed").exists()
    client = english_client(newcomer)
    assert "We are confirming your household" in page(client.get("/resident/"))

    committee = english_client(User.objects.get(username="community"))
    queue = page(committee.get("/community/residents/"))
    assert f"/community/residents/{resident.pk}/" in queue
    assert committee.post(f"/community/residents/{resident.pk}/", {"decision": "confirm"}).status_code == 302

    home = page(client.get("/resident/"))
    contract = Contract.objects.get(title="长者助浴服务")
    assert f"/resident/rate/{contract.pk}/" in home
    base = f"/resident/rate/{contract.pk}/"
    assert client.post(base, {"satisfaction": "5"}).status_code == 302
    assert client.post(f"{base}resolved/", {"resolved": "yes"}).status_code == 302
    assert client.post(f"{base}comment/", {"comment": ""}).status_code == 302
    assert client.post(f"{base}check/").status_code == 302
    assert Rating.objects.filter(contract=contract, household=resident.household).count() == 1
