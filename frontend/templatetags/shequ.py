"""Template helpers shared by every page: state tags, charts with a data table beside them, values
that never break over two lines."""

import itertools
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

# GOV.UK tag colours by state; a state not named here shows as a plain (blue) tag.
_TAG_COLOURS = {
    "draft": "grey",
    "proposed": "yellow",
    "effective": "green",
    "pending": "yellow",
    "published": "green",
    "open": "green",
    "verified": "green",
    "active": "green",
    "submitted": "blue",
    "evaluating": "purple",
    "closed": "grey",
    "awarded": "turquoise",
    "contracted": "turquoise",
    "won": "turquoise",
    "lost": "grey",
    "withdrawn": "grey",
    "disqualified": "red",
    "cancelled": "red",
    "failed": "red",
    "terminated": "red",
    "suspended": "orange",
    "rectification": "orange",
    "quarantined": "orange",
    "excluded": "red",
    "valid": "green",
    "final": "green",
    "completed": "green",
    "succeeded": "green",
    "paid": "green",
    "scheduled": "grey",
    "due": "yellow",
    "processing": "blue",
    "withheld": "grey",
    "held": "orange",
    "partly": "yellow",
}

_chart_ids = itertools.count(1)


@register.filter
def nowrap(value: Any) -> SafeString | str:
    """A value that must not break over two lines — a date, a time, an amount — marked so
    (``.shequ-value`` in frontend/assets/main.scss: ``white-space: nowrap``). Browsers break a
    date such as 2026-05-01 after a hyphen at the end of a line; use it wherever a value sits in
    running text: ``{% blocktranslate with deadline=tender.bid_deadline|date:"Y-m-d H:i"|nowrap %}``.
    Table cells holding a value carry the class themselves; numeric cells never wrap."""
    if value is None or value == "":
        return ""
    return format_html('<span class="shequ-value">{}</span>', value)


@register.inclusion_tag("frontend/includes/status_tag.html")
def status_tag(instance: Any, field: str = "status") -> dict[str, Any]:
    value = getattr(instance, field)
    display = getattr(instance, f"get_{field}_display", lambda: value)()
    return {"label": display, "colour": _TAG_COLOURS.get(str(value))}


@register.inclusion_tag("frontend/includes/chart.html")
def chart(spec: dict[str, Any], title: str) -> dict[str, Any]:
    """A Chart.js chart from ``spec`` ({type, labels, datasets [{label, data}], stacked?, horizontal?,
    max?}) with the same figures as a table: the table is the accessible and no-JavaScript view."""
    chart_id = f"chart-{next(_chart_ids)}"
    rows = [
        (label, [dataset["data"][index] for dataset in spec["datasets"]])
        for index, label in enumerate(spec["labels"])
    ]
    return {"spec": spec, "title": title, "chart_id": chart_id, "rows": rows, "table_caption": _("Data")}
