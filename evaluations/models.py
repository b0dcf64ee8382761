from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from contracts.models import Contract, Report
from orgs.models import Household, User

if TYPE_CHECKING:
    from orgs.auth import Caller


def score_field(verbose_name: Any) -> "models.DecimalField[Any, Any]":
    """A score from 0 to 100 with two decimals, empty until entered or computed."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, null=True, blank=True)


# The most households a sample survey may count (API and pages alike).
SURVEY_MAX_HOUSEHOLDS = 1_000_000
# The longest comment a resident may leave with a rating (API and pages alike).
RATING_COMMENT_MAX_LENGTH = 1200


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
        return self.appeal_until is not None and timezone.now() >= self.appeal_until

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
        max_length=4, choices=Channel.choices, default=Channel.API, verbose_name=_("channel")
    )
    client_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("client address"))
    status = FSMField(default=Status.VALID, choices=Status.choices, protected=True, verbose_name=_("status"))
    quarantine_reason = models.CharField(max_length=200, blank=True, verbose_name=_("quarantine reason"))
    created_at = models.DateTimeField(default=timezone.now, db_index=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "evaluation"], name="one_rating_per_household"),
            models.CheckConstraint(condition=Q(satisfaction__lte=5), name="satisfaction_range"),
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
