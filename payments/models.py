"""Payments of instalments, providers' payout accounts and the webhook events received from the
gateway (docs/rules.md §7). The ledger they write is the contracts app's (``LedgerEntry``).

The tables keep the names they had when payments were a package of the contracts app
(``contracts_payment`` …): the move changed no data."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from orgs.models import Organization, User

if TYPE_CHECKING:
    from orgs.auth import Caller


class Gateway(models.TextChoices):
    TREASURY = "treasury", _("Treasury (国库集中支付)")
    STRIPE = "stripe", _("Stripe Connect")


class PaymentQuerySet(models.QuerySet["Payment"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Payment]":
        """What the user may see; the rule is ``payments.permissions.payments_visible_to``."""
        from .permissions import payments_visible_to  # the permission module imports the models

        return payments_visible_to(self, user)


class GatewayTransfer(ConcurrentTransitionMixin, models.Model):
    """Money sent through a gateway, exactly once: an instalment's ``Payment`` or a ``Disbursement``.
    The ``idempotency_key`` is stored before any gateway call and reused by every retry, so the
    gateway pays at most once; the machine and the retry bookkeeping are the same for both."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    amount = models.BigIntegerField(_("amount"))
    currency = models.CharField(max_length=3, default="CNY", verbose_name=_("currency"))
    gateway = models.CharField(max_length=10, choices=Gateway.choices, verbose_name=_("gateway"))
    idempotency_key = models.CharField(max_length=255, unique=True, verbose_name=_("idempotency key"))
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    status = FSMField(
        default=Status.PENDING, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    attempts = models.PositiveIntegerField(default=0, verbose_name=_("attempts"))
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    is_retryable = models.BooleanField(default=False, verbose_name=_("retryable"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    succeeded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("succeeded at"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.idempotency_key} {self.status}"

    @property
    def awaits_voucher(self) -> bool:
        """A treasury order in progress: the payer's finance confirms it with the bank voucher."""
        return self.gateway == Gateway.TREASURY and self.status == self.Status.PROCESSING

    # The transitions name their field by name: each concrete model has its own copy of it.
    @fsm_log_by
    @fsm_log_description
    @transition(field="status", source=[Status.PENDING, Status.FAILED], target=Status.PROCESSING)
    def start_processing(
        self, reference: str = "", by: "User | None" = None, description: str | None = None
    ) -> None:
        if reference:
            self.reference = reference
        self.last_error = ""
        self.is_retryable = False

    @fsm_log_by
    @fsm_log_description
    @transition(field="status", source=Status.PROCESSING, target=Status.SUCCEEDED)
    def succeed(self, reference: str = "", by: "User | None" = None, description: str | None = None) -> None:
        if reference:
            self.reference = reference
        self.succeeded_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field="status", source=[Status.PENDING, Status.PROCESSING], target=Status.FAILED)
    def fail(
        self,
        error: str = "",
        is_retryable: bool = False,
        by: "User | None" = None,
        description: str | None = None,
    ) -> None:
        self.last_error = error
        self.is_retryable = is_retryable


class Payment(GatewayTransfer):
    """One payment of one instalment (``GatewayTransfer``: paid at most once)."""

    instalment = models.ForeignKey(
        "contracts.Instalment",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("instalment"),
    )
    reversed_amount = models.BigIntegerField(default=0, verbose_name=_("reversed amount"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(reversed_amount__gte=0) & Q(reversed_amount__lte=models.F("amount")),
                name="payment_reversed_within_amount",
            ),
        ]
        db_table = "contracts_payment"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")


class PayoutAccount(models.Model):
    """A provider's account at the gateway (a Stripe connected account, recipient)."""

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ENABLED = "enabled", _("Enabled")
        RESTRICTED = "restricted", _("Restricted")

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="payout_account", verbose_name=_("organisation")
    )
    gateway = models.CharField(
        max_length=10, choices=Gateway.choices, default=Gateway.STRIPE, verbose_name=_("gateway")
    )
    account_id = models.CharField(max_length=255, unique=True, verbose_name=_("account ID"))
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.ONBOARDING, verbose_name=_("status")
    )
    # creation time of the event that set it
    status_as_of = models.BigIntegerField(default=0, verbose_name=_("status as of"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        db_table = "contracts_payoutaccount"
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return f"{self.organization} {self.account_id}"


class WebhookEvent(models.Model):
    """A gateway event as received; the unique id makes a redelivery a no-op."""

    event_id = models.CharField(max_length=255, unique=True, verbose_name=_("event ID"))
    type = models.CharField(max_length=100, verbose_name=_("type"))
    payload = models.JSONField(verbose_name=_("payload"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))

    class Meta:
        ordering = ["-id"]
        db_table = "contracts_webhookevent"
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class DisbursementQuerySet(models.QuerySet["Disbursement"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Disbursement]":
        """What the user may see; the rule is ``payments.permissions.disbursements_visible_to``."""
        from .permissions import disbursements_visible_to  # the permission module imports the models

        return disbursements_visible_to(self, user)


class Disbursement(GatewayTransfer):
    """Money a bureau pays an organisation outside a contract: a community task's funding
    (docs/rules.md §23). Paid exactly once as a payment is: the ``idempotency_key`` (unique, chosen
    by the caller, ``community-task:<id>:v1``) is stored before any gateway call and reused by
    every retry. Treasury: an order confirmed by the payer's finance with the bank voucher;
    Stripe: a transfer, which moves the money when it is created."""

    payer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("payer")
    )
    payee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("payee")
    )
    purpose = models.CharField(_("purpose"), max_length=200)

    objects = DisbursementQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
