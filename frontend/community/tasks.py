"""The tasks bureaus send to the committee (docs/rules.md §23): accept one in a click, or refuse it
with a reason — a task not on the admission list or without funding may always be refused, and no
refusal counts against the community. For such a task the reason is already written (what the task
lacks, ``preset_reason``): from the landing page, refusing it takes two clicks; the member may still
change the text, which is recorded as sent."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError
from common.reasons import REASON_MAX_LENGTH
from common.transitions import transitions_available
from communitytasks import services
from communitytasks.models import CommunityTask
from communitytasks.permissions import TASK_TRANSITIONS
from communitytasks.selectors import community_task_list
from orgs.models import Organization, User

from ..access import area_required
from ..forms import GovukForm
from ..post_only import post_only_or_redirect


class RefuseForm(GovukForm):
    reason = forms.CharField(
        label=gettext_lazy("Why does the community refuse this task?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Say why the community refuses the task.")},
    )


def preset_reason(task: CommunityTask) -> str:
    """The reason the refusal form offers for a task the community may always refuse: what the task
    lacks, in the member's language (stored as sent, like any reason typed). Empty otherwise."""
    if not task.is_listed and not task.is_funded:
        return _("The task is not on the community's admission list and comes without funding.")
    if not task.is_listed:
        return _("The task is not on the community's admission list.")
    if not task.is_funded:
        return _("The task comes without funding.")
    return ""


def _refuse_form(task: CommunityTask) -> RefuseForm:
    return RefuseForm(prefix=f"task-{task.pk}", initial={"reason": preset_reason(task)})


def _received(request: HttpRequest) -> QuerySet[CommunityTask]:
    organization: Organization | None = getattr(request, "organization", None)
    tasks = community_task_list(user=request.user)
    return tasks.filter(community=organization) if organization is not None else tasks.none()


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@area_required("community")
def task_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(
    request: HttpRequest, refuse_form: RefuseForm | None = None, refused_pk: int | None = None
) -> HttpResponse:
    tasks = list(_received(request))
    rows: list[dict[str, Any]] = [
        {
            "task": task,
            "verbs": transitions_available(request.user, task, TASK_TRANSITIONS),
            "refuse_form": refuse_form if task.pk == refused_pk and refuse_form else _refuse_form(task),
        }
        for task in tasks
    ]
    context = {
        "proposed": [row for row in rows if row["task"].status == CommunityTask.Status.PROPOSED],
        "answered": [row for row in rows if row["task"].status != CommunityTask.Status.PROPOSED],
        "community": getattr(request, "organization", None),
    }
    return render(request, "frontend/community/tasks.html", context, status=400 if refuse_form else 200)


@area_required("community")
@post_only_or_redirect("community:tasks")
def task_accept(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(_received(request), pk=pk)
    try:
        services.community_task_accept(actor=_user(request), task=task)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Task accepted."))
    return redirect("community:tasks")


@area_required("community")
@post_only_or_redirect("community:tasks")
def task_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(_received(request), pk=pk)
    form = RefuseForm(request.POST, prefix=f"task-{task.pk}")
    if form.is_valid():
        try:
            services.community_task_refuse(
                actor=_user(request), task=task, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Task refused. The refusal does not count against the community."))
        return redirect("community:tasks")
    return _render_list(request, refuse_form=form, refused_pk=task.pk)
