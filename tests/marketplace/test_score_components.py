"""The performance score's components have one definition (marketplace.components): their keys are
the API's, the tender's weight fields and the evaluation's score fields, and every page names them
by the same label."""

from decimal import Decimal

import pytest

from evaluations.models import Evaluation
from evaluations.permissions import COMPONENT_PERMS
from evaluations.serializers import ComponentScoreInputSerializer
from marketplace.components import DEFAULT_SCORE_WEIGHTS, ENTERED_COMPONENTS, Component, ScoreWeights
from marketplace.models import Tender
from marketplace.serializers import ScoreWeightsSerializer


def test_the_four_components_their_keys_letters_and_who_enters_them():
    assert [(c.value, c.letter) for c in Component] == [
        ("third_party", "T"),
        ("buyer", "B"),
        ("residents", "R"),
        ("community", "C"),
    ]
    assert ENTERED_COMPONENTS == (Component.THIRD_PARTY, Component.BUYER, Component.COMMUNITY)
    assert set(COMPONENT_PERMS) == set(ENTERED_COMPONENTS)  # R is computed, nobody enters it
    assert list(ComponentScoreInputSerializer().fields["component"].choices) == [
        "third_party",
        "buyer",
        "community",
    ]
    assert set(ScoreWeightsSerializer().fields) == set(Component.values)
    for component in Component:
        Tender._meta.get_field(component.weight_field)
        Evaluation._meta.get_field(component.value)


def test_default_weights_are_the_tenders_defaults_and_add_up_to_one():
    assert sum(DEFAULT_SCORE_WEIGHTS.as_dict().values()) == 1
    for component in Component:
        assert Tender._meta.get_field(component.weight_field).default == DEFAULT_SCORE_WEIGHTS.of(component)


@pytest.mark.parametrize(
    "data",
    [
        {"third_party": "0.4", "buyer": "0.2", "residents": "0.3"},
        {"third_party": "0.4", "buyer": "0.2", "residents": "0.3", "community": "0.1", "other": "0"},
        {"third_party": "0.4", "buyer": "x", "residents": "0.3", "community": "0.1"},
    ],
)
def test_weights_from_a_mapping_need_exactly_the_four_decimals(data):
    with pytest.raises(ValueError):
        ScoreWeights.from_mapping(data)


def test_weights_from_a_mapping():
    weights = ScoreWeights.from_mapping(
        {"third_party": "0.5", "buyer": 0.2, "residents": "0.2", "community": "0.1"}
    )
    assert weights.of(Component.THIRD_PARTY) == Decimal("0.5") and weights.buyer == Decimal("0.2")
