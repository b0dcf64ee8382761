"""Thin API views of contracts and instalments."""

import rules
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.api import ReadViewSet, ReasonSerializer
from common.history import StateLogSerializer, history_of

from . import services
from .models import Contract
from .permissions import instalment_list_visible_to
from .selectors import contract_list
from .serializers import (
    AssignInputSerializer,
    ContractSerializer,
    ContractSummarySerializer,
    InstalmentSerializer,
)


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """Parties see their contracts in full; the public sees summaries of non-draft ones."""

    serializer_class = ContractSerializer

    def get_queryset(self):
        return contract_list(user=self.request.user)

    def _is_party(self, contract: Contract) -> bool:
        return rules.has_perm("contracts.view_contract_details", self.request.user, contract)

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        data = [self._represent(contract) for contract in page]
        return self.get_paginated_response(data)

    def retrieve(self, request, pk=None):
        return Response(self._represent(self.get_object()))

    def _represent(self, contract: Contract) -> dict:
        serializer = ContractSerializer if self._is_party(contract) else ContractSummarySerializer
        return self.output(serializer, contract)

    def _respond(self, contract: Contract) -> Response:
        return Response(self._represent(self.get_queryset().get(pk=contract.pk)))

    @extend_schema(request=None, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._respond(services.contract_sign(actor=request.user, contract=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        contract = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        return self._respond(services.contract_suspend(actor=request.user, contract=contract, reason=reason))

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        contract = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        return self._respond(services.contract_resume(actor=request.user, contract=contract, reason=reason))

    @extend_schema(request=ReasonSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        contract = self.get_object()
        reason = self.input(ReasonSerializer)["reason"]
        return self._respond(
            services.contract_terminate(actor=request.user, contract=contract, reason=reason)
        )

    @extend_schema(request=AssignInputSerializer, responses=ContractSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        contract = self.get_object()
        data = self.input(AssignInputSerializer)
        return self._respond(services.contract_assign(actor=request.user, contract=contract, **data))

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        contract = self.get_object()
        context = {**self.get_serializer_context(), "show_actors": self._is_party(contract)}
        return Response(StateLogSerializer(history_of(contract), many=True, context=context).data)


class InstalmentViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = InstalmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return instalment_list_visible_to(self.request.user)
