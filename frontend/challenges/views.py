"""Challenge and complaint pages (docs/rules.md §17.5), calling the same services and selectors as
the API: the provider challenges an award and complains; the bureau replies; the review body
decides."""

from typing import Any, cast

import rules
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from challenges import services
from challenges.models import Challenge, Complaint
from challenges.permissions import CHALLENGE_TRANSITIONS, COMPLAINT_TRANSITIONS
from challenges.selectors import challenges_of_tender, complaint_list, complaints_to_decide, own_challenges
from common.errors import ApplicationError
from common.transitions import transitions_available
from evaluations.models import Appeal
from marketplace.models import Tender
from marketplace.selectors import tender_list
from marketplace.services import standing_award
from orgs.auth import signed_in
from orgs.models import User

from ..access import area_required
from ..bureau.shared import get_tender
from ..documents.views import documents_block, documents_blocks
from ..forms import add_service_error
from ..post_only import post_only_or_redirect
from .forms import ChallengeForm, ComplaintForm, DecisionForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def may_challenge(user: Any, tender: Tender) -> bool:
    """Whether the page offers "Challenge this award": the service's rule
    (``challenges.services.check_may_challenge``)."""
    if not signed_in(user) or tender.status != Tender.Status.AWARD_PROPOSED:
        return False  # the service would refuse too: spare the page the questions
    try:
        services.check_may_challenge(user, tender, standing_award(tender))
    except ApplicationError:
        return False
    return True


def public_challenges(tender: Tender) -> list[dict[str, Any]]:
    """What the public tender page shows: the replied challenges, each with its complaint once
    decided — never the challenger (docs/rules.md §17.5)."""
    replied = Challenge.objects.filter(tender=tender, status__in=Challenge.REPLIED_STATUSES)
    rows = []
    for challenge in replied.select_related("complaint").order_by("submitted_at", "id"):
        complaint = challenge.complaint_or_none
        rows.append(
            {"challenge": challenge, "complaint": complaint if complaint and complaint.is_decided else None}
        )
    return rows


# --- Provider -------------------------------------------------------------------------------------


def _own_challenges(request: HttpRequest) -> QuerySet[Challenge]:
    return own_challenges(user=request.user)


@area_required("provider")
def challenge_new(request: HttpRequest, pk: int) -> HttpResponse:
    tender = get_object_or_404(tender_list(user=request.user), pk=pk)
    try:  # the service's rule, and its reason when it refuses (already challenged, window closed …)
        services.check_may_challenge(request.user, tender, standing_award(tender))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("public:tender", pk=tender.pk)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_submit(
                actor=_user(request), tender=tender, grounds=form.cleaned_data["grounds"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Challenge sent. The bureau must reply by the date shown."))
            return redirect("provider:challenge", pk=challenge.pk)
    return render(request, "frontend/challenges/challenge_form.html", {"tender": tender, "form": form})


@area_required("provider")
def provider_challenges(request: HttpRequest) -> HttpResponse:
    return render(
        request, "frontend/challenges/provider_list.html", {"challenges": list(_own_challenges(request))}
    )


@area_required("provider")
def provider_challenge(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(_own_challenges(request), pk=pk)
    available = transitions_available(request.user, challenge, CHALLENGE_TRANSITIONS)
    return render(
        request,
        "frontend/challenges/provider_detail.html",
        {
            "challenge": challenge,
            "complaint": challenge.complaint_or_none,
            "can_complain": "complain" in available,
            "documents": documents_block(request, challenge),
        },
    )


@area_required("provider")
def complaint_new(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = get_object_or_404(_own_challenges(request), pk=pk)
    if "complain" not in transitions_available(request.user, challenge, CHALLENGE_TRANSITIONS):
        messages.error(request, _("You cannot complain about this challenge now."))
        return redirect("provider:challenge", pk=challenge.pk)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complaint_submit(
                actor=_user(request), challenge=challenge, grounds=form.cleaned_data["grounds"]
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Complaint sent to the finance department."))
            return redirect("provider:challenge", pk=challenge.pk)
    return render(request, "frontend/challenges/complaint_form.html", {"challenge": challenge, "form": form})


# --- Bureau ---------------------------------------------------------------------------------------


def _reply_form(data: Any = None, prefix: str | None = None) -> DecisionForm:
    return DecisionForm(data, prefix=prefix, text_label=_("Your reply"))


@area_required("bureau")
def bureau_challenges(
    request: HttpRequest, pk: int, *, replying: int | None = None, bound: DecisionForm | None = None
) -> HttpResponse:
    tender = get_tender(request, pk)
    rows = []
    challenges = list(challenges_of_tender(user=request.user, tender=tender))
    blocks = documents_blocks(request, challenges)
    for challenge in challenges:
        form = None
        if "reply" in transitions_available(request.user, challenge, CHALLENGE_TRANSITIONS):
            form = bound if replying == challenge.pk else _reply_form(prefix=f"c{challenge.pk}")
        rows.append(
            {
                "challenge": challenge,
                "complaint": challenge.complaint_or_none,
                "form": form,
                "documents": blocks[challenge.pk],
            }
        )
    return render(
        request,
        "frontend/challenges/bureau_list.html",
        {"tender": tender, "rows": rows, "bound": bound},
        status=400 if bound is not None else 200,
    )


@post_only_or_redirect("bureau:challenges", "pk")
@area_required("bureau")
def bureau_challenge_reply(request: HttpRequest, pk: int, challenge_pk: int) -> HttpResponse:
    tender = get_tender(request, pk)
    challenge = get_object_or_404(challenges_of_tender(user=request.user, tender=tender), pk=challenge_pk)
    form = _reply_form(request.POST, prefix=f"c{challenge.pk}")
    if form.is_valid():
        try:
            services.challenge_reply(
                actor=_user(request),
                challenge=challenge,
                decision=form.cleaned_data["decision"],
                reply=form.cleaned_data["text"],
                remedy=form.cleaned_data["remedy"],
            )
        except ApplicationError as error:
            add_service_error(form, error, {"reply": "text"})
        else:
            messages.success(request, _("Reply sent to the challenger and published."))
            return redirect("bureau:challenges", pk=tender.pk)
    return bureau_challenges(request, pk, replying=challenge.pk, bound=form)


# --- Review body ----------------------------------------------------------------------------------


@area_required("review")
def review_home(request: HttpRequest) -> HttpResponse:
    from ..waiting import tasks_for

    to_decide = list(complaints_to_decide(user=request.user))
    organization = request.organization  # type: ignore[attr-defined]
    decided = complaint_list(user=request.user).filter(review_body=organization).exclude(status="open")
    appeals = (
        Appeal.objects.visible_to(request.user)
        .filter(review_body=organization)
        .select_related("evaluation__contract")
        .order_by("-id")[:50]
    )
    return render(
        request,
        "frontend/challenges/review_home.html",
        {
            "to_decide": to_decide,
            "decided": decided[:50],
            "appeals": list(appeals),
            "tasks": tasks_for(request.user, "review"),
        },
    )


@area_required("review")
def review_complaint(request: HttpRequest, pk: int) -> HttpResponse:
    complaint: Complaint = get_object_or_404(complaint_list(user=request.user), pk=pk)
    if not rules.has_perm("challenges.view_complaint_details", request.user, complaint):
        raise Http404
    can_decide = "decide" in transitions_available(request.user, complaint, COMPLAINT_TRANSITIONS)
    form = DecisionForm(request.POST or None, text_label=_("Your reasoning")) if can_decide else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.complaint_decide(
                actor=_user(request),
                complaint=complaint,
                decision=form.cleaned_data["decision"],
                reasoning=form.cleaned_data["text"],
                remedy=form.cleaned_data["remedy"],
            )
        except ApplicationError as error:
            add_service_error(form, error, {"reasoning": "text"})
        else:
            messages.success(request, _("Decision recorded and published."))
            return redirect("review:complaint", pk=complaint.pk)
    return render(
        request,
        "frontend/challenges/review_complaint.html",
        {
            "complaint": complaint,
            "challenge": complaint.challenge,
            "form": form,
            "documents": documents_block(request, complaint.challenge),
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )
