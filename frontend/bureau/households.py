"""The bureau's household import: send a CSV file, then follow the import job's progress (the
page refreshes itself with htmx every two seconds while the job runs, and has a refresh link
without JavaScript). The rules are in ``orgs.imports``; the job is the one the API shows."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from orgs import imports
from orgs.models import HouseholdImport
from orgs.permissions import may_manage_households

from ..access import area_required
from ..forms import GovukForm, add_service_error
from ..htmx import vary_on_htmx, wants_fragment


class HouseholdImportForm(GovukForm):
    file = forms.FileField(
        label=_("Upload a CSV file"),
        help_text=_(
            "The first line is the header code,area: each household's code and the code of its zone, "
            "compound or building. UTF-8, at most 5 MB and 10,000 rows."
        ),
        error_messages={
            "required": _("Select a CSV file"),
            "empty": _("The selected file is empty"),
        },
    )


def _may_import(request: HttpRequest) -> None:
    if not may_manage_households(request.user):  # bureau officers and admins with a jurisdiction
        raise PermissionDenied


@area_required("bureau")
def household_import(request: HttpRequest) -> HttpResponse:
    _may_import(request)
    form = (
        HouseholdImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else HouseholdImportForm()
    )
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.household_import_check_size(upload.size)
            job = imports.household_import_start(
                actor=request.user,  # type: ignore[arg-type]
                file_name=upload.name,
                content=upload.read(),
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect("bureau:household_import_status", pk=job.pk)
    recent = HouseholdImport.objects.visible_to(request.user).select_related("created_by")[:10]
    return render(request, "frontend/bureau/household_import.html", {"form": form, "recent": recent})


@area_required("bureau")
def household_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = HouseholdImport.objects.visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    rows = sorted(job.errors.get("rows", {}).items(), key=lambda item: int(item[0]))
    context = {
        "job": job,
        "file_errors": job.errors.get("file", []),
        "row_errors": rows[:200],
        "more_row_errors": max(len(rows) - 200, 0),
        "percent": round(100 * job.rows_processed / job.rows_total) if job.rows_total else 0,
        "is_waiting": job.status in (HouseholdImport.Status.QUEUED, HouseholdImport.Status.RUNNING),
    }
    if wants_fragment(request):
        return vary_on_htmx(
            render(request, "frontend/bureau/includes/household_import_progress.html", context)
        )
    return vary_on_htmx(render(request, "frontend/bureau/household_import_status.html", context))
