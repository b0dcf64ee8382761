"""Fen ↔ yuan: one pair of helpers (``common.money.fen_to_yuan`` / ``yuan_to_fen``), exact both ways,
used by the forms that take yuan, the admin, the bureau's drafts and the dashboard's chart."""

import json
import re
from decimal import Decimal

import pytest

from common.money import MAX_AMOUNT, fen_to_yuan, yuan, yuan_to_fen

from . import flows


@pytest.mark.parametrize(
    ("fen", "expected"),
    [
        (0, "0.00"),
        (1, "0.01"),
        (10, "0.10"),
        (100, "1.00"),
        (123_456, "1234.56"),
        (30_000_000, "300000.00"),
        (-150, "-1.50"),
        (MAX_AMOUNT, "1000000000000.00"),
    ],
)
def test_fen_to_yuan_is_exact_with_two_decimals(fen, expected):
    amount = fen_to_yuan(fen)

    assert isinstance(amount, Decimal)
    assert str(amount) == expected
    assert amount == Decimal(expected)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("1234.56"), 123_456),
        ("1234.56", 123_456),
        ("1234.5", 123_450),
        (" 300000 ", 30_000_000),
        (Decimal("300000.00"), 30_000_000),
        (Decimal("0.01"), 1),
        (5, 500),
        ("1E+2", 10_000),
        ("-1.50", -150),
        ("1234.5600", 123_456),  # trailing zeros are not a finer amount
        ("1000000000000.00", MAX_AMOUNT),
    ],
)
def test_yuan_to_fen_is_exact(amount, expected):
    fen = yuan_to_fen(amount)

    assert fen == expected
    assert type(fen) is int


@pytest.mark.parametrize(
    "amount", ["0.001", Decimal("1234.565"), "1E-3", "abc", "", "NaN", "Infinity", 1.5, True]
)
def test_yuan_to_fen_refuses_what_is_not_a_whole_number_of_fen(amount):
    with pytest.raises(ValueError):
        yuan_to_fen(amount)


@pytest.mark.parametrize("fen", [0, 1, 7, 99, 100, 101, 123_456, 29_999_999, -12_345, MAX_AMOUNT])
def test_fen_to_yuan_and_back_is_the_same_amount(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen
    assert yuan_to_fen(str(fen_to_yuan(fen))) == fen


@pytest.mark.parametrize(
    ("fen", "shown"),
    [
        (None, ""),
        (0, "0.00"),
        (1, "0.01"),
        (-1, "-0.01"),
        (123_456, "1,234.56"),
        (-123_456, "-1,234.56"),
        (30_000_000, "300,000.00"),
        (MAX_AMOUNT, "1,000,000,000,000.00"),
    ],
)
def test_yuan_formats_as_before(fen, shown):
    assert yuan(fen) == shown


def _chart_specs(html: str) -> list[dict]:
    scripts = re.findall(r'<script id="chart-\d+" type="application/json">(.*?)</script>', html, re.S)
    return [json.loads(script) for script in scripts]


@pytest.mark.django_db
def test_the_dashboard_budget_chart_keeps_the_fen(world, client):
    # given a ceiling of ¥1,234.56 committed on a budget line of ¥1,000,000.00
    flows.published_tender(world, ceiling_amount=123_456)
    client.force_login(world["officer"])

    # when the officer opens the dashboard
    response = client.get("/bureau/")

    # then the budget chart shows the committed and available amounts to the fen
    assert response.status_code == 200
    line = str(world["budget_line"])
    budget = next(spec for spec in _chart_specs(response.content.decode()) if line in spec["labels"])
    index = budget["labels"].index(line)
    committed, available = (Decimal(dataset["data"][index]) for dataset in budget["datasets"])
    assert committed == Decimal("1234.56")
    assert available == Decimal("998765.44")
