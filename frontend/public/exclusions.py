"""The public list of providers excluded from bidding (docs/rules.md §17.6): the same exclusions as
``GET exclusions/``, in force by default, with the expired and lifted ones a click away."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from marketplace.filters import ExclusionFilter
from marketplace.models import Exclusion

from .reads import visible_contracts

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
    refs = [exclusion.contract_ref for exclusion in page.object_list]
    titles = dict(visible_contracts(request.user).filter(pk__in=refs).values_list("pk", "title"))
    rows = [{"exclusion": exclusion, "contract": titles.get(exclusion.contract_ref)} for exclusion in page]
    return render(
        request,
        "frontend/public/exclusion_list.html",
        {"page": page, "rows": rows, "views": VIEWS, "chosen": chosen},
    )
