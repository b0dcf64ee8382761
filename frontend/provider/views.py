"""Provider pages: registration (with the eligibility pre-check), the provider's home with its
verification status, browsing tenders and asking questions. Bids are in ``bids.py``, contracts in
``contracts.py``."""

from collections.abc import Callable
from functools import wraps
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import ApplicationError, Invalid
from contracts.selectors import contract_list
from marketplace import services as marketplace_services
from marketplace.filters import TenderFilter
from marketplace.models import Bid, CatalogueItem
from marketplace.selectors import open_tender_list, tender_list
from orgs.models import Area, Organization
from orgs.permissions import member_organization_ids
from orgs.services import PROVIDER_LEGAL_TYPES, provider_register

from ..access import area_required
from ..forms import add_service_error, choices_of
from ..htmx import vary_on_htmx, wants_fragment
from ..navigation import links_of
from ..public.receipts import may_check_receipt
from ..throttling import throttle_posts
from ..waiting import tasks_for
from .common import actor, posted, provider_organization, status_context
from .forms import EligibilityForm, QuestionForm, RegistrationForm, TenderFilterForm

SESSION_LEGAL_TYPE = "provider_register_legal_type"
FILTER_AREA_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET, Area.Level.COMMUNITY)


def member_provider_ids(user: Any) -> list[int]:
    return member_organization_ids(user, kind=Organization.Kind.PROVIDER)


# --- Registration --------------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    """Question 1 (check the service is suitable): the organisation's legal type. Types the
    registration service does not accept go to the "not eligible" page."""
    initial = {"legal_type": request.session.get(SESSION_LEGAL_TYPE)}
    form = EligibilityForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        legal_type = form.cleaned_data["legal_type"]
        request.session[SESSION_LEGAL_TYPE] = legal_type
        if legal_type not in PROVIDER_LEGAL_TYPES:
            return redirect("provider:register_not_eligible")
        return redirect("provider:register_details")
    return render(request, "frontend/provider/register_eligibility.html", {"form": form})


def register_not_eligible(request: HttpRequest) -> HttpResponse:
    legal_type = request.session.get(SESSION_LEGAL_TYPE)
    if legal_type is None or legal_type in PROVIDER_LEGAL_TYPES:
        return redirect("provider:register")
    label = Organization.LegalType(legal_type).label
    return render(request, "frontend/provider/register_not_eligible.html", {"legal_type_label": label})


def _show_registration_errors(form: RegistrationForm, error: ApplicationError) -> None:
    """The service answers ``{"organization": {...}, "admin": {...}}``; each group's fields are
    named like the form's."""
    fields = error.extra.get("fields") if isinstance(error, Invalid) else None
    if not fields:
        add_service_error(form, error)
        return
    for group in fields.values():
        if isinstance(group, dict):
            add_service_error(form, Invalid(group))
        else:
            add_service_error(form, Invalid({"__all__": group}))


@throttle_posts("anon_write")
def register_details(request: HttpRequest) -> HttpResponse:
    legal_type = request.session.get(SESSION_LEGAL_TYPE)
    if legal_type is None:
        return redirect("provider:register")
    if legal_type not in PROVIDER_LEGAL_TYPES:
        return redirect("provider:register_not_eligible")
    form = RegistrationForm(posted(request), initial={"legal_type": legal_type})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            organization = provider_register(
                name=data["name"],
                legal_type=data["legal_type"],
                credit_code=data["credit_code"],
                username=data["username"],
                password=data["password"],
                email=data["email"],
            )
        except ApplicationError as error:
            _show_registration_errors(form, error)
        else:
            admin = organization.memberships.select_related("user").get().user
            login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_LEGAL_TYPE, None)
            return redirect("provider:registered")
    return render(request, "frontend/provider/register_details.html", {"form": form})


@area_required("provider")
def registered(request: HttpRequest) -> HttpResponse:
    """The registration status page: what was received and what happens next."""
    organization = provider_organization(request)
    return render(request, "frontend/provider/registered.html", status_context(organization))


# --- Home ----------------------------------------------------------------------------------------


@area_required("provider")
def home(request: HttpRequest) -> HttpResponse:
    organization = provider_organization(request)
    provider_ids = member_provider_ids(request.user)
    bids = Bid.objects.visible_to(request.user).filter(provider_id__in=provider_ids).order_by("-id")[:20]
    contracts = contract_list(user=request.user).filter(provider_id__in=provider_ids)[:20]
    tenders = open_tender_list(user=request.user).order_by("bid_deadline")[:10]
    context = {
        **status_context(organization),
        "bids": bids,
        "contracts": contracts,
        "tenders": tenders,
        "tasks": tasks_for(request.user, "provider"),
        "links": links_of(request.user, "provider"),
    }
    return render(request, "frontend/provider/home.html", context)


# --- Taking part: only once verified ----------------------------------------------------------------


def taking_part(perm: str) -> Callable:
    """Bid and question pages of tender ``pk``: a member whose organisation may not take part
    (``perm`` refuses: it awaits verification or is suspended) goes back to the tender page, which
    says why and what happens next, instead of a form the service would refuse."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
            tender = get_object_or_404(tender_list(user=request.user), pk=pk)
            if not rules.has_perm(perm, request.user, tender):
                if getattr(request, "organization", None) is None:  # awaiting verification, suspended
                    messages.info(
                        request, _("Your organisation can ask questions and bid once it is verified.")
                    )
                else:
                    messages.error(request, _("Your organisation cannot take part in this tender."))
                return redirect("provider:tender", pk=tender.pk)
            return view(request, pk, *args, **kwargs)

        return wrapped

    return decorator


# --- Tenders -------------------------------------------------------------------------------------


@area_required("provider")
def tenders(request: HttpRequest) -> HttpResponse:
    """Open tenders, filtered with the marketplace's FilterSet (text, category, area subtree)."""
    catalogue = choices_of(CatalogueItem.objects.filter(is_active=True), "name")
    areas = choices_of(Area.objects.filter(level__in=FILTER_AREA_LEVELS), "name")
    form = TenderFilterForm(request.GET or None, catalogue=catalogue, areas=areas)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    queryset = open_tender_list(user=request.user).order_by("bid_deadline")
    results = TenderFilter(filters, queryset=queryset).qs[:50]
    context = {"form": form, "tenders": results, "filtered": bool(filters)}
    if wants_fragment(request):
        return vary_on_htmx(render(request, "frontend/provider/_tender_results.html", context))
    return vary_on_htmx(render(request, "frontend/provider/tender_list.html", context))


@area_required("provider")
def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(tender_list(user=request.user), pk=pk)
    questions = tender.questions.visible_to(request.user)
    my_bids = Bid.objects.visible_to(request.user).filter(
        tender=tender, provider_id__in=member_provider_ids(request.user)
    )
    status = status_context(provider_organization(request))
    return render(
        request,
        "frontend/provider/tender_detail.html",
        {
            **status,
            "tender": tender,
            "questions": questions,
            "my_bids": my_bids,
            "can_check_receipt": may_check_receipt(request.user, tender),
            "can_bid": tender.is_bidding_open
            and status["exclusion"] is None
            and rules.has_perm("marketplace.bid_on_tender", request.user, tender),
            "can_ask": tender.is_accepting_questions
            and rules.has_perm("marketplace.ask_question_on_tender", request.user, tender),
        },
    )


@area_required("provider")
@taking_part("marketplace.ask_question_on_tender")
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(tender_list(user=request.user), pk=pk)
    form = QuestionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            marketplace_services.question_ask(
                actor=actor(request), tender=tender, text=form.cleaned_data["text"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Your question has been sent. The answer will be published on the tender.")
            )
            return redirect("provider:tender", pk=tender.pk)
    return render(
        request,
        "frontend/provider/question_form.html",
        {**status_context(provider_organization(request)), "form": form, "tender": tender},
    )
