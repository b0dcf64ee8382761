import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from orgs.models import Area, Organization, User

from .components import DEFAULT_SCORE_WEIGHTS

if TYPE_CHECKING:
    from orgs.auth import Caller

# Input bounds, written once for the model, the API serializers and the page forms.
SCORE_MIN, SCORE_MAX = Decimal(0), Decimal(100)  # an evaluator's score of a bid on a criterion
QUESTION_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 4000
TECHNICAL_PROPOSAL_MAX_LENGTH = 50000
STAFFING_PLAN_MAX_LENGTH = 20000
TENDER_DESCRIPTION_MAX_LENGTH = 20000
BENEFICIARIES_MAX_LENGTH = 2000
MULTI_YEAR_JUSTIFICATION_MAX_LENGTH = 4000
MIN_BIDS_MAX = 100
STANDSTILL_DAYS_MAX = 90
CRITERION_WEIGHTS_TOTAL = 100  # a tender's criteria weigh 0 to this each, and add up to it


# The longest reason a bureau may give for a tender that answers no resident's need.
INITIATIVE_REASON_MAX_LENGTH = 2000


class CatalogueItem(models.Model):
    """An entry of the guiding catalogue (指导性目录). Every tender names one."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BudgetLineQuerySet(models.QuerySet["BudgetLine"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[BudgetLine]":
        """What the user may see; the rule is ``marketplace.permissions.budget_lines_visible_to``."""
        from .permissions import budget_lines_visible_to  # the permission module imports the models

        return budget_lines_visible_to(self, user)


class BudgetLine(models.Model):
    """Funds of a bureau for a fiscal year. ``committed`` is derived from the tenders drawing on the
    line (their ``committed_amount``), never stored here, so it cannot drift."""

    class Source(models.TextChoices):
        DEPARTMENT_BUDGET = "department_budget", _("Department budget")
        COMMUNITY_FUND = "community_fund", _("Community fund")

    bureau = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("bureau")
    )
    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    amount = models.BigIntegerField(_("amount"), validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="CNY", verbose_name=_("currency"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_non_negative")]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.name}"


class BudgetCommitment(models.Model):
    """Money of a budget line held for something other than a tender: a community task's funding
    (docs/rules.md §23). The higher app that holds it points at it; ``committed_on`` counts it with
    the tenders' commitments, so a line is never committed twice over."""

    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("budget line")
    )
    amount = models.BigIntegerField(_("amount"))
    purpose = models.CharField(_("purpose"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_commitment_amount_positive")
        ]
        verbose_name = _("budget commitment")
        verbose_name_plural = _("budget commitments")

    def __str__(self) -> str:
        return f"{self.budget_line} {self.purpose}"


def _deadline_passed(tender: Any) -> bool:
    return bool(tender.is_deadline_passed)


def _standstill_over(tender: Any) -> bool:
    return bool(tender.is_standstill_over)


def _deadline_ahead(tender: Any) -> bool:
    return not tender.is_deadline_passed


def _bidding_open_for(bid: Any) -> bool:
    return bool(bid.tender.is_bidding_open)


def _tender_evaluating(bid: Any) -> bool:
    return bool(bid.tender.status == Tender.Status.EVALUATING)


def questions_until(
    published_at: datetime.datetime | None,
    bid_deadline: datetime.datetime,
    amended_at: Iterable[datetime.datetime] = (),
) -> datetime.datetime | None:
    """``Tender.questions_until`` from the columns it depends on: its latest publication (its own,
    or its latest amendment's) and the bid deadline; the lean public list
    (``marketplace.public_list``) calls it on rows read with ``values()``."""
    if published_at is None:
        return None
    latest = max([published_at, *amended_at])
    clarification = bid_deadline - datetime.timedelta(days=settings.MARKETPLACE_CLARIFICATION_DAYS)
    midpoint = latest + (bid_deadline - latest) / 2
    return max(clarification, midpoint)


class TenderQuerySet(models.QuerySet["Tender"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Tender]":
        """What the user may see; the rule is ``marketplace.permissions.tenders_visible_to``."""
        from .permissions import tenders_visible_to  # the permission module imports the models

        return tenders_visible_to(self, user)


class Tender(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        EVALUATING = "evaluating", _("Evaluating")
        AWARD_PROPOSED = "award_proposed", _("Award proposed")
        AWARDED = "awarded", _("Awarded")
        CANCELLED = "cancelled", _("Cancelled")
        UNSUCCESSFUL = "unsuccessful", _("Unsuccessful")

    PUBLIC_STATUSES = [
        Status.PUBLISHED,
        Status.EVALUATING,
        Status.AWARD_PROPOSED,
        Status.AWARDED,
        Status.CANCELLED,
        Status.UNSUCCESSFUL,
    ]

    bureau = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("bureau")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    catalogue_item = models.ForeignKey(
        CatalogueItem, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("catalogue item")
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="tenders", verbose_name=_("budget line")
    )
    areas = models.ManyToManyField(Area, related_name="tenders", verbose_name=_("service areas"))
    # What the tender answers (docs/rules.md §22): residents' needs its communities accepted, or, for
    # a tender the bureau initiates, the reason why — one of the two before it is published.
    needs = models.ManyToManyField(
        "needs.Need", blank=True, related_name="tenders", verbose_name=_("residents' needs answered")
    )
    initiative_reason = models.TextField(
        _("why the bureau initiates it"), blank=True, max_length=INITIATIVE_REASON_MAX_LENGTH
    )
    beneficiaries = models.TextField(_("beneficiaries"), blank=True)
    ceiling_amount = models.BigIntegerField(_("ceiling amount"), validators=[MinValueValidator(1)])
    currency = models.CharField(max_length=3, default="CNY", verbose_name=_("currency"))
    bid_deadline = models.DateTimeField(_("bid deadline"))
    service_start = models.DateField(_("service start"))
    service_end = models.DateField(_("service end"))
    multi_year_justification = models.TextField(blank=True, verbose_name=_("multi-year justification"))
    weight_third_party = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_SCORE_WEIGHTS.third_party,
        verbose_name=_("weight of the third-party score (T)"),
    )
    weight_buyer = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_SCORE_WEIGHTS.buyer,
        verbose_name=_("weight of the buyer's score (B)"),
    )
    weight_residents = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_SCORE_WEIGHTS.residents,
        verbose_name=_("weight of the residents' score (R)"),
    )
    weight_community = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=DEFAULT_SCORE_WEIGHTS.community,
        verbose_name=_("weight of the community score (C)"),
    )
    min_bids = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1)], verbose_name=_("minimum number of bids")
    )
    standstill_days = models.PositiveSmallIntegerField(verbose_name=_("standstill days"))
    # Whether the contract may be extended beyond the service period (renewal; docs/rules.md §17.8).
    renewal_allowed = models.BooleanField(default=False, verbose_name=_("renewal allowed"))

    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True, verbose_name=_("status"))
    # what this tender holds on its budget line
    committed_amount = models.BigIntegerField(default=0, verbose_name=_("committed amount"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    proposed_bid = models.ForeignKey(
        "Bid",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed bid"),
    )
    standstill_until = models.DateTimeField(null=True, blank=True, verbose_name=_("standstill until"))
    awarded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("awarded at"))
    cancel_reason = models.TextField(blank=True, verbose_name=_("cancellation reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = TenderQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        # The public lists count the public tenders (status IN PUBLIC_STATUSES) on every new
        # version: from this index, not the table with its descriptions (issue 13).
        indexes = [models.Index(fields=["status"], name="tender_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(committed_amount__gte=0), name="tender_commitment_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(service_end__gte=models.F("service_start")), name="tender_period"
            ),
        ]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return self.title

    @property
    def is_deadline_passed(self) -> bool:
        return timezone.now() >= self.bid_deadline

    @property
    def is_bidding_open(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_deadline_passed

    @property
    def is_standstill_over(self) -> bool:
        return self.standstill_until is not None and timezone.now() >= self.standstill_until

    @property
    def questions_until(self) -> datetime.datetime | None:
        """When providers' questions close (docs/rules.md §17.3): MARKETPLACE_CLARIFICATION_DAYS before
        the bid deadline, so that an answer that changes the terms still leaves that many days; but
        never before the midpoint between the tender's latest publication (its own, or its latest
        amendment's) and the deadline, so that a short bidding period (the minimum is
        MARKETPLACE_MIN_BIDDING_DAYS) and an amended tender still have their questions. ``None``
        until the tender is published."""
        if self.published_at is None:
            return None
        return questions_until(
            self.published_at, self.bid_deadline, (a.published_at for a in self.amendments.all())
        )

    @property
    def is_accepting_questions(self) -> bool:
        until = self.questions_until
        return self.is_bidding_open and until is not None and timezone.now() < until

    @property
    def is_sealed(self) -> bool:
        """Bids are opened when the tender closes (at the deadline) and never before: they stay
        sealed while the tender is a draft or open for bidding, and for good when it was cancelled
        before it closed — such bids are returned unopened (``marketplace.permissions``)."""
        if self.status == self.Status.CANCELLED:
            return self.closed_at is None
        return self.status in (self.Status.DRAFT, self.Status.PUBLISHED)

    # Transitions change state only; guards with their own error codes live in services.
    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self, by: "User | None" = None, description: str | None = None) -> None:
        self.published_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PUBLISHED, target=Status.PUBLISHED, conditions=[_deadline_ahead])
    def amend(self, by: "User | None" = None, description: str | None = None) -> None:
        """An amendment or clarification is published (docs/rules.md §17.3): the terms change in
        ``marketplace.services.amendments`` and the log keeps the reason; the state stays."""

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.EVALUATING,
        conditions=[_deadline_passed],
    )
    def close(self, by: "User | None" = None, description: str | None = None) -> None:
        self.closed_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.UNSUCCESSFUL,
        conditions=[_deadline_passed],
    )
    def close_unsuccessful(self, by: "User | None" = None, description: str | None = None) -> None:
        self.closed_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.EVALUATING, target=Status.AWARD_PROPOSED)
    def award(
        self,
        bid: "Bid",
        standstill_until: datetime.datetime,
        by: "User | None" = None,
        description: str | None = None,
    ) -> None:
        self.proposed_bid = bid
        self.standstill_until = standstill_until

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.AWARD_PROPOSED,
        target=Status.AWARDED,
        conditions=[_standstill_over],
    )
    def finalize_award(self, by: "User | None" = None, description: str | None = None) -> None:
        self.awarded_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.AWARD_PROPOSED, target=Status.EVALUATING)
    def reopen_scoring(self, by: "User | None" = None, description: str | None = None) -> None:
        """The proposed award was annulled (an upheld challenge or complaint): the bids are scored
        again; their scores are kept for review (docs/rules.md §17.5)."""
        self.proposed_bid = None
        self.standstill_until = None

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[Status.DRAFT, Status.PUBLISHED, Status.EVALUATING, Status.AWARD_PROPOSED],
        target=Status.CANCELLED,
    )
    def cancel(self, by: "User | None" = None, description: str | None = None) -> None:
        self.cancel_reason = description or ""


class TenderAmendment(models.Model):
    """An amendment or clarification of a published tender (更正公告, docs/rules.md §17.3): the
    reason, published with it, and each changed term's value before and after
    (``{"bid_deadline": {"before": …, "after": …}, …}``; empty for a clarification that changes no
    term). ``deadline_moved`` says the bid deadline was moved so that MARKETPLACE_CLARIFICATION_DAYS
    remain after the amendment."""

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("tender")
    )
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    deadline_moved = models.BooleanField(_("bid deadline moved"), default=False)
    published_at = models.DateTimeField(_("published at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["published_at", "id"]
        verbose_name = _("tender amendment")
        verbose_name_plural = _("tender amendments")

    def __str__(self) -> str:
        return f"{self.tender} ({self.published_at:%Y-%m-%d})"


class Kpi(models.Model):
    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("tender")
    )
    name = models.CharField(_("name"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=40)

    class Meta:
        ordering = ["id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    class Kind(models.TextChoices):
        PRICE = "price", _("Price")
        QUALITY = "quality", _("Quality")

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("tender")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MaxValueValidator(CRITERION_WEIGHTS_TOTAL)]
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class PaymentScheduleItem(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance")
        INTERIM = "interim", _("Interim")
        HOLDBACK = "holdback", _("Performance holdback")

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="payment_schedule", verbose_name=_("tender")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    share_pct = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["id"]
        verbose_name = _("payment schedule item")
        verbose_name_plural = _("payment schedule items")

    def __str__(self) -> str:
        return f"{self.kind} {self.share_pct}%"


class QuestionQuerySet(models.QuerySet["Question"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Question]":
        """What the user may see; the rule is ``marketplace.permissions.questions_visible_to``."""
        from .permissions import questions_visible_to  # the permission module imports the models

        return questions_visible_to(self, user)


class Question(models.Model):
    """A clarification asked by a provider. The asker is hidden from everyone but the bureau; the
    question and its answer are public once answered."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="questions", verbose_name=_("tender")
    )
    text = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    asker_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("asking organisation")
    )
    asked_at = models.DateTimeField(auto_now_add=True, verbose_name=_("asked at"))
    answer = models.TextField(_("answer"), blank=True, max_length=ANSWER_MAX_LENGTH)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class BidQuerySet(models.QuerySet["Bid"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Bid]":
        """What the user may see; the rule is ``marketplace.permissions.bids_visible_to``."""
        from .permissions import bids_visible_to  # the permission module imports the models

        return bids_visible_to(self, user)


class Bid(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        OPENED = "opened", _("Opened")
        DISQUALIFIED = "disqualified", _("Disqualified")
        AWARDED = "awarded", _("Awarded")
        NOT_AWARDED = "not_awarded", _("Not awarded")

    # A bid's content may be read by anyone but its bidder only once it has been opened, at close.
    OPENED_STATUSES = [Status.OPENED, Status.DISQUALIFIED, Status.AWARDED, Status.NOT_AWARDED]
    # The declarations a bidder makes, each stored in a ``declaration_<key>`` field.
    DECLARATIONS = ("eligibility", "no_double_funding", "no_conflict")
    # What the bidder wrote: sealed until the bid is opened.
    SEALED_FIELDS = (
        "price_amount",
        "technical_proposal",
        "staffing_plan",
        "declaration_eligibility",
        "declaration_no_double_funding",
        "declaration_no_conflict",
    )

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="bids", verbose_name=_("tender")
    )
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="bids", verbose_name=_("provider")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    price_amount = models.BigIntegerField(_("price"), validators=[MinValueValidator(1)])
    technical_proposal = models.TextField(_("technical proposal"))
    staffing_plan = models.TextField(_("staffing plan"))
    declaration_eligibility = models.BooleanField(default=False, verbose_name=_("eligibility declared"))
    declaration_no_double_funding = models.BooleanField(
        default=False, verbose_name=_("no double funding declared")
    )
    declaration_no_conflict = models.BooleanField(
        default=False, verbose_name=_("no conflict of interest declared")
    )
    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True, verbose_name=_("status"))
    receipt = models.CharField(max_length=64, blank=True, verbose_name=_("receipt"))
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("submitted at"))
    disqualification_reason = models.TextField(blank=True, verbose_name=_("disqualification reason"))
    # Set when the bids were opened and the stored content no longer matched the receipt made at
    # submission: someone changed the bid after it was sealed (a direct database edit).
    tampered_at = models.DateTimeField(_("tampering detected at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "provider"],
                condition=Q(status="submitted"),
                name="one_live_bid_per_provider",
            ),
            models.UniqueConstraint(
                fields=["tender", "provider"],
                condition=Q(status="draft"),
                name="one_draft_bid_per_provider",
            ),
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="bid_price_positive"),
        ]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")

    def __str__(self) -> str:
        return f"{self.provider} → {self.tender}"

    @property
    def is_opened(self) -> bool:
        return self.status in self.OPENED_STATUSES

    @property
    def is_tampered(self) -> bool:
        return self.tampered_at is not None

    @property
    def declarations(self) -> dict[str, bool]:
        return {key: getattr(self, f"declaration_{key}") for key in self.DECLARATIONS}

    @property
    def declarations_complete(self) -> bool:
        return all(self.declarations.values())

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.DRAFT,
        target=Status.SUBMITTED,
        conditions=[_bidding_open_for],
    )
    def submit(self, receipt: str, by: "User | None" = None, description: str | None = None) -> None:
        self.receipt = receipt
        # Keep the timestamp the receipt was computed over, so the receipt can be verified later.
        self.submitted_at = self.submitted_at or timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.SUBMITTED,
        target=Status.WITHDRAWN,
        conditions=[_bidding_open_for],
    )
    def withdraw(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.OPENED)
    def open(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.OPENED,
        target=Status.DISQUALIFIED,
        conditions=[_tender_evaluating],
    )
    def disqualify(self, by: "User | None" = None, description: str | None = None) -> None:
        self.disqualification_reason = description or ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPENED, target=Status.AWARDED)
    def mark_awarded(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPENED, target=Status.NOT_AWARDED)
    def mark_not_awarded(self, by: "User | None" = None, description: str | None = None) -> None:
        pass


class AwardQuerySet(models.QuerySet["Award"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Award]":
        """What the user may see; the rule is ``marketplace.permissions.awards_visible_to``."""
        from .permissions import awards_visible_to  # the permission module imports the models

        return awards_visible_to(self, user)

    def current(self) -> "models.QuerySet[Award]":
        """The awards that still stand: each tender has at most one (a constraint)."""
        return self.exclude(status=Award.Status.ANNULLED)


class Award(ConcurrentTransitionMixin, models.Model):
    """The award notice (中标公告): what was proposed, to whom, at what total and rank, published
    when the bureau awards, and open to challenge until ``challenge_until`` (docs/rules.md §17.4).
    An annulled award stays on record; the tender's next award is a new row."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("award notice", "Proposed")
        CHALLENGED = "challenged", _("Challenged")
        CONFIRMED = "confirmed", _("Confirmed")
        ANNULLED = "annulled", _("Annulled")

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="awards", verbose_name=_("tender")
    )
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards", verbose_name=_("bid"))
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="awards", verbose_name=_("provider")
    )
    price_amount = models.BigIntegerField(_("price"))
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("rank"))
    notice_published_at = models.DateTimeField(_("notice published at"))
    challenge_until = models.DateTimeField(_("open to challenge until"))
    status = FSMField(
        default=Status.PROPOSED, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    decided_at = models.DateTimeField(_("confirmed or annulled at"), null=True, blank=True)
    # What the notice published, as it was: every opened bid's provider, total and rank (a
    # disqualified bid has no total or rank). Later scoring never rewrites a notice.
    standings = models.JSONField(default=list, blank=True, verbose_name=_("standings"))

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender"], condition=~Q(status="annulled"), name="one_standing_award_per_tender"
            ),
        ]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.tender} → {self.provider}"

    @property
    def is_open_to_challenge(self) -> bool:
        """Proposed (or held by a challenge), until ``challenge_until``; with
        ``CHALLENGE_WORKING_DAYS=0`` the window ends as the notice is published: never open."""
        return (
            self.status in (self.Status.PROPOSED, self.Status.CHALLENGED)
            and self.challenge_until > self.notice_published_at
            and timezone.now() <= self.challenge_until
        )

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PROPOSED, target=Status.CHALLENGED)
    def challenge(self, by: "User | None" = None, description: str | None = None) -> None:
        """A challenge or complaint is pending: the award cannot be confirmed."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.CHALLENGED, target=Status.PROPOSED)
    def clear_challenge(self, by: "User | None" = None, description: str | None = None) -> None:
        """Nothing is pending any more and the award stands."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PROPOSED, target=Status.CONFIRMED)
    def confirm(self, by: "User | None" = None, description: str | None = None) -> None:
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.PROPOSED, Status.CHALLENGED], target=Status.ANNULLED)
    def annul(self, by: "User | None" = None, description: str | None = None) -> None:
        self.decided_at = timezone.now()


class EvaluatorDeclaration(models.Model):
    """An evaluator's declaration of no conflict of interest, required before scoring."""

    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("tender")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluator")
    )
    no_conflict = models.BooleanField(verbose_name=_("no conflict of interest declared"))
    declared_at = models.DateTimeField(auto_now_add=True, verbose_name=_("declared at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tender", "evaluator"], name="one_declaration_per_evaluator")
        ]
        verbose_name = _("evaluator declaration")
        verbose_name_plural = _("evaluator declarations")

    def __str__(self) -> str:
        return f"{self.evaluator_id} on {self.tender_id}"


class BidScore(models.Model):
    """One evaluator's score of one bid against one quality criterion (0–100)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores", verbose_name=_("bid"))
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluator")
    )
    score = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)],
        verbose_name=_("score"),
    )
    scored_at = models.DateTimeField(auto_now=True, verbose_name=_("scored at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion", "evaluator"], name="one_score_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="score_range"),
        ]
        verbose_name = _("bid score")
        verbose_name_plural = _("bid scores")

    def __str__(self) -> str:
        return f"{self.bid_id}/{self.criterion_id}: {self.score}"


def _exclusion_in_force(exclusion: Any) -> bool:
    return bool(exclusion.is_in_force)


class BidScoreEntry(models.Model):
    """One entry of a bid score, with who entered it, when, and the score it replaced (docs/rules.md
    §11, score history). Never changed or deleted: the history of the bid's scoring."""

    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, related_name="score_entries", verbose_name=_("bid")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="score_entries", verbose_name=_("criterion")
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluator")
    )
    score = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("score"))
    previous_score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=_("previous score")
    )
    entered_at = models.DateTimeField(default=timezone.now, verbose_name=_("entered at"))

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("bid score entry")
        verbose_name_plural = _("bid score entries")

    def __str__(self) -> str:
        return f"{self.bid} {self.criterion} by {self.evaluator_id}: {self.score}"


class ExclusionQuerySet(models.QuerySet["Exclusion"]):
    def in_force(self, at: datetime.datetime | None = None) -> "models.QuerySet[Exclusion]":
        """Exclusions that bar their provider now (or at ``at``): not lifted, and ``starts <= at < ends``."""
        at = at or timezone.now()
        return self.filter(status=Exclusion.Status.ACTIVE, starts__lte=at, ends__gt=at)

    def expired(self, at: datetime.datetime | None = None) -> "models.QuerySet[Exclusion]":
        return self.filter(status=Exclusion.Status.ACTIVE, ends__lte=at or timezone.now())


class Exclusion(ConcurrentTransitionMixin, models.Model):
    """A provider barred from submitting bids (docs/rules.md §17.6): its contract was terminated, or
    its final evaluation was band E. It runs from ``starts`` to ``ends`` (``EXCLUSION_MONTHS``
    calendar months later, at the end of that local day) and ends by date, or earlier when an officer
    of the bureau that caused it lifts it (a logged transition). Public: the provider, the bureau, the
    source and a system reason, no person's name. The contract and evaluation are named by id:
    marketplace may not import those apps."""

    class Source(models.TextChoices):
        CONTRACT_TERMINATED = "contract_terminated", _("Contract terminated")
        EVALUATION_BAND_E = "evaluation_band_e", _("Final evaluation in band E")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LIFTED = "lifted", _("Lifted")

    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="exclusions", verbose_name=_("provider")
    )
    bureau = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("bureau")
    )
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    # the id of what caused it: a contracts.Contract (terminated) or an evaluations.Evaluation (band E)
    source_id = models.PositiveBigIntegerField(_("source id"))
    contract_ref = models.PositiveBigIntegerField(_("contract"))  # the contracts.Contract concerned
    reason = models.TextField(_("reason"))  # a system reason (common.reasons), shown translated
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    status = FSMField(default=Status.ACTIVE, choices=Status.choices, protected=True, verbose_name=_("status"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ExclusionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="one_exclusion_per_source"),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="exclusion_period"),
        ]
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")

    def __str__(self) -> str:
        return f"{self.provider} ({self.starts:%Y-%m-%d} – {self.ends:%Y-%m-%d})"

    @property
    def is_in_force(self) -> bool:
        return self.status == self.Status.ACTIVE and self.starts <= timezone.now() < self.ends

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACTIVE, target=Status.LIFTED, conditions=[_exclusion_in_force])
    def lift(self, by: "User | None" = None, description: str | None = None) -> None:
        self.lifted_at = timezone.now()
        self.lift_reason = description or ""
