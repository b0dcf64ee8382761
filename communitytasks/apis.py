"""Thin API views of community task admission (docs/rules.md §23): fetch what the caller may see,
validate, call one service, serialise."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ReadViewSet, ReasonSerializer
from common.schema import error_codes
from marketplace.errors import MarketplaceError
from orgs.auth import AuthenticatedRequest
from orgs.models import Organization

from . import services
from .errors import CommunityTasksError
from .models import AdmissionItem, CommunityTask
from .selectors import admission_item_list, community_task_list, public_communities, workload_of
from .serializers import (
    AdmissionItemSerializer,
    CommunityTaskInputSerializer,
    CommunityTaskSerializer,
    ConfirmPaymentInputSerializer,
    RefuseInputSerializer,
    WorkloadSerializer,
)


class AdmissionItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """``admission-items/``: the admission list (准入清单), public; the platform admin and bureau
    admins add to it."""

    serializer_class = AdmissionItemSerializer

    def get_queryset(self) -> QuerySet[AdmissionItem]:
        return admission_item_list()

    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(AdmissionItemSerializer)
        item = services.admission_item_create(actor=request.user, **data)
        return Response(self.output(AdmissionItemSerializer, item), status=status.HTTP_201_CREATED)


class CommunityTaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """``community-tasks/``: bureaus send tasks to communities, which accept or refuse them."""

    serializer_class = CommunityTaskSerializer

    def get_queryset(self) -> QuerySet[CommunityTask]:
        return community_task_list(user=self.request.user)

    def _respond(self, task: CommunityTask, code: int = status.HTTP_200_OK) -> Response:
        return Response(
            self.output(CommunityTaskSerializer, self.get_queryset().get(pk=task.pk)), status=code
        )

    @extend_schema(request=CommunityTaskInputSerializer, responses={201: CommunityTaskSerializer})
    @error_codes(
        CommunityTasksError.NOT_A_COMMUNITY,
        CommunityTasksError.COMMUNITY_OUTSIDE_JURISDICTION,
        CommunityTasksError.BUDGET_LINE_NOT_OF_BUREAU,
        CommunityTasksError.ADMISSION_ITEM_NOT_OF_BUREAU,
        CommunityTasksError.INVALID_DATES,
    )
    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(CommunityTaskInputSerializer)
        task = services.community_task_propose(actor=request.user, **data)
        return self._respond(task, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CommunityTaskSerializer)
    @error_codes(MarketplaceError.BUDGET_INSUFFICIENT)
    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        task = services.community_task_accept(actor=request.user, task=self.get_object())
        return self._respond(task)

    @extend_schema(request=RefuseInputSerializer, responses=CommunityTaskSerializer)
    @error_codes(CommunityTasksError.REASON_REQUIRED)
    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        reason = self.input(RefuseInputSerializer)["reason"]
        task = services.community_task_refuse(actor=request.user, task=self.get_object(), reason=reason)
        return self._respond(task)

    @extend_schema(request=ReasonSerializer, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        reason = self.input(ReasonSerializer)["reason"]
        task = services.community_task_withdraw(actor=request.user, task=self.get_object(), reason=reason)
        return self._respond(task)

    @extend_schema(request=ConfirmPaymentInputSerializer, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-payment")
    def confirm_payment(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        voucher_number = self.input(ConfirmPaymentInputSerializer)["voucher_number"]
        task = services.community_task_confirm_payment(
            actor=request.user, task=self.get_object(), voucher_number=voucher_number
        )
        return self._respond(task)

    @extend_schema(request=None, responses=CommunityTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        task = services.community_task_complete(actor=request.user, task=self.get_object())
        return self._respond(task)


class YearQuerySerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


class CommunityWorkloadViewSet(ReadViewSet):
    """``communities/{id}/workload/``: a community's tasks per year, public (docs/rules.md §23)."""

    serializer_class = WorkloadSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        return public_communities()

    @extend_schema(
        responses=WorkloadSerializer,
        parameters=[OpenApiParameter("year", int, description="One year only (of the tasks' start).")],
    )
    @action(detail=True, methods=["get"])
    def workload(self, request: Request, pk: str | None = None) -> Response:
        community = self.get_object()
        query = YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        years = workload_of(community=community, year=query.validated_data.get("year"))
        data: dict[str, Any] = {"community": community.pk, "name": community.name, "years": years}
        return Response(WorkloadSerializer(data).data)
