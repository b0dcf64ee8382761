from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.models import Bid, Kpi, PaymentScheduleItem, Tender
from orgs.models import Area, Household, Organization


def _fully_signed(contract: Any) -> bool:
    return contract.is_fully_signed


class Contract(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RECTIFICATION = "rectification", _("Rectification")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")
        TERMINATED = "terminated", _("Terminated")

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="contract")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract")
    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="bureau_contracts")
    provider = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="provider_contracts")
    assessor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="assessor_contracts"
    )
    community = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="community_contracts"
    )
    title = models.CharField(_("title"), max_length=200)
    value_amount = models.BigIntegerField(_("value"))
    currency = models.CharField(max_length=3, default="CNY")
    service_start = models.DateField()
    service_end = models.DateField()
    terms = models.JSONField(default=dict)  # frozen copy: KPIs, schedule, weights, formula version

    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True)
    bureau_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bureau_signed_at = models.DateTimeField(null=True, blank=True)
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_signed_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value_amount__gt=0), name="contract_value_positive")
        ]
        verbose_name = _("contract")

    def __str__(self) -> str:
        return self.title

    @property
    def is_fully_signed(self) -> bool:
        return self.bureau_signed_at is not None and self.provider_signed_at is not None

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.ACTIVE,
        conditions=[_fully_signed],
    )
    def activate(self, by=None, description=None) -> None:
        self.activated_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.RECTIFICATION)
    def start_rectification(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.RECTIFICATION, target=Status.ACTIVE)
    def end_rectification(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.COMPLETED)
    def complete(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.COMPLETED, target=Status.CLOSED)
    def close(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[Status.ACTIVE, Status.SUSPENDED, Status.RECTIFICATION],
        target=Status.TERMINATED,
    )
    def terminate(self, by=None, description=None) -> None:
        self.terminated_at = timezone.now()
        self.termination_reason = description or ""


class Instalment(ConcurrentTransitionMixin, models.Model):
    Kind = PaymentScheduleItem.Kind

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PAYABLE = "payable", _("Payable")
        PAID = "paid", _("Paid")
        WITHHELD = "withheld", _("Withheld")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="instalments")
    kind = models.CharField(max_length=10, choices=PaymentScheduleItem.Kind.choices)
    sequence = models.PositiveSmallIntegerField()
    share_pct = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.BigIntegerField()
    release_amount = models.BigIntegerField(null=True, blank=True)
    withheld_amount = models.BigIntegerField(default=0)
    status = FSMField(default=Status.SCHEDULED, choices=Status.choices, protected=True)
    payable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="unique_instalment_sequence"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="instalment_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(withheld_amount__gte=0), name="instalment_withheld_non_negative"
            ),
        ]
        verbose_name = _("instalment")

    def __str__(self) -> str:
        return f"{self.contract} #{self.sequence} {self.kind}"

    @property
    def amount_payable(self) -> int:
        """What a payment of this instalment pays: its amount less what the evaluation withheld."""
        return self.amount - self.withheld_amount

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SCHEDULED, target=Status.PAYABLE)
    def make_payable(self, release_amount: int | None = None, by=None, description=None) -> None:
        self.release_amount = self.amount if release_amount is None else release_amount
        self.withheld_amount = self.amount - self.release_amount
        self.payable_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PAYABLE, target=Status.PAID)
    def mark_paid(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SCHEDULED, target=Status.WITHHELD)
    def withhold(self, by=None, description=None) -> None:
        self.release_amount = 0
        self.withheld_amount = self.amount


class ServiceEvent(models.Model):
    """A delivered service (台账): when, where, what, and the households that received it. Recording a
    household as a recipient is what lets its residents rate the contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    date = models.DateField(_("date"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    recipients = models.ManyToManyField(Household, related_name="service_events", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service event")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class Report(models.Model):
    """The provider's midterm or final report with the KPI actuals."""

    class Stage(models.TextChoices):
        MIDTERM = "midterm", _("Midterm")
        FINAL = "final", _("Final")

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    summary = models.TextField(_("summary"), max_length=20000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contract", "stage"], name="one_report_per_stage")]
        verbose_name = _("report")

    def __str__(self) -> str:
        return f"{self.contract} {self.stage}"


class KpiActual(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="kpi_actuals")
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="+")
    actual = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="one_actual_per_kpi")]

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.actual}"


from .payments.models import LedgerEntry, Payment, PayoutAccount, WebhookEvent  # noqa: E402,F401
