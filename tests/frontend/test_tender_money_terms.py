"""What decides a tender's money, on the provider's and the public tender pages (issue 9): the
criteria and their weights, the payment schedule in percentages and yuan with when each instalment
is paid, and the weights of the composite score S — in summary lists."""

import re

import pytest

from frontend.templatetags.tender_terms import percent

from .. import flows
from .helpers import page

pytestmark = pytest.mark.django_db


def section(html: str, testid: str) -> str:
    match = re.search(rf'<dl class="govuk-summary-list" data-testid="{testid}">(.*?)</dl>', html, re.S)
    assert match, testid
    return match.group(1)


def assert_money_terms(html: str, *, at: str) -> None:
    criteria = section(html, "tender-criteria")
    assert "Price" in criteria and "30%" in criteria and "Service plan" in criteria and "40%" in criteria
    assert "The lowest opened price divided by the bid&#x27;s price, times 30." in criteria or (
        "The lowest opened price divided by the bid's price, times 30." in criteria
    )
    assert "100%" in criteria  # the total
    schedule = section(html, "tender-payment-schedule")
    # ceiling ¥300,000.00 split 30/40/30
    assert "Advance" in schedule and "Interim" in schedule and "Performance holdback" in schedule
    assert "30% of the contract value" in schedule and "40% of the contract value" in schedule
    for amount in ("90,000.00", "120,000.00"):
        assert f"{at}{amount}" in schedule
    assert "Paid when both parties have signed the contract." in schedule
    assert "Paid after a passing midterm evaluation" in schedule
    assert "Paid after the final evaluation" in schedule
    weights = section(html, "tender-score-weights")
    for label, weight in (
        ("Third-party score (T)", "40%"),
        ("Buyer score (B)", "20%"),
        ("Residents&#x27; score (R)", "30%"),
        ("Community score (C)", "10%"),
    ):
        assert label in weights or label.replace("&#x27;", "'") in weights
        assert weight in weights


def test_the_provider_tender_page_shows_the_money_terms(world, browse):
    tender = flows.published_tender(world)

    html = page(browse(world["provider_admins"][0]).get(f"/provider/tenders/{tender.pk}/"))

    assert_money_terms(html, at="At most ¥")


def test_the_public_tender_page_shows_the_same(world, browse):
    tender = flows.published_tender(world)

    html = page(browse().get(f"/tenders/{tender.pk}/"))

    assert_money_terms(html, at="At most ¥")


def test_after_the_award_the_amounts_are_those_of_the_awarded_price(world, browse):
    tender = flows.award_proposed_tender(world)  # the lower bid, ¥280,000.00, is proposed
    html = page(browse().get(f"/tenders/{tender.pk}/"))

    schedule = section(html, "tender-payment-schedule")
    assert "¥84,000.00 at the awarded price" in schedule and "¥112,000.00 at the awarded price" in schedule
    assert "At most" not in schedule


def test_percentages_read_naturally():
    from decimal import Decimal

    assert percent(Decimal("30.00")) == "30%"
    assert percent(Decimal("12.50")) == "12.5%"
    assert percent(Decimal("0.40") * 100) == "40%"
