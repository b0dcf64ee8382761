"""The grid (docs/rules.md §25): one page where a community committee sees its own community — the
area tree with who is responsible at each node, its households and residents, the registrations
waiting, the residents' needs by status and the tasks bureaus sent — and where its admin names people
responsible and ends their posts. A bureau's officers see and manage the same for their jurisdiction.
Every write is an ``orgs.services`` call; every read an app's selector."""

from collections import Counter
from typing import Any, cast

import rules
from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import ApplicationError
from communitytasks.models import CommunityTask
from communitytasks.selectors import community_task_list
from needs.models import Need
from needs.selectors import need_list
from orgs import services
from orgs.models import USERNAME_MAX_LENGTH, Area, GridPost, Membership, Organization, User
from orgs.selectors import GridNode, grid_employers, grid_of

from .access import area_required
from .forms import GovukForm, add_service_error
from .post_only import post_only_or_redirect
from .registrations import pending_registrations

Role = Membership.Role
BUREAU_ROLES = (Role.OFFICER, Role.ADMIN)
# What the page says of each kind of task; withdrawn ones are the bureau's business.
TASK_STATUSES = (
    CommunityTask.Status.PROPOSED,
    CommunityTask.Status.ACCEPTED,
    CommunityTask.Status.REFUSED,
    CommunityTask.Status.COMPLETED,
)


class GridPostForm(GovukForm):
    area = forms.TypedChoiceField(label=gettext_lazy("Part of the grid"), coerce=int)
    username = forms.CharField(
        label=gettext_lazy("Username of the person responsible"),
        max_length=USERNAME_MAX_LENGTH,
        help_text=gettext_lazy("The name they sign in with. They need an account first."),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=GridPost.Role.choices, widget=forms.RadioSelect
    )
    employer = forms.TypedChoiceField(
        label=gettext_lazy("Employer"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("A grid worker employed by a social organisation is recorded as such."),
    )

    def __init__(self, *args: Any, areas: list[Area], employers: list[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", _("Choose a part of the grid")),
            *[(area.pk, f"{area.name} ({area.get_level_display()})") for area in areas],
        ]
        cast(forms.ChoiceField, self.fields["employer"]).choices = [
            ("", _("No employer recorded")),
            *[(organization.pk, organization.name) for organization in employers],
        ]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _root(request: HttpRequest, area: str) -> Area | None:
    """The node the page starts from: the committee's community, or the bureau's jurisdiction (or,
    with ``?area=``, a node within it)."""
    organization: Organization | None = getattr(request, "organization", None)
    jurisdiction = organization.jurisdiction if organization is not None else None
    if jurisdiction is None:
        return None
    chosen = request.GET.get("area", "")
    if area == "bureau" and chosen.isdigit():
        node = Area.objects.filter(pk=int(chosen), path__startswith=jurisdiction.path).first()
        if node is None:
            raise Http404
        return node
    return jurisdiction


def _needs(request: HttpRequest, root: Area) -> dict[str, Any]:
    needs: QuerySet[Need] = need_list(user=request.user).filter(community__path__startswith=root.path)
    rows = list(needs.order_by("-id").values_list("id", "title", "status"))
    counts = Counter(status for _id, _title, status in rows)
    return {
        "by_status": [{"label": label, "count": counts[value]} for value, label in Need.Status.choices],
        "waiting": [
            {"id": pk, "title": title} for pk, title, status in rows if status == Need.Status.SUBMITTED
        ],
        "total": len(rows),
    }


def _tasks(request: HttpRequest, area: str, root: Area) -> dict[str, Any]:
    organization: Organization | None = getattr(request, "organization", None)
    tasks = community_task_list(user=request.user)
    if area == "community":
        tasks = tasks.filter(community=organization)
    else:
        tasks = tasks.filter(bureau=organization, community__jurisdiction__path__startswith=root.path)
    counts = Counter(tasks.values_list("status", flat=True))
    return {
        "by_status": [{"label": status.label, "count": counts[status.value]} for status in TASK_STATUSES],
        "waiting": counts[CommunityTask.Status.PROPOSED],
    }


def _page(request: HttpRequest, area: str, form: GridPostForm | None = None) -> HttpResponse:
    root = _root(request, area)
    nodes: list[GridNode] = grid_of(user=request.user, root=root) if root is not None else []
    manages = root is not None and bool(rules.has_perm("orgs.manage_grid_in_area", request.user, root))
    if manages and form is None:
        form = _form(request, nodes)
    endable = {
        post.pk
        for node in nodes
        for post in node.posts
        if rules.has_perm("orgs.end_grid_post", request.user, post)
    }
    community_page: Area | None = None
    if root is not None and root.level == Area.Level.COMMUNITY:
        community_page = root
    context = {
        "area": area,
        "root": root,
        "rows": [{"node": node, "indent": min(node.depth * 2, 6)} for node in nodes],
        "endable": endable,
        "form": form if manages else None,
        "pending_residents": pending_registrations(request.user).count(),
        "needs": _needs(request, root) if root is not None else None,
        "tasks": _tasks(request, area, root) if root is not None else None,
        "community_page": community_page,
        "grid_url": reverse(f"{area}:grid"),
    }
    return render(request, "frontend/grid/page.html", context, status=400 if form and form.errors else 200)


def _form(request: HttpRequest, nodes: list[GridNode], data: Any = None) -> GridPostForm:
    return GridPostForm(
        data,
        areas=[node.area for node in nodes if node.in_grid],
        employers=list(grid_employers()),
    )


def _grid(request: HttpRequest, area: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request, area)
    root = _root(request, area)
    if root is None or not rules.has_perm("orgs.manage_grid_in_area", request.user, root):
        return _page(request, area)
    nodes = [node for node in grid_of(user=request.user, root=root) if node.in_grid]
    form = _form(request, nodes, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        node = next((n.area for n in nodes if n.area.pk == data["area"]), None)
        employer = grid_employers().filter(pk=data["employer"]).first() if data["employer"] else None
        try:
            if node is None:
                raise Http404
            post = services.grid_post_create(
                actor=_user(request),
                area=node,
                username=data["username"],
                role=data["role"],
                employer=employer,
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(person)s is now responsible for %(area)s.") % {"person": post.user, "area": node.name},
            )
            return redirect(request.get_full_path())
    return _page(request, area, form)


@area_required("community")
def community_grid(request: HttpRequest) -> HttpResponse:
    return _grid(request, "community")


@area_required("bureau", *BUREAU_ROLES)
def bureau_grid(request: HttpRequest) -> HttpResponse:
    return _grid(request, "bureau")


def _end(request: HttpRequest, area: str, pk: int) -> HttpResponse:
    post = get_object_or_404(GridPost.objects.visible_to(request.user), pk=pk)
    try:
        services.grid_post_end(actor=_user(request), post=post)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(person)s is no longer responsible for %(area)s.") % {"person": post.user, "area": post.area},
        )
    return redirect(f"{area}:grid")


@area_required("community")
@post_only_or_redirect("community:grid")
def community_grid_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _end(request, "community", pk)


@area_required("bureau", *BUREAU_ROLES)
@post_only_or_redirect("bureau:grid")
def bureau_grid_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _end(request, "bureau", pk)
