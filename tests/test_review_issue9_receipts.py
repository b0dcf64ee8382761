"""Review of issue 9's "Check a bid receipt": a bid of a tender cancelled before it closed is
returned unopened for good, so the check must not promise that it will be opened at close."""

import pytest

from marketplace import services
from marketplace.receipts import receipt_reference

from . import flows
from .frontend.helpers import english_client, page

pytestmark = pytest.mark.django_db


def test_a_bid_of_a_cancelled_tender_is_not_said_to_be_opened_at_close(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    tender = services.tender_cancel(actor=world["officer"], tender=tender, reason="Funding withdrawn")
    flows.pass_deadline(tender)

    typed = {"receipt": receipt_reference(bid.receipt)}
    html = page(english_client().post(f"/tenders/{tender.pk}/receipt/", typed))

    assert 'data-testid="receipt-found"' in html
    assert "the bids are opened when the tender closes" not in html
    assert "returned unopened" in html


def test_before_the_deadline_only_the_bidder_learns_of_its_bid(world):
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)
    rival = english_client(world["provider_admins"][1])

    html = page(rival.post(f"/tenders/{tender.pk}/receipt/", {"receipt": receipt_reference(bid.receipt)}))

    assert 'data-testid="receipt-found"' not in html
