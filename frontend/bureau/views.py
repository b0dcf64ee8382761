"""The bureau's tenders: list, tender page with its available transitions, cancelling, questions."""

from typing import Any

import rules
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError, PayloadTooLarge
from common.history import history_of
from common.transitions import transitions_available
from contracts.services import award_finalize
from documents.services import check_request_size
from marketplace import services
from marketplace.models import Tender
from marketplace.permissions import TENDER_TRANSITIONS
from marketplace.services.scoring import SCORING_STATUSES

from ..access import area_required
from ..documents.views import documents_block
from ..forms import add_service_error, add_unread_error
from ..post_only import post_only_or_redirect
from .dashboard import contract_url
from .drafts import TenderDraft
from .forms import AmendForm, AnswerForm, CancelForm, CriteriaForm, KpisForm, StatusFilterForm
from .shared import bureau_tenders, get_tender, user_of


@area_required("bureau")
def tender_list_page(request: HttpRequest) -> HttpResponse:
    form = StatusFilterForm(request.GET or None)
    tenders = bureau_tenders(request.user).select_related(None).select_related("catalogue_item")
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status:
        tenders = tenders.filter(status=status)
    context = {
        "form": None,
        "filter_form": form,
        "status": status,
        "tenders": tenders.prefetch_related(None).order_by("-id")[:200],
        "can_create": rules.has_perm(
            "marketplace.change_tender",
            request.user,
            Tender(bureau=request.organization),  # type: ignore[attr-defined]
        ),
    }
    return render(request, "frontend/bureau/tender_list.html", context)


def _tender_context(request: HttpRequest, tender: Tender) -> dict[str, Any]:
    user = request.user
    available = transitions_available(user, tender, TENDER_TRANSITIONS)
    history = [
        {
            "log": log,
            "state": Tender.Status(log.state).label if log.state in Tender.Status.values else log.state,
        }
        for log in history_of(tender)
    ]
    contract = getattr(tender, "contract", None)
    return {
        "tender": tender,
        "available": available,
        "history": history,
        "can_edit": tender.status == Tender.Status.DRAFT
        and rules.has_perm("marketplace.change_tender", user, tender)
        and TenderDraft.fits(tender),
        "can_score": tender.status in SCORING_STATUSES
        and rules.has_perm("marketplace.declare_on_tender", user, tender),
        "can_rank": not tender.is_sealed
        and rules.has_perm("marketplace.view_ranking_of_tender", user, tender),
        "contract_url": contract_url(contract.id) if contract else None,
        "quality_criteria": [c for c in tender.criteria.all() if c.kind == "quality"],
        "price_criteria": [c for c in tender.criteria.all() if c.kind == "price"],
        "documents": documents_block(request, tender),
    }


@area_required("bureau")
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    return render(request, "frontend/bureau/tender_detail.html", _tender_context(request, tender))


def _transition(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    tender = get_tender(request, pk)
    try:
        action(tender)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("bureau:tender", pk=pk)


@post_only_or_redirect("bureau:tender", "pk")
@area_required("bureau")
def tender_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda tender: services.tender_publish(actor=user_of(request), tender=tender),
        _("Tender published: providers can now bid."),
    )


@post_only_or_redirect("bureau:tender", "pk")
@area_required("bureau")
def tender_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        lambda tender: services.tender_close(actor=user_of(request), tender=tender),
        _("Bidding is closed."),
    )


@post_only_or_redirect("bureau:tender", "pk")
@area_required("bureau")
def tender_finalize_award(request: HttpRequest, pk: int) -> HttpResponse:
    # The API finalizes through contracts (which drafts the contract), and so do the pages.
    return _transition(
        request,
        pk,
        lambda tender: award_finalize(actor=user_of(request), tender=tender),
        _("The award is final and the contract has been drafted."),
    )


@area_required("bureau")
def tender_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    if "cancel" not in transitions_available(request.user, tender, TENDER_TRANSITIONS):
        messages.error(request, _("This tender cannot be cancelled now."))
        return redirect("bureau:tender", pk=pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_cancel(actor=user_of(request), tender=tender, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Tender cancelled."))
            return redirect("bureau:tender", pk=pk)
    return render(request, "frontend/bureau/tender_cancel.html", {"tender": tender, "form": form})


@area_required("bureau")
def tender_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Amend a published tender before its deadline (docs/rules.md §17.3)."""
    tender = get_tender(request, pk)
    if "amend" not in transitions_available(request.user, tender, TENDER_TRANSITIONS):
        messages.error(request, _("This tender cannot be amended now."))
        return redirect("bureau:tender", pk=pk)
    # The criteria and KPIs use the draft task list's section forms, with their rules; only where
    # their rows hold all of the tender's (a tender made through the API may have more).
    rows = TenderDraft.fits(tender)
    sections = [(CriteriaForm, "criteria"), (KpisForm, "kpis")] if rows else []
    too_large = None
    if request.method == "POST":
        try:  # before the body is read: a file too large is refused unread (docs/rules.md §17.2)
            check_request_size(request.META.get("CONTENT_LENGTH"))
        except PayloadTooLarge as error:
            too_large = error
    if request.method == "POST" and too_large is None:
        form = AmendForm(request.POST, request.FILES)
        posted = request.POST.copy()
        for _form_class, prefix in sections:
            posted[f"{prefix}-completed"] = "yes"  # every answer is checked, as a completed section
        extra = [form_class(posted, prefix=prefix) for form_class, prefix in sections]
    else:
        form = AmendForm(initial=AmendForm.initial_of(tender))
        extra = [
            form_class(initial=AmendForm.rows_initial_of(tender, prefix), prefix=prefix)
            for form_class, prefix in sections
        ]
        if too_large is not None:
            add_unread_error(form, too_large, "document_file")
    if (
        request.method == "POST"
        and too_large is None
        and all([form.is_valid(), *(section.is_valid() for section in extra)])
    ):
        changes = form.changes_to(tender)
        for section in extra:
            changes.update(AmendForm.rows_changes(tender, section))
        try:
            amendment = services.tender_amend(
                actor=user_of(request),
                tender=tender,
                reason=form.cleaned_data["reason"],
                changes=changes,
                documents=form.documents(),
            )
        except ApplicationError as error:
            add_service_error(form, error, AmendForm.field_map)
        else:
            if amendment.deadline_moved:
                messages.success(
                    request,
                    _("Amendment published. The bid deadline moved to %(deadline)s; bidders have been told.")
                    % {
                        "deadline": timezone.localtime(amendment.tender.bid_deadline).strftime(
                            "%Y-%m-%d %H:%M"
                        )
                    },
                )
            else:
                messages.success(request, _("Amendment published. Bidders have been told."))
            return redirect("bureau:tender", pk=pk)
    context = {
        "tender": tender,
        "form": form,
        "sections": list(zip([_("Scoring criteria"), _("Key performance indicators")], extra, strict=False)),
        "error_rows": form.error_summary() + [row for section in extra for row in section.error_summary()],
        "clarification_days": settings.MARKETPLACE_CLARIFICATION_DAYS,
    }
    status = too_large.status_code if too_large is not None else 200
    return render(request, "frontend/bureau/tender_amend.html", context, status=status)


# --- Questions --------------------------------------------------------------------------------------


@area_required("bureau")
def questions(
    request: HttpRequest, pk: int, answering: int | None = None, bound: AnswerForm | None = None
) -> HttpResponse:
    tender = get_tender(request, pk)
    may_answer = rules.has_perm("marketplace.answer_question_on_tender", request.user, tender)
    rows = []
    for number, question in enumerate(tender.questions.visible_to(request.user).order_by("id"), start=1):
        form = None
        if may_answer and not question.is_answered:
            if bound is not None and question.pk == answering:
                form = bound
            else:
                form = AnswerForm(prefix=f"q{question.pk}", question_number=number)
        rows.append({"number": number, "question": question, "form": form})
    context = {"tender": tender, "rows": rows, "form": bound}
    return render(request, "frontend/bureau/questions.html", context, status=200)


@post_only_or_redirect("bureau:questions", "pk")
@area_required("bureau")
def question_answer(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    visible = tender.questions.visible_to(request.user).order_by("id")
    question = get_object_or_404(visible, pk=question_pk)
    number = list(visible.values_list("pk", flat=True)).index(question.pk) + 1
    form = AnswerForm(request.POST, prefix=f"q{question.pk}", question_number=number)
    if form.is_valid():
        try:
            services.question_answer(
                actor=user_of(request), question=question, answer=form.cleaned_data["answer"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Answer published with the question."))
            return redirect("bureau:questions", pk=pk)
    return questions(request, pk, answering=question.pk, bound=form)
