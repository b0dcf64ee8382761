"""The public pages (transparency portal, no sign-in needed): the home page, the tender search, a
tender's terms with its published questions and award, and help with the feedback form. Contracts
and provider profiles are in ``contracts.py``. Everything shown comes through the same selectors
and visibility querysets as the API, so the public sees here exactly what the API shows them."""

import hashlib
import logging
from smtplib import SMTPException
from typing import Any
from urllib.parse import urlencode

import rules
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.paginator import Page, Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common import public_cache
from common.client_address import client_address
from contracts.models import Contract
from marketplace import public_list
from marketplace.filters import TenderFilter
from marketplace.models import Award, Tender
from marketplace.selectors import open_tender_list, tender_list
from needs.models import Need

from ..challenges.views import may_challenge, public_challenges
from ..documents.views import documents_block
from ..htmx import vary_on_htmx, wants_fragment
from ..navigation import areas_with_links
from ..waiting import tasks_for
from .contracts import contract_detail, provider_detail
from .forms import FeedbackForm, TenderSearchForm
from .payouts import tender_payout_block
from .reads import public_provider_ids, visible_contracts
from .receipts import may_check_receipt

__all__ = ["contract_detail", "help_page", "home", "provider_detail", "tender_detail", "tender_list_page"]

PAGE_SIZE = 20
HOME_LIST_SIZE = 10
AWARD_STATUSES = (Tender.Status.AWARD_PROPOSED, Tender.Status.AWARDED)
FEEDBACK_LIMIT = 10  # messages per client address per hour
FEEDBACK_WINDOW = 3600


def _area_links(user: Any) -> list[dict[str, Any]]:
    """Each role area of the user with its pages and how many items wait there."""
    return [{"area": area, "waiting": len(tasks_for(user, area.area))} for area in areas_with_links(user)]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    open_qs = open_tender_list(user=user).prefetch_related(None)
    awarded = list(
        tender_list(user=user)
        .filter(status=Tender.Status.AWARDED)
        .prefetch_related(None)
        .select_related("contract__provider")
        .order_by("-awarded_at", "-id")[:HOME_LIST_SIZE]
    )
    contract_ids = set(
        visible_contracts(user).filter(tender__in=[t.pk for t in awarded]).values_list("id", flat=True)
    )
    provider_ids = public_provider_ids(
        user, [t.contract.provider_id for t in awarded if hasattr(t, "contract")]
    )
    active = visible_contracts(user).filter(status=Contract.Status.ACTIVE)
    figures = active.aggregate(value=Sum("value_amount"))
    context = {
        "open_tenders": list(open_qs.order_by("bid_deadline", "id")[:HOME_LIST_SIZE]),
        "open_count": open_qs.count(),
        "active_count": active.count(),
        "active_value": figures["value"] or 0,
        "awarded": [
            {
                "tender": tender,
                "contract": tender.contract if tender.contract.pk in contract_ids else None,
            }
            for tender in awarded
            if hasattr(tender, "contract")
        ],
        "area_links": _area_links(user),
        "public_provider_ids": provider_ids,
    }
    return render(request, "frontend/public/home.html", context)


# --- Tender search ---------------------------------------------------------------------------------


def _page_url(query: QueryDict, number: int) -> str:
    params = query.copy()
    params["page"] = str(number)
    return reverse("public:tenders") + "?" + params.urlencode()


def pagination(page: Page, query: QueryDict) -> dict[str, Any] | None:
    """The GOV.UK pagination component's items: previous, numbered pages with ellipses, next."""
    if page.paginator.num_pages <= 1:
        return None
    query = query.copy()
    query.pop("page", None)
    items: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == Paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append(
                {"number": number, "url": _page_url(query, int(number)), "current": number == page.number}
            )
    return {
        "previous": _page_url(query, page.previous_page_number()) if page.has_previous() else None,
        "next": _page_url(query, page.next_page_number()) if page.has_next() else None,
        "items": items,
    }


def csrf_placeholder() -> str:
    """Stands for the CSRF token in a cached page; each answer gets its own (masked) token in its
    place. Derived from SECRET_KEY, so no one can put it in a query or a title to have a visitor's
    token written where it does not belong."""
    return salted_hmac("shequ.public-cache.csrf-placeholder", "", algorithm="sha256").hexdigest()


def tender_list_page(request: HttpRequest) -> HttpResponse:
    """Search and filters (the API's ``TenderFilter``: q, category, area subtree, status) over the
    tenders the user may see. A plain GET form; with htmx only the results region is swapped.
    Anonymous visitors with no message waiting are served from the public cache
    (common/public_cache.py): the page is stored with a placeholder for the CSRF token."""
    if request.user.is_authenticated or not public_cache.enabled() or len(messages.get_messages(request)):
        return _tender_list_page(request)
    # the whole page or the results fragment (not htmx's history restore, which wants the page)
    entry = public_cache.Entry(request, "page-tenders", "fragment" if wants_fragment(request) else "page")
    placeholder = csrf_placeholder()
    body = entry.body(lambda: _tender_list_page(request, csrf_token=placeholder).content)
    body = body.replace(placeholder.encode(), get_token(request).encode())
    return vary_on_htmx(HttpResponse(body))


# The unbound filter form's fields as HTML, per language and content of its choices (a few per process).
_FILTER_FIELDS: dict[tuple[str, str], str] = {}
_FILTER_FIELDS_KEPT = 16


def filter_fields(form: TenderSearchForm) -> str | None:
    """The unbound search form's fields, rendered once per process for each language and content of
    the categories and areas it offers (a third of the page's time was redrawing them), so never
    out of date: the choices are read on every request, only their rendering is kept. None for a
    bound form (its values and errors are the visitor's)."""
    if form.is_bound:
        return None
    choices = [list(form.fields[name].queryset.values_list()) for name in ("catalogue_item", "area")]  # type: ignore[attr-defined]
    key = (get_language() or "", hashlib.sha256(repr(choices).encode()).hexdigest())
    html = _FILTER_FIELDS.get(key)
    if html is None:
        html = render_to_string("frontend/public/includes/filter_fields.html", {"form": form})
        while len(_FILTER_FIELDS) >= _FILTER_FIELDS_KEPT:
            _FILTER_FIELDS.pop(next(iter(_FILTER_FIELDS)))
        _FILTER_FIELDS[key] = html
    return html


def _tender_list_page(request: HttpRequest, **extra: Any) -> HttpResponse:
    form = TenderSearchForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid values are reported and left out; the valid ones still apply
    data = form.filter_data()
    filterset = TenderFilter(data=data, queryset=tender_list(user=request.user))
    # the lean read (marketplace.public_list): the columns a row shows; an anonymous visitor's count
    # is kept per version of the public cache and filter, a signed-in user's (their drafts) counted
    scope = urlencode(sorted((key, str(value)) for key, value in data.items()))
    tenders = filterset.qs
    paging = public_list.counting_paginator(tenders, None if request.user.is_authenticated else scope)
    paginator = paging(public_list.summary_values(tenders.order_by("-id")), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "tenders": public_list.tender_summaries(page.object_list),
        "pagination": pagination(page, request.GET),
        "total": paginator.count,
        **extra,
    }
    if wants_fragment(request):
        template = "frontend/public/includes/tender_results.html"
    else:
        template = "frontend/public/tender_list.html"
        context["filter_fields"] = filter_fields(form)
    return vary_on_htmx(render(request, template, context))


# --- One tender ------------------------------------------------------------------------------------


def tender_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    tenders = tender_list(user=user).select_related("proposed_bid__provider")
    tender = get_object_or_404(tenders, pk=pk)
    questions = tender.questions.visible_to(user).filter(answered_at__isnull=False).order_by("answered_at")
    contract = visible_contracts(user).filter(tender=tender).select_related("provider").first()
    winner = tender.proposed_bid if tender.status in AWARD_STATUSES else None
    # the notice: the standing award, or the latest annulled one (it stays published as annulled)
    award = Award.objects.visible_to(user).filter(tender=tender).select_related("provider").first()
    provider_ids = [winner.provider_id] if winner else []
    if award:
        provider_ids.append(award.provider_id)
    bidding_open = tender.is_bidding_open
    context = {
        "tender": tender,
        "areas": list(tender.areas.all()),
        "needs": list(Need.objects.visible_to(user).filter(tenders=tender).order_by("id")),
        "kpis": list(tender.kpis.all()),
        "criteria": list(tender.criteria.all()),
        "schedule": list(tender.payment_schedule.all()),
        "questions": list(questions),
        "winner": winner,
        "award": award,
        "amendments": list(tender.amendments.all()),
        "contract": contract,
        "public_provider_ids": public_provider_ids(user, provider_ids),
        "can_bid": bidding_open and rules.has_perm("marketplace.bid_on_tender", user, tender),
        "can_ask": tender.is_accepting_questions
        and rules.has_perm("marketplace.ask_question_on_tender", user, tender),
        "bid_url": f"/provider/tenders/{tender.pk}/bid/",
        "question_url": f"/provider/tenders/{tender.pk}/questions/new/",
        "can_check_receipt": may_check_receipt(user, tender),
        "can_challenge": may_challenge(user, tender),
        "challenge_url": f"/provider/tenders/{tender.pk}/challenge/",
        "challenges": public_challenges(tender),
        "documents": documents_block(request, tender),
        "payout": tender_payout_block(request, tender),
        "on_ceiling": True,
    }
    return render(request, "frontend/public/tender_detail.html", context)


# --- Help and feedback -----------------------------------------------------------------------------


def feedback_recipients() -> list[str]:
    """The site's admins (``ADMINS``), else the service's own address (``DEFAULT_FROM_EMAIL``)."""
    recipients = []
    for admin in getattr(settings, "ADMINS", []) or []:
        address = admin[1] if isinstance(admin, list | tuple) else admin
        if address:
            recipients.append(address)
    return recipients or [settings.DEFAULT_FROM_EMAIL]


logger = logging.getLogger(__name__)


def _client_key(request: HttpRequest) -> str:
    return f"public-feedback:{client_address(request) or 'unknown'}"


def send_feedback(request: HttpRequest, feedback: str, email: str) -> None:
    user: Any = request.user
    reply_to = _("Reply to: %(email)s") % {"email": email or _("Not provided")}
    if user.is_authenticated:
        signed_in = _("Signed in as: %(username)s") % {"username": user.username}
    else:
        signed_in = _("Not signed in")
    language = _("Language: %(language)s") % {"language": get_language()}
    lines = [feedback, "", "---", reply_to, signed_in, language]
    EmailMessage(
        subject=_("Feedback on Shequ community services"),
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=feedback_recipients(),
        reply_to=[email] if email else None,
    ).send(fail_silently=False)


@require_http_methods(["GET", "HEAD", "POST"])
def help_page(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = _client_key(request)
        sent = cache.get(key, 0)
        if sent >= FEEDBACK_LIMIT:
            form.add_error(None, _("You have sent a lot of feedback recently. Try again in an hour."))
        else:
            try:
                send_feedback(request, form.cleaned_data["feedback"], form.cleaned_data["email"])
            except (SMTPException, OSError):  # the mail server is down: keep the text, say so
                logger.exception("feedback mail failed")
                form.add_error(None, _("We could not send your feedback just now. Please try again later."))
            else:
                cache.set(key, sent + 1, FEEDBACK_WINDOW)
                messages.success(request, _("Thank you for your feedback. We read every message."))
                return redirect(reverse("public:help"))
    return render(request, "frontend/public/help.html", {"form": form})
