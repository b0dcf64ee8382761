import django_filters
from django.db.models import Q, QuerySet

from orgs.models import Area

from .models import Tender


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
