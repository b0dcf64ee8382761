from rest_framework import serializers

from common.api import transitions_available
from orgs.models import Organization

from .models import Contract, Instalment

CONTRACT_TRANSITIONS = {
    "sign": (None, "contracts.sign_contract"),
    "suspend": ("suspend", "contracts.suspend_contract"),
    "resume": ("resume", "contracts.resume_contract"),
    "terminate": ("terminate", "contracts.terminate_contract"),
    "assign": (None, "contracts.assign_contract_now"),
}


class InstalmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instalment
        fields = [
            "id",
            "contract",
            "kind",
            "sequence",
            "share_pct",
            "amount",
            "release_amount",
            "withheld_amount",
            "status",
            "payable_at",
        ]


class ContractSummarySerializer(serializers.ModelSerializer):
    """What the public sees of a contract."""

    class Meta:
        model = Contract
        fields = [
            "id",
            "tender",
            "title",
            "bureau",
            "provider",
            "value_amount",
            "currency",
            "service_start",
            "service_end",
            "status",
            "activated_at",
        ]


class ContractSerializer(ContractSummarySerializer):
    """What the parties and the admin see."""

    instalments = InstalmentSerializer(many=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta(ContractSummarySerializer.Meta):
        fields = [
            *ContractSummarySerializer.Meta.fields,
            "bid",
            "assessor",
            "community",
            "terms",
            "available_transitions",
            "bureau_signed_at",
            "provider_signed_at",
            "terminated_at",
            "termination_reason",
            "instalments",
            "created_at",
        ]

    def get_available_transitions(self, contract: Contract) -> list[str]:
        return transitions_available(self.context["request"].user, contract, CONTRACT_TRANSITIONS)


class AssignInputSerializer(serializers.Serializer):
    assessor = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    community = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
