"""Template helpers of due process (docs/rules.md §17): what an amendment changed, in words, for the
public, provider and bureau tender pages."""

import datetime
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.models import Criterion, TenderAmendment
from marketplace.services.amendments import ADDED_DOCUMENTS, AMENDABLE_TERMS

register = template.Library()


def _term_text(term: str, value: Any) -> str:
    """A recorded value of an amended term (``TenderAmendment.changes``), as people read it."""
    if term == "bid_deadline":
        moment = timezone.localtime(datetime.datetime.fromisoformat(value))
        return moment.strftime("%Y-%m-%d %H:%M")
    if term == "kpis":
        return "; ".join(f"{kpi['name']}: {kpi['target']} {kpi['unit']}" for kpi in value) or _("None")
    if term == "documents":
        return "; ".join(document["title"] for document in value) or _("None")
    if term == "criteria":
        kinds = dict(Criterion.Kind.choices)
        return "; ".join(
            f"{criterion['name']} ({kinds.get(criterion['kind'], criterion['kind'])}): {criterion['weight']}"
            for criterion in value
        )
    return str(value) if value != "" else _("Not provided")


@register.simple_tag
def amendment_changes(amendment: TenderAmendment) -> list[dict[str, str]]:
    """Each term the amendment changed: its name, and its value before and after."""
    return [
        {
            "label": str(AMENDABLE_TERMS.get(term, ADDED_DOCUMENTS)),
            "before": _term_text(term, change["before"]),
            "after": _term_text(term, change["after"]),
        }
        for term, change in amendment.changes.items()
    ]


@register.simple_tag
def clarification_days() -> int:
    """How many days an amendment leaves before the bid deadline (MARKETPLACE_CLARIFICATION_DAYS)."""
    days: int = settings.MARKETPLACE_CLARIFICATION_DAYS
    return days
