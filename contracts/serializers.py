from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.history import StateLogSerializer
from common.schema import closed_schema
from common.transitions import transitions_available
from orgs.models import HOUSEHOLD_CODE_MAX_LENGTH, Area, Household, Organization

from .models import (
    REPORT_SUMMARY_MAX_LENGTH,
    SERVICE_EVENT_DESCRIPTION_MAX_LENGTH,
    SERVICE_EVENT_MAX_RECIPIENTS,
    SERVICE_EVENT_TITLE_MAX_LENGTH,
    VARIATION_REASON_MAX_LENGTH,
    VARIATION_SCOPE_MAX_LENGTH,
    Contract,
    Instalment,
    Report,
    ServiceEvent,
    Variation,
)
from .permissions import CONTRACT_TRANSITIONS, VARIATION_TRANSITIONS
from .selectors import sign_by


# docs/rules.md §16
class PaymentSummarySerializer(serializers.Serializer[Any]):
    """The latest payment of an instalment, nested in it. The payments app sits above contracts,
    so the fields are read from the related payment by name, without importing its model."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    amount = serializers.IntegerField()
    gateway = serializers.CharField()
    reference = serializers.CharField()


class InstalmentSerializer(serializers.ModelSerializer[Instalment]):
    payment = serializers.SerializerMethodField()

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
            "payment",
        ]

    @extend_schema_field(PaymentSummarySerializer(allow_null=True))
    def get_payment(self, instalment: Instalment) -> dict[str, Any] | None:
        """The latest payment; ``payments`` is prefetched by list selectors (newest first)."""
        payments = list(instalment.payments.all())
        return PaymentSummarySerializer(payments[0]).data if payments else None


@closed_schema
class ContractSummarySerializer(serializers.ModelSerializer[Contract]):
    """What the public sees of a contract: these fields and no more."""

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
    sign_by = serializers.SerializerMethodField(
        help_text="The signing deadline: the end of the day CONTRACT_SIGN_DAYS days after the award notice."
    )

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
            "sign_by",
            "terminated_at",
            "termination_reason",
            "instalments",
            "created_at",
        ]

    def get_available_transitions(self, contract: Contract) -> list[str]:
        return transitions_available(self.context["request"].user, contract, CONTRACT_TRANSITIONS)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_sign_by(self, contract: Contract) -> str | None:
        deadline = sign_by(contract)
        return serializers.DateTimeField().to_representation(deadline) if deadline else None


class VariationInputSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Variation.Kind.choices)
    reason = serializers.CharField(max_length=VARIATION_REASON_MAX_LENGTH)
    value_delta = serializers.IntegerField(
        required=False,
        default=0,
        min_value=-(10**15),
        max_value=10**15,
        help_text="kind value: the change of the contract's value in fen (negative: a decrease).",
    )
    service_end = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="kind extend: the new end of the service period.",
    )
    scope = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=VARIATION_SCOPE_MAX_LENGTH,
        help_text="kind scope: what the service now covers.",
    )


class VariationSerializer(serializers.ModelSerializer[Variation]):
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Variation
        fields = [
            "id",
            "contract",
            "sequence",
            "kind",
            "reason",
            "value_delta",
            "service_end",
            "scope",
            "status",
            "available_transitions",
            "bureau_signed_at",
            "provider_signed_at",
            "value_before",
            "service_end_before",
            "effective_at",
            "withdrawn_at",
            "created_at",
        ]

    def get_available_transitions(self, variation: Variation) -> list[str]:
        return transitions_available(self.context["request"].user, variation, VARIATION_TRANSITIONS)


class AssignInputSerializer(serializers.Serializer[Any]):
    assessor = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )
    community = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True, default=None
    )


class ServiceEventInputSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())
    title = serializers.CharField(max_length=SERVICE_EVENT_TITLE_MAX_LENGTH)
    description = serializers.CharField(
        max_length=SERVICE_EVENT_DESCRIPTION_MAX_LENGTH, allow_blank=True, required=False, default=""
    )
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=HOUSEHOLD_CODE_MAX_LENGTH),
        max_length=SERVICE_EVENT_MAX_RECIPIENTS,
        default=list,
    )


class ServiceEventSerializer(serializers.ModelSerializer[ServiceEvent]):
    recipients: serializers.SlugRelatedField[Household] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = ServiceEvent
        fields = ["id", "contract", "date", "area", "title", "description", "recipients", "created_at"]


class KpiActualSerializer(serializers.Serializer[Any]):
    kpi = serializers.IntegerField(min_value=1)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReportInputSerializer(serializers.Serializer[Any]):
    stage = serializers.ChoiceField(choices=Report.Stage.choices)
    summary = serializers.CharField(max_length=REPORT_SUMMARY_MAX_LENGTH)
    kpi_actuals = KpiActualSerializer(many=True, required=False, default=list)


class ReportSerializer(serializers.ModelSerializer[Report]):
    kpi_actuals = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "contract", "stage", "summary", "kpi_actuals", "submitted_at"]

    def get_kpi_actuals(self, report: Report) -> list[dict[str, Any]]:
        return [{"kpi": item.kpi_id, "actual": f"{item.actual:.2f}"} for item in report.kpi_actuals.all()]


class HistoryVariationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField(source="sequence")


class ContractHistorySerializer(StateLogSerializer):
    """A step of the contract's timeline (``contracts.selectors.contract_history``): a transition of
    the contract, or a step of one of its variations — ``variation_propose``, ``variation_sign_bureau``,
    ``variation_sign_provider``, ``variation_take_effect``, ``variation_withdraw`` — with the
    variation named (the states are then the variation's)."""

    variation = HistoryVariationSerializer(
        allow_null=True, help_text="The variation this step belongs to; null for the contract's own."
    )
