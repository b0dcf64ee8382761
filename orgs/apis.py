"""Thin API views of the orgs app: authenticate, fetch what the caller may see, validate, call one
service, serialise."""

import rules
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ReadViewSet, ReasonSerializer
from common.errors import Forbidden, Invalid, NotFound
from common.schema import error_codes
from common.throttling import ScopedRateThrottle
from orgs.errors import OrgsError

from . import imports, services
from .auth import ApiRequest, AuthenticatedRequest
from .filters import AreaFilter, GridPostFilter, HouseholdFilter, OrganizationFilter, ResidentFilter
from .lockout import authenticate_or_lock
from .models import Area, GridPost, Household, HouseholdImport, Organization, Resident
from .permissions import (
    is_platform_admin,
)
from .serializers import (
    AreaSerializer,
    GridPostInputSerializer,
    GridPostSerializer,
    HealthSerializer,
    HouseholdImportJobSerializer,
    HouseholdImportSerializer,
    HouseholdSerializer,
    MemberInputSerializer,
    MembershipSerializer,
    MeResidentSerializer,
    MeSerializer,
    OrganizationSerializer,
    PhoneCodeSerializer,
    ProviderRegisteredSerializer,
    ProviderRegistrationSerializer,
    ResidentRegisteredSerializer,
    ResidentRegistrationSerializer,
    ResidentSerializer,
    TokenInputSerializer,
    TokenSerializer,
)


class HealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []

    @extend_schema(responses=HealthSerializer)
    def get(self, request: ApiRequest) -> Response:
        return Response({"status": "ok"})


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type[BaseAuthentication]] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "anon_write"

    @extend_schema(request=TokenInputSerializer, responses=TokenSerializer)
    @error_codes(OrgsError.INVALID_CREDENTIALS, OrgsError.ACCOUNT_LOCKED, OrgsError.ADDRESS_LOCKED)
    def post(self, request: ApiRequest) -> Response:
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate_or_lock(request, **serializer.validated_data)
        if user is None:
            raise Invalid(
                {"non_field_errors": [_("The username or password is not right. Check them and try again.")]},
                code=OrgsError.INVALID_CREDENTIALS,
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: AuthenticatedRequest) -> Response:
        user = request.user
        memberships = user.memberships.select_related("organization")
        resident = Resident.objects.filter(user=user).select_related("household").first()
        data = {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "memberships": memberships,
            "resident": resident,
            "is_platform_admin": is_platform_admin(user),
        }
        return Response(MeSerializer(data).data)


class AreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """The area grid, public to read; the platform admin builds it."""

    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    queryset = Area.objects.all()

    def create(self, request: AuthenticatedRequest) -> Response:
        if not rules.has_perm("orgs.add_area", request.user):  # who first, then what was sent
            raise Forbidden()
        data = self.input(AreaSerializer)
        area = services.area_create(actor=request.user, **data)
        return Response(self.output(AreaSerializer, area), status=status.HTTP_201_CREATED)


class MayManageHouseholds(BasePermission):
    """Decided from the caller alone, so a household import is refused before its body is read."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return rules.has_perm("orgs.manage_households", request.user)


# The upload itself may be at most 5 MB; the multipart envelope around it adds a little.
MAX_IMPORT_REQUEST_BYTES = imports.MAX_IMPORT_BYTES + 64 * 1024


class HouseholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """Households of the caller's jurisdiction (bureau officers) or all (platform admin)."""

    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Household]:
        return Household.objects.visible_to(self.request.user)

    @error_codes(OrgsError.INVALID_PHONE)
    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(HouseholdSerializer)
        household = services.household_create(actor=request.user, **data)
        return Response(self.output(HouseholdSerializer, household), status=status.HTTP_201_CREATED)

    @extend_schema(request=HouseholdImportSerializer, responses={202: HouseholdImportJobSerializer})
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser],
        permission_classes=[IsAuthenticated, MayManageHouseholds],
    )
    def import_csv(self, request: AuthenticatedRequest) -> Response:
        """Who first (the permission classes, before the body is read), then size (the declared
        length, before the body is parsed), then the file: the import runs as a job (202) whose
        progress ``households/imports/{id}/`` shows."""
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        imports.household_import_check_size(declared, limit=MAX_IMPORT_REQUEST_BYTES)
        upload = self.input(HouseholdImportSerializer)["file"]
        job = imports.household_import_start(actor=request.user, file_name=upload.name, content=upload.read())
        job = HouseholdImport.objects.visible_to(request.user).get(pk=job.pk)  # as it is now
        return Response(self.output(HouseholdImportJobSerializer, job), status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=HouseholdImportJobSerializer)
    @action(
        detail=False, methods=["get"], url_path=r"imports/(?P<import_id>[0-9]+)", url_name="import-detail"
    )
    def import_detail(self, request: AuthenticatedRequest, import_id: str) -> Response:
        """A household import's progress and outcome, for its sender's bureau and the platform
        admin (404 for anyone else)."""
        job = HouseholdImport.objects.visible_to(request.user).filter(pk=import_id).first()
        if job is None:
            raise NotFound()
        return Response(self.output(HouseholdImportJobSerializer, job))


class ResidentRegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "anon_write"

    @extend_schema(request=ResidentRegistrationSerializer, responses={201: ResidentRegisteredSerializer})
    @error_codes(OrgsError.INVALID_PHONE, OrgsError.INVALID_HOUSEHOLD_CODE, OrgsError.HOUSEHOLD_FULL)
    def post(self, request: ApiRequest) -> Response:
        serializer = ResidentRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resident = services.resident_register(**serializer.validated_data)
        return Response(ResidentRegisteredSerializer(resident).data, status=status.HTTP_201_CREATED)


class ResidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """Registrations of households in the caller's area: the confirmation queue of community
    committees and bureau officers (``?status=pending``). Others see none (404 for one)."""

    serializer_class = ResidentSerializer
    filterset_class = ResidentFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Resident]:
        visible: QuerySet[Resident] = Resident.objects.visible_to(self.request.user)
        return visible

    @extend_schema(request=None, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(OrgsError.CONFLICT_OF_INTEREST)
    def confirm(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        resident = services.resident_confirm(actor=request.user, resident=self.get_object())
        return Response(self.output(ResidentSerializer, resident))

    @extend_schema(request=ReasonSerializer, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(OrgsError.CONFLICT_OF_INTEREST)
    def reject(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        reason = self.input(ReasonSerializer)["reason"]
        resident = services.resident_reject(actor=request.user, resident=self.get_object(), reason=reason)
        return Response(self.output(ResidentSerializer, resident))


class ResidentPhoneCodeApi(APIView):
    """``POST residents/me/phone-code/``: send a new code to the phone on the household register."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "anon_write"

    @extend_schema(request=None, responses={202: MeResidentSerializer})
    @error_codes(OrgsError.NOT_A_RESIDENT, OrgsError.NO_HOUSEHOLD_PHONE, OrgsError.CODE_RECENTLY_SENT)
    def post(self, request: AuthenticatedRequest) -> Response:
        resident = services.resident_send_phone_code(actor=request.user)
        return Response(MeResidentSerializer(resident).data, status=status.HTTP_202_ACCEPTED)


class ResidentVerifyPhoneApi(APIView):
    """``POST residents/me/verify-phone/ {code}``: the code sent to the household's phone confirms
    the caller's registration."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "anon_write"

    @extend_schema(request=PhoneCodeSerializer, responses=MeResidentSerializer)
    @error_codes(
        OrgsError.NOT_A_RESIDENT,
        OrgsError.NO_HOUSEHOLD_PHONE,
        OrgsError.PHONE_CODE_EXPIRED,
        OrgsError.PHONE_CODE_WRONG,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        serializer = PhoneCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        resident = services.resident_verify_phone(actor=request.user, **serializer.validated_data)
        return Response(MeResidentSerializer(resident).data)


class ProviderRegisterApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "anon_write"

    @extend_schema(request=ProviderRegistrationSerializer, responses={201: ProviderRegisteredSerializer})
    def post(self, request: ApiRequest) -> Response:
        serializer = ProviderRegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization_data = serializer.validated_data["organization"]
        admin_data = serializer.validated_data["admin"]
        organization = services.provider_register(**organization_data, **admin_data)
        return Response(
            ProviderRegisteredSerializer(organization, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def get_queryset(self) -> QuerySet[Organization]:
        visible: QuerySet[Organization] = Organization.objects.visible_to(self.request.user)
        return visible

    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(OrganizationSerializer)
        organization = services.organization_create(actor=request.user, **data)
        return Response(self.output(OrganizationSerializer, organization), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        organization = services.organization_verify(actor=request.user, organization=self.get_object())
        return Response(self.output(OrganizationSerializer, organization))

    @extend_schema(request=ReasonSerializer, responses=OrganizationSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        reason = self.input(ReasonSerializer)["reason"]
        organization = services.organization_suspend(
            actor=request.user, organization=self.get_object(), reason=reason
        )
        return Response(self.output(OrganizationSerializer, organization))

    @extend_schema(request=MemberInputSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        organization = self.get_object()
        data = self.input(MemberInputSerializer)
        membership = services.member_add(actor=request.user, organization=organization, **data)
        return Response(self.output(MembershipSerializer, membership), status=status.HTTP_201_CREATED)


class GridPostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """Who is responsible at each node of the grid (docs/rules.md §25): the committee's members and
    the bureau's officers see the posts of their jurisdiction, current ones unless ``?status=ended``;
    anyone else sees none (404 for one). The committee's admin, the bureau's officers and admins and
    the platform admin name people and end posts."""

    serializer_class = GridPostSerializer
    filterset_class = GridPostFilter

    def get_queryset(self) -> QuerySet[GridPost]:
        posts: QuerySet[GridPost] = GridPost.objects.visible_to(self.request.user)
        if self.action == "list" and not self.request.query_params.get("status"):
            posts = posts.filter(status=GridPost.Status.ACTIVE)
        return posts.order_by("area__path", "role", "id")

    @extend_schema(request=GridPostInputSerializer, responses={201: GridPostSerializer})
    @error_codes(
        OrgsError.AREA_NOT_IN_GRID,
        OrgsError.AREA_OUTSIDE_JURISDICTION,
        OrgsError.UNKNOWN_USER,
        OrgsError.NOT_A_MEMBER,
        OrgsError.INVALID_EMPLOYER,
        OrgsError.ALREADY_POSTED,
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        if not rules.has_perm("orgs.manage_grid", request.user):  # who first, then what was sent
            raise Forbidden()
        data = self.input(GridPostInputSerializer)
        post = services.grid_post_create(actor=request.user, **data)
        return Response(self.output(GridPostSerializer, post), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Ends the post (logged); it stays in the history (``?status=ended``)."""
        services.grid_post_end(actor=request.user, post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
