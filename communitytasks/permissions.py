"""Who may see and do what in community task admission (docs/rules.md §23): rules predicates and
the visibility of tasks. The admission list and the workload are public; a task's parties (the
sending bureau, the community) and the platform admin see every task of theirs, the public the
accepted ones (the published list of approved tasks, FR-12.3)."""

import rules
from django.db.models import Q, QuerySet

from orgs.auth import Caller
from orgs.models import Membership, Organization, User
from orgs.permissions import has_role, is_platform_admin, organization_ids_of
from payments.permissions import finance_bureau_ids

from .models import CommunityTask

Role = Membership.Role
Kind = Organization.Kind
BUREAU_SENDER_ROLES = (Role.OFFICER, Role.ADMIN)
COMMUNITY_ROLES = (Role.ADMIN, Role.MEMBER)


def sending_bureau_ids(user: Caller) -> list[int]:
    """The verified bureaus for which the user sends tasks: as officer or admin."""
    return organization_ids_of(user, *BUREAU_SENDER_ROLES, kind=Kind.BUREAU, verified_only=True)


def admin_bureau_ids(user: Caller) -> list[int]:
    """The verified bureaus whose admission items the user adds: as their admin."""
    return organization_ids_of(user, Role.ADMIN, kind=Kind.BUREAU, verified_only=True)


def community_ids_of(user: Caller) -> list[int]:
    """The verified community committees the user answers tasks for: any member."""
    return organization_ids_of(user, *COMMUNITY_ROLES, kind=Kind.COMMUNITY, verified_only=True)


def community_members_of(community_id: int) -> QuerySet[User]:
    """Who is told of a task sent to the community: its members."""
    return User.objects.filter(
        memberships__organization_id=community_id, memberships__role__in=COMMUNITY_ROLES, is_active=True
    ).distinct()


@rules.predicate
def may_add_admission_item(user: Caller) -> bool:
    return is_platform_admin(user) or bool(admin_bureau_ids(user))


@rules.predicate
def is_sender_of(user: Caller, bureau: Organization) -> bool:
    """An officer or admin of the verified bureau (the task's sender, or the one proposing)."""
    return has_role(user, bureau.id, *BUREAU_SENDER_ROLES)


@rules.predicate
def may_send_tasks(user: Caller) -> bool:
    return bool(sending_bureau_ids(user))


@rules.predicate
def is_task_sender(user: Caller, task: CommunityTask) -> bool:
    return has_role(user, task.bureau_id, *BUREAU_SENDER_ROLES)


@rules.predicate
def is_task_community(user: Caller, task: CommunityTask) -> bool:
    return has_role(user, task.community_id, *COMMUNITY_ROLES)


@rules.predicate
def is_task_finance(user: Caller, task: CommunityTask) -> bool:
    """The sending bureau's finance staff pay its tasks' funding."""
    return task.bureau_id in finance_bureau_ids(user)


@rules.predicate
def awaits_voucher(user: Caller, task: CommunityTask) -> bool:
    """The treasury order of an accepted task's funding waits for its bank voucher."""
    disbursement = task.disbursement
    return (
        task.status == CommunityTask.Status.ACCEPTED
        and disbursement is not None
        and disbursement.awaits_voucher
    )


def community_tasks_visible_to(tasks: QuerySet[CommunityTask], user: Caller) -> QuerySet[CommunityTask]:
    """``CommunityTask.objects.visible_to(user)``: the public sees accepted tasks; the sending
    bureau's members and the community's members see all of theirs; the admin sees all."""
    tasks = tasks.select_related("bureau", "community", "admission_item", "disbursement")
    if is_platform_admin(user):
        return tasks
    own = organization_ids_of(user, verified_only=False)
    return tasks.filter(
        Q(status__in=CommunityTask.ACCEPTED_STATUSES) | Q(bureau_id__in=own) | Q(community_id__in=own)
    )


# The permissions of community task admission, registered by ``CommunityTasksConfig.ready()``.
PERMISSIONS: dict[str, rules.Predicate] = {
    "communitytasks.add_admission_item": may_add_admission_item,
    "communitytasks.send_tasks": may_send_tasks,
    "communitytasks.send_task_for": is_sender_of,
    "communitytasks.accept_task": is_task_community,
    "communitytasks.refuse_task": is_task_community,
    "communitytasks.withdraw_task": is_task_sender,
    "communitytasks.complete_task": is_task_sender,
    "communitytasks.pay_task": is_task_finance,
    "communitytasks.confirm_task_payment": is_task_finance & awaits_voucher,
}

# Each API verb: (the transition's method, or None, and the permission); see orgs.permissions.
TASK_TRANSITIONS = {
    "accept": ("accept", "communitytasks.accept_task"),
    "refuse": ("refuse", "communitytasks.refuse_task"),
    "withdraw": ("withdraw", "communitytasks.withdraw_task"),
    "confirm-payment": (None, "communitytasks.confirm_task_payment"),
    "complete": ("complete", "communitytasks.complete_task"),
}
