"""Freeze the payment rule into the terms of every contract awarded before rules were frozen
(docs/rules.md §11.3): formula version shequ-2026.1 as it was — its bands, f(S), k = 20, the n_min rule
— with p0 as the setting (RATING_PRIOR_CSAT) stands on the day of the migration, which is the p0 those
contracts would have been finalised with."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import migrations

from marketplace.components import ScoreWeights
from marketplace.payment_rule import legacy_rule


def freeze(apps: Any, schema_editor: Any) -> None:
    Contract = apps.get_model("contracts", "Contract")
    for contract in Contract.objects.all().only("id", "terms").iterator():
        terms = contract.terms
        if not isinstance(terms, dict) or "payment_rule" in terms or "score_weights" not in terms:
            continue
        rule = legacy_rule(
            weights=ScoreWeights.from_mapping(terms["score_weights"]),
            prior=Decimal(settings.RATING_PRIOR_CSAT),
        )
        terms["payment_rule"] = rule.params_json()
        Contract.objects.filter(pk=contract.pk).update(terms=terms)


def unfreeze(apps: Any, schema_editor: Any) -> None:
    Contract = apps.get_model("contracts", "Contract")
    for contract in Contract.objects.all().only("id", "terms").iterator():
        if isinstance(contract.terms, dict) and contract.terms.pop("payment_rule", None) is not None:
            Contract.objects.filter(pk=contract.pk).update(terms=contract.terms)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0007_appeals")]

    operations = [migrations.RunPython(freeze, unfreeze)]
