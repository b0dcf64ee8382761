"""The formulas of docs/rules.md §11.3 and §11.4, with their two worked examples held exactly."""

from decimal import Decimal

import pytest

from common.money import round_half_up
from evaluations import scoring
from marketplace.components import ScoreWeights

DEFAULT_WEIGHTS = ScoreWeights(
    third_party=Decimal("0.40"), buyer=Decimal("0.20"), residents=Decimal("0.30"), community=Decimal("0.10")
)


def test_worked_example_1():
    r = scoring.residents_score(n=120, n_pos=92, prior=Decimal("0.75"))
    assert r == Decimal("76.43")
    s = scoring.composite_score(t=Decimal(82), b=Decimal(88), r=r, c=Decimal(90), weights=DEFAULT_WEIGHTS)
    assert s == Decimal("82.33")
    assert scoring.band_of(s).letter == "B"
    assert round_half_up(Decimal(9_000_000) * scoring.release_share(s)) == 9_000_000


def test_worked_example_2():
    s = scoring.composite_score(
        t=Decimal(70), b=Decimal(65), r=Decimal(60), c=Decimal(70), weights=DEFAULT_WEIGHTS
    )
    assert s == Decimal("66.00")
    assert scoring.band_of(s).letter == "D"
    assert scoring.release_share(s) == Decimal("0.68")
    assert scoring.release_pct(s) == Decimal("68.00")
    release = int(round_half_up(Decimal(9_000_000) * scoring.release_share(s)))
    assert (release, 9_000_000 - release) == (6_120_000, 2_880_000)


@pytest.mark.parametrize(
    ("score", "band", "share"),
    [
        ("100", "A", "1"),
        ("90.00", "A", "1"),
        ("89.99", "B", "1"),
        ("80", "B", "1"),
        ("79.99", "C", "0.9998"),
        ("75", "C", "0.90"),
        ("70", "C", "0.80"),
        ("69.99", "D", "0.7997"),
        ("60", "D", "0.50"),
        ("59.99", "E", "0"),
        ("0", "E", "0"),
    ],
)
def test_bands_and_release_share(score, band, share):
    assert scoring.band_of(Decimal(score)).letter == band
    assert scoring.release_share(Decimal(score)) == Decimal(share)


@pytest.mark.parametrize(
    ("recipients", "n_min"), [(0, 0), (5, 5), (20, 20), (150, 20), (200, 20), (201, 21), (1000, 100)]
)
def test_minimum_sample(recipients, n_min):
    assert scoring.minimum_sample(recipients) == n_min


def test_residents_score_shrinks_small_samples_towards_the_prior():
    assert scoring.residents_score(n=0, n_pos=0, prior=Decimal("0.75")) == Decimal("75.00")
    assert scoring.residents_score(n=20, n_pos=9, prior=Decimal("0.75")) == Decimal("60.00")
    assert scoring.residents_score(n=1, n_pos=1, prior=Decimal("0.75")) == Decimal("76.19")
