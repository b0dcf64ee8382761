"""The tasks the bureau sends to community committees (docs/rules.md §23): send one with its scope,
dates and funding; withdraw one not yet answered; finance confirms the treasury order that pays a
task's funding. Every write is a ``communitytasks.services`` call."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError
from common.money import yuan, yuan_to_fen
from common.transitions import transitions_available
from communitytasks import services
from communitytasks.models import SCOPE_MAX_LENGTH, TITLE_MAX_LENGTH, CommunityTask
from communitytasks.permissions import TASK_TRANSITIONS
from communitytasks.selectors import admission_item_list, community_task_list, public_communities
from marketplace.selectors import budget_line_list
from marketplace.services import available_on
from orgs.models import Organization

from ..access import area_required
from ..forms import GovukForm, add_service_error, choices_of
from ..post_only import post_only_or_redirect
from .shared import user_of


class CommunityTaskForm(GovukForm):
    community = forms.TypedChoiceField(label=gettext_lazy("Community committee"), coerce=int)
    admission_item = forms.TypedChoiceField(
        label=gettext_lazy("Item of the admission list"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("A task not on the list may always be refused by the community."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX_LENGTH)
    scope = forms.CharField(
        label=gettext_lazy("Scope of the work"),
        max_length=SCOPE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts = forms.DateField(
        label=gettext_lazy("Starts"),
        help_text=gettext_lazy("For example, 2026-09-30"),
        input_formats=["%Y-%m-%d"],
    )
    ends = forms.DateField(
        label=gettext_lazy("Ends"),
        help_text=gettext_lazy("For example, 2026-12-31"),
        input_formats=["%Y-%m-%d"],
    )
    funding = forms.DecimalField(
        label=gettext_lazy("Funding in yuan"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        help_text=gettext_lazy(
            "Paid to the community before the task starts; 0 sends the task without funding."
        ),
    )
    budget_line = forms.TypedChoiceField(label=gettext_lazy("Budget line"), coerce=int)
    field_map = {"funding_amount": "funding"}

    def __init__(self, *args: Any, communities: Any, items: Any, lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["community"]).choices = [
            ("", _("Choose a community")),
            *communities,
        ]
        cast(forms.ChoiceField, self.fields["admission_item"]).choices = [("", _("Not on the list")), *items]
        cast(forms.ChoiceField, self.fields["budget_line"]).choices = [
            ("", _("Choose a budget line")),
            *lines,
        ]


class VoucherForm(GovukForm):
    voucher_number = forms.CharField(label=gettext_lazy("Bank voucher number"), max_length=255)


def _sent_by_the_bureau(request: HttpRequest) -> QuerySet[CommunityTask]:
    organization: Organization | None = getattr(request, "organization", None)
    tasks = community_task_list(user=request.user)
    return tasks.filter(bureau=organization) if organization is not None else tasks.none()


@area_required("bureau")
def task_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "task": task,
            "verbs": transitions_available(request.user, task, TASK_TRANSITIONS),
            "voucher_form": VoucherForm(prefix=f"task-{task.pk}"),
        }
        for task in _sent_by_the_bureau(request)
    ]
    return render(request, "frontend/bureau/community_tasks.html", {"rows": rows})


@area_required("bureau")
def task_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    bureau: Organization | None = getattr(request, "organization", None)
    communities = public_communities()
    if bureau is not None and bureau.jurisdiction is not None:
        communities = communities.filter(jurisdiction__path__startswith=bureau.jurisdiction.path)
    else:
        communities = communities.none()
    lines = list(budget_line_list(user=user).filter(bureau=bureau))
    line_choices = [(line.pk, f"{line} (¥{yuan(available_on(line))})") for line in lines]
    items = admission_item_list().filter(bureau__isnull=True) | admission_item_list().filter(bureau=bureau)
    form = CommunityTaskForm(
        request.POST if request.method == "POST" else None,
        communities=choices_of(communities),
        items=choices_of(items),
        lines=line_choices,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.community_task_propose(
                actor=user,
                community=get_object_or_404(communities, pk=data["community"]),
                admission_item=items.filter(pk=data["admission_item"]).first()
                if data["admission_item"]
                else None,
                title=data["title"],
                scope=data["scope"],
                starts=data["starts"],
                ends=data["ends"],
                funding_amount=yuan_to_fen(data["funding"]),
                budget_line=get_object_or_404(budget_line_list(user=user), pk=data["budget_line"]),
            )
        except ApplicationError as error:
            add_service_error(form, error, form.field_map)
        else:
            messages.success(request, _("Task sent: the community will accept or refuse it."))
            return redirect("bureau:community_tasks")
    return render(request, "frontend/bureau/community_task_new.html", {"form": form})


@area_required("bureau")
@post_only_or_redirect("bureau:community_tasks")
def task_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(_sent_by_the_bureau(request), pk=pk)
    try:
        services.community_task_withdraw(actor=user_of(request), task=task)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Task withdrawn."))
    return redirect("bureau:community_tasks")


@area_required("bureau")
@post_only_or_redirect("bureau:community_tasks")
def task_confirm_payment(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(_sent_by_the_bureau(request), pk=pk)
    form = VoucherForm(request.POST, prefix=f"task-{task.pk}")
    if not form.is_valid():
        messages.error(request, _("Enter the bank voucher number."))
        return redirect("bureau:community_tasks")
    try:
        services.community_task_confirm_payment(
            actor=user_of(request), task=task, voucher_number=form.cleaned_data["voucher_number"]
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payment confirmed: the task is funded."))
    return redirect("bureau:community_tasks")
