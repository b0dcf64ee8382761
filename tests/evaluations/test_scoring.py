"""The formulas of docs/rules.md §11.3 and §11.4, with their two worked examples held exactly, each
taking the payment rule (formula version shequ-2026.1 with p0 = 0.75 here) as a parameter."""

import dataclasses
from decimal import Decimal

import pytest

from common.money import round_half_up
from evaluations import scoring
from marketplace.components import ScoreWeights
from marketplace.payment_rule import BandPiece, legacy_rule

DEFAULT_WEIGHTS = ScoreWeights(
    third_party=Decimal("0.40"), buyer=Decimal("0.20"), residents=Decimal("0.30"), community=Decimal("0.10")
)
RULE = legacy_rule(weights=DEFAULT_WEIGHTS, prior=Decimal("0.75"))


def test_worked_example_1():
    r = scoring.residents_score(n=120, n_pos=92, rule=RULE)
    assert r == Decimal("76.43")
    s = scoring.composite_score(t=Decimal(82), b=Decimal(88), r=r, c=Decimal(90), rule=RULE)
    assert s == Decimal("82.33")
    assert scoring.band_of(s, RULE).letter == "B"
    assert round_half_up(Decimal(9_000_000) * scoring.release_share(s, RULE)) == 9_000_000


def test_worked_example_2():
    s = scoring.composite_score(t=Decimal(70), b=Decimal(65), r=Decimal(60), c=Decimal(70), rule=RULE)
    assert s == Decimal("66.00")
    assert scoring.band_of(s, RULE).letter == "D"
    assert scoring.release_share(s, RULE) == Decimal("0.68")
    assert scoring.release_pct(s, RULE) == Decimal("68.00")
    release = int(round_half_up(Decimal(9_000_000) * scoring.release_share(s, RULE)))
    assert (release, 9_000_000 - release) == (6_120_000, 2_880_000)


def test_payout_is_the_worked_example_in_fen():
    result = scoring.payout(
        t=Decimal(70), b=Decimal(65), r=Decimal(60), c=Decimal(70), holdback=9_000_000, rule=RULE
    )
    assert (result.composite, result.band.letter, result.release_pct) == (
        Decimal("66.00"),
        "D",
        Decimal("68.00"),
    )
    assert (result.holdback_amount, result.release_amount, result.withheld_amount) == (
        9_000_000,
        6_120_000,
        2_880_000,
    )


@pytest.mark.parametrize(
    ("score", "band", "share"),
    [
        ("100", "A", "1"),
        ("90.00", "A", "1"),
        ("89.99", "B", "1"),
        ("80", "B", "1"),
        ("79.99", "C", "0.9998"),
        ("75", "C", "0.90"),
        ("74.50", "C", "0.89"),
        ("70", "C", "0.80"),
        ("69.99", "D", "0.7997"),
        ("60", "D", "0.50"),
        ("59.99", "E", "0"),
        ("0", "E", "0"),
    ],
)
def test_bands_and_release_share(score, band, share):
    assert scoring.band_of(Decimal(score), RULE).letter == band
    assert scoring.release_share(Decimal(score), RULE) == Decimal(share)


@pytest.mark.parametrize(
    ("recipients", "n_min"), [(0, 0), (5, 5), (20, 20), (150, 20), (200, 20), (201, 21), (1000, 100)]
)
def test_minimum_sample(recipients, n_min):
    assert scoring.minimum_sample(recipients, RULE) == n_min


def test_residents_score_shrinks_small_samples_towards_the_prior():
    assert scoring.residents_score(n=0, n_pos=0, rule=RULE) == Decimal("75.00")
    assert scoring.residents_score(n=20, n_pos=9, rule=RULE) == Decimal("60.00")
    assert scoring.residents_score(n=1, n_pos=1, rule=RULE) == Decimal("76.19")


def test_every_formula_reads_the_rule_it_is_given():
    # Given another rule: p0 0.5, k 10, n_min at least 5 or 50 %, C paid from 0.60 at 2 % a point
    other = dataclasses.replace(
        RULE,
        prior=Decimal("0.5"),
        prior_weight=10,
        sample_min=5,
        sample_share=Decimal("0.5"),
        bands=(
            BandPiece("A", Decimal(90), Decimal(1), Decimal(0)),
            BandPiece("C", Decimal(65), Decimal("0.60"), Decimal("0.02")),
            BandPiece("E", Decimal(0), Decimal(0), Decimal(0)),
        ),
        weights=ScoreWeights(
            third_party=Decimal("0.25"),
            buyer=Decimal("0.25"),
            residents=Decimal("0.25"),
            community=Decimal("0.25"),
        ),
    )
    # Then each formula follows it
    assert scoring.residents_score(n=10, n_pos=10, rule=other) == Decimal("75.00")  # 100 × (10 + 5) / 20
    assert scoring.minimum_sample(40, other) == 20
    assert (
        scoring.composite_score(t=Decimal(80), b=Decimal(70), r=Decimal(60), c=Decimal(50), rule=other) == 65
    )
    assert scoring.band_of(Decimal("89.99"), other).letter == "C"
    assert scoring.release_share(Decimal("70"), other) == Decimal("0.70")
    assert scoring.release_share(Decimal("64.99"), other) == 0
