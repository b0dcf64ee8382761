from django.contrib import admin

from .models import Deliberation, Need, Support


class DeliberationInline(admin.StackedInline):  # type: ignore[type-arg]  # not subscriptable at run time
    model = Deliberation
    extra = 0
    can_delete = False
    readonly_fields = [field.name for field in Deliberation._meta.fields]


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    """Read-only: needs move through ``needs.services`` (logged), never by editing here."""

    list_display = ("title", "community", "status", "supporters", "submitted_at")
    list_filter = ("status",)
    search_fields = ("title",)
    readonly_fields = [field.name for field in Need._meta.fields]
    inlines = [DeliberationInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("need", "household", "created_at")
    readonly_fields = ("need", "household", "user", "created_at")

    def has_add_permission(self, request: object) -> bool:
        return False
