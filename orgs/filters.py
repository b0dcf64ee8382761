import django_filters

from .models import Area, Household, Organization, Resident


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
