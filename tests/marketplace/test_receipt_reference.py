"""The bid receipt as people handle it (issue 9): a short reference beside the 64-character number,
and either typed back in any case, with spaces or dashes."""

import pytest

from marketplace.receipts import receipt_reference, receipt_typed
from marketplace.selectors import bid_by_receipt

from .. import flows

RECEIPT = "3f2a9c81d0" + "0" * 54


def test_the_reference_is_the_first_ten_characters_in_capitals_in_two_groups():
    assert receipt_reference(RECEIPT) == "3F2A9-C81D0"
    assert receipt_reference("") == ""


@pytest.mark.parametrize(
    ("typed", "text"),
    [
        ("3F2A9-C81D0", "3f2a9c81d0"),
        (" 3f2a9 c81d0 ", "3f2a9c81d0"),
        ("3F2A9C81D0", "3f2a9c81d0"),
        ("3f2a9－c81d0", "3f2a9c81d0"),  # a full-width dash from a Chinese input method
        (RECEIPT.upper(), RECEIPT),
        ("-".join(RECEIPT[i : i + 8] for i in range(0, 64, 8)), RECEIPT),
    ],
)
def test_what_people_type_is_read_as_a_receipt(typed, text):
    assert receipt_typed(typed) == text


@pytest.mark.parametrize("typed", ["", "3F2A9", "3F2A9-C81D", "3F2A9-C81DG", RECEIPT[:63], RECEIPT + "0"])
def test_anything_else_is_not_a_receipt(typed):
    assert receipt_typed(typed) is None


@pytest.mark.django_db
def test_a_bid_is_found_by_its_reference_or_its_number_on_its_own_tender_only(world, api):
    tender = flows.published_tender(world)
    other = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 25_000_000)

    assert bid_by_receipt(tender=tender, typed=receipt_reference(bid.receipt).lower()) == bid
    assert bid_by_receipt(tender=tender, typed=bid.receipt.upper()) == bid
    assert bid_by_receipt(tender=other, typed=receipt_reference(bid.receipt)) is None
    assert bid_by_receipt(tender=tender, typed="00000-00000") is None

    body = api(world["provider_admins"][0]).get(f"bids/{bid.pk}/").json()
    assert body["receipt_reference"] == receipt_reference(bid.receipt)
    assert body["receipt_reference"] == bid.receipt[:5].upper() + "-" + bid.receipt[5:10].upper()
