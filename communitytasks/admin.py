from django.contrib import admin

from common.admin import ReadOnlyModelAdmin

from .models import AdmissionItem, CommunityTask


@admin.register(AdmissionItem)
class AdmissionItemAdmin(ReadOnlyModelAdmin):
    """Read-only: items are added through the service (the API and the bureau's pages), which
    decides whose list they belong to (docs/rules.md §23)."""

    list_display = ("name", "bureau", "funding_per_year", "created_at")


@admin.register(CommunityTask)
class CommunityTaskAdmin(ReadOnlyModelAdmin):
    """Read-only: a task moves only through its services, which hold and pay its funding."""

    list_display = ("title", "bureau", "community", "status", "funding_amount", "starts", "ends")
    list_filter = ("status",)
