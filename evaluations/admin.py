from django.contrib import admin

from common.admin import ReadOnlyModelAdmin

from .models import Evaluation, Rating


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyModelAdmin):
    """Read-only: scores, the composite and the release decide payments; they change only through
    the services."""

    list_display = ("contract", "stage", "round", "status", "composite", "band", "published_at")
    list_filter = ("status", "stage")


@admin.register(Rating)
class RatingAdmin(ReadOnlyModelAdmin):
    """Read-only: ratings are counted, quarantined, restored or excluded only through the services."""

    list_display = ("contract", "household", "satisfaction", "status", "channel", "created_at")
    list_filter = ("status", "channel")
