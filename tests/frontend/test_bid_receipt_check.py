"""The short bid reference on every page that shows a receipt, and the "check a bid receipt" page
(issue 9): the bidder at any time (its own bids only), anyone after the deadline; it tells whether
and when a bid was received and whether it is sealed — never what it contains or who sent it."""

import pytest
from django.utils import timezone

from frontend.throttling import PageRateThrottle
from marketplace import services
from marketplace.receipts import receipt_reference

from .. import flows
from .helpers import page

pytestmark = pytest.mark.django_db


def check(client, tender, typed):
    return client.post(f"/tenders/{tender.pk}/receipt/", {"receipt": typed})


def test_the_provider_sees_the_reference_beside_the_receipt(world, browse):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    provider = browse(world["provider_admins"][0])
    reference = receipt_reference(bid.receipt)

    confirmation = page(provider.get(f"/provider/bids/{bid.pk}/confirmation/"))
    detail = page(provider.get(f"/provider/bids/{bid.pk}/"))
    tender_page = page(provider.get(f"/provider/tenders/{tender.pk}/"))

    assert reference in confirmation and bid.receipt in confirmation
    assert reference in detail and bid.receipt in detail
    assert reference in tender_page and f"/tenders/{tender.pk}/receipt/" in tender_page


def test_the_bureau_sees_the_reference_beside_the_receipt_once_opened(world, browse):
    tender = flows.evaluating_tender(world)
    bid = tender.bids.first()

    response = browse(world["officer"]).get(f"/bureau/tenders/{tender.pk}/bids/{bid.pk}/")

    assert response.status_code == 200
    assert receipt_reference(bid.receipt) in page(response) and bid.receipt in page(response)


def test_the_bidder_checks_a_sealed_bid_by_its_reference_in_any_form(world, browse):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    provider = browse(
        world["provider_admins"][0]
    )  # the bidder (a rival finds nothing: tests/test_review_issue9_receipts.py)
    typed = " " + receipt_reference(bid.receipt).lower().replace("-", " - ") + " "

    response = check(provider, tender, typed)

    html = page(response)
    assert 'data-testid="receipt-found"' in html
    assert timezone.localtime(bid.submitted_at).strftime("%Y-%m-%d %H:%M:%S") in html
    assert "Sealed: the bids are opened when the tender closes" in html
    assert "250,000" not in html and world["providers"][0].name not in html  # nothing sealed shows


def test_anyone_checks_after_the_deadline_and_learns_the_bid_was_opened(world, browse):
    tender = flows.evaluating_tender(world)
    bid = tender.bids.first()
    anyone = browse()

    assert "Check a bid receipt" in page(anyone.get(f"/tenders/{tender.pk}/"))
    found = page(check(anyone, tender, bid.receipt.upper()))
    missing = page(check(anyone, tender, "00000-00000"))

    assert 'data-testid="receipt-found"' in found and ">Opened<" in found
    assert 'data-testid="receipt-not-found"' in missing


def test_a_withdrawn_bid_says_so(world, browse):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    services.bid_withdraw(actor=world["provider_admins"][0], bid=bid)

    html = page(check(browse(world["provider_admins"][0]), tender, receipt_reference(bid.receipt)))

    assert "Withdrawn by the bidder" in html


def test_before_the_deadline_the_public_cannot_check(world, browse):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    anyone = browse()

    assert "Check a bid receipt" not in page(anyone.get(f"/tenders/{tender.pk}/"))
    response = check(anyone, tender, receipt_reference(bid.receipt))
    assert response.status_code == 200
    assert "can be checked once the bid deadline has passed" in page(response)
    assert 'data-testid="receipt-found"' not in page(response)


def test_a_receipt_in_the_wrong_shape_is_explained_on_the_field(world, browse):
    tender = flows.evaluating_tender(world)

    html = page(check(browse(), tender, "3F2A9-C81"))

    assert 'href="#id_receipt"' in html
    assert "the 10-character reference, like 3F2A9-C81D0, or the 64-character number" in html


def test_checks_are_throttled(world, browse, monkeypatch):
    monkeypatch.setattr(PageRateThrottle, "THROTTLE_RATES", {"anon_write": "2/minute"})
    tender = flows.evaluating_tender(world)
    client = browse()

    codes = [check(client, tender, "00000-00000").status_code for _ in range(3)]

    assert codes == [200, 200, 429]
