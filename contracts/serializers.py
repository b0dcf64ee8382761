from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.schema import closed_schema
from common.transitions import transitions_available
from orgs.models import HOUSEHOLD_CODE_MAX_LENGTH, Area, Household, Organization

from .models import (
    REPORT_SUMMARY_MAX_LENGTH,
    SERVICE_EVENT_DESCRIPTION_MAX_LENGTH,
    SERVICE_EVENT_MAX_RECIPIENTS,
    SERVICE_EVENT_TITLE_MAX_LENGTH,
    Contract,
    Instalment,
    Report,
    ServiceEvent,
)
from .permissions import CONTRACT_TRANSITIONS


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
