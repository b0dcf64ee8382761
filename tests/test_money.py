"""Money helpers (docs/rules.md §6.1): commercial rounding, and splits whose parts sum to the
total exactly, the last part taking the remainder."""

from decimal import Decimal

import pytest

from common.money import round_half_up, split_by_shares
from contracts.models import Instalment

from .flows import draft_contract

DEFAULT_SHARES = [Decimal(30), Decimal(40), Decimal(30)]


def test_worked_example_1_splits_300000_yuan_30_40_30():
    assert split_by_shares(30_000_000, DEFAULT_SHARES) == [9_000_000, 12_000_000, 9_000_000]


@pytest.mark.parametrize(
    ("total", "shares", "expected"),
    [
        # 3,000,000.3 and 4,000,000.4 round down; the holdback takes the 1 fen left over
        (10_000_001, DEFAULT_SHARES, [3_000_000, 4_000_000, 3_000_001]),
        # 3,333,000.3333 twice; the last part takes 10,000,001 − 6,666,000
        (
            10_000_001,
            [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")],
            [3_333_000, 3_333_000, 3_334_001],
        ),
        # 33.33 % of 100 fen is 33.33 → 33; the last gets 34
        (100, [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")], [33, 33, 34]),
        # 2.5 rounds half up to 3 on a leading part; the remainder is 2
        (5, [Decimal(50), Decimal(50)], [3, 2]),
        # 0.3 and 0.4 round to 0: the single fen goes to the last part
        (1, DEFAULT_SHARES, [0, 0, 1]),
        (27_000_000, DEFAULT_SHARES, [8_100_000, 10_800_000, 8_100_000]),
        # 20 % of 9,999,999 = 1,999,999.8 → 2,000,000; 50 % = 4,999,999.5 → 5,000,000
        (9_999_999, [Decimal(20), Decimal(50), Decimal(30)], [2_000_000, 5_000_000, 2_999_999]),
        (12_345, [Decimal(100)], [12_345]),
        (0, DEFAULT_SHARES, [0, 0, 0]),
    ],
)
def test_split_by_shares_last_part_takes_the_remainder(total, shares, expected):
    parts = split_by_shares(total, shares)

    assert parts == expected
    assert sum(parts) == total
    assert all(isinstance(part, int) for part in parts)


@pytest.mark.parametrize("total", [1, 7, 99, 10_000_001, 29_999_999, 123_456_789, 10**14])
@pytest.mark.parametrize(
    "shares",
    [
        DEFAULT_SHARES,
        [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")],
        [Decimal("12.5"), Decimal("57.5"), Decimal(30)],
        [Decimal("0.01"), Decimal("99.99")],
    ],
)
def test_split_by_shares_sums_exactly(total, shares):
    parts = split_by_shares(total, shares)

    assert sum(parts) == total
    for part, share in zip(parts[:-1], shares[:-1], strict=True):
        assert part == round_half_up(Decimal(total) * share / 100)


def test_split_of_nothing_is_empty():
    assert split_by_shares(30_000_000, []) == []


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.5"), 0, Decimal(3)),  # banker's rounding would give 2
        (Decimal("3.5"), 0, Decimal(4)),
        (Decimal("2.4999"), 0, Decimal(2)),
        (Decimal("-2.5"), 0, Decimal(-3)),  # half away from zero
        (Decimal("0.125"), 2, Decimal("0.13")),  # banker's: 0.12
        (Decimal("76.425"), 2, Decimal("76.43")),
        (Decimal("82.325"), 2, Decimal("82.33")),
        (Decimal("66.004999"), 2, Decimal("66.00")),
        (Decimal("6120000.5"), 0, Decimal(6_120_001)),
        (Decimal(100) * (92 + 20 * Decimal("0.75")) / (120 + 20), 2, Decimal("76.43")),  # docs/rules.md §11.3
    ],
)
def test_round_half_up(value, places, expected):
    rounded = round_half_up(value, places)

    assert rounded == expected
    assert rounded.as_tuple().exponent == -places


def test_contract_of_300000_yuan_gets_the_worked_example_instalments(world):
    # Given both bids at the ceiling of 30,000,000 fen, when the award is finalized
    contract = draft_contract(world, prices=(30_000_000, 30_000_000))

    # Then the instalments are those of worked example 1, summing to the contract value
    instalments = list(contract.instalments.order_by("sequence"))
    assert contract.value_amount == 30_000_000
    assert [(i.kind, i.amount) for i in instalments] == [
        (Instalment.Kind.ADVANCE, 9_000_000),
        (Instalment.Kind.INTERIM, 12_000_000),
        (Instalment.Kind.HOLDBACK, 9_000_000),
    ]
    assert sum(i.amount for i in instalments) == contract.value_amount


def test_contract_with_an_odd_value_sums_exactly(world):
    contract = draft_contract(world, prices=(10_000_001, 20_000_000))

    amounts = list(contract.instalments.order_by("sequence").values_list("amount", flat=True))
    assert amounts == [3_000_000, 4_000_000, 3_000_001]
    assert sum(amounts) == contract.value_amount == 10_000_001
