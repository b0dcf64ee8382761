from typing import Any

from rest_framework import serializers

from .models import Payment, PayoutAccount
from .permissions import payment_transitions_available


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    contract = serializers.IntegerField(source="instalment.contract_id", read_only=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "instalment",
            "contract",
            "amount",
            "currency",
            "gateway",
            "idempotency_key",
            "reference",
            "status",
            "available_transitions",
            "attempts",
            "last_error",
            "reversed_amount",
            "requested_by",
            "confirmed_by",
            "created_at",
            "updated_at",
            "succeeded_at",
        ]

    def get_available_transitions(self, payment: Payment) -> list[str]:
        return payment_transitions_available(self.context["request"].user, payment)


class ConfirmInputSerializer(serializers.Serializer[Any]):
    voucher_number = serializers.CharField(max_length=100)


class PayoutAccountSerializer(serializers.Serializer[Any]):
    account = serializers.CharField(source="payout_account.account_id")
    status = serializers.ChoiceField(source="payout_account.status", choices=PayoutAccount.Status.choices)
    onboarding_url = serializers.CharField(allow_null=True)
