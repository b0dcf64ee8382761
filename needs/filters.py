import django_filters
from django.db.models import QuerySet

from orgs.models import Area

from .models import Need


class NeedFilter(django_filters.FilterSet):
    """``?area=`` an area's id: the needs of the communities in it (or of the community containing
    it); ``?status=`` one or more statuses."""

    status = django_filters.MultipleChoiceFilter(choices=Need.Status.choices)
    area = django_filters.NumberFilter(method="filter_area", label="area (its subtree)")

    class Meta:
        model = Need
        fields = ["status", "area"]

    def filter_area(self, queryset: QuerySet[Need], name: str, value: int) -> QuerySet[Need]:
        area = Area.objects.filter(pk=value).first()
        if area is None:
            return queryset.none()
        ancestors = [area.path[: index + 1] for index, char in enumerate(area.path) if char == "/"]
        return queryset.filter(community__path__startswith=area.path) | queryset.filter(
            community__path__in=ancestors
        )
