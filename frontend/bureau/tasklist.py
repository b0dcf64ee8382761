"""Create or edit a draft tender as a task list with a check-answers page (GOV.UK "Complete multiple
tasks"). Answers live in the session (``drafts.TenderDraft``) until "Create draft tender" calls
``tender_create`` (or "Save changes" calls ``tender_update``) with the complete terms."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError, Invalid
from common.money import yuan, yuan_to_fen
from marketplace import services
from marketplace.models import CatalogueItem, Tender
from marketplace.selectors import budget_line_list
from needs.models import Need
from orgs.models import Area, Organization

from ..access import area_required
from ..documents.views import documents_block
from ..task_list import STATUS_LABELS as SECTION_STATUS_LABELS
from . import forms as f
from .drafts import SECTIONS, SECTIONS_BY_SLUG, Section, TenderDraft
from .shared import get_tender, user_of

STATUS_LABELS = {**SECTION_STATUS_LABELS, "problem": gettext_lazy("There is a problem")}
AREA_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY)


class ProblemSummary:
    """What the error summary include and the layout's "Error:" title need, for problems that
    belong to sections rather than to one form."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        self.errors = bool(rows)

    def error_summary(self) -> list[tuple[str, str]]:
        return self.rows


def _urls(pk: int | None) -> dict[str, str]:
    if pk is None:
        return {"tasks": reverse("bureau:tender_new"), "check": reverse("bureau:tender_new_check")}
    return {
        "tasks": reverse("bureau:tender_edit", args=[pk]),
        "check": reverse("bureau:tender_edit_check", args=[pk]),
    }


def _section_url(pk: int | None, slug: str) -> str:
    if pk is None:
        return reverse("bureau:tender_new_section", args=[slug])
    return reverse("bureau:tender_edit_section", args=[pk, slug])


def _budget_lines(request: HttpRequest, bureau: Organization) -> Any:
    return budget_line_list(user=request.user).filter(bureau=bureau)


def _need_choices(bureau: Organization) -> list[tuple[int, str]]:
    """The residents' needs a tender of the bureau may name: accepted by councils in its jurisdiction."""
    if bureau.jurisdiction is None:
        return []
    accepted = Need.objects.filter(
        status=Need.Status.ACCEPTED, community__path__startswith=bureau.jurisdiction.path
    ).select_related("community")
    return [
        (
            need.pk,
            _("%(title)s — %(community)s, %(count)d households")
            % {"title": need.title, "community": need.community.name, "count": need.supporters},
        )
        for need in accepted.order_by("community__path", "-supporters", "pk")
    ]


def _form_options(request: HttpRequest, bureau: Organization, section: Section) -> dict[str, Any]:
    if section.form_class is f.ServiceDetailsForm:
        return {
            "catalogue": [(item.pk, str(item)) for item in CatalogueItem.objects.filter(is_active=True)],
            "needs": _need_choices(bureau),
        }
    if section.form_class is f.AreasBudgetForm:
        areas = []
        if bureau.jurisdiction is not None:
            within = Area.objects.filter(path__startswith=bureau.jurisdiction.path, level__in=AREA_LEVELS)
            areas = [(area.pk, f"{area.name} ({area.get_level_display()})") for area in within]
        budget_lines = list(_budget_lines(request, bureau))
        available = {
            line.pk: line.amount - line.committed  # type: ignore[attr-defined]  # annotated by the selector
            for line in budget_lines
        }
        lines = [
            (
                line.pk,
                _("%(line)s (¥%(available)s available)")
                % {"line": line, "available": yuan(available[line.pk])},
            )
            for line in budget_lines
        ]
        return {"areas": areas, "budget_lines": lines, "available": available}
    return {}


def _context(request: HttpRequest, draft: TenderDraft, tender: Tender | None) -> dict[str, Any]:
    return {"tender": tender, "urls": _urls(draft.pk), "editing": tender is not None}


def _start(request: HttpRequest, pk: int | None) -> tuple[TenderDraft, Tender | None, Organization]:
    if pk is None:
        return TenderDraft(request), None, request.organization  # type: ignore[attr-defined]
    tender = get_tender(request, pk)
    if tender.status != Tender.Status.DRAFT or not TenderDraft.fits(tender):
        raise Http404  # the tender page offers no edit link then
    draft = TenderDraft(request, pk)
    draft.load(tender)
    return draft, tender, tender.bureau


def _task_rows(draft: TenderDraft) -> list[dict[str, Any]]:
    rows = []
    for section in SECTIONS:
        status = draft.status(section.slug)
        rows.append(
            {
                "slug": section.slug,
                "title": section.title,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "url": _section_url(draft.pk, section.slug),
            }
        )
    return rows


@area_required("bureau", "officer")
def task_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    draft, tender, _bureau = _start(request, pk)
    rows = _task_rows(draft)
    problems = [
        (f"task-{section.slug}", message)
        for section in SECTIONS
        for messages_ in draft.problems(section.slug).values()
        for message in messages_
    ]
    check_status = "not_started" if draft.all_completed else "cannot_start"
    context = {
        **_context(request, draft, tender),
        "rows": rows,
        "completed_count": sum(1 for row in rows if row["status"] == "completed"),
        "section_count": len(rows),
        "check_status": check_status,
        "check_status_label": STATUS_LABELS[check_status],
        "form": ProblemSummary(problems),
        "documents": documents_block(request, tender) if tender is not None else None,
    }
    return render(request, "frontend/bureau/tender_tasks.html", context)


def _add_problems(form: f.SectionForm, problems: dict[str, list[str]]) -> None:
    for name, messages_ in problems.items():
        for message in messages_:
            form.add_error(form.field_for(name), message)


@area_required("bureau", "officer")
def section_page(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    draft, tender, bureau = _start(request, pk)
    options = _form_options(request, bureau, section)
    returning_to_check = request.GET.get("return") == "check"
    if request.method == "POST":
        form = section.form_class(request.POST, **options)
        if form.is_valid():
            draft.store(slug, form)
            if returning_to_check and draft.all_completed:
                return redirect(_urls(pk)["check"])
            return redirect(_urls(pk)["tasks"])
    else:
        initial = dict(draft.initial(slug))
        if draft.data(slug) is not None:
            initial["completed"] = "yes" if draft.is_completed(slug) else "no"
        form = section.form_class(initial=initial, **options)
        problems = draft.problems(slug)
        if problems:
            form.full_clean()  # an unbound form: gives it an empty error list to add to
            form.cleaned_data = {}
            _add_problems(form, problems)
    context = {
        **_context(request, draft, tender),
        "section": section,
        "form": form,
        "back_url": _urls(pk)["check"] if returning_to_check else _urls(pk)["tasks"],
    }
    return render(request, f"frontend/bureau/sections/{slug}.html", context)


def _display(form: f.SectionForm, name: str, value: Any) -> str:
    field = form.fields[name]
    if value in (None, "", []):
        return ""
    if name == "ceiling":
        return f"¥{yuan(yuan_to_fen(value))}"
    choices = {str(key): label for key, label in getattr(field, "choices", [])}
    if choices:
        if isinstance(value, list):
            return ", ".join(str(choices.get(str(item), item)) for item in value)
        return str(choices.get(str(value), value))
    return str(value)


def _summary(request: HttpRequest, draft: TenderDraft, bureau: Organization) -> list[dict[str, Any]]:
    cards = []
    for section in SECTIONS:
        form = section.form_class(**_form_options(request, bureau, section))
        data = draft.initial(section.slug)
        rows = []
        for name, field in form.fields.items():
            if name == "completed":
                continue
            shown = _display(form, name, data.get(name))
            is_row_field = name.startswith(("quality_", "kpi_"))
            if is_row_field and not shown:
                continue
            rows.append({"name": name, "label": field.label, "value": shown})
        cards.append(
            {"section": section, "rows": rows, "url": _section_url(draft.pk, section.slug) + "?return=check"}
        )
    return cards


@area_required("bureau", "officer")
def check_answers(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    draft, tender, bureau = _start(request, pk)
    if not draft.all_completed:
        messages.info(request, _("Complete every section before you check your answers."))
        return redirect(_urls(pk)["tasks"])
    if request.method == "POST":
        try:
            terms = draft.terms(_budget_lines(request, bureau))
            if tender is None:
                saved = services.tender_create(actor=user_of(request), bureau=bureau, data=terms)
            else:
                saved = services.tender_update(actor=user_of(request), tender=tender, data=terms)
        except Invalid as error:
            draft.record_problems(error.extra.get("fields") or {"title": [error.message]})
            return redirect(_urls(pk)["tasks"])
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(_urls(pk)["check"])
        draft.clear()
        if tender is None:
            messages.success(request, _("Draft tender created. Check it, then publish it."))
        else:
            messages.success(request, _("Changes to the draft tender saved."))
        return redirect("bureau:tender", pk=saved.pk)
    context = {**_context(request, draft, tender), "cards": _summary(request, draft, bureau)}
    return render(request, "frontend/bureau/tender_check.html", context)


@area_required("bureau", "officer")
def discard(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Throw away the answers in progress (POST), back to the tender or the dashboard."""
    if request.method == "POST":
        TenderDraft(request, pk).clear()
        messages.success(request, _("Your answers have been discarded."))
        return redirect("bureau:tender", pk=pk) if pk else redirect("bureau:tenders")
    return redirect(_urls(pk)["tasks"])
