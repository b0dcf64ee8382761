"""Resident pages: sign-up with a household code, the services the household may rate, its ratings,
and the rating journey — one question per page (GOV.UK D5), answers kept in the session until the
check-answers page sends them to ``evaluations.services``. Every rule about who may rate what and
when (windows, one rating per household, quarantine) is the service's; these pages show its refusal."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.client_address import client_address
from common.errors import ApplicationError
from contracts.models import Contract
from contracts.selectors import contract_list
from evaluations import services as evaluation_services
from evaluations.models import Evaluation, Rating
from evaluations.selectors import rateable_contracts
from orgs import services as org_services
from orgs.models import Resident

from ..access import area_required, areas_of
from ..forms import add_service_error
from ..post_only import post_only_or_redirect
from ..throttling import throttle_posts
from ..waiting import tasks_for
from .forms import (
    NOT_RECEIVED,
    CommentForm,
    PhoneCodeForm,
    ResolvedForm,
    SatisfactionForm,
    SendForm,
    SignupForm,
    satisfaction_answer,
    satisfaction_label,
    satisfaction_value,
)

SESSION_KEY = "resident_rating_answers"
STEPS = ("satisfaction", "resolved", "comment", "check")


def reference(rating: Rating) -> str:
    """The reference number residents quote: the rating's id."""
    return f"R-{rating.pk:06d}"


def _own_ratings(user: Any) -> QuerySet[Rating]:
    """The ratings of the resident's household (visible to them by the app's rule)."""
    return (
        Rating.objects.visible_to(user)
        .filter(household_id=user.resident.household_id)
        .select_related("contract__provider", "evaluation")
    )


def _changeable_until(rating: Rating) -> datetime.datetime | None:
    """When the household may still change the rating, to tell them (and offer the link). Display
    only: ``rating_update`` enforces the rule and its refusal is shown if it disagrees."""
    if rating.evaluation.status != Evaluation.Status.OPEN:
        return None
    until = evaluation_services.rating_edit_deadline(rating)
    return until if until > timezone.now() else None


def _status_text(rating: Rating) -> dict[str, str]:
    """What the rating's state means to a resident: a quarantined rating is "being checked"."""
    if rating.status == Rating.Status.QUARANTINED:
        return {
            "tag": _("Being checked"),
            "colour": "blue",
            "text": _("We check some ratings before they count. You do not need to do anything."),
        }
    if rating.status == Rating.Status.EXCLUDED:
        return {
            "tag": _("Not counted"),
            "colour": "grey",
            "text": _("This rating was checked and will not be counted."),
        }
    if rating.satisfaction == Rating.NOT_RECEIVED:
        return {
            "tag": _("Rating received"),
            "colour": "green",
            "text": _(
                "You told us your household did not receive this service. This is recorded but not scored."
            ),
        }
    return {"tag": _("Rating received"), "colour": "green", "text": ""}


def _rating_row(rating: Rating) -> dict[str, Any]:
    answer = satisfaction_answer(rating.satisfaction)
    return {
        "rating": rating,
        "reference": reference(rating),
        "satisfaction": satisfaction_label(answer),
        "resolved": None if answer == NOT_RECEIVED else rating.get_resolved_display(),
        "status": _status_text(rating),
        "changeable_until": _changeable_until(rating),
    }


def _posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty: nothing chosen is an error), else None."""
    return request.POST if request.method == "POST" else None


# --- Sign-up and home ---------------------------------------------------------------------------


@throttle_posts("anon_write")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """``/accounts/signup/``: a resident registers with the household code; signed in on success."""
    if "resident" in areas_of(request.user):
        return redirect("resident:home")
    form = SignupForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            resident = org_services.resident_register(**form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            login(request, resident.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Your account has been created. Next, we confirm that you live in the household.")
            )
            return redirect("resident:home")
    return render(request, "frontend/resident/signup.html", {"form": form})


@area_required("resident")
def home(request: HttpRequest) -> HttpResponse:
    resident = request.user.resident  # type: ignore[union-attr]
    if not resident.is_confirmed:
        return _registration_page(request, resident, PhoneCodeForm())
    rateable = rateable_contracts(user=request.user)
    ratings = [_rating_row(rating) for rating in _own_ratings(request.user)]
    context = {"rateable": rateable, "ratings": ratings, "tasks": tasks_for(request.user, "resident")}
    return render(request, "frontend/resident/home.html", context)


def _registration_page(request: HttpRequest, resident: Resident, form: PhoneCodeForm) -> HttpResponse:
    """A registration not (yet) confirmed: why, and what happens next."""
    context = {"resident": resident, "form": form, "by_phone": bool(resident.household.phone)}
    return render(request, "frontend/resident/registration.html", context)


@area_required("resident")
@post_only_or_redirect("resident:home")
@throttle_posts("anon_write")
def verify_phone(request: HttpRequest) -> HttpResponse:
    """The code sent to the household's phone confirms the registration."""
    form = PhoneCodeForm(request.POST)
    if form.is_valid():
        try:
            org_services.resident_verify_phone(actor=request.user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("You are confirmed as a resident of your household. You can now rate services.")
            )
            return redirect("resident:home")
    resident = Resident.objects.select_related("household").get(user=request.user)
    return _registration_page(request, resident, form)


@area_required("resident")
@post_only_or_redirect("resident:home")
@throttle_posts("anon_write")
def send_phone_code(request: HttpRequest) -> HttpResponse:
    """A new code to the household's phone."""
    try:
        org_services.resident_send_phone_code(actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("We sent a new code to the phone on your household register."))
    return redirect("resident:home")


@area_required("resident")
def rating_detail(request: HttpRequest, rating_id: int) -> HttpResponse:
    """The confirmation page after sending (D4): reference number, what happens next."""
    rating = get_object_or_404(_own_ratings(request.user), pk=rating_id)
    row = _rating_row(rating)
    return render(request, "frontend/resident/rating.html", {**row, "row": row})


# --- The rating journey -------------------------------------------------------------------------


@dataclass
class Journey:
    """One household's answers for a new rating of ``contract``, or for changing ``rating``."""

    contract: Contract
    rating: Rating | None
    key: str
    answers: dict[str, str]

    def url(self, step: str) -> str:
        if self.rating is None:
            name = "rate" if step == "satisfaction" else f"rate_{step}"
            return reverse(f"resident:{name}", kwargs={"contract_id": self.contract.pk})
        return reverse(f"resident:change_{step}", kwargs={"rating_id": self.rating.pk})

    def next_step(self) -> str:
        """The first unanswered question, else the check-answers page (so "Continue" after a
        "Change" link goes back to check answers, D2)."""
        answers = self.answers
        if "satisfaction" not in answers:
            return "satisfaction"
        if answers["satisfaction"] != NOT_RECEIVED and "resolved" not in answers:
            return "resolved"
        if "comment" not in answers:
            return "comment"
        return "check"

    def back_url(self, step: str) -> str:
        if step == "satisfaction":
            return reverse("resident:home") if self.rating is None else self.url("check")
        if step == "resolved":
            return self.url("satisfaction")
        if step == "comment":
            return self.url(
                "satisfaction" if self.answers.get("satisfaction") == NOT_RECEIVED else "resolved"
            )
        return self.url("comment") if self.rating is None else reverse("resident:home")


def _rating_answers(rating: Rating) -> dict[str, str]:
    answers = {"satisfaction": satisfaction_answer(rating.satisfaction), "comment": rating.comment}
    if rating.satisfaction != Rating.NOT_RECEIVED:
        answers["resolved"] = rating.resolved
    return answers


def _journey(
    request: HttpRequest, contract_id: int | None, rating_id: int | None, *, sending: bool = False
) -> Journey:
    """The journey of the URL. A new rating is for a contract the household may rate now (else
    404); when sending, the contract only needs to be visible: the service decides, and its
    refusal is shown. A change is of one of the household's own ratings."""
    stored = request.session.get(SESSION_KEY, {})
    if rating_id is not None:
        rating = get_object_or_404(_own_ratings(request.user), pk=rating_id)
        key = f"rating-{rating.pk}"
        answers = stored.get(key)
        if answers is None:
            answers = _rating_answers(rating)
        return Journey(contract=rating.contract, rating=rating, key=key, answers=dict(answers))
    contract: Contract | None
    if sending:
        contract = get_object_or_404(contract_list(user=request.user), pk=contract_id)
    else:
        rows = rateable_contracts(user=request.user)
        contract = next((row["contract"] for row in rows if row["contract"].pk == contract_id), None)
        if contract is None:
            raise Http404
    key = f"contract-{contract.pk}"
    return Journey(contract=contract, rating=None, key=key, answers=dict(stored.get(key, {})))


def _save(request: HttpRequest, journey: Journey) -> None:
    stored = dict(request.session.get(SESSION_KEY, {}))
    stored[journey.key] = journey.answers
    request.session[SESSION_KEY] = stored


def _forget(request: HttpRequest, journey: Journey) -> None:
    stored = dict(request.session.get(SESSION_KEY, {}))
    stored.pop(journey.key, None)
    request.session[SESSION_KEY] = stored


def _question(
    request: HttpRequest, journey: Journey, step: str, form: Any, template: str = "question.html"
) -> HttpResponse:
    """A one-question page: validate, keep the answer in the session, go to the next question."""
    if request.method == "POST" and form.is_valid():
        answer = form.cleaned_data[step]
        journey.answers[step] = answer
        if step == "satisfaction" and answer == NOT_RECEIVED:
            journey.answers.pop("resolved", None)  # not asked when the service was not received
        _save(request, journey)
        return redirect(journey.url(journey.next_step()))
    context = {"form": form, "journey": journey, "back_url": journey.back_url(step), "step": step}
    return render(request, f"frontend/resident/{template}", context)


@area_required("resident")
@require_http_methods(["GET", "POST"])
def rate_satisfaction(
    request: HttpRequest, contract_id: int | None = None, rating_id: int | None = None
) -> HttpResponse:
    journey = _journey(request, contract_id, rating_id)
    contract = journey.contract
    form = SatisfactionForm(
        _posted(request),
        initial={"satisfaction": journey.answers.get("satisfaction")},
        service=contract.title,
        provider=contract.provider.name,
    )
    return _question(request, journey, "satisfaction", form, "satisfaction.html")


@area_required("resident")
@require_http_methods(["GET", "POST"])
def rate_resolved(
    request: HttpRequest, contract_id: int | None = None, rating_id: int | None = None
) -> HttpResponse:
    journey = _journey(request, contract_id, rating_id)
    if journey.answers.get("satisfaction") in (None, NOT_RECEIVED):
        return redirect(journey.url(journey.next_step()))
    form = ResolvedForm(_posted(request), initial={"resolved": journey.answers.get("resolved")})
    return _question(request, journey, "resolved", form)


@area_required("resident")
@require_http_methods(["GET", "POST"])
def rate_comment(
    request: HttpRequest, contract_id: int | None = None, rating_id: int | None = None
) -> HttpResponse:
    journey = _journey(request, contract_id, rating_id)
    if journey.next_step() in ("satisfaction", "resolved"):
        return redirect(journey.url(journey.next_step()))
    form = CommentForm(_posted(request), initial={"comment": journey.answers.get("comment", "")})
    return _question(request, journey, "comment", form)


def _check_rows(journey: Journey) -> list[dict[str, Any]]:
    answers = journey.answers
    rows = [
        {
            "key": _("How satisfied you are"),
            "value": satisfaction_label(answers["satisfaction"]),
            "url": journey.url("satisfaction"),
            "hidden": _("how satisfied you are"),
        }
    ]
    if answers["satisfaction"] != NOT_RECEIVED:
        rows.append(
            {
                "key": _("Problem resolved"),
                "value": Rating.Resolved(answers["resolved"]).label,
                "url": journey.url("resolved"),
                "hidden": _("whether your problem was resolved"),
            }
        )
    rows.append(
        {
            "key": _("Your comments"),
            "value": answers["comment"],
            "url": journey.url("comment"),
            "hidden": _("your comments"),
        }
    )
    return rows


def _send(request: HttpRequest, journey: Journey) -> Rating:
    answers = journey.answers
    satisfaction = satisfaction_value(answers["satisfaction"])
    # The model needs an answer to "resolved"; a service not received resolved nothing.
    resolved = Rating.Resolved.NO if satisfaction == Rating.NOT_RECEIVED else answers["resolved"]
    values = {"satisfaction": satisfaction, "resolved": resolved, "comment": answers["comment"]}
    if journey.rating is None:
        return evaluation_services.rating_create(
            actor=request.user,  # type: ignore[arg-type]
            contract=journey.contract,
            client_address=client_address(request),
            channel=Rating.Channel.WEB,
            **values,  # type: ignore[arg-type]
        )
    changed = {name: value for name, value in values.items() if getattr(journey.rating, name) != value}
    return evaluation_services.rating_update(actor=request.user, rating=journey.rating, data=changed)  # type: ignore[arg-type]


@area_required("resident")
@throttle_posts("ratings")
@require_http_methods(["GET", "POST"])
def rate_check(
    request: HttpRequest, contract_id: int | None = None, rating_id: int | None = None
) -> HttpResponse:
    """Check answers (D2); "Send rating" calls ``rating_create`` (or ``rating_update``)."""
    sending = request.method == "POST"
    journey = _journey(request, contract_id, rating_id, sending=sending)
    if sending and not journey.answers:
        return redirect("resident:home")  # already sent (a second click): the rating is listed there
    if journey.next_step() != "check":
        return redirect(journey.url(journey.next_step()))
    form = SendForm(request.POST if sending else None)
    if sending and form.is_valid():
        try:
            rating = _send(request, journey)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            _forget(request, journey)
            if journey.rating is not None:
                messages.success(request, _("Your rating has been changed."))
                return redirect("resident:home")
            return redirect("resident:rating", rating_id=rating.pk)
    context = {
        "form": form,
        "journey": journey,
        "rows": _check_rows(journey),
        "back_url": journey.back_url("check"),
        "edit_days": evaluation_services.RATING_EDIT_DAYS,
    }
    return render(request, "frontend/resident/check.html", context)


@area_required("resident")
def change_start(request: HttpRequest, rating_id: int) -> HttpResponse:
    """ "Change your rating": start from the rating as sent, at the check-answers page."""
    journey = _journey(request, None, rating_id)
    _forget(request, journey)
    return redirect(journey.url("check"))
