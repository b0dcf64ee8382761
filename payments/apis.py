"""Thin API views of payments: authenticate, fetch what the caller may see (else 404), validate,
call one service, serialise."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ReadViewSet
from common.schema import error_codes
from contracts.models import Instalment
from contracts.serializers import InstalmentSerializer
from orgs.auth import ApiRequest, AuthenticatedRequest
from orgs.models import Organization

from . import services
from .errors import PaymentsError
from .models import Payment
from .serializers import ConfirmInputSerializer, PaymentSerializer, PayoutAccountSerializer


def _visible(queryset: QuerySet[Any], pk: int) -> Any:
    return get_object_or_404(queryset, pk=pk)


class InstalmentPayApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=InstalmentSerializer, operation_id="instalments_pay")
    @error_codes(PaymentsError.PAYMENT_IN_PROGRESS, PaymentsError.PAYOUT_ACCOUNT_NOT_READY)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        instalments = Instalment.objects.visible_to(request.user)
        services.instalment_pay(actor=request.user, instalment=_visible(instalments, pk))
        instalment = instalments.prefetch_related("payments").get(pk=pk)
        return Response(InstalmentSerializer(instalment, context={"request": request}).data)


# Payments are this app's own resource: one viewset, its transition an action (docs/architecture.md
# §7). No docstring, its integer id and its operation ids as before: the schema stays as it was.
@extend_schema(parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)])
@extend_schema_view(retrieve=extend_schema(operation_id="payments_retrieve"))
class PaymentViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    serializer_class = PaymentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Payment]:
        visible: QuerySet[Payment] = Payment.objects.visible_to(self.request.user)
        return visible

    @extend_schema(
        request=ConfirmInputSerializer, responses=PaymentSerializer, operation_id="payments_confirm"
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        payment = self.get_object()
        voucher_number = self.input(ConfirmInputSerializer)["voucher_number"]
        payment = services.payment_confirm(actor=request.user, payment=payment, voucher_number=voucher_number)
        return Response(self.output(PaymentSerializer, self.get_queryset().get(pk=payment.pk)))


class PayoutAccountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=PayoutAccountSerializer, operation_id="organizations_payout_account"
    )
    @error_codes(PaymentsError.GATEWAY_UNAVAILABLE, PaymentsError.NOT_SUPPORTED_BY_GATEWAY)
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        organization = _visible(Organization.objects.visible_to(request.user), pk)
        account, url = services.payout_account_onboard(actor=request.user, organization=organization)
        return Response(PayoutAccountSerializer({"payout_account": account, "onboarding_url": url}).data)


class StripeWebhookApi(APIView):
    """Stripe calls this; it authenticates by the signature over the raw body, not by a user.
    No session authentication, so no CSRF check."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={
            200: inline_serializer("WebhookReceived", {"received": serializers.BooleanField()}),
            400: OpenApiResponse(
                description="`invalid_signature`: the signature does not verify; `invalid_event`: "
                "a signed event not in a shape we can read (nothing is stored or changed)."
            ),
        },
        operation_id="webhooks_stripe",
    )
    @error_codes(PaymentsError.INVALID_SIGNATURE, PaymentsError.INVALID_EVENT)
    def post(self, request: ApiRequest) -> Response:
        services.webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
        return Response({"received": True})
