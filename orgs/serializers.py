from typing import Any

from rest_framework import serializers

from common.transitions import transitions_available

from .credit_code import CREDIT_CODE_LENGTH, validate_credit_code
from .models import (
    HOUSEHOLD_CODE_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    USERNAME_MAX_LENGTH,
    Area,
    GridPost,
    Household,
    Membership,
    Organization,
    Resident,
    User,
)
from .permissions import GRID_POST_TRANSITIONS, ORGANIZATION_TRANSITIONS, RESIDENT_TRANSITIONS


class AreaSerializer(serializers.ModelSerializer[Area]):
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]  # the API's field name
        queryset=Area.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Area
        fields = ["id", "name", "code", "level", "parent", "path"]
        read_only_fields = ["path"]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())

    class Meta:
        model = Household
        fields = ["id", "area", "code", "phone", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class HouseholdImportSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class HouseholdImportJobSerializer(serializers.Serializer[Any]):
    """A household import and its progress: ``queued`` → ``running`` → ``done`` (with the counts) or
    ``failed`` (with ``errors``: ``{"file": [...]}`` or ``{"rows": {"<line>": [...]}}``)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    file_name = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_processed = serializers.IntegerField()
    created = serializers.IntegerField(source="created_count")
    unchanged = serializers.IntegerField(source="unchanged_count")
    errors = serializers.DictField()  # type: ignore[assignment]  # the API's field name
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    jurisdiction = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), allow_null=True, required=False
    )
    credit_code = serializers.CharField(max_length=CREDIT_CODE_LENGTH, validators=[validate_credit_code])
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "legal_type",
            "credit_code",
            "jurisdiction",
            "email",
            "status",
            "available_transitions",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]

    def get_available_transitions(self, organization: Organization) -> list[str]:
        return transitions_available(self.context["request"].user, organization, ORGANIZATION_TRANSITIONS)


class ProviderRegistrationSerializer(serializers.Serializer[Any]):
    class OrganizationInput(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=200)
        legal_type = serializers.ChoiceField(choices=Organization.LegalType.choices)
        credit_code = serializers.CharField(max_length=CREDIT_CODE_LENGTH, validators=[validate_credit_code])

    class AdminInput(serializers.Serializer[Any]):
        username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
        password = serializers.CharField(max_length=128, write_only=True)
        email = serializers.EmailField(required=False, allow_blank=True, default="")

    organization = OrganizationInput()
    admin = AdminInput()


class UserSummarySerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username"]


class ProviderRegisteredSerializer(OrganizationSerializer):
    admin = serializers.SerializerMethodField()

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "admin"]

    def get_admin(self, organization: Organization) -> dict[str, Any]:
        membership = (
            organization.memberships.select_related("user").filter(role=Membership.Role.ADMIN).first()
        )
        return UserSummarySerializer(membership.user).data if membership else {}


class MemberInputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
    password = serializers.CharField(max_length=128, write_only=True)
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    user = UserSummarySerializer()

    class Meta:
        model = Membership
        fields = ["id", "user", "organization", "role", "created_at"]


class ResidentRegistrationSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
    password = serializers.CharField(max_length=128, write_only=True)
    phone = serializers.CharField(max_length=PHONE_MAX_LENGTH, required=False, allow_blank=True, default="")
    household_code = serializers.CharField(max_length=HOUSEHOLD_CODE_MAX_LENGTH)


class ResidentRegisteredSerializer(serializers.Serializer[Any]):
    """The new registration: ``id`` is the one ``residents/{id}/…`` takes; ``status`` is pending."""

    id = serializers.IntegerField()
    username = serializers.CharField(source="user.username")
    household = serializers.CharField(source="household.code")
    status = serializers.CharField()


class ResidentSerializer(serializers.ModelSerializer[Resident]):
    """A registration as the community or bureau sees it in its confirmation queue."""

    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    phone = serializers.CharField(source="user.phone")
    household = serializers.CharField(source="household.code")
    area = serializers.CharField(source="household.area.name")
    household_phone_on_register = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = [
            "id",
            "username",
            "display_name",
            "phone",
            "household",
            "area",
            "household_phone_on_register",
            "status",
            "created_at",
            "decided_at",
            "decided_by",
            "rejection_reason",
            "available_transitions",
        ]

    def get_household_phone_on_register(self, resident: Resident) -> bool:
        return bool(resident.household.phone)

    def get_available_transitions(self, resident: Resident) -> list[str]:
        return transitions_available(self.context["request"].user, resident, RESIDENT_TRANSITIONS)


class PhoneCodeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=12)


class TokenInputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
    password = serializers.CharField(max_length=128, write_only=True)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()


class OrganizationSummarySerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind"]


class MeMembershipSerializer(serializers.Serializer[Any]):
    organization = OrganizationSummarySerializer()
    role = serializers.CharField()


class MeResidentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    household = serializers.CharField(source="household.code")
    area = serializers.IntegerField(source="household.area_id")


class MeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    memberships = MeMembershipSerializer(many=True)
    resident = MeResidentSerializer(allow_null=True)
    is_platform_admin = serializers.BooleanField()


class HealthSerializer(serializers.Serializer[Any]):
    status = serializers.CharField()


class GridPostInputSerializer(serializers.Serializer[Any]):
    """A post at a node of the grid: who (by username), which role, and their employer if any."""

    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    username = serializers.CharField(max_length=USERNAME_MAX_LENGTH)
    role = serializers.ChoiceField(choices=GridPost.Role.choices)
    employer = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), allow_null=True, required=False, default=None
    )


class GridPersonSerializer(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "display_name"]


class GridPostSerializer(serializers.ModelSerializer[GridPost]):
    """A post as the committee and the bureau see it (never anonymously: it names a person)."""

    user = GridPersonSerializer()
    area_name = serializers.CharField(source="area.name")
    area_level = serializers.CharField(source="area.level")
    employer = OrganizationSummarySerializer(allow_null=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = GridPost
        fields = [
            "id",
            "area",
            "area_name",
            "area_level",
            "user",
            "role",
            "employer",
            "status",
            "created_at",
            "ended_at",
            "available_transitions",
        ]

    def get_available_transitions(self, post: GridPost) -> list[str]:
        return transitions_available(self.context["request"].user, post, GRID_POST_TRANSITIONS)
