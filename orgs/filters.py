import django_filters
from django.db.models import QuerySet

from .models import Area, GridPost, Household, Organization, Resident


class AreaFilter(django_filters.FilterSet):
    class Meta:
        model = Area
        fields = ["parent", "level"]


class HouseholdFilter(django_filters.FilterSet):
    class Meta:
        model = Household
        fields = ["area"]


class OrganizationFilter(django_filters.FilterSet):
    class Meta:
        model = Organization
        fields = ["kind", "status"]


class ResidentFilter(django_filters.FilterSet):
    class Meta:
        model = Resident
        fields = ["status"]


class GridPostFilter(django_filters.FilterSet):
    """``area``: the posts at that node and every node below it; ``status``: ``active`` (the default)
    or ``ended``."""

    area = django_filters.ModelChoiceFilter(queryset=Area.objects.all(), method="in_subtree")
    status = django_filters.ChoiceFilter(choices=GridPost.Status.choices, method="with_status")

    class Meta:
        model = GridPost
        fields = ["area", "role", "status"]

    def in_subtree(self, queryset: QuerySet[GridPost], name: str, value: Area) -> QuerySet[GridPost]:
        return queryset.filter(area__path__startswith=value.path)

    def with_status(self, queryset: QuerySet[GridPost], name: str, value: str) -> QuerySet[GridPost]:
        return queryset.filter(status=value)
