"""Community task admission (权随责走、费随事转, docs/rules.md §23): the district's admission list
and the tasks bureaus send to community committees, which accept or refuse them. Accepting holds
the funding on the bureau's budget line (``marketplace.BudgetCommitment``); the funding is paid to
the community through payments (``payments.Disbursement``) before the task starts."""

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from marketplace.models import BudgetCommitment, BudgetLine
from orgs.models import Organization, User
from payments.models import Disbursement

if TYPE_CHECKING:
    from orgs.auth import Caller

# Input bounds, written once for the models, the API serializers and the page forms.
NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
TITLE_MAX_LENGTH = 200
SCOPE_MAX_LENGTH = 5000


class AdmissionItem(models.Model):
    """An entry of the admission list (准入清单): work a community may be asked to do. An item of a
    bureau (``bureau`` set, added by its admin) admits that bureau's tasks; a district-wide item
    (``bureau`` empty, added by the platform admin) admits any bureau's."""

    bureau = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_items",
        verbose_name=_("bureau"),
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.TextField(_("description"), blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    funding_per_year = models.BigIntegerField(_("funding per year"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_per_year__isnull=True) | Q(funding_per_year__gte=0),
                name="admission_item_funding_non_negative",
            )
        ]
        verbose_name = _("admission item")
        verbose_name_plural = _("admission items")

    def __str__(self) -> str:
        return self.name


class CommunityTaskQuerySet(models.QuerySet["CommunityTask"]):
    def visible_to(self, user: "Caller") -> "models.QuerySet[CommunityTask]":
        """What the user may see; the rule is ``communitytasks.permissions.community_tasks_visible_to``."""
        from .permissions import community_tasks_visible_to  # the permission module imports the models

        return community_tasks_visible_to(self, user)


def _paid_or_unfunded(task: Any) -> bool:
    """A task is completed once its funding was paid, or at once if it had none."""
    return bool(task.status == CommunityTask.Status.FUNDED or task.funding_amount == 0)


class CommunityTask(ConcurrentTransitionMixin, models.Model):
    """A task a bureau sends to a community committee (docs/rules.md §23)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FUNDED = "funded", _("Funded")
        COMPLETED = "completed", _("Completed")

    # The tasks the community took on: the only ones it is assessed on.
    ACCEPTED_STATUSES = (Status.ACCEPTED, Status.FUNDED, Status.COMPLETED)

    bureau = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tasks_sent", verbose_name=_("bureau")
    )
    community = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tasks_received", verbose_name=_("community")
    )
    admission_item = models.ForeignKey(
        AdmissionItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("admission item"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    scope = models.TextField(_("scope"), max_length=SCOPE_MAX_LENGTH)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    funding_amount = models.BigIntegerField(_("funding"))
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="community_tasks", verbose_name=_("budget line")
    )
    status = FSMField(
        default=Status.PROPOSED, choices=Status.choices, protected=True, verbose_name=_("status")
    )
    proposed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # Kept when the community refuses: the task was not on the admission list or had no funding,
    # which the community may always refuse (shown on the workload page).
    refusal_protected = models.BooleanField(_("refusal of an unlisted or unfunded task"), default=False)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    commitment = models.OneToOneField(
        BudgetCommitment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_task",
        verbose_name=_("budget commitment"),
    )
    disbursement = models.OneToOneField(
        Disbursement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_task",
        verbose_name=_("disbursement"),
    )
    funded_at = models.DateTimeField(_("funded at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = CommunityTaskQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(funding_amount__gte=0), name="community_task_funding_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="community_task_ends_after_start"
            ),
        ]
        verbose_name = _("community task")
        verbose_name_plural = _("community tasks")

    def __str__(self) -> str:
        return f"{self.title} · {self.community}"

    @property
    def is_listed(self) -> bool:
        return self.admission_item_id is not None

    @property
    def is_funded(self) -> bool:
        return self.funding_amount > 0

    @property
    def may_always_refuse(self) -> bool:
        """A task not on the admission list, or without funding, may always be refused."""
        return not (self.is_listed and self.is_funded)

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PROPOSED, target=Status.ACCEPTED)
    def accept(self, by: "User | None" = None, description: str | None = None) -> None:
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PROPOSED, target=Status.REFUSED)
    def refuse(self, reason: str = "", by: "User | None" = None, description: str | None = None) -> None:
        self.reason = reason
        self.refusal_protected = self.may_always_refuse
        self.decided_by = by
        self.decided_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.PROPOSED, target=Status.WITHDRAWN)
    def withdraw(self, reason: str = "", by: "User | None" = None, description: str | None = None) -> None:
        self.reason = reason

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ACCEPTED, target=Status.FUNDED)
    def fund(self, by: "User | None" = None, description: str | None = None) -> None:
        """The funding reached the community (the disbursement succeeded)."""
        self.funded_at = timezone.now()

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=[Status.FUNDED, Status.ACCEPTED],
        target=Status.COMPLETED,
        conditions=[_paid_or_unfunded],
    )
    def complete(self, by: "User | None" = None, description: str | None = None) -> None:
        self.completed_at = timezone.now()
