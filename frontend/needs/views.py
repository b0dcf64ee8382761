"""Residents' needs on the pages (docs/rules.md §22): a resident proposes a need and supports their
neighbours'; the community committee records its council's decision; anyone follows each need to
the tender, the contract and the satisfaction of those who received the service ("you said, we
did"). Every rule is ``needs.services``'; these pages show its refusals."""

from typing import Any, cast

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.history import history_of
from communitytasks.selectors import public_communities
from contracts.selectors import contract_list
from evaluations.selectors import satisfaction_by_contract
from marketplace.models import Tender
from needs import services
from needs.models import Need
from needs.permissions import community_of, council_paths, is_council_member
from needs.selectors import need_list, supported_need_ids
from orgs.models import Area, User
from orgs.permissions import area_subtree_q, confirmed_resident

from ..access import area_required
from ..forms import add_service_error
from ..post_only import post_only_or_redirect
from ..throttling import throttle_posts
from .forms import DeliberationForm, ProposeForm

PAGE_SIZE = 20
STATUS_COLOURS = {
    Need.Status.SUBMITTED: "blue",
    Need.Status.ACCEPTED: "turquoise",
    Need.Status.REJECTED: "red",
    Need.Status.TENDERED: "purple",
    Need.Status.CONTRACTED: "yellow",
    Need.Status.DELIVERED: "green",
}


def traces(user: Any, needs: list[Need]) -> dict[int, list[dict[str, Any]]]:
    """For each need, the tenders the user may see that answer it, each with its contract (if the
    user may see it) and that contract's public satisfaction — in four queries whatever the number."""
    links = list(
        Tender.needs.through.objects.filter(
            need_id__in=[need.pk for need in needs], tender__in=Tender.objects.visible_to(user)
        ).values_list("need_id", "tender_id")
    )
    tenders = {tender.pk: tender for tender in Tender.objects.filter(pk__in={t for _, t in links})}
    contracts = {c.tender_id: c for c in contract_list(user=user).filter(tender_id__in=list(tenders))}
    satisfaction = satisfaction_by_contract([c.pk for c in contracts.values()])
    result: dict[int, list[dict[str, Any]]] = {need.pk: [] for need in needs}
    for need_id, tender_id in links:
        contract = contracts.get(tender_id)
        result[need_id].append(
            {
                "tender": tenders[tender_id],
                "contract": contract,
                "satisfaction": satisfaction.get(contract.pk) if contract else None,
            }
        )
    return result


def _rows(request: HttpRequest, needs: list[Need]) -> list[dict[str, Any]]:
    resident = confirmed_resident(request.user)
    supported = (
        supported_need_ids(household_id=resident.household_id, need_ids=[n.pk for n in needs])
        if resident
        else set()
    )
    trace = traces(request.user, needs)
    return [
        {
            "need": need,
            "colour": STATUS_COLOURS.get(need.status, ""),
            "supported": need.pk in supported,
            "trace": trace[need.pk],
        }
        for need in needs
    ]


def need_list_page(request: HttpRequest) -> HttpResponse:
    """Every community's needs, newest first, by status; a resident sees their own community's."""
    needs: QuerySet[Need] = need_list(user=request.user).select_related("deliberation")
    chosen = request.GET.get("status", "")
    if chosen in Need.Status.values:
        needs = needs.filter(status=chosen)
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    resident = confirmed_resident(request.user)
    return render(
        request,
        "frontend/needs/list.html",
        {
            "page": page,
            "rows": _rows(request, list(page.object_list)),
            "statuses": Need.Status.choices,
            "chosen": chosen,
            "own_community": community_of(resident.household) if resident else None,
        },
    )


def community_page(request: HttpRequest, pk: int) -> HttpResponse:
    """ "You said, we did": the community's needs, each with its path to a tender, a contract and the
    satisfaction of those who received the service."""
    community = get_object_or_404(Area, pk=pk, level=Area.Level.COMMUNITY)
    needs = list(need_list(user=request.user).filter(community=community).select_related("deliberation"))
    counts = dict.fromkeys(Need.Status.values, 0)
    for need in needs:
        counts[need.status] += 1
    summary = [{"label": label, "count": counts[value]} for value, label in Need.Status.choices]
    committees = public_communities().filter(jurisdiction=community)
    return render(
        request,
        "frontend/needs/community.html",
        {"community": community, "rows": _rows(request, needs), "summary": summary, "committees": committees},
    )


def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(need_list(user=request.user).select_related("deliberation"), pk=pk)
    row = _rows(request, [need])[0]
    council = bool(is_council_member(request.user, need))
    history = [
        {"log": log, "label": Need.Status(log.state).label if log.state in Need.Status.values else log.state}
        for log in history_of(need)
    ]
    return render(
        request,
        "frontend/needs/detail.html",
        {
            **row,
            "row": row,
            "history": history,
            "council": council,
            "may_support": (  # the service's rule: its permission, while the need takes support
                not row["supported"]
                and need.status in Need.SUPPORTABLE_STATUSES
                and rules.has_perm("needs.support_need", request.user, need)
            ),
        },
    )


@area_required("resident")
@throttle_posts("needs")
def need_new(request: HttpRequest) -> HttpResponse:
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_propose(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Your need is sent to your community's council. Your neighbours can support it.")
            )
            return redirect("needs:need", pk=need.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "frontend/needs/propose.html", {"form": form}, status=status)


@area_required("resident")
@post_only_or_redirect("needs:need", "pk")
@throttle_posts("needs")
def need_support(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(need_list(user=request.user), pk=pk)
    try:
        services.need_support(actor=request.user, need=need)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your household supports this need."))
    return redirect("needs:need", pk=need.pk)


def _council_needs(request: HttpRequest) -> QuerySet[Need]:
    return need_list(user=request.user).filter(area_subtree_q(council_paths(request.user), "community__path"))


def needs_awaiting_council(user: Any) -> QuerySet[Need]:
    """The needs of the user's committees' communities the council has not decided yet."""
    return need_list(user=user).filter(
        area_subtree_q(council_paths(user), "community__path"), status=Need.Status.SUBMITTED
    )


@area_required("community")
def council_queue(request: HttpRequest) -> HttpResponse:
    """The needs of the committee's community: those awaiting the council first."""
    needs = list(_council_needs(request).select_related("deliberation"))
    waiting = [need for need in needs if need.status == Need.Status.SUBMITTED]
    decided = [need for need in needs if need.status != Need.Status.SUBMITTED]
    return render(
        request,
        "frontend/needs/council_queue.html",
        {"waiting": _rows(request, waiting), "decided": _rows(request, decided)},
    )


@area_required("community")
def need_deliberate(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(_council_needs(request), pk=pk)
    if need.status != Need.Status.SUBMITTED:
        messages.info(request, _("The council has already decided on this need."))
        return redirect("needs:need", pk=need.pk)
    form = DeliberationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_deliberate(actor=cast(User, request.user), need=need, **form.cleaned_data)
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The council's decision is recorded. Those who asked are told."))
            return redirect("needs:council")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "frontend/needs/deliberate.html", {"need": need, "form": form}, status=status)
