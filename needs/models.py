"""Residents' needs (居民点单, docs/rules.md §22): a confirmed resident proposes a need for their own
community, other households support it (one each), the community's council (议事会) deliberates and
accepts or rejects it with a negative-list reason, a tender names the accepted needs it answers, and
the need follows the tender and its contract to ``delivered``.

The app sits between orgs and marketplace: marketplace names needs on tenders and moves them through
``needs.services``; this app never imports marketplace (the catalogue item is a lazy reference)."""

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from orgs.models import Area, Household, User

if TYPE_CHECKING:
    from orgs.auth import Caller

# Input bounds, written once for the models, the API serializers and the page forms.
TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
MINUTES_MAX_LENGTH = 10000
EXPLANATION_MAX_LENGTH = 2000


class NeedQuerySet(models.QuerySet["Need"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[Need]":
        """Needs are public (docs/rules.md §22); the rule is ``needs.permissions.needs_visible_to``."""
        from .permissions import needs_visible_to  # the permission module imports the models

        return needs_visible_to(self, user)


class Need(ConcurrentTransitionMixin, models.Model):
    """A need a resident proposed for their community. Who proposed it is kept for notifications
    and is never shown to the public (docs/rules.md §22)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting the council")
        ACCEPTED = "accepted", _("Accepted by the council")
        REJECTED = "rejected", _("Rejected by the council")
        TENDERED = "tendered", _("In a tender")
        CONTRACTED = "contracted", _("Being delivered")
        DELIVERED = "delivered", _("Delivered")

    # While households may still support it: before the council decides, or accepted and in no tender.
    SUPPORTABLE_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)

    class RejectionReason(models.TextChoices):
        """The negative list (负面清单): what a community's council does not buy with public money."""

        PRIVATE_MATTER = "private_matter", _("A private matter of one household")
        OTHER_RESPONSIBLE_BODY = "other_responsible_body", _("Another body is responsible for it")
        GOVERNMENT_FUNCTION = "government_function", _("A function of government, not a service to buy")
        OTHER = "other", _("Another reason (explained)")

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="needs", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    catalogue_item = models.ForeignKey(
        "marketplace.CatalogueItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("catalogue item"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="needs", verbose_name=_("proposing household")
    )
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    status = FSMField(
        default=Status.SUBMITTED, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    supporters = models.PositiveIntegerField(_("supporting households"), default=0)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "status"])]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return self.title

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED)
    def accept(self, by: User | None = None, description: str | None = None) -> None:
        """The council accepted it: the bureau may name it in a tender."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self, by: User | None = None, description: str | None = None) -> None:
        """The council rejected it with a negative-list reason."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACCEPTED, target=Status.TENDERED)
    def tender(self, by: User | None = None, description: str | None = None) -> None:
        """A published tender answers it."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=[Status.TENDERED, Status.CONTRACTED], target=Status.ACCEPTED)
    def reopen(self, by: User | None = None, description: str | None = None) -> None:
        """The tender was cancelled or unsuccessful, or its contract terminated: it waits for another."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.TENDERED, target=Status.CONTRACTED)
    def contract(self, by: User | None = None, description: str | None = None) -> None:
        """The tender's contract was signed: the service is being delivered."""

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.CONTRACTED, target=Status.DELIVERED)
    def deliver(self, by: User | None = None, description: str | None = None) -> None:
        """The contract that answered it was completed."""


class Support(models.Model):
    """A household's support of a need: one per household (the proposer's counts as the first)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="supports", verbose_name=_("need"))
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("resident"))
    created_at = models.DateTimeField(_("supported at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "household"], name="one_support_per_household_per_need")
        ]
        verbose_name = _("support")
        verbose_name_plural = _("supports")

    def __str__(self) -> str:
        return f"{self.need} · {self.household}"


class Deliberation(models.Model):
    """The council's (议事会) deliberation of a need: when, the minutes, the votes and the decision."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted by the council")
        REJECTED = "rejected", _("Rejected by the council")

    need = models.OneToOneField(
        Need, on_delete=models.CASCADE, related_name="deliberation", verbose_name=_("need")
    )
    held_on = models.DateField(_("held on"))
    minutes = models.TextField(_("minutes"), max_length=MINUTES_MAX_LENGTH)
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.CharField(
        _("reason for rejecting"), max_length=24, choices=Need.RejectionReason.choices, blank=True
    )
    explanation = models.TextField(_("explanation"), blank=True, max_length=EXPLANATION_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")

    def __str__(self) -> str:
        return f"{self.need} · {self.get_decision_display()}"
