"""Resident registrations awaiting confirmation (docs/rules.md §12.2): the queue of the residents' committee
(``/community/residents/``) and of bureau officers (``/bureau/residents/``), each registration
confirmed or rejected with a reason through ``orgs.services``. Who sees which registration is the
orgs app's rule (``Resident.objects.visible_to``); who may decide is its ``rules`` permission."""

from collections.abc import Callable
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
from orgs import services as org_services
from orgs.models import Resident
from orgs.permissions import BUREAU_RESIDENT_CONFIRMER_ROLES, RESIDENT_TRANSITIONS

from .access import area_required
from .forms import GovukForm, add_service_error

AREA_ROLES = {"community": (), "bureau": BUREAU_RESIDENT_CONFIRMER_ROLES}


class DecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Does this person live in the household?"),
        widget=forms.RadioSelect,
        choices=[
            ("confirm", gettext_lazy("Yes: confirm the registration")),
            ("reject", gettext_lazy("No: reject the registration")),
        ],
        error_messages={"required": gettext_lazy("Choose whether to confirm or reject the registration")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (if you reject)"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The person sees it. Say what they can do, for example visit the committee."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not data.get("reason", "").strip():
            self.add_error("reason", _("Enter why the registration is rejected"))
        return data


def pending_registrations(user: Any) -> QuerySet[Resident]:
    """The registrations the user may decide now, oldest first (for the queue and home pages)."""
    return Resident.objects.visible_to(user).filter(status=Resident.Status.PENDING).exclude(user=user)


def _queue(request: HttpRequest, area: str) -> HttpResponse:
    residents = pending_registrations(request.user).order_by("created_at", "id")
    decided = (
        Resident.objects.visible_to(request.user)
        .exclude(status=Resident.Status.PENDING)
        .order_by("-decided_at", "-id")[:10]
    )
    context = {"area": area, "residents": residents, "decided": decided}
    return render(request, "frontend/registrations/queue.html", context)


def _decide(request: HttpRequest, area: str, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=pk)
    if not transitions_available(request.user, resident, RESIDENT_TRANSITIONS):
        messages.error(request, _("This registration is not awaiting your decision."))
        return redirect(f"{area}:residents")
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "confirm":
                org_services.resident_confirm(actor=request.user, resident=resident)  # type: ignore[arg-type]
                messages.success(request, _("Confirmed. The resident can now rate services."))
            else:
                org_services.resident_reject(
                    actor=request.user,  # type: ignore[arg-type]
                    resident=resident,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Rejected. The person is told why."))
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect(f"{area}:residents")
    return render(
        request, "frontend/registrations/decide.html", {"area": area, "resident": resident, "form": form}
    )


def views_for(area: str) -> tuple[Callable[..., HttpResponse], Callable[..., HttpResponse]]:
    """The queue and decision views of ``area`` ("community" or "bureau")."""
    guard = area_required(area, *AREA_ROLES[area])

    def queue(request: HttpRequest) -> HttpResponse:
        return _queue(request, area)

    def decide(request: HttpRequest, pk: int) -> HttpResponse:
        return _decide(request, area, pk)

    return guard(queue), guard(decide)
