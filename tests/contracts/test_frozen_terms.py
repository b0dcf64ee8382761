"""A contract's frozen terms (docs/rules.md §5.1): written once at finalisation in the stored JSON
shape, read back typed by every reader, and refused loudly when a key is missing or malformed."""

from decimal import Decimal

import pytest

from contracts.terms import FORMULA_VERSION, ContractTerms, FrozenShare, TermsUnreadable
from marketplace.components import Component, ScoreWeights
from marketplace.payment_rule import legacy_rule

from .. import flows


def test_finalising_freezes_the_tenders_terms_as_json_and_they_read_back_typed(world):
    # Given a finalised award
    contract = flows.draft_contract(world)
    tender = contract.tender

    # Then the stored JSON keeps decimals as strings, in the shape the API has always shown
    stored = contract.terms
    assert stored["formula_version"] == FORMULA_VERSION == "shequ-2026.1"
    assert stored["score_weights"] == {
        "third_party": "0.40",
        "buyer": "0.20",
        "residents": "0.30",
        "community": "0.10",
    }
    assert stored["payment_schedule"] == [
        {"kind": "advance", "share_pct": "30.00"},
        {"kind": "interim", "share_pct": "40.00"},
        {"kind": "holdback", "share_pct": "30.00"},
    ]
    assert [kpi["id"] for kpi in stored["kpis"]] == list(tender.kpis.values_list("id", flat=True))
    assert stored["catalogue_item"] == tender.catalogue_item.code
    assert sorted(stored["areas"]) == sorted(tender.areas.values_list("code", flat=True))

    # And they read back as typed terms, which write the same JSON again
    terms = contract.frozen_terms
    assert terms.score_weights == ScoreWeights.of_tender(tender)
    assert terms.score_weights.of(Component.RESIDENTS) == Decimal("0.30")
    assert terms.payment_schedule[0] == FrozenShare(kind="advance", share_pct=Decimal("30.00"))
    assert terms.as_json() == stored


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda terms: terms.pop("score_weights"), "score_weights"),
        # the rule is frozen: missing, it is not today's settings but unreadable terms
        (lambda terms: terms.pop("payment_rule"), "payment_rule"),
        (lambda terms: terms["payment_rule"].pop("prior"), "prior"),
        (lambda terms: terms["payment_rule"].update(prior_weight="20"), "prior_weight"),
        (lambda terms: terms["payment_rule"]["bands"].pop(), "bands"),
        (lambda terms: terms["score_weights"].pop("buyer"), "buyer"),
        (lambda terms: terms["score_weights"].update(buyer="a lot"), "decimals"),
        (lambda terms: terms["kpis"].append({"id": 1}), "name"),
        (lambda terms: terms.update(payment_schedule=[{"kind": "advance", "share_pct": None}]), "malformed"),
    ],
)
def test_terms_missing_a_key_or_malformed_are_refused_naming_it(damage, named):
    stored = ContractTerms(
        rule=legacy_rule(
            weights=ScoreWeights(
                third_party=Decimal("0.40"),
                buyer=Decimal("0.20"),
                residents=Decimal("0.30"),
                community=Decimal("0.10"),
            ),
            prior=Decimal("0.75"),
        ),
        kpis=(),
        payment_schedule=(),
        areas=("510107",),
        catalogue_item="C01",
    ).as_json()
    damage(stored)

    with pytest.raises(TermsUnreadable, match=named):
        ContractTerms.parse(stored)
