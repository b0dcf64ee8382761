"""``{% score_history evaluation %}``: every entry of T, B, C and the sample survey on an evaluation,
with who entered it, when and what it replaced (docs/rules.md §11), on the parties' evaluation pages."""

from typing import Any

from django import template

from evaluations.models import Evaluation
from evaluations.selectors import score_history as entries_of

register = template.Library()


@register.inclusion_tag("frontend/includes/score_history.html")
def score_history(evaluation: Evaluation) -> dict[str, Any]:
    return {"entries": entries_of(evaluation)}
