from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from common import reasons
from common.admin import ReadOnlyModelAdmin

from .models import Area, GridPost, Household, Membership, Organization, PastMembership, Resident, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Profile"), {"fields": ("display_name", "phone")}))
    list_display = ("username", "display_name", "phone", "is_staff", "is_superuser")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("name", "code", "level", "parent", "path")
    list_filter = ("level",)
    search_fields = ("name", "code")
    readonly_fields = ("path",)


class MembershipInlineForm(forms.ModelForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """A saved membership's user cannot be changed: that would erase, leaving no ``PastMembership``,
    that the first user belonged to the organisation (docs/rules.md §17.7). Delete the row (through
    ``member_remove``) and add one for the other user."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["user"].disabled = True  # what is posted for it is ignored

    def clean(self) -> dict[str, Any]:
        """The roles an organisation of its kind has, as ``member_add`` allows them. The inline's
        formset cleans the organisation (the parent, saved or not) after the role, hence here."""
        cleaned: dict[str, Any] = super().clean() or {}
        organization, role = cleaned.get("organization"), cleaned.get("role")
        kind = getattr(organization, "kind", None)
        allowed = Membership.ROLES_BY_KIND.get(kind) if kind else None
        if allowed is not None and role and role not in allowed:
            self.add_error("role", _("This role does not exist in this kind of organisation."))
        return cleaned


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]  # not subscriptable at run time
    model = Membership
    form = MembershipInlineForm
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    """Verification goes through ``organization_verify`` (the admin action) so it is logged."""

    list_display = ("name", "kind", "legal_type", "credit_code", "status")
    list_filter = ("kind", "status")
    search_fields = ("name", "credit_code")
    readonly_fields = ("status",)
    inlines = [MembershipInline]
    actions = ["verify_selected", "suspend_selected"]

    def save_model(
        self, request: HttpRequest, obj: Organization, form: "forms.ModelForm[Organization]", change: bool
    ) -> None:
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
        created = organization_create(actor=cast(User, request.user), **fields)  # staff only
        # the admin saves the memberships (inlines) and logs the addition against ``obj``
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """A membership deleted here is removed through ``member_remove``, which keeps it as a
        ``PastMembership`` (docs/rules.md §17.7): memberships never vanish without a trace."""
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        from common.errors import ApplicationError

        from .services import member_remove

        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            try:
                member_remove(actor=cast(User, request.user), membership=membership)
            except ApplicationError as error:  # not the caller's to remove, or removed meanwhile
                self.message_user(request, f"{membership}: {error.message}", level=messages.ERROR)
        for instance in instances:
            instance.save()
        formset.save_m2m()

    @admin.action(description=_("Verify selected organisations"))
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        from common.errors import ApplicationError

        from .services import organization_verify

        for organization in queryset:
            try:
                organization_verify(actor=cast(User, request.user), organization=organization)
            except ApplicationError as error:
                self.message_user(request, f"{organization}: {error.message}", level="warning")

    @admin.action(description=_("Suspend selected organisations"))
    def suspend_selected(self, request: HttpRequest, queryset: QuerySet[Organization]) -> None:
        from common.errors import ApplicationError

        from .services import organization_suspend

        for organization in queryset:
            try:
                organization_suspend(
                    actor=cast(User, request.user),
                    organization=organization,
                    reason=reasons.ORGANIZATION_SUSPENDED_IN_ADMIN,
                )
            except ApplicationError as error:
                self.message_user(request, f"{organization}: {error.message}", level="warning")


@admin.register(PastMembership)
class PastMembershipAdmin(ReadOnlyModelAdmin):
    """Ended memberships, kept for the evaluators' conflict check (docs/rules.md §17.7): read-only."""

    list_display = ("user", "organization", "role", "started_at", "ended_at")
    list_filter = ("role",)
    search_fields = ("user__username", "organization__name")


@admin.register(GridPost)
class GridPostAdmin(ReadOnlyModelAdmin):
    """Who is responsible at each node of the grid (docs/rules.md §25): read-only, posts are named
    and ended through ``grid_post_create`` / ``grid_post_end`` (the grid pages and the API, logged)."""

    list_display = ("area", "user", "role", "employer", "status", "created_at", "ended_at")
    list_filter = ("role", "status")
    search_fields = ("user__username", "area__name")


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    list_display = ("code", "area", "created_at")
    search_fields = ("code",)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    """Read-only: residents are confirmed or rejected through ``resident_confirm`` / ``resident_reject``
    (the community's and bureau's queue, logged), never by editing the row."""

    list_display = ("user", "household", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("user__username", "household__code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
