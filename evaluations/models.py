import datetime
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from contracts.models import Contract, Instalment, Report
from marketplace.payment_rule import PaymentRule
from orgs.models import Household, Organization, User

from . import scoring
from .appeal_rules import CLAIMABLE

if TYPE_CHECKING:
    from orgs.auth import Caller


def score_field(verbose_name: Any) -> "models.DecimalField[Any, Any]":
    """A score from 0 to 100 with two decimals, empty until entered or computed."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, null=True, blank=True)


# The most households a sample survey may count (API and pages alike).
SURVEY_MAX_HOUSEHOLDS = 1_000_000
# The longest comment a resident may leave with a rating (API and pages alike).
RATING_COMMENT_MAX_LENGTH = 1200


def appeal_window_end(published_at: datetime.datetime, days: Decimal) -> datetime.datetime:
    """When the appeal window closes: ``published_at + days``, the days a decimal number
    (``EVALUATION_APPEAL_DAYS``: 10, 0.5, 0), to the second."""
    seconds = (Decimal(days) * 86_400).to_integral_value()
    return published_at + datetime.timedelta(seconds=int(seconds))


def _appeal_window_over(evaluation: Any) -> bool:
    return bool(evaluation.is_appeal_window_over)


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Evaluation]":
        """What the user may see; the rule is ``evaluations.permissions.evaluations_visible_to``."""
        from .permissions import evaluations_visible_to  # the permission module imports the models

        return evaluations_visible_to(self, user)


class Evaluation(ConcurrentTransitionMixin, models.Model):
    """One stage's evaluation of a contract: components T (third party), B (buyer), C (community)
    entered by people, R (residents) and the composite S computed at finalization (docs/rules.md §11)."""

    Stage = Report.Stage

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PUBLISHED = "published", _("Published")
        FINAL = "final", _("Final")
        # a later midterm round made moot: an appeal decided the earlier round passed after all
        SUPERSEDED = "superseded", _("Superseded")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online ratings")
        SURVEY = "survey", _("Sample survey")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("contract")
    )
    stage = models.CharField(max_length=8, choices=Report.Stage.choices, verbose_name=_("stage"))
    # a re-evaluation after rectification is round 2…
    round = models.PositiveSmallIntegerField(default=1, verbose_name=_("round"))
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True, verbose_name=_("status"))

    third_party = score_field(_("third-party score (T)"))
    buyer = score_field(_("buyer's score (B)"))
    community = score_field(_("community score (C)"))
    survey_n = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("sample survey: people asked")
    )
    survey_n_pos = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("sample survey: satisfied")
    )

    residents_n = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("resident ratings counted")
    )
    residents_n_pos = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("resident ratings satisfied")
    )
    residents_n_min = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("minimum resident ratings")
    )
    residents = score_field(_("residents' score (R)"))
    residents_method = models.CharField(
        max_length=8, choices=Method.choices, blank=True, verbose_name=_("method of the residents' score")
    )
    composite = score_field(_("composite score (S)"))
    # S'' once an appeal of this evaluation is decided: what the band, f(S) and money follow
    decided_composite = score_field(_("composite after the appeal (S″)"))
    # the band and f(S) of ``score`` (S'' once an appeal is decided, else S): ``follow_score`` sets them
    band = models.CharField(max_length=1, blank=True, verbose_name=_("band"))
    release_pct = score_field(_("release (%)"))

    opened_at = models.DateTimeField(auto_now_add=True, verbose_name=_("opened at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    appeal_until = models.DateTimeField(null=True, blank=True, verbose_name=_("appeal until"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["contract_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "stage", "round"], name="one_evaluation_per_round"),
            models.UniqueConstraint(
                fields=["contract"], condition=Q(status="open"), name="one_open_evaluation_per_contract"
            ),
        ]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.contract} {self.stage} #{self.round}"

    @property
    def is_appeal_window_over(self) -> bool:
        """The window (``appeal_until``, a datetime set when the evaluation is published) is over."""
        return self.appeal_until is not None and timezone.now() >= self.appeal_until

    @property
    def is_appeal_window_open(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_appeal_window_over

    def component_scores(self) -> dict[str, Decimal]:
        """The published components T, B, R, C by key (docs/rules.md §11.2)."""
        return {component.value: getattr(self, component.value) for component in CLAIMABLE}

    @property
    def score(self) -> Decimal | None:
        """The composite that counts: S'' once an appeal is decided, else the published S. The
        band, ``release_pct``, the money, renewal and exclusion all follow it (docs/rules.md §11.7)."""
        score: Decimal | None = self.composite if self.decided_composite is None else self.decided_composite
        return score

    @property
    def has_passed(self) -> bool:
        """This evaluation passed: its band (the decided one once an appeal is decided, else the
        published one) is not E. The one definition confirming, deciding and the pages read."""
        return bool(self.band) and self.band != scoring.BAND_E

    def follow_score(self, rule: PaymentRule) -> None:
        """Set the band and ``release_pct`` from ``score`` under the contract's frozen rule."""
        score = self.score
        assert score is not None
        self.band = scoring.band_of(score, rule).letter
        self.release_pct = scoring.release_pct(score, rule)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.PUBLISHED)
    def publish(self, by: "User | None" = None, description: str | None = None) -> None:
        self.published_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=Status.PUBLISHED,
        target=Status.FINAL,
        conditions=[_appeal_window_over],
    )
    def confirm(self, by: "User | None" = None, description: str | None = None) -> None:
        self.confirmed_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.OPEN, Status.PUBLISHED], target=Status.SUPERSEDED)
    def supersede(self, by: "User | None" = None, description: str | None = None) -> None:
        pass


def new_rating_receipt() -> str:
    """A rating's receipt: unguessable, shown to the resident, looked up publicly (docs/rules.md §24)."""
    return secrets.token_urlsafe(16)


class RatingQuerySet(models.QuerySet["Rating"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Rating]":
        """What the user may see; the rule is ``evaluations.permissions.ratings_visible_to``."""
        from .permissions import ratings_visible_to  # the permission module imports the models

        return ratings_visible_to(self, user)


class Rating(ConcurrentTransitionMixin, models.Model):
    """A household's rating of a contract in one evaluation. ``not_received`` is stored but not
    counted; quarantined and excluded ratings are not counted either."""

    NOT_RECEIVED = 0  # stored value of "not_received"; 1–5 are the satisfaction levels

    class Satisfaction(models.IntegerChoices):
        VERY_SATISFIED = 5, _("Very satisfied (非常满意)")
        SATISFIED = 4, _("Satisfied (满意)")
        NEUTRAL = 3, _("Neutral (一般)")
        DISSATISFIED = 2, _("Dissatisfied (不满意)")
        VERY_DISSATISFIED = 1, _("Very dissatisfied (非常不满意)")
        NOT_RECEIVED = 0, _("Did not receive the service (未接受服务)")

    class Resolved(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        QUARANTINED = "quarantined", _("Quarantined")
        EXCLUDED = "excluded", _("Excluded")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        ASSISTED = "assisted", _("Assisted (recorded by a collector)")

    class CollectionMethod(models.TextChoices):
        """How a collector took an assisted rating (docs/rules.md §10.6)."""

        PAPER = "paper", _("Paper form")
        PHONE = "phone", _("Phone call")
        VISIT = "visit", _("Home visit")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("household")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("contract")
    )
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("evaluation")
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("rater")
    )
    satisfaction = models.PositiveSmallIntegerField(
        choices=Satisfaction.choices, verbose_name=_("satisfaction")
    )
    resolved = models.CharField(max_length=6, choices=Resolved.choices, verbose_name=_("resolved"))
    comment = models.TextField(
        blank=True, validators=[MaxLengthValidator(RATING_COMMENT_MAX_LENGTH)], verbose_name=_("comment")
    )
    channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.API, verbose_name=_("channel")
    )
    # An assisted rating: who recorded it for the household, and how the answer was taken.
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collector"),
    )
    method = models.CharField(
        max_length=5, choices=CollectionMethod.choices, blank=True, verbose_name=_("collection method")
    )
    client_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("client address"))
    status = FSMField(default=Status.VALID, choices=Status.choices, protected=True, verbose_name=_("status"))
    quarantine_reason = models.CharField(max_length=200, blank=True, verbose_name=_("quarantine reason"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    receipt = models.CharField(
        max_length=32, unique=True, default=new_rating_receipt, editable=False, verbose_name=_("receipt")
    )

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "evaluation"], name="one_rating_per_household"),
            models.CheckConstraint(condition=Q(satisfaction__lte=5), name="satisfaction_range"),
            # An assisted rating names its collector and method; a resident's own names neither.
            models.CheckConstraint(
                condition=(Q(channel="assisted", collector__isnull=False) & ~Q(method=""))
                | (~Q(channel="assisted") & Q(collector__isnull=True, method="")),
                name="assisted_rating_has_collector",
            ),
        ]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.household} → {self.contract}: {self.satisfaction}"

    @property
    def is_counted(self) -> bool:
        return self.status == self.Status.VALID and self.satisfaction != self.NOT_RECEIVED

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.VALID, target=Status.QUARANTINED)
    def quarantine(self, by: "User | None" = None, description: str | None = None) -> None:
        self.quarantine_reason = description or ""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.QUARANTINED, target=Status.VALID)
    def restore(self, by: "User | None" = None, description: str | None = None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.QUARANTINED, target=Status.EXCLUDED)
    def exclude(self, by: "User | None" = None, description: str | None = None) -> None:
        pass


class RatingReminder(models.Model):
    """A reminder sent to a recipient household to rate an evaluation: at most one each."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("evaluation")
    )
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "evaluation"], name="one_reminder_per_household")
        ]
        verbose_name = _("rating reminder")
        verbose_name_plural = _("rating reminders")

    def __str__(self) -> str:
        return f"{self.household} · {self.evaluation}"


class AppealQuerySet(models.QuerySet["Appeal"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Appeal]":
        """What the user may see; the rule is ``evaluations.permissions.appeals_visible_to``."""
        from .permissions import appeals_visible_to  # the permission module imports the models

        return appeals_visible_to(self, user)


def claim_field(verbose_name: Any) -> "models.DecimalField[Any, Any]":
    """A claimed or decided component score, empty when the component is not disputed."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, null=True, blank=True)


class Appeal(ConcurrentTransitionMixin, models.Model):
    """A provider's appeal (复核) of a published evaluation (docs/rules.md §11.7): its grounds, the
    component scores it claims, and — once decided by the bureau's officer or the review body — the
    decision, its reasoning and the final scores. Confirming the evaluation while it is open holds
    the disputed money; deciding it releases or withholds that money."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        PARTLY = "partly", _("Partly upheld")
        DISMISSED = "dismissed", _("Dismissed")
        # closed undecided: the contract was terminated, or the evaluation superseded (§11.7)
        LAPSED = "lapsed", _("Lapsed")

    DECIDED_STATUSES = (Status.UPHELD, Status.PARTLY, Status.DISMISSED)

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("evaluation")
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("filed by")
    )
    review_body = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review body"),
    )
    grounds = models.TextField(validators=[MaxLengthValidator(5000)], verbose_name=_("grounds"))
    claimed_third_party = claim_field(_("claimed third-party score (T)"))
    claimed_buyer = claim_field(_("claimed buyer's score (B)"))
    claimed_residents = claim_field(_("claimed residents' score (R)"))
    claimed_community = claim_field(_("claimed community score (C)"))
    published_composite = score_field(_("published composite (S)"))
    claimed_composite = score_field(_("claimed composite (S′)"))
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True, verbose_name=_("status"))
    filed_at = models.DateTimeField(default=timezone.now, verbose_name=_("filed at"))

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    reasoning = models.TextField(blank=True, verbose_name=_("reasoning"))
    final_third_party = claim_field(_("final third-party score (T)"))
    final_buyer = claim_field(_("final buyer's score (B)"))
    final_residents = claim_field(_("final residents' score (R)"))
    final_community = claim_field(_("final community score (C)"))
    final_composite = score_field(_("final composite (S″)"))

    # The money, once the evaluation is confirmed with this appeal open (in fen; docs/rules.md §11.7).
    holdback_amount = models.BigIntegerField(null=True, blank=True, verbose_name=_("holdback (H)"))
    released_at_confirmation = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("released at confirmation")
    )
    held_amount = models.BigIntegerField(null=True, blank=True, verbose_name=_("held amount"))
    withheld_at_confirmation = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("withheld at confirmation")
    )
    held_instalments = models.ManyToManyField(
        Instalment, blank=True, related_name="+", verbose_name=_("held instalments")
    )
    released_on_decision = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("released on decision")
    )
    returned_on_decision = models.BigIntegerField(
        null=True, blank=True, verbose_name=_("returned to the budget on decision")
    )

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            # One appeal per evaluation, whatever its state: a second would overwrite S'' (§11.7).
            models.UniqueConstraint(fields=["evaluation"], name="one_appeal_per_evaluation"),
        ]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.evaluation} appeal #{self.pk}"

    @property
    def is_open(self) -> bool:
        return bool(self.status == self.Status.OPEN)

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED_STATUSES

    def claimed(self) -> dict[str, Decimal]:
        """The claimed components by key (only those claimed)."""
        return {
            component.value: value
            for component in CLAIMABLE
            if (value := getattr(self, f"claimed_{component.value}")) is not None
        }

    def final(self) -> dict[str, Decimal]:
        """The decided components by key (only those claimed), once decided."""
        return {
            component.value: value
            for component in CLAIMABLE
            if (value := getattr(self, f"final_{component.value}")) is not None
        }

    def _decided(self, by: "User | None") -> None:
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.UPHELD)
    def uphold(self, by: "User | None" = None, description: str | None = None) -> None:
        self._decided(by)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.PARTLY)
    def uphold_in_part(self, by: "User | None" = None, description: str | None = None) -> None:
        self._decided(by)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.DISMISSED)
    def dismiss(self, by: "User | None" = None, description: str | None = None) -> None:
        self._decided(by)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.LAPSED)
    def lapse(self, by: "User | None" = None, description: str | None = None) -> None:
        pass


class ScoreEntry(models.Model):
    """One entry of T, B, C or a sample survey, with who entered it, when, and what it replaced
    (docs/rules.md §11, score history). Never changed or deleted: the history of an evaluation."""

    class Kind(models.TextChoices):
        THIRD_PARTY = "third_party", _("Third-party score (T)")
        BUYER = "buyer", _("Buyer score (B)")
        COMMUNITY = "community", _("Community score (C)")
        SURVEY = "survey", _("Sample survey")

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.PROTECT, related_name="score_entries", verbose_name=_("evaluation")
    )
    kind = models.CharField(max_length=11, choices=Kind.choices, verbose_name=_("what was entered"))
    score = score_field(_("score"))
    previous_score = score_field(_("previous score"))
    n = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("sample survey: people asked"))
    n_pos = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("sample survey: satisfied"))
    previous_n = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("previous survey: people asked")
    )
    previous_n_pos = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("previous survey: satisfied")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(default=timezone.now, verbose_name=_("entered at"))

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name = _("score entry")
        verbose_name_plural = _("score entries")

    def __str__(self) -> str:
        return f"{self.evaluation} {self.kind} by {self.entered_by_id}"
