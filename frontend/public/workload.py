"""A community committee's workload, public (docs/rules.md §23): per year the tasks bureaus sent it,
accepted, refused (and how many of the refusals were of unlisted or unfunded tasks), the funding of
the accepted ones and the money received; a bar chart drawn as inline SVG, and its table."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from communitytasks.models import CommunityTask
from communitytasks.selectors import WorkloadYear, community_task_list, public_communities, workload_of

CHART_WIDTH = 480  # the SVG's own units; it scales to the column
BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 150


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    colour: str


def bars_of(row: WorkloadYear, labels: dict[str, str]) -> list[Bar]:
    """One bar per count, scaled to the year's largest count: a pure layout, tested alone."""
    values = [
        ("proposed", row.proposed, "#1d70b8"),
        ("accepted", row.accepted, "#00703c"),
        ("refused", row.refused, "#d4351c"),
        ("refused_protected", row.refused_protected, "#f47738"),
        ("pending", row.pending, "#505a5f"),
    ]
    largest = max([value for _name, value, _colour in values] + [1])
    room = CHART_WIDTH - LABEL_WIDTH - 40
    return [
        Bar(
            label=labels[name],
            value=value,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(room * value / largest),
            colour=colour,
        )
        for index, (name, value, colour) in enumerate(values)
    ]


def workload_page(request: HttpRequest, pk: int) -> HttpResponse:
    community = get_object_or_404(public_communities(), pk=pk)
    years = workload_of(community=community)
    labels = {
        "proposed": _("Sent"),
        "accepted": _("Accepted"),
        "refused": _("Refused"),
        "refused_protected": _("Refused: unlisted or unfunded"),
        "pending": _("Not answered yet"),
    }
    charts = [
        {"row": row, "bars": bars_of(row, labels), "height": 5 * (BAR_HEIGHT + BAR_GAP)} for row in years
    ]
    accepted = community_task_list(user=request.user).filter(
        community=community, status__in=CommunityTask.ACCEPTED_STATUSES
    )
    context = {
        "community": community,
        "charts": charts,
        "accepted": accepted,
        "chart_width": CHART_WIDTH,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }
    return render(request, "frontend/public/workload.html", context)
