"""Thin API views of challenges and complaints (docs/rules.md §17.5): fetch what the caller may see,
validate, call one service, serialise — the parties see the whole file, the public never the
challenger."""

from typing import Any

import rules
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ReadViewSet
from common.history import StateLogSerializer, history_of
from common.schema import error_codes
from documents.apis import documents_action, owner_documents
from marketplace.models import Tender
from orgs.auth import ApiRequest, AuthenticatedRequest

from . import services
from .errors import ChallengesError
from .models import Challenge, Complaint
from .permissions import challenge_documents_readable
from .serializers import (
    ChallengeInputSerializer,
    ChallengeSerializer,
    ComplaintInputSerializer,
    ComplaintSerializer,
    DecideInputSerializer,
    PublicChallengeSerializer,
    PublicComplaintSerializer,
    ReplyInputSerializer,
)


def challenge_or_public(*, many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="ChallengeOrPublic",
        serializers=[ChallengeSerializer, PublicChallengeSerializer],
        resource_type_field_name=None,
        many=many,
    )


def complaint_or_public(*, many: bool = False) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name="ComplaintOrPublic",
        serializers=[ComplaintSerializer, PublicComplaintSerializer],
        resource_type_field_name=None,
        many=many,
    )


class ChallengeRepresentation(ReadViewSet):
    def represent_challenge(self, challenge: Challenge) -> dict[str, Any]:
        full = rules.has_perm("challenges.view_challenge_details", self.request.user, challenge)
        serializer = ChallengeSerializer if full else PublicChallengeSerializer
        return serializer(challenge, context=self.get_serializer_context()).data

    def show_actors(self, challenge: Challenge) -> bool:
        return bool(rules.has_perm("challenges.view_challenge_details", self.request.user, challenge))


class TenderChallengeViewSet(ChallengeRepresentation, mixins.ListModelMixin):
    """``tenders/{id}/challenges/``: a bidder challenges the award notice; the bureau lists every
    challenge, a provider its own, the public the replied ones (without the challenger)."""

    serializer_class = ChallengeSerializer

    def tender(self) -> Tender:
        if not hasattr(self, "_tender"):
            visible: QuerySet[Tender] = Tender.objects.visible_to(self.request.user)
            self._tender = get_object_or_404(visible, pk=self.kwargs["tender_pk"])
        return self._tender

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            none: QuerySet[Challenge] = Challenge.objects.none()
            return none
        challenges: QuerySet[Challenge] = Challenge.objects.visible_to(self.request.user)
        mine: QuerySet[Challenge] = challenges.filter(tender=self.tender())
        return mine

    @extend_schema(responses=challenge_or_public(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        return self.get_paginated_response([self.represent_challenge(c) for c in page])

    @extend_schema(request=ChallengeInputSerializer, responses={201: ChallengeSerializer})
    @error_codes(
        ChallengesError.NOT_A_BIDDER,
        ChallengesError.CHALLENGE_WINDOW_CLOSED,
        ChallengesError.ALREADY_CHALLENGED,
    )
    def create(self, request: AuthenticatedRequest, tender_pk: str | None = None) -> Response:
        tender = self.tender()
        grounds = self.input(ChallengeInputSerializer)["grounds"]
        challenge = services.challenge_submit(actor=request.user, tender=tender, grounds=grounds)
        return Response(self.output(ChallengeSerializer, challenge), status=status.HTTP_201_CREATED)


class ChallengeViewSet(ChallengeRepresentation, mixins.RetrieveModelMixin):
    serializer_class = ChallengeSerializer

    def get_queryset(self) -> QuerySet[Any]:
        challenges: QuerySet[Challenge] = Challenge.objects.visible_to(self.request.user)
        return challenges

    def _respond(self, challenge: Challenge) -> Response:
        return Response(self.represent_challenge(self.get_queryset().get(pk=challenge.pk)))

    @extend_schema(responses=challenge_or_public())
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.represent_challenge(self.get_object()))

    @extend_schema(request=ReplyInputSerializer, responses=ChallengeSerializer)
    @action(detail=True, methods=["post"])
    @error_codes(ChallengesError.COMPLAINT_LODGED)
    def reply(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        challenge = self.get_object()
        data = self.input(ReplyInputSerializer)
        return self._respond(services.challenge_reply(actor=request.user, challenge=challenge, **data))

    @extend_schema(request=ComplaintInputSerializer, responses={201: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    @error_codes(
        ChallengesError.REPLY_NOT_DUE,
        ChallengesError.COMPLAINT_WINDOW_CLOSED,
        ChallengesError.ALREADY_COMPLAINED,
        ChallengesError.NO_REVIEW_BODY,
    )
    def complain(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        challenge = self.get_object()
        grounds = self.input(ComplaintInputSerializer)["grounds"]
        complaint = services.complaint_submit(actor=request.user, challenge=challenge, grounds=grounds)
        return Response(self.output(ComplaintSerializer, complaint), status=status.HTTP_201_CREATED)

    @documents_action()
    def documents(self, request: ApiRequest, pk: str | None = None) -> Response:
        """The challenge's documents (docs/rules.md §17.2, §17.5): the challenger's admins and staff
        attach the evidence for its grounds while it awaits the reply (multipart ``file``,
        ``title``, ``kind``); the parties and the platform admin read them, the public never."""
        readable = challenge_documents_readable(request.user)
        return owner_documents(self, request, get_object_or_404(readable, pk=pk))

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        challenge = self.get_object()
        context = {**self.get_serializer_context(), "show_actors": self.show_actors(challenge)}
        return Response(StateLogSerializer(history_of(challenge), many=True, context=context).data)


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ReadViewSet):
    """``complaints/``: the review body lists the complaints to decide; the parties theirs; the
    public the decided ones (without the challenger)."""

    serializer_class = ComplaintSerializer

    def get_queryset(self) -> QuerySet[Any]:
        complaints: QuerySet[Complaint] = Complaint.objects.visible_to(self.request.user)
        return complaints

    def _represent(self, complaint: Complaint) -> dict[str, Any]:
        full = rules.has_perm("challenges.view_complaint_details", self.request.user, complaint)
        serializer = ComplaintSerializer if full else PublicComplaintSerializer
        return serializer(complaint, context=self.get_serializer_context()).data

    @extend_schema(responses=complaint_or_public(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        return self.get_paginated_response([self._represent(c) for c in page])

    @extend_schema(responses=complaint_or_public())
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self._represent(self.get_object()))

    @extend_schema(request=DecideInputSerializer, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        complaint = self.get_object()
        data = self.input(DecideInputSerializer)
        complaint = services.complaint_decide(actor=request.user, complaint=complaint, **data)
        return Response(self._represent(self.get_queryset().get(pk=complaint.pk)))

    @extend_schema(responses=StateLogSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: ApiRequest, pk: str | None = None) -> Response:
        complaint = self.get_object()
        show = rules.has_perm("challenges.view_complaint_details", request.user, complaint)
        context = {**self.get_serializer_context(), "show_actors": show}
        return Response(StateLogSerializer(history_of(complaint), many=True, context=context).data)
