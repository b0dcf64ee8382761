"""Thin API views of residents' needs (docs/rules.md §22): ``needs/`` (public list, a confirmed
resident proposes), ``needs/{id}/support/`` and ``needs/{id}/deliberate/``."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.api import ReadViewSet
from common.history import StateLogSerializer, history_of
from common.schema import error_codes
from common.throttling import ScopedRateThrottle, Throttle
from orgs.auth import ApiRequest, AuthenticatedRequest
from orgs.errors import OrgsError

from . import services
from .errors import NeedsError
from .filters import NeedFilter
from .permissions import is_council_member
from .selectors import need_list
from .serializers import DeliberateInputSerializer, NeedInputSerializer, NeedSerializer


class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    throttle_scope = "needs"

    def get_throttles(self) -> list[Throttle]:
        """Proposing and supporting: ``API_THROTTLE_NEEDS`` per user (reads are not throttled)."""
        return [ScopedRateThrottle()] if self.action in ("create", "support") else []

    def get_queryset(self) -> QuerySet[Any]:
        return need_list(user=self.request.user).select_related("deliberation")

    def _respond(self, need: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.output(NeedSerializer, self.get_queryset().get(pk=need.pk)), status=code)

    @extend_schema(request=NeedInputSerializer, responses={201: NeedSerializer})
    @error_codes(OrgsError.NOT_A_RESIDENT, NeedsError.NO_COMMUNITY)
    def create(self, request: AuthenticatedRequest) -> Response:
        data = self.input(NeedInputSerializer)
        need = services.need_propose(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            catalogue_item_id=data.get("catalogue_item"),
        )
        return self._respond(need, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=NeedSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(OrgsError.NOT_A_RESIDENT, NeedsError.NOT_OF_YOUR_COMMUNITY, NeedsError.ALREADY_SUPPORTED)
    def support(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """A household of the need's community supports it (one support per household)."""
        return self._respond(services.need_support(actor=request.user, need=self.get_object()))

    @extend_schema(request=DeliberateInputSerializer, responses=NeedSerializer)
    @action(detail=True, methods=["post"])
    def deliberate(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """A member of the community's committee records the council's (议事会) decision."""
        need = self.get_object()
        data = self.input(DeliberateInputSerializer)
        return self._respond(services.need_deliberate(actor=request.user, need=need, **data))

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The need's steps; who took them only for the council (the public sees when and what)."""
        need = self.get_object()
        context = {
            **self.get_serializer_context(),
            "show_actors": bool(is_council_member(request.user, need)),
        }
        return Response(StateLogSerializer(history_of(need), many=True, context=context).data)
