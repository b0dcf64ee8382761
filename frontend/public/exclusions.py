"""The public list of providers excluded from bidding (docs/rules.md §17.6): the same exclusions as
``GET exclusions/``, in force by default, with the expired and lifted ones a click away."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from marketplace.filters import ExclusionFilter
from marketplace.models import Exclusion

PAGE_SIZE = 20
VIEWS = [
    ("in_force", _("In force")),
    ("expired", _("Ended")),
    ("lifted", _("Lifted")),
    ("all", _("All")),
]


def exclusion_list(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("status", "in_force")
    if chosen not in dict(VIEWS):
        chosen = "in_force"
    exclusions = ExclusionFilter(
        {"status": chosen}, queryset=Exclusion.objects.select_related("provider", "bureau")
    ).qs
    page = Paginator(exclusions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "frontend/public/exclusion_list.html",
        {"page": page, "exclusions": page.object_list, "views": VIEWS, "chosen": chosen},
    )
