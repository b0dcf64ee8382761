from django.contrib import admin

from common.admin import ReadOnlyModelAdmin

from .models import Challenge, Complaint


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyModelAdmin):
    """Read-only: a challenge moves only through its services, which hold, release or annul the
    award with it (docs/rules.md §17.5)."""

    list_display = ("tender", "provider", "status", "submitted_at", "reply_due", "replied_at")
    list_filter = ("status",)


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyModelAdmin):
    """Read-only: a complaint is decided by its review body through the service."""

    list_display = ("challenge", "review_body", "status", "submitted_at", "decide_due", "decided_at")
    list_filter = ("status",)
