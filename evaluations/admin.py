from django.contrib import admin

from common.admin import ReadOnlyModelAdmin

from .models import Appeal, Evaluation, Rating, ScoreEntry


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


@admin.register(Appeal)
class AppealAdmin(ReadOnlyModelAdmin):
    """Read-only: an appeal is filed and decided, and its money moved, only through the services."""

    list_display = (
        "evaluation",
        "status",
        "published_composite",
        "claimed_composite",
        "final_composite",
        "filed_at",
    )
    list_filter = ("status",)


@admin.register(ScoreEntry)
class ScoreEntryAdmin(ReadOnlyModelAdmin):
    """Read-only: the history of T, B, C and the surveys, written only by the services."""

    list_display = ("evaluation", "kind", "score", "previous_score", "n", "n_pos", "entered_by", "entered_at")
    list_filter = ("kind",)
