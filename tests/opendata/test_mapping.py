"""How the domain maps onto OCDS (docs/rules.md §21), release by release, with tests/flows."""

import datetime

import pytest
from django.urls import reverse

from marketplace.services import amendments as amendment_services
from marketplace.services import tenders as tender_services
from opendata import ocds
from tests import flows

from .validation import assert_valid, assert_valid_record_package

pytestmark = pytest.mark.django_db


def _releases(client, tender):
    package = client.get(reverse("ocds-releases")).json()
    return [r for r in package["releases"] if r["ocid"] == ocds.ocid_of(tender.pk)], package


def test_a_draft_is_not_open_data_and_a_cancelled_tender_says_so(world, client, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    draft = flows.draft_tender(world)
    tender = flows.published_tender(world)
    tender_services.tender_cancel(actor=world["officer"], tender=tender, reason="Budget withdrawn")
    releases, package = _releases(client, tender)
    assert [r["tag"] for r in releases] == [["tender"], ["tenderCancellation"]]
    assert releases[0]["tender"]["status"] == "active"  # as it was when published
    assert releases[1]["tender"]["status"] == "cancelled"
    assert releases[0]["ocid"] == f"ocds-abc123-{tender.pk}"
    assert not [r for r in package["releases"] if r["ocid"] == ocds.ocid_of(draft.pk)]
    assert client.get(reverse("ocds-record", args=[ocds.ocid_of(draft.pk)])).status_code == 404
    buyer = releases[0]["parties"][0]
    assert buyer["roles"] == ["buyer", "procuringEntity"]
    assert buyer["identifier"] == {
        "scheme": "CN-USCI",
        "id": world["bureau"].credit_code,
        "legalName": world["bureau"].name,
    }
    assert buyer["id"] == f"CN-USCI-{world['bureau'].credit_code}"
    assert releases[0]["tender"]["value"] == {"amount": tender.ceiling_amount / 100, "currency": "CNY"}
    assert_valid(package)


def test_an_amendment_is_a_release_and_the_earlier_release_keeps_the_old_deadline(world, client):
    tender = flows.published_tender(world)
    before = tender.bid_deadline
    later = before + datetime.timedelta(days=5)
    amendment_services.tender_amend(
        actor=world["officer"], tender=tender, reason="More time", changes={"bid_deadline": later}
    )
    releases, package = _releases(client, tender)
    assert [r["tag"] for r in releases] == [["tender"], ["tenderAmendment"]]
    first, amended = releases
    assert datetime.datetime.fromisoformat(first["tender"]["tenderPeriod"]["endDate"]) == before.replace(
        microsecond=0
    )
    assert datetime.datetime.fromisoformat(amended["tender"]["tenderPeriod"]["endDate"]) == later.replace(
        microsecond=0
    )
    assert amended["tender"]["amendments"][0]["rationale"] == "More time"
    assert_valid(package)
    record = client.get(reverse("ocds-record", args=[first["ocid"]])).json()
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["tender"]["tenderPeriod"]["endDate"] == amended["tender"]["tenderPeriod"]["endDate"]
    assert_valid_record_package(record)


def test_the_contract_release_lists_the_instalments_as_payment_milestones(world, client):
    contract = flows.active_contract(world)
    releases, package = _releases(client, contract.tender)
    signed = next(r for r in releases if r["tag"] == ["contract"])
    shown = signed["contracts"][0]
    assert shown["status"] == "active"
    milestones = shown["milestones"]
    assert [m["code"] for m in milestones] == ["advance", "interim", "holdback"]
    assert all(m["type"] == "payment" and m["status"] == "scheduled" for m in milestones)
    assert sum(m["value"]["amount"] for m in milestones) == pytest.approx(contract.value_amount / 100)
    roles = {p["name"]: p["roles"] for p in signed["parties"]}
    assert roles[contract.provider.name][:1] == ["tenderer"]
    assert "supplier" in roles[contract.provider.name] and "payee" in roles[contract.provider.name]
    assert_valid(package)


def test_the_tender_list_offers_its_download(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    tender = flows.published_tender(world)
    page = client.get("/tenders/")
    assert b'href="/open-data/tenders.csv"' in page.content
    csv = client.get("/open-data/tenders.csv").content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Tender ID,OCID,Title")
    assert csv[1].startswith(f"{tender.pk},{ocds.ocid_of(tender.pk)},")
    assert f"{tender.ceiling_amount / 100:.2f}" in csv[1]
