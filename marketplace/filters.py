from typing import Any, cast

import django_filters
from django.db.models import Q, QuerySet
from django.http import QueryDict

from orgs.models import Area

from .models import Exclusion, ExclusionQuerySet, Tender


class TenderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Tender.Status.choices)
    area = django_filters.NumberFilter(method="filter_area", label="area (its subtree)")
    q = django_filters.CharFilter(method="filter_text")

    class Meta:
        model = Tender
        fields = ["status", "catalogue_item", "area", "q", "bureau"]

    def filter_area(self, queryset: QuerySet[Tender], name: str, value: int) -> QuerySet[Tender]:
        """Tenders serving the area, an area inside it or an area containing it."""
        area = Area.objects.filter(pk=value).first()
        if area is None:
            return queryset.none()
        ancestors = [area.path[: index + 1] for index, char in enumerate(area.path) if char == "/"]
        return queryset.filter(Q(areas__path__startswith=area.path) | Q(areas__path__in=ancestors)).distinct()

    def filter_text(self, queryset: QuerySet[Tender], name: str, value: str) -> QuerySet[Tender]:
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class ExclusionFilter(django_filters.FilterSet):
    """``?status=in_force`` (the default: barring their provider now), ``expired`` (ended by date),
    ``lifted``, or ``all``; ``?provider=`` an organisation's id."""

    STATUSES = (("in_force", "in force"), ("expired", "expired"), ("lifted", "lifted"), ("all", "all"))

    status = django_filters.ChoiceFilter(choices=STATUSES, method="filter_status", empty_label=None)

    class Meta:
        model = Exclusion
        fields = ["status", "provider", "bureau", "source"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        data.setdefault("status", "in_force")
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset: QuerySet[Exclusion], name: str, value: str) -> QuerySet[Exclusion]:
        exclusions = cast(ExclusionQuerySet, queryset)
        if value == "in_force":
            return exclusions.in_force()
        if value == "expired":
            return exclusions.expired()
        if value == "lifted":
            return queryset.filter(status=Exclusion.Status.LIFTED)
        return queryset
