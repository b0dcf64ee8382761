"""Preparing a bid as a task list (GOV.UK "Complete multiple tasks") backed by a draft Bid: the
first saved section creates the draft (``bid_create``), later ones update it (``bid_update``);
check answers, then ``bid_submit``. The services decide who may bid and what a valid bid is."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError
from common.money import fen_to_yuan
from common.transitions import transitions_available
from marketplace import services
from marketplace.errors import MarketplaceError
from marketplace.models import Bid, Tender
from marketplace.permissions import BID_TRANSITIONS
from marketplace.selectors import own_standing, tender_list

from ..access import area_required
from ..challenges.views import may_challenge
from ..documents.views import documents_block
from ..forms import add_service_error
from ..task_list import CANNOT_START, COMPLETED, IN_PROGRESS, NOT_STARTED, STATUS_LABELS
from .common import actor, posted, provider_organization, status_context
from .forms import (
    DECLARATION_LABELS,
    DeclarationsForm,
    PriceForm,
    SectionForm,
    StaffingPlanForm,
    TechnicalProposalForm,
)
from .views import member_provider_ids, taking_part

SESSION_DONE = "provider_bid_sections_done"

# slug → (title, form, the service field a section's errors come back on → form field)
SECTIONS: dict[str, tuple[Any, type[SectionForm], dict[str, str]]] = {
    "price": (gettext_lazy("Price"), PriceForm, {"price_amount": "price"}),
    "technical-proposal": (gettext_lazy("Technical proposal"), TechnicalProposalForm, {}),
    "staffing-plan": (gettext_lazy("Staffing plan"), StaffingPlanForm, {}),
    "declarations": (gettext_lazy("Declarations"), DeclarationsForm, {}),
}
FIRST_SECTION = "price"  # a draft bid needs a price, so the others start once it is saved


def _tender(request: HttpRequest, pk: int) -> Tender:
    return get_object_or_404(tender_list(user=request.user), pk=pk)


def _own_bids(request: HttpRequest) -> Any:
    return Bid.objects.visible_to(request.user).filter(provider_id__in=member_provider_ids(request.user))


def _draft(request: HttpRequest, tender: Tender) -> Bid | None:
    organization = provider_organization(request)
    return (
        _own_bids(request)
        .filter(tender=tender, provider=organization, status=Bid.Status.DRAFT)
        .order_by("-id")
        .first()
    )


def _done(request: HttpRequest, bid: Bid | None) -> set[str]:
    if bid is None:
        return set()
    return set(request.session.get(SESSION_DONE, {}).get(str(bid.pk), []))


def _mark(request: HttpRequest, bid: Bid, section: str, completed: bool) -> None:
    done = request.session.get(SESSION_DONE, {})
    sections = set(done.get(str(bid.pk), []))
    if completed:
        sections.add(section)
    else:
        sections.discard(section)
    done[str(bid.pk)] = sorted(sections)
    request.session[SESSION_DONE] = done


def _has_answer(bid: Bid, section: str) -> bool:
    if section == "price":
        return bool(bid.price_amount)
    if section == "technical-proposal":
        return bool(bid.technical_proposal)
    if section == "staffing-plan":
        return bool(bid.staffing_plan)
    return any(bid.declarations.values())


def _declarations_shown(bid: Bid) -> list[tuple[Any, bool]]:
    """Each declaration's label and whether the bidder made it, for the check and detail pages."""
    return [(DECLARATION_LABELS[key], made) for key, made in bid.declarations.items()]


def _section_status(request: HttpRequest, bid: Bid | None, section: str) -> str:
    if bid is None:
        return NOT_STARTED if section == FIRST_SECTION else CANNOT_START
    if section in _done(request, bid):
        return COMPLETED
    return IN_PROGRESS if _has_answer(bid, section) else NOT_STARTED


def _all_completed(request: HttpRequest, bid: Bid | None) -> bool:
    return bid is not None and _done(request, bid) >= set(SECTIONS)


def _initial(bid: Bid | None, section: str, done: set[str]) -> dict[str, Any]:
    if bid is None:
        return {}
    initial: dict[str, Any] = {}
    if section in done:
        initial["completed"] = "yes"
    if section == "price" and bid.price_amount:
        initial["price"] = str(fen_to_yuan(bid.price_amount))
    elif section == "technical-proposal":
        initial["technical_proposal"] = bid.technical_proposal
    elif section == "staffing-plan":
        initial["staffing_plan"] = bid.staffing_plan
    elif section == "declarations":
        initial.update(bid.declarations)
    return initial


def _listed_only(block: dict[str, Any]) -> dict[str, Any]:
    """A documents block shown without its add and remove buttons (check answers, receipts)."""
    return {**block, "add_url": None, "can_remove": False}


@area_required("provider")
@taking_part("marketplace.bid_on_tender")
def task_list(request: HttpRequest, pk: int) -> HttpResponse:
    tender = _tender(request, pk)
    bid = _draft(request, tender)
    tasks = []
    for slug, (title, _form, _fields) in SECTIONS.items():
        status = _section_status(request, bid, slug)
        tasks.append(
            {
                "slug": slug,
                "title": title,
                "status": status,
                "status_label": STATUS_LABELS[status],
                "url": None
                if status == CANNOT_START
                else reverse("provider:bid_section", kwargs={"pk": tender.pk, "section": slug}),
            }
        )
    submitted = _own_bids(request).filter(tender=tender, status=Bid.Status.SUBMITTED).first()
    completed_count = sum(task["status"] == COMPLETED for task in tasks)
    return render(
        request,
        "frontend/provider/bid_task_list.html",
        {
            **status_context(provider_organization(request)),
            "tender": tender,
            "bid": bid,
            "tasks": tasks,
            "completed_count": completed_count,
            "section_count": len(tasks),
            "can_check": _all_completed(request, bid),
            "submitted_bid": submitted,
            "documents": documents_block(request, bid) if bid is not None else None,
        },
    )


@area_required("provider")
@taking_part("marketplace.bid_on_tender")
def section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    tender = _tender(request, pk)
    bid = _draft(request, tender)
    if bid is None and section != FIRST_SECTION:
        return redirect("provider:bid", pk=tender.pk)
    title, form_class, field_map = SECTIONS[section]
    form = form_class(posted(request), initial=_initial(bid, section, _done(request, bid)))
    return_to_check = request.GET.get("next") == "check"
    if request.method == "POST" and form.is_valid():
        try:
            if bid is None:
                bid = services.bid_create(
                    actor=actor(request),
                    tender=tender,
                    provider=provider_organization(request),
                    data={"technical_proposal": "", "staffing_plan": "", **form.service_data()},
                )
            else:
                bid = services.bid_update(actor=actor(request), bid=bid, data=form.service_data())
        except ApplicationError as error:
            if (
                error.code == MarketplaceError.DRAFT_EXISTS
            ):  # a colleague started the draft meanwhile: continue it
                messages.info(request, error.message)
                return redirect("provider:bid", pk=tender.pk)
            add_service_error(form, error, field_map)
        else:
            _mark(request, bid, section, form.cleaned_data["completed"] == "yes")
            if return_to_check and _all_completed(request, bid):
                return redirect("provider:bid_check", pk=tender.pk)
            return redirect("provider:bid", pk=tender.pk)
    return render(
        request,
        "frontend/provider/bid_section.html",
        {
            **status_context(provider_organization(request)),
            "form": form,
            "tender": tender,
            "section_title": title,
            "section": section,
            "return_to_check": return_to_check,
        },
    )


@area_required("provider")
@taking_part("marketplace.bid_on_tender")
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check answers; "Submit bid" seals it (the service checks verification, deadline, ceiling
    and declarations, and refuses a second live bid)."""
    tender = _tender(request, pk)
    bid = _draft(request, tender)
    if bid is None or not _all_completed(request, bid):
        return redirect("provider:bid", pk=tender.pk)
    if request.method == "POST":
        try:
            bid = services.bid_submit(actor=actor(request), bid=bid)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("provider:bid_check", pk=tender.pk)
        request.session.get(SESSION_DONE, {}).pop(str(bid.pk), None)
        request.session.modified = True
        return redirect("provider:bid_confirmation", pk=bid.pk)
    return render(
        request,
        "frontend/provider/bid_check.html",
        {
            "tender": tender,
            "bid": bid,
            "declarations": _declarations_shown(bid),
            "documents": _listed_only(documents_block(request, bid)),
        },
    )


@area_required("provider")
def confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(_own_bids(request).exclude(status=Bid.Status.DRAFT), pk=pk)
    return render(
        request,
        "frontend/provider/bid_confirmation.html",
        {"bid": bid, "tender": bid.tender, "documents": _listed_only(documents_block(request, bid))},
    )


@area_required("provider")
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    bid = get_object_or_404(_own_bids(request), pk=pk)
    available = transitions_available(request.user, bid, BID_TRANSITIONS)
    tender = bid.tender
    # docs/rules.md §17.3: a submitted bid that predates an amendment may need withdrawing and resubmitting
    amended_after = (
        tender.amendments.filter(published_at__gt=bid.submitted_at).last()
        if bid.status == Bid.Status.SUBMITTED and bid.submitted_at
        else None
    )
    # docs/rules.md §17.4: once the award notice is out, the bid's own scores, total and rank
    standing = own_standing(bid) if bid.is_opened else None
    criteria = {criterion.pk: criterion for criterion in tender.criteria.all()}
    return render(
        request,
        "frontend/provider/bid_detail.html",
        {
            "bid": bid,
            "tender": tender,
            "declarations": _declarations_shown(bid),
            "documents": _listed_only(documents_block(request, bid)),
            "can_submit": "submit" in available,
            "can_withdraw": "withdraw" in available,
            "amended_after": amended_after,
            "standing": standing,
            "quality_rows": [
                (criteria[pk], score)
                for pk, score in (standing.quality_by_criterion.items() if standing else [])
            ],
            "can_challenge": may_challenge(request.user, bid.tender),
        },
    )


@area_required("provider")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdrawing cannot be undone, so it is confirmed on its own page."""
    bid = get_object_or_404(_own_bids(request), pk=pk)
    if request.method == "POST":
        try:
            services.bid_withdraw(actor=actor(request), bid=bid)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your bid has been withdrawn."))
        return redirect("provider:bid_detail", pk=bid.pk)
    if "withdraw" not in transitions_available(request.user, bid, BID_TRANSITIONS):
        messages.error(request, _("This bid cannot be withdrawn now."))
        return redirect("provider:bid_detail", pk=bid.pk)
    return render(request, "frontend/provider/bid_withdraw.html", {"bid": bid, "tender": bid.tender})
