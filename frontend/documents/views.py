"""Documents on the pages (docs/rules.md §17.2): the list shown on each owner's page
(``documents_block``), adding one on its own page, removing one from a draft, downloading, and the
service event page where the provider adds sign-in sheets and photos. Who may do what is the owner's
rule, through ``documents.selectors`` and ``documents.services``."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from common.errors import ApplicationError, PayloadTooLarge
from contracts.models import ServiceEvent
from documents import selectors, services
from documents.downloads import download_response
from documents.models import Document
from documents.owners import owner_named, owner_of
from orgs.models import User

from ..forms import add_service_error, add_unread_error
from .forms import DocumentForm

# The URL segment of each owner's pages (``/documents/<segment>/<pk>/add/``): the API's names.
OWNER_SEGMENTS = {
    "tenders": "tender",
    "bids": "bid",
    "contracts": "contract",
    "events": "event",
    "challenges": "challenge",
    "appeals": "appeal",
}


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def documents_block(
    request: HttpRequest,
    owner: models.Model,
    *,
    back: str | None = None,
    documents: list[Document] | None = None,
) -> dict[str, Any]:
    """What ``frontend/includes/documents.html`` shows on an owner's page: the documents the user
    may read (``documents`` when the page read them for all its owners at once), and the links to
    add or remove while the user may."""
    name = owner_of(owner).name
    back = back or request.get_full_path()
    add_url = None
    if selectors.may_attach(request.user, owner):
        add_url = f"{reverse(f'documents:add_{name}', args=[owner.pk])}?{urlencode({'next': back})}"
    if documents is None:
        documents = list(selectors.readable_documents_of(request.user, owner))
    return {
        "documents": documents,
        "add_url": add_url,
        "can_remove": selectors.may_remove(request.user, owner),
        "next": back,
    }


def _owner(request: HttpRequest, segment: str, pk: int) -> models.Model:
    if segment not in OWNER_SEGMENTS:
        raise Http404
    registration = owner_named(OWNER_SEGMENTS[segment])
    owner: models.Model | None = registration.readable(request.user).filter(pk=pk).first()
    if owner is None:
        raise Http404
    return owner


def documents_blocks(request: HttpRequest, owners: list[Any]) -> dict[Any, dict[str, Any]]:
    """``documents_block`` of each of a list page's owners (of one model), their documents read in
    one query: by owner pk."""
    documents = selectors.readable_documents_of_each(request.user, owners)
    return {owner.pk: documents_block(request, owner, documents=documents[owner.pk]) for owner in owners}


@login_required
def add(request: HttpRequest, segment: str, pk: int) -> HttpResponse:
    owner = _owner(request, segment, pk)
    back = _safe_next(request) or "/"
    if not selectors.may_attach(request.user, owner):
        messages.error(request, _("You cannot add documents here now."))
        return redirect(back)
    kinds = selectors.kinds_of(owner)
    max_size = filesizeformat(settings.DOCUMENT_MAX_BYTES)
    status = 200
    if request.method == "POST":
        try:
            services.check_request_size(request.META.get("CONTENT_LENGTH"))
        except PayloadTooLarge as error:
            form = DocumentForm(kinds=kinds, max_size=max_size)
            add_unread_error(form, error, "file")
            status = error.status_code
        else:
            form = DocumentForm(request.POST, request.FILES, kinds=kinds, max_size=max_size)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                user: User = request.user  # type: ignore[assignment]  # login_required
                try:
                    document = services.document_attach(
                        actor=user,
                        owner=owner,
                        file=upload,
                        filename=upload.name or "",
                        title=form.cleaned_data["title"],
                        kind=form.cleaned_data["kind"],
                    )
                except ApplicationError as error:
                    add_service_error(form, error)
                    status = error.status_code  # 400 invalid_file, 413 file_too_large: as the API
                else:
                    messages.success(request, _("%(title)s has been added.") % {"title": document.title})
                    return redirect(back)
            else:
                status = 400
    else:
        form = DocumentForm(kinds=kinds, max_size=max_size)
    return render(
        request,
        "frontend/documents/add.html",
        {"form": form, "owner": owner, "back": back, "next": back},
        status=status,
    )


@login_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    back = _safe_next(request) or "/"
    if request.method != "POST":
        return redirect(back)
    document = selectors.visible_document(request.user, pk)
    if document is None:
        raise Http404
    user: User = request.user  # type: ignore[assignment]  # login_required
    try:
        services.document_remove(actor=user, document=document)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(title)s has been removed.") % {"title": document.title})
    return redirect(back)


def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The bytes, for whoever may read the document (404 otherwise: a sealed bid's too)."""
    document = selectors.visible_document(request.user, pk)
    if document is None:
        raise Http404
    return download_response(document)


@login_required
def event(request: HttpRequest, pk: int) -> HttpResponse:
    """A service event with its sign-in sheets and photos, for whoever sees the event (the
    contract's parties and the platform admin)."""
    events = ServiceEvent.objects.visible_to(request.user).select_related("contract", "area")
    found = get_object_or_404(events, pk=pk)
    return render(
        request,
        "frontend/documents/event.html",
        {
            "event": found,
            "contract": found.contract,
            "back": _safe_next(request) or "/",
            "recipient_count": found.recipients.count(),
            "documents": documents_block(request, found),
        },
    )
