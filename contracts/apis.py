"""Thin API views of contracts and instalments."""

from typing import Any, cast

import rules
from django.db.models import QuerySet
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ReadViewSet, ReasonSerializer
from common.errors import NotFound
from common.history import StateLogSerializer, history_of
from common.schema import error_codes
from contracts.errors import ContractsError
from documents.apis import documents_action, owner_documents
from marketplace.errors import MarketplaceError
from marketplace.models import Tender
from marketplace.selectors import tender_list
from marketplace.serializers import TenderSerializer
from orgs.auth import ApiRequest, AuthenticatedRequest
from orgs.models import User

from . import delivery, services, variations
from .models import Contract, Instalment, ServiceEvent, Variation
from .selectors import contract_history, contract_list
from .serializers import (
    AssignInputSerializer,
    ContractHistorySerializer,
    ContractSerializer,
    ContractSummarySerializer,
    InstalmentSerializer,
    ReportInputSerializer,
    ReportSerializer,
    ServiceEventInputSerializer,
    ServiceEventSerializer,
    VariationSerializer,
)


def contract_or_summary(*, many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="ContractOrSummary",
        serializers=[ContractSerializer, ContractSummarySerializer],
        resource_type_field_name=None,
        many=many,
    )


# ``tenders/{id}/finalize-award/`` is served here, not by the marketplace's TenderViewSet:
# finalizing drafts the contract, and marketplace never imports contracts. It answers as the
# tender's other actions do: 404 for a tender the caller may not see, the tender as it is now.
# (No docstring: the schema's description of the operation stays as it was.)
class TenderAwardFinalizeApi(GenericAPIView[Tender]):
    permission_classes = [IsAuthenticated]
    serializer_class = TenderSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return tender_list(user=self.request.user)

    @extend_schema(request=None, responses=TenderSerializer)
    @error_codes(MarketplaceError.STANDSTILL_NOT_OVER, MarketplaceError.CHALLENGE_PENDING)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        tender = services.award_finalize(actor=request.user, tender=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=tender.pk)).data)


class ContractRepresentation(GenericAPIView[Any]):
    """Parties see their contracts in full; the public sees summaries of non-draft ones."""

    serializer_class = ContractSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return contract_list(user=self.request.user)

    def _is_party(self, contract: Contract) -> bool:
        return rules.has_perm("contracts.view_contract_details", self.request.user, contract)

    def _represent(self, contract: Contract) -> dict[str, Any]:
        serializer = ContractSerializer if self._is_party(contract) else ContractSummarySerializer
        return serializer(contract, context=self.get_serializer_context()).data

    def _respond(self, contract: Contract) -> Response:
        return Response(self._represent(self.get_queryset().get(pk=contract.pk)))


# Its docstring (the schema's description of its operations) is ContractRepresentation's; the views
# of higher apps on a contract (evaluations' sign/) share it.
class ContractViewSet(ContractRepresentation, mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    @extend_schema(responses=contract_or_summary(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        data = [self._represent(contract) for contract in page]
        return self.get_paginated_response(data)

    @extend_schema(responses=contract_or_summary())
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._represent(self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        contract = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        return self._respond(services.contract_suspend(actor=request.user, contract=contract, reason=reason))

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        contract = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        return self._respond(services.contract_resume(actor=request.user, contract=contract, reason=reason))

    @extend_schema(request=AssignInputSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        contract = self.get_object()
        data = self.input(AssignInputSerializer)
        return self._respond(services.contract_assign(actor=request.user, contract=contract, **data))

    def _party_contract(self) -> Contract:
        contract: Contract = self.get_object()
        if not self._is_party(contract):
            raise NotFound()
        return contract

    @extend_schema(methods=["GET"], responses=ServiceEventSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ServiceEventInputSerializer, responses={201: ServiceEventSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def events(self, request: ApiRequest, pk: str | None = None) -> Response:
        contract = self._party_contract()
        if request.method == "GET":
            events = contract.events.prefetch_related("recipients")
            page = self.paginate_queryset(events)
            return self.get_paginated_response(ServiceEventSerializer(page, many=True).data)
        data = self.input(ServiceEventInputSerializer)
        event = delivery.service_event_create(
            actor=cast(User, request.user),  # a write: signed in (IsAuthenticatedOrReadOnly)
            contract=contract,
            recipient_codes=data.pop("recipients"),
            **data,
        )
        return Response(ServiceEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=ReportSerializer(many=True))
    @extend_schema(methods=["POST"], request=ReportInputSerializer, responses={201: ReportSerializer})
    @action(detail=True, methods=["get", "post"])
    @error_codes(ContractsError.ALREADY_REPORTED, method="POST")
    def reports(self, request: ApiRequest, pk: str | None = None) -> Response:
        contract = self._party_contract()
        if request.method == "GET":
            reports = contract.reports.prefetch_related("kpi_actuals")
            page = self.paginate_queryset(reports)
            return self.get_paginated_response(ReportSerializer(page, many=True).data)
        data = self.input(ReportInputSerializer)
        report = delivery.report_submit(
            actor=cast(User, request.user),  # a write: signed in (IsAuthenticatedOrReadOnly)
            contract=contract,
            **data,
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @documents_action()
    def documents(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The contract's documents (docs/rules.md §17.2), for its parties: either attaches them
        (multipart ``file``, ``title``, ``kind``)."""
        return owner_documents(self, request, self._party_contract())

    @extend_schema(responses=ContractHistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a timeline, not a collection
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The contract's transitions and its variations' steps (proposed, each signature, in
        effect or withdrawn), oldest first; who acted only for the parties."""
        contract = self.get_object()
        context = {**self.get_serializer_context(), "show_actors": self._is_party(contract)}
        entries = contract_history(user=request.user, contract=contract)
        return Response(ContractHistorySerializer(entries, many=True, context=context).data)


class ServiceEventViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    """``events/{id}/``: a service event, seen by the contract's parties and the admin."""

    serializer_class = ServiceEventSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[ServiceEvent]:
        visible: QuerySet[ServiceEvent] = ServiceEvent.objects.visible_to(self.request.user)
        return visible.select_related("contract").prefetch_related("recipients")

    @documents_action()
    def documents(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The service event's documents (docs/rules.md §17.2): the provider attaches sign-in
        sheets and photos while the contract is delivered; whoever sees the event sees them."""
        return owner_documents(self, request, self.get_object())


class InstalmentViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = InstalmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Instalment]:
        visible: QuerySet[Instalment] = Instalment.objects.visible_to(self.request.user)
        return visible


class VariationViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    """A contract's variations (补充协议): seen by whoever sees the contract (the public only those in
    effect); proposed at ``contracts/{id}/variations/`` and signed at ``variations/{id}/sign/``
    (served by evaluations, which owns the band that renewal depends on)."""

    serializer_class = VariationSerializer

    def get_queryset(self) -> QuerySet[Variation]:
        visible: QuerySet[Variation] = Variation.objects.visible_to(self.request.user)
        return visible

    @extend_schema(request=ReasonSerializer, responses=VariationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        variation = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        variation = variations.variation_withdraw(actor=request.user, variation=variation, reason=reason)
        return Response(self.output(VariationSerializer, self.get_queryset().get(pk=variation.pk)))

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a timeline, not a collection
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        variation = self.get_object()
        show_actors = rules.has_perm("contracts.view_variation_details", request.user, variation)
        context = {**self.get_serializer_context(), "show_actors": show_actors}
        return Response(StateLogSerializer(history_of(variation), many=True, context=context).data)
