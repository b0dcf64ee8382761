import gzip
import json

import pytest
from django.urls import reverse

from payments import services as payment_services
from tests import flows

from .validation import assert_valid, assert_valid_record_package

pytestmark = pytest.mark.django_db


def _full_history(world):
    """A procedure through a final evaluation and a paid advance."""
    objects = flows.delivering_contract(world)
    contract = objects["contract"]
    advance = contract.instalments.get(kind="advance")
    payment = payment_services.instalment_pay(actor=world["finance"], instalment=advance)
    payment_services.payment_confirm(actor=world["finance"], payment=payment, voucher_number="V-1")
    flows.final_evaluation(world, objects)
    return objects


def test_the_releases_of_a_whole_procedure_validate(world, client):
    objects = _full_history(world)
    response = client.get(reverse("ocds-releases"))
    assert response.status_code == 200
    package = response.json()
    tags = [tag for release in package["releases"] for tag in release["tag"]]
    assert {"tender", "award", "awardUpdate", "contract", "implementation", "implementationUpdate"} <= set(
        tags
    )
    assert_valid(package)
    ocid = package["releases"][0]["ocid"]
    record = client.get(reverse("ocds-record", args=[ocid])).json()
    assert_valid_record_package(record)
    compiled = record["records"][0]["compiledRelease"]
    contract = compiled["contracts"][0]
    assert contract["value"] == {"amount": objects["contract"].value_amount / 100, "currency": "CNY"}
    assert contract["implementation"]["transactions"][0]["value"]["currency"] == "CNY"
    assert contract["implementation"]["performanceEvaluations"]


def test_bulk(world, client):
    _full_history(world)
    response = client.get(reverse("ocds-bulk-releases"))
    lines = gzip.decompress(response.content).decode().splitlines()
    assert len(lines) == len(client.get(reverse("ocds-releases")).json()["releases"])
    json.loads(lines[0])


def test_the_export_shows_its_progress(world, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    flows.published_tender(world)
    flows.published_tender(world)
    out, err = StringIO(), StringIO()
    call_command("ocds_export", str(tmp_path / "r.jsonl.gz"), stdout=out, stderr=err)
    assert "2/2" in err.getvalue()  # tqdm's bar, per tender
    assert "2 releases of 2 tenders" in out.getvalue()
    lines = gzip.decompress((tmp_path / "r.jsonl.gz").read_bytes()).decode().splitlines()
    assert [json.loads(line)["tag"] for line in lines] == [["tender"], ["tender"]]
