from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from common import reasons

from .models import Area, Household, Membership, Organization, Resident, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Profile"), {"fields": ("display_name", "phone")}))
    list_display = ("username", "display_name", "phone", "is_staff", "is_superuser")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "path")
    list_filter = ("level",)
    search_fields = ("name", "code")
    readonly_fields = ("path",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Verification goes through ``organization_verify`` (the admin action) so it is logged."""

    list_display = ("name", "kind", "legal_type", "credit_code", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "credit_code")
    readonly_fields = ("status",)
    inlines = [MembershipInline]
    actions = ["verify_selected", "suspend_selected"]

    def save_model(self, request, obj, form, change):
        """A new organisation is created by ``organization_create`` — verified through the logged
        transition, as by the API; a change saves the other fields (the status is read-only here)."""
        if change:
            super().save_model(request, obj, form, change)
            return
        from .services import organization_create

        fields = {
            field.name: getattr(obj, field.name)
            for field in Organization._meta.concrete_fields
            if field.name in form.cleaned_data
        }
        created = organization_create(actor=request.user, **fields)
        # the admin saves the memberships (inlines) and logs the addition against ``obj``
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    @admin.action(description=_("Verify selected organisations"))
    def verify_selected(self, request, queryset):
        from common.errors import ApplicationError

        from .services import organization_verify

        for organization in queryset:
            try:
                organization_verify(actor=request.user, organization=organization)
            except ApplicationError as error:
                self.message_user(request, f"{organization}: {error.message}", level="warning")

    @admin.action(description=_("Suspend selected organisations"))
    def suspend_selected(self, request, queryset):
        from common.errors import ApplicationError

        from .services import organization_suspend

        for organization in queryset:
            try:
                organization_suspend(
                    actor=request.user,
                    organization=organization,
                    reason=reasons.ORGANIZATION_SUSPENDED_IN_ADMIN,
                )
            except ApplicationError as error:
                self.message_user(request, f"{organization}: {error.message}", level="warning")


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("code", "area", "created_at")
    search_fields = ("code",)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Read-only: residents are confirmed or rejected through ``resident_confirm`` / ``resident_reject``
    (the community's and bureau's queue, logged), never by editing the row."""

    list_display = ("user", "household", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("user__username", "household__code")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
