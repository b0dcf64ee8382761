"""Writes of community task admission (docs/rules.md §23). Every transition runs through
``run_transition`` and is logged. Lock order: the task, then its budget line (``commitment_hold``),
then its disbursement (payments)."""

import datetime
import logging

import rules
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import Forbidden, Invalid, InvalidTransition
from common.notifications import notify_after_commit
from common.transitions import run_transition
from marketplace.models import BudgetLine
from marketplace.services import commitment_hold
from orgs.models import Organization, User
from payments import services as payments

from .errors import CommunityTasksError
from .models import AdmissionItem, CommunityTask
from .permissions import admin_bureau_ids, community_members_of

logger = logging.getLogger(__name__)


def admission_item_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    funding_per_year: int | None = None,
    bureau: Organization | None = None,
) -> AdmissionItem:
    """The platform admin adds district-wide items (no bureau) or a bureau's; a bureau admin adds
    items of the bureau it administers (its only one, or the one named)."""
    if not rules.has_perm("communitytasks.add_admission_item", actor):
        raise Forbidden()
    if not actor.is_superuser:
        own = admin_bureau_ids(actor)
        if bureau is None:
            if len(own) > 1:
                raise Invalid({"bureau": [_("You act for several organisations: name one.")]})
            bureau = Organization.objects.get(pk=own[0])
        elif bureau.pk not in own:
            raise Forbidden()
    if bureau is not None and bureau.kind != Organization.Kind.BUREAU:
        raise Invalid({"bureau": [_("Admission items belong to bureaus.")]})
    return AdmissionItem.objects.create(
        bureau=bureau, name=name, description=description, funding_per_year=funding_per_year, created_by=actor
    )


def _check_dates(starts: datetime.date, ends: datetime.date) -> None:
    if starts < timezone.localdate():
        raise Invalid(
            {"starts": [_("The task cannot start in the past.")]}, code=CommunityTasksError.INVALID_DATES
        )
    if ends < starts:
        raise Invalid(
            {"ends": [_("The task must end on or after the day it starts.")]},
            code=CommunityTasksError.INVALID_DATES,
        )


@transaction.atomic
def community_task_propose(
    *,
    actor: User,
    community: Organization,
    title: str,
    scope: str,
    starts: datetime.date,
    ends: datetime.date,
    funding_amount: int,
    budget_line: BudgetLine,
    admission_item: AdmissionItem | None = None,
) -> CommunityTask:
    """A bureau's officer or admin sends a task to a verified community committee within the
    bureau's jurisdiction, with its scope, dates (Asia/Shanghai, not in the past) and funding from
    one of the bureau's budget lines (zero: an unfunded task, which the community may refuse)."""
    if not rules.has_perm("communitytasks.send_tasks", actor):
        raise Forbidden()
    bureau = budget_line.bureau
    if not rules.has_perm("communitytasks.send_task_for", actor, bureau):
        raise Invalid(
            {"budget_line": [_("Choose a budget line of your own bureau.")]},
            code=CommunityTasksError.BUDGET_LINE_NOT_OF_BUREAU,
        )
    if community.kind != Organization.Kind.COMMUNITY or not community.is_verified:
        raise Invalid(
            {"community": [_("Choose a verified community committee.")]},
            code=CommunityTasksError.NOT_A_COMMUNITY,
        )
    jurisdiction = bureau.jurisdiction
    if (
        jurisdiction is None
        or community.jurisdiction is None
        or not jurisdiction.contains(community.jurisdiction)
    ):
        raise Invalid(
            {"community": [_("The community is outside your bureau's jurisdiction.")]},
            code=CommunityTasksError.COMMUNITY_OUTSIDE_JURISDICTION,
        )
    if admission_item is not None and admission_item.bureau_id not in (None, bureau.pk):
        raise Invalid(
            {"admission_item": [_("Choose an item of the district's list or of your own bureau.")]},
            code=CommunityTasksError.ADMISSION_ITEM_NOT_OF_BUREAU,
        )
    _check_dates(starts, ends)
    task: CommunityTask = CommunityTask.objects.create(
        bureau=bureau,
        community=community,
        admission_item=admission_item,
        title=title,
        scope=scope,
        starts=starts,
        ends=ends,
        funding_amount=funding_amount,
        budget_line=budget_line,
        proposed_by=actor,
    )
    notify_after_commit(
        user_ids=list(community_members_of(community.pk).values_list("id", flat=True)),
        subject=_("A task was sent to your community"),
        body=_(
            "%(bureau)s asks your community to take on “%(title)s”. Accept or refuse it at /community/tasks/."
        )
        % {"bureau": bureau.name, "title": title},
    )
    return task


def _locked(task: CommunityTask) -> CommunityTask:
    locked: CommunityTask = (
        CommunityTask.objects.select_for_update(of=("self",))
        .select_related("bureau", "community", "disbursement")
        .get(pk=task.pk)
    )
    return locked


def pay_due_by(task: CommunityTask) -> datetime.date:
    """The day from which the task's funding is paid: ``COMMUNITY_TASK_PAY_DAYS_BEFORE`` days
    before it starts, so the money is there when the work begins."""
    return task.starts - datetime.timedelta(days=settings.COMMUNITY_TASK_PAY_DAYS_BEFORE)


@transaction.atomic
def community_task_accept(*, actor: User, task: CommunityTask) -> CommunityTask:
    """A member of the community accepts a proposed task. A funded task's funding is held on its
    budget line at once (409 ``budget_insufficient`` if the line has not that much available, and
    the task stays proposed); it is paid before the task starts (``community_task_pay``)."""
    task = _locked(task)
    if not rules.has_perm("communitytasks.accept_task", actor, task):
        raise Forbidden()
    run_transition(task, task.accept, by=actor)
    if task.funding_amount > 0:
        task.commitment = commitment_hold(
            budget_line=task.budget_line, amount=task.funding_amount, purpose=f"community-task:{task.pk}"
        )
        task.save(update_fields=["commitment"])
    if task.funding_amount > 0 and timezone.localdate() >= pay_due_by(task):
        from .tasks import community_task_pay_task

        community_task_pay_task.delay_on_commit(task.pk)
    return task


@transaction.atomic
def community_task_refuse(*, actor: User, task: CommunityTask, reason: str) -> CommunityTask:
    """A member of the community refuses a proposed task, with a reason (400 ``reason_required``
    without). The refusal is never counted against the community; one of an unlisted or unfunded
    task is recorded as such (``refusal_protected``)."""
    task = _locked(task)
    if not rules.has_perm("communitytasks.refuse_task", actor, task):
        raise Forbidden()
    reason = reason.strip()
    if not reason:
        raise Invalid(
            {"reason": [_("Say why the community refuses the task.")]},
            code=CommunityTasksError.REASON_REQUIRED,
        )
    return run_transition(task, task.refuse, by=actor, reason=reason, description=reason)


@transaction.atomic
def community_task_withdraw(*, actor: User, task: CommunityTask, reason: str = "") -> CommunityTask:
    """The sending bureau withdraws a task the community has not answered yet."""
    task = _locked(task)
    if not rules.has_perm("communitytasks.withdraw_task", actor, task):
        raise Forbidden()
    return run_transition(task, task.withdraw, by=actor, reason=reason.strip(), description=reason.strip())


@transaction.atomic
def community_task_complete(*, actor: User, task: CommunityTask) -> CommunityTask:
    """The sending bureau records the task done: once its funding was paid (or at once if it had
    none)."""
    task = _locked(task)
    if not rules.has_perm("communitytasks.complete_task", actor, task):
        raise Forbidden()
    return run_transition(task, task.complete, by=actor)


def _fund_if_paid(task: CommunityTask, by: User | None = None) -> CommunityTask:
    disbursement = task.disbursement
    if (
        task.status == CommunityTask.Status.ACCEPTED
        and disbursement is not None
        and disbursement.status == disbursement.Status.SUCCEEDED
    ):
        run_transition(task, task.fund, by=by, description=reasons.TASK_FUNDING_PAID)
    return task


def community_task_pay(*, task_id: int) -> CommunityTask:
    """Pay an accepted task's funding to the community (the beat runs it from ``pay_due_by``).
    Idempotent: the task's one disbursement is created under the task's lock with the key
    ``community-task:<id>:v1`` and sent by payments, which never sends a paid one again; the task
    is funded once the money has arrived (a Stripe transfer at once, a treasury order when the
    bureau's finance confirms its voucher)."""
    with transaction.atomic():
        task = _locked(CommunityTask(pk=task_id))
        if task.status != CommunityTask.Status.ACCEPTED or task.funding_amount == 0:
            return task
        if task.disbursement is None:
            task.disbursement = payments.disbursement_request(
                payer=task.bureau,
                payee=task.community,
                amount=task.funding_amount,
                idempotency_key=f"community-task:{task.pk}:v1",
                purpose=f"community-task:{task.pk} {task.title}",
            )
            task.save(update_fields=["disbursement"])
        disbursement_id = task.disbursement.pk
    payments.disbursement_execute(disbursement_id=disbursement_id)  # sends, holding no lock
    with transaction.atomic():
        return _fund_if_paid(_locked(task))


@transaction.atomic
def community_task_confirm_payment(*, actor: User, task: CommunityTask, voucher_number: str) -> CommunityTask:
    """The bureau's finance confirms the treasury order of the task's funding with its bank
    voucher; the task is funded."""
    task = _locked(task)
    if not rules.has_perm("communitytasks.pay_task", actor, task):
        raise Forbidden()
    if not rules.has_perm("communitytasks.confirm_task_payment", actor, task) or task.disbursement is None:
        raise InvalidTransition()
    task.disbursement = payments.disbursement_confirm(
        actor=actor, disbursement=task.disbursement, voucher_number=voucher_number
    )
    return _fund_if_paid(task, by=actor)
