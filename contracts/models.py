from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.models import Bid, Kpi, PaymentScheduleItem, Tender
from orgs.models import Area, Household, Organization, User

from .terms import ContractTerms

if TYPE_CHECKING:
    from orgs.auth import Caller


def _fully_signed(contract: Any) -> bool:
    return bool(contract.is_fully_signed)


class ContractQuerySet(models.QuerySet["Contract"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Contract]":
        """What the user may see; the rule is ``contracts.permissions.contracts_visible_to``."""
        from .permissions import contracts_visible_to  # the permission module imports the models

        return contracts_visible_to(self, user)


class Contract(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RECTIFICATION = "rectification", _("Rectification")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")
        TERMINATED = "terminated", _("Terminated")

    tender = models.OneToOneField(
        Tender, on_delete=models.PROTECT, related_name="contract", verbose_name=_("tender")
    )
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract", verbose_name=_("bid"))
    bureau = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="bureau_contracts", verbose_name=_("bureau")
    )
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="provider_contracts", verbose_name=_("provider")
    )
    assessor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessor_contracts",
        verbose_name=_("assessor"),
    )
    community = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_contracts",
        verbose_name=_("residents' committee"),
    )
    title = models.CharField(_("title"), max_length=200)
    value_amount = models.BigIntegerField(_("value"))
    currency = models.CharField(max_length=3, default="CNY", verbose_name=_("currency"))
    service_start = models.DateField(verbose_name=_("service start"))
    service_end = models.DateField(verbose_name=_("service end"))
    # The frozen copy of the tender's terms (docs/rules.md §5.1), read through ``frozen_terms``.
    terms = models.JSONField(default=dict, verbose_name=_("terms"))

    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True, verbose_name=_("status"))
    bureau_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for the bureau by"),
    )
    bureau_signed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("signed by the bureau at"))
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for the provider by"),
    )
    provider_signed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("signed by the provider at")
    )
    activated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("activated at"))
    terminated_at = models.DateTimeField(null=True, blank=True, verbose_name=_("terminated at"))
    termination_reason = models.TextField(blank=True, verbose_name=_("termination reason"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value_amount__gt=0), name="contract_value_positive")
        ]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return self.title

    @property
    def is_fully_signed(self) -> bool:
        return self.bureau_signed_at is not None and self.provider_signed_at is not None

    @property
    def frozen_terms(self) -> ContractTerms:
        """``terms`` read as what they are (``contracts.terms.ContractTerms``)."""
        return ContractTerms.parse(self.terms)

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.ACTIVE,
        conditions=[_fully_signed],
    )
    def activate(self, by: "User | None" = None, description: str | None = None) -> None:
        self.activated_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.SUSPENDED)
    def suspend(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUSPENDED, target=Status.ACTIVE)
    def resume(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.RECTIFICATION)
    def start_rectification(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.RECTIFICATION, target=Status.ACTIVE)
    def end_rectification(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.COMPLETED)
    def complete(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.COMPLETED, target=Status.CLOSED)
    def close(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[Status.ACTIVE, Status.SUSPENDED, Status.RECTIFICATION],
        target=Status.TERMINATED,
    )
    def terminate(self, by: "User | None" = None, description: str | None = None) -> None:
        self.terminated_at = timezone.now()
        self.termination_reason = description or ""


class InstalmentQuerySet(models.QuerySet["Instalment"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Instalment]":
        """What the user may see; the rule is ``contracts.permissions.instalments_visible_to``."""
        from .permissions import instalments_visible_to  # the permission module imports the models

        return instalments_visible_to(self, user)


class Instalment(ConcurrentTransitionMixin, models.Model):
    Kind = PaymentScheduleItem.Kind

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PAYABLE = "payable", _("Payable")
        PAID = "paid", _("Paid")
        WITHHELD = "withheld", _("Withheld")
        # The disputed part of a release, held while an appeal is decided (docs/rules.md §11.7).
        HELD = "held", _("Held pending an appeal")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="instalments", verbose_name=_("contract")
    )
    kind = models.CharField(max_length=10, choices=PaymentScheduleItem.Kind.choices, verbose_name=_("kind"))
    sequence = models.PositiveSmallIntegerField(verbose_name=_("sequence"))
    share_pct = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("share (%)"))
    amount = models.BigIntegerField(verbose_name=_("amount"))
    release_amount = models.BigIntegerField(null=True, blank=True, verbose_name=_("released amount"))
    withheld_amount = models.BigIntegerField(default=0, verbose_name=_("withheld amount"))
    status = FSMField(
        default=Status.SCHEDULED, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    payable_at = models.DateTimeField(null=True, blank=True, verbose_name=_("payable at"))
    # The instalment this one was split from: the part of a release disputed by an appeal, held.
    split_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("split from"),
    )

    objects = InstalmentQuerySet.as_manager()

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
        verbose_name_plural = _("instalments")

    def __str__(self) -> str:
        return f"{self.contract} #{self.sequence} {self.kind}"

    @property
    def amount_payable(self) -> int:
        """What a payment of this instalment pays: its amount less what the evaluation withheld."""
        return self.amount - self.withheld_amount

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.SCHEDULED, Status.HELD], target=Status.PAYABLE)
    def make_payable(
        self, release_amount: int | None = None, by: "User | None" = None, description: str | None = None
    ) -> None:
        self.release_amount = self.amount if release_amount is None else release_amount
        self.withheld_amount = self.amount - self.release_amount
        self.payable_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PAYABLE, target=Status.PAID)
    def mark_paid(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.SCHEDULED, Status.HELD], target=Status.WITHHELD)
    def withhold(self, by: "User | None" = None, description: str | None = None) -> None:
        self.release_amount = 0
        self.withheld_amount = self.amount

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SCHEDULED, target=Status.HELD)
    def hold(self, by: "User | None" = None, description: str | None = None) -> None:
        """Held whole while an appeal is decided: neither owed yet nor returned to the budget."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.HELD, target=Status.SCHEDULED)
    def unhold(self, by: "User | None" = None, description: str | None = None) -> None:
        """Back to the schedule: the appeal did not release it, a later evaluation may."""


SERVICE_EVENT_MAX_RECIPIENTS = 2000  # the most households one service event records
SERVICE_EVENT_TITLE_MAX_LENGTH = 200
SERVICE_EVENT_DESCRIPTION_MAX_LENGTH = 5000
REPORT_SUMMARY_MAX_LENGTH = 20000


class ServiceEventQuerySet(models.QuerySet["ServiceEvent"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[ServiceEvent]":
        """What the user may see; the rule is ``contracts.permissions.service_events_visible_to``."""
        from .permissions import service_events_visible_to  # the permission module imports the models

        return service_events_visible_to(self, user)


class ServiceEvent(models.Model):
    """A delivered service (台账): when, where, what, and the households that received it. Recording a
    household as a recipient is what lets its residents rate the contract."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="events", verbose_name=_("contract")
    )
    date = models.DateField(_("date"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    title = models.CharField(_("title"), max_length=SERVICE_EVENT_TITLE_MAX_LENGTH)
    description = models.TextField(
        _("description"), blank=True, max_length=SERVICE_EVENT_DESCRIPTION_MAX_LENGTH
    )
    recipients = models.ManyToManyField(
        Household, related_name="service_events", blank=True, verbose_name=_("recipient households")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ServiceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("service event")
        verbose_name_plural = _("service events")

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class Report(models.Model):
    """The provider's midterm or final report with the KPI actuals."""

    class Stage(models.TextChoices):
        MIDTERM = "midterm", _("Midterm")
        FINAL = "final", _("Final")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="reports", verbose_name=_("contract")
    )
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    summary = models.TextField(_("summary"), max_length=REPORT_SUMMARY_MAX_LENGTH)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(auto_now_add=True, verbose_name=_("submitted at"))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contract", "stage"], name="one_report_per_stage")]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.contract} {self.stage}"


class KpiActual(models.Model):
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="kpi_actuals", verbose_name=_("report")
    )
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="+", verbose_name=_("KPI"))
    actual = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("actual value"))

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="one_actual_per_kpi")]
        verbose_name = _("KPI actual")
        verbose_name_plural = _("KPI actuals")

    def __str__(self) -> str:
        return f"{self.kpi_id}: {self.actual}"


class LedgerEntry(models.Model):
    """Every movement of money of a contract. Amounts are positive; ``kind`` says the direction.
    An instalment is paid once and withheld once at most (database constraints)."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Paid to the provider")
        WITHHELD = "withheld", _("Withheld (returned to the budget)")
        REVERSED = "reversed", _("Reversed (clawed back from the provider)")
        HELD = "held", _("Held pending an appeal")

    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("contract"),
    )
    instalment = models.ForeignKey(
        "contracts.Instalment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("instalment"),
    )
    # The payment that moved the money, named by string: the payments app sits above contracts and
    # contracts' code never imports it (docs/architecture.md §2).
    payment = models.ForeignKey(
        "payments.Payment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("payment"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    amount = models.BigIntegerField(verbose_name=_("amount"))
    currency = models.CharField(max_length=3, default="CNY", verbose_name=_("currency"))
    description = models.CharField(max_length=255, blank=True, verbose_name=_("description"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_positive"),
            models.UniqueConstraint(
                fields=["instalment", "kind"],
                condition=Q(kind__in=["paid", "withheld"]),
                name="ledger_once_per_instalment",
            ),
        ]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


VARIATION_REASON_MAX_LENGTH = 2000
VARIATION_SCOPE_MAX_LENGTH = 5000


def _signed_by_both_parties(variation: Any) -> bool:
    return bool(variation.is_fully_signed)


class VariationQuerySet(models.QuerySet["Variation"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Variation]":
        """What the user may see; the rule is ``contracts.permissions.variations_visible_to``."""
        from .permissions import variations_visible_to  # the permission module imports the models

        return variations_visible_to(self, user)


class Variation(ConcurrentTransitionMixin, models.Model):
    """A change to a signed contract (补充协议 No. n): proposed by the bureau's officer, in effect
    once both parties have signed it (docs/rules.md §17.8)."""

    class Kind(models.TextChoices):
        EXTEND = "extend", _("Extension of the service period")
        SCOPE = "scope", _("Change of scope")
        VALUE = "value", _("Change of value")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        EFFECTIVE = "effective", _("In effect")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="variations", verbose_name=_("contract")
    )
    sequence = models.PositiveSmallIntegerField(verbose_name=_("number"))
    kind = models.CharField(max_length=6, choices=Kind.choices, verbose_name=_("kind"))
    reason = models.TextField(max_length=VARIATION_REASON_MAX_LENGTH, verbose_name=_("reason"))
    # kind value: the change of the contract's value in fen (negative: a decrease)
    value_delta = models.BigIntegerField(default=0, verbose_name=_("change of value"))
    # kind extend: the new end of the service period
    service_end = models.DateField(null=True, blank=True, verbose_name=_("new service end"))
    # kind scope: what the service now covers
    scope = models.TextField(blank=True, max_length=VARIATION_SCOPE_MAX_LENGTH, verbose_name=_("scope"))
    status = FSMField(
        default=Status.PROPOSED, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    bureau_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for the bureau by"),
    )
    bureau_signed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("signed by the bureau at"))
    provider_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for the provider by"),
    )
    provider_signed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("signed by the provider at")
    )
    # what the contract said before the variation took effect
    value_before = models.BigIntegerField(null=True, blank=True, verbose_name=_("value before"))
    service_end_before = models.DateField(null=True, blank=True, verbose_name=_("service end before"))
    effective_at = models.DateTimeField(null=True, blank=True, verbose_name=_("in effect from"))
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("withdrawn at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("proposed at"))

    objects = VariationQuerySet.as_manager()

    class Meta:
        ordering = ["contract_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "sequence"], name="unique_variation_sequence"),
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status="proposed"),
                name="one_proposed_variation_per_contract",
            ),
            models.CheckConstraint(
                condition=~Q(kind="value") | ~Q(value_delta=0), name="variation_value_changes"
            ),
            models.CheckConstraint(
                condition=~Q(kind="extend") | Q(service_end__isnull=False), name="variation_extension_has_end"
            ),
        ]
        verbose_name = _("contract variation")
        verbose_name_plural = _("contract variations")

    def __str__(self) -> str:
        return f"{self.contract} #{self.sequence} {self.kind}"

    @property
    def is_fully_signed(self) -> bool:
        return self.bureau_signed_at is not None and self.provider_signed_at is not None

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status, source=Status.PROPOSED, target=Status.EFFECTIVE, conditions=[_signed_by_both_parties]
    )
    def take_effect(self, by: "User | None" = None, description: str | None = None) -> None:
        self.effective_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PROPOSED, target=Status.WITHDRAWN)
    def withdraw(self, by: "User | None" = None, description: str | None = None) -> None:
        self.withdrawn_at = timezone.now()
