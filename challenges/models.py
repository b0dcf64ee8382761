"""Challenges (质疑) to an award notice and complaints (投诉) about a challenge's outcome
(docs/rules.md §17.5). A challenge or a complaint never moves the award or the tender itself: its
services hold, release or annul the award through ``marketplace.services``."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from common import workdays
from marketplace.models import Award, Bid, Tender
from orgs.models import Organization, User

if TYPE_CHECKING:
    from orgs.auth import Caller

# Input bounds, written once for the models, the API serializers and the page forms.
GROUNDS_MAX_LENGTH = 10000
REPLY_MAX_LENGTH = 10000
REASONING_MAX_LENGTH = 10000


class Decision(models.TextChoices):
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Upheld")


class Remedy(models.TextChoices):
    """What an upheld challenge or complaint does to the award (docs/rules.md §17.5)."""

    RE_EVALUATE = "re_evaluate", _("Annul the award and evaluate the bids again")
    CANCEL = "cancel", _("Annul the award and cancel the tender")


def complaint_window_end(start: datetime.datetime) -> datetime.datetime:
    """The last moment to complain: ``COMPLAINT_WORKING_DAYS`` working days after ``start`` (the
    reply, or the reply's due date when none came), to the end of that day."""
    return workdays.working_days_deadline(start, settings.COMPLAINT_WORKING_DAYS)


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Challenge]":
        """What the user may see; the rule is ``challenges.permissions.challenges_visible_to``."""
        from .permissions import challenges_visible_to  # the permission module imports the models

        return challenges_visible_to(self, user)


class Challenge(ConcurrentTransitionMixin, models.Model):
    """A bidder's challenge (质疑) to the award notice, answered by the bureau within
    ``CHALLENGE_REPLY_WORKING_DAYS`` working days. Its documents belong to it (the documents app)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting reply")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld")

    REPLIED_STATUSES = (Status.DISMISSED, Status.UPHELD)

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("tender")
    )
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("award")
    )
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("bid"))
    provider = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="challenges", verbose_name=_("challenger")
    )
    grounds = models.TextField(_("grounds"), max_length=GROUNDS_MAX_LENGTH)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reply_due = models.DateTimeField(_("reply due"))
    status = FSMField(
        default=Status.SUBMITTED, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    reply = models.TextField(_("reply"), blank=True, max_length=REPLY_MAX_LENGTH)
    remedy = models.CharField(_("remedy"), max_length=12, choices=Remedy.choices, blank=True)
    replied_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("replied by")
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["award", "provider"], name="one_challenge_per_provider_per_award")
        ]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return f"{self.tender} · {self.provider}"

    @property
    def complaint_or_none(self) -> "Complaint | None":
        """The challenge's complaint, or None: from the loaded relation when the list joined it
        (``select_related("complaint")``, as ``challenges_visible_to`` does), else one query."""
        try:
            return self.complaint
        except ObjectDoesNotExist:
            return None

    @property
    def is_replied(self) -> bool:
        return self.status in self.REPLIED_STATUSES

    @property
    def is_reply_overdue(self) -> bool:
        return self.status == self.Status.SUBMITTED and timezone.now() > self.reply_due

    @property
    def complaint_opens(self) -> datetime.datetime | None:
        """From when the challenger may complain: the dismissal, or the reply's due date passing."""
        if self.status == self.Status.DISMISSED:
            return self.replied_at
        if self.status == self.Status.SUBMITTED:
            return self.reply_due
        return None

    @property
    def complaint_until(self) -> datetime.datetime | None:
        """The end of the window to complain (None for an upheld challenge)."""
        opens = self.complaint_opens
        return complaint_window_end(opens) if opens is not None else None

    # Transitions change state only; guards with their own error codes live in the services.
    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.DISMISSED)
    def dismiss(self, by: "User | None" = None, description: str | None = None) -> None:
        self.replied_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.UPHELD)
    def uphold(self, by: "User | None" = None, description: str | None = None) -> None:
        self.replied_at = timezone.now()


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Complaint]":
        """What the user may see; the rule is ``challenges.permissions.complaints_visible_to``."""
        from .permissions import complaints_visible_to  # the permission module imports the models

        return complaints_visible_to(self, user)


class Complaint(ConcurrentTransitionMixin, models.Model):
    """The challenger's complaint (投诉) to the review body (the finance department whose
    jurisdiction covers the bureau) after a dismissal or an unanswered challenge, decided within
    ``COMPLAINT_WORKING_DAYS`` working days."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting decision")
        DISMISSED = "dismissed", _("Dismissed")
        UPHELD = "upheld", _("Upheld")

    challenge = models.OneToOneField(
        Challenge, on_delete=models.PROTECT, related_name="complaint", verbose_name=_("challenge")
    )
    review_body = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("review body")
    )
    grounds = models.TextField(_("grounds"), max_length=GROUNDS_MAX_LENGTH)
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    decide_due = models.DateTimeField(_("decision due"))
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True, verbose_name=_("status"))
    reasoning = models.TextField(_("reasoning"), blank=True, max_length=REASONING_MAX_LENGTH)
    remedy = models.CharField(_("remedy"), max_length=12, choices=Remedy.choices, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return str(self.challenge)

    @property
    def is_decided(self) -> bool:
        return bool(self.status != self.Status.OPEN)

    @property
    def is_decision_overdue(self) -> bool:
        return self.status == self.Status.OPEN and timezone.now() > self.decide_due

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.DISMISSED)
    def dismiss(self, by: "User | None" = None, description: str | None = None) -> None:
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.OPEN, target=Status.UPHELD)
    def uphold(self, by: "User | None" = None, description: str | None = None) -> None:
        self.decided_at = timezone.now()
