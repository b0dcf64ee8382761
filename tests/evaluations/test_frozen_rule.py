"""The payment rule is frozen into the contract at award (docs/rules.md §11.3): weights, bands, f(S),
k, p0, the n_min rule and the formula version. Changing every setting afterwards changes nothing a
contract pays; only contracts awarded afterwards take the new settings."""

from decimal import Decimal

import pytest
from django.test import override_settings

from contracts.models import Contract, Instalment
from contracts.terms import TermsUnreadable

from .. import flows

pytestmark = pytest.mark.django_db

CHANGED = {
    "RATING_PRIOR_CSAT": Decimal("0.25"),
    "RATING_PRIOR_WEIGHT": 5,
    "RATING_SAMPLE_MIN": 1,
    "RATING_SAMPLE_SHARE": Decimal("0.01"),
}


def _final_money(world, *, settings_after_award: dict) -> tuple:
    objects = flows.delivering_contract(world, households=3)
    with override_settings(**settings_after_award):
        # 3 households, 2 satisfied: n = 3 >= n_min = 3 under both rules
        residents = objects["residents"]
        flows.rate(residents[0], objects["contract"], 5)
        flows.rate(residents[1], objects["contract"], 5)
        flows.rate(residents[2], objects["contract"], 2)
        flows.score_components(world, objects["evaluation"], t="74", b="74", c="74")
        flows.submit_report(world, objects["contract"], objects["evaluation"].stage)
        from evaluations.services import evaluation_confirm, evaluation_finalize

        midterm = evaluation_finalize(actor=world["officer"], evaluation=objects["evaluation"])
        evaluation_confirm(actor=world["officer"], evaluation=flows.pass_appeal_window(midterm))
        final = objects["contract"].evaluations.get(stage="final")
        for resident in residents:
            flows.rate(resident, objects["contract"], 5 if resident is not residents[2] else 2)
        flows.score_components(world, final, t="74", b="74", c="74")
        flows.submit_report(world, objects["contract"], final.stage)
        final = evaluation_finalize(actor=world["officer"], evaluation=final)
        final = evaluation_confirm(actor=world["officer"], evaluation=flows.pass_appeal_window(final))
    holdback = Instalment.objects.get(contract=objects["contract"], kind=Instalment.Kind.HOLDBACK)
    return (
        midterm.residents,
        final.residents,
        final.composite,
        final.band,
        final.release_pct,
        holdback.amount,
        holdback.release_amount,
        holdback.status,
    )


def test_changing_every_setting_after_the_award_changes_no_fen(world, settings):
    settings.EVALUATION_APPEAL_DAYS = 0
    unchanged = _final_money(world, settings_after_award={})
    # R = 100 × (2 + 20 × 0.75) / 23 = 73.91; S = 0.7 × 74 + 0.3 × 73.91 = 73.97 (C, f = 0.8794)
    assert unchanged[:5] == (
        Decimal("73.91"),
        Decimal("73.91"),
        Decimal("73.97"),
        "C",
        Decimal("87.94"),
    )
    changed = _final_money(world, settings_after_award=CHANGED)

    assert changed == unchanged
    assert changed[6] == int((Decimal(changed[5]) * Decimal("0.8794")).quantize(Decimal(1)))


def test_a_contract_awarded_after_the_change_takes_the_new_rule(world, settings):
    settings.EVALUATION_APPEAL_DAYS = 0
    with override_settings(**CHANGED):
        contract = flows.delivering_contract(world, households=3)["contract"]
    rule = contract.frozen_terms.rule
    assert (rule.prior, rule.prior_weight, rule.sample_min, rule.sample_share) == (
        Decimal("0.25"),
        5,
        1,
        Decimal("0.01"),
    )
    assert contract.terms["payment_rule"]["prior"] == "0.25"


def test_terms_without_the_frozen_rule_are_unreadable_not_todays_settings(world):
    contract = flows.draft_contract(world)
    stored = dict(contract.terms)
    del stored["payment_rule"]
    Contract.objects.filter(pk=contract.pk).update(terms=stored)
    contract.refresh_from_db()

    with override_settings(**CHANGED), pytest.raises(TermsUnreadable, match="payment_rule"):
        contract.frozen_terms  # noqa: B018 — reading is what is refused


def test_the_migration_fills_the_rule_into_older_terms(world):
    from importlib import import_module

    from django.apps import apps

    contract = flows.draft_contract(world)
    stored = dict(contract.terms)
    del stored["payment_rule"]
    Contract.objects.filter(pk=contract.pk).update(terms=stored)

    import_module("contracts.migrations.0008_freeze_payment_rule").freeze(apps, None)

    contract.refresh_from_db()
    assert contract.terms["payment_rule"] == {
        "bands": [
            {"letter": "A", "floor": "90", "base": "1", "slope": "0"},
            {"letter": "B", "floor": "80", "base": "1", "slope": "0"},
            {"letter": "C", "floor": "70", "base": "0.80", "slope": "0.02"},
            {"letter": "D", "floor": "60", "base": "0.50", "slope": "0.03"},
            {"letter": "E", "floor": "0", "base": "0", "slope": "0"},
        ],
        "prior_weight": 20,
        "prior": "0.75",
        "sample_min": 20,
        "sample_share": "0.10",
    }
