"""Reading documents: an owner's list, and what a receipt covers."""

from collections.abc import Sequence
from typing import Any, TypeVar

import rules
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from common.errors import ApplicationError
from orgs.auth import Caller

from .models import Document
from .owners import owner_of


def document_hashes(owner: models.Model) -> list[str]:
    """The SHA-256 of each of ``owner``'s documents, sorted: what a bid's receipt covers."""
    return sorted(Document.objects.of(owner).values_list("sha256", flat=True))


def visible_document(user: Caller, pk: int) -> Document | None:
    """The document ``pk`` if the user may read it, else None (404)."""
    document: Document | None = Document.objects.visible_to(user).filter(pk=pk).first()
    return document


def readable_documents_of(user: Caller, owner: models.Model) -> QuerySet[Document]:
    """The documents of ``owner`` the user may read (all of them or none: the owner's rule)."""
    visible: QuerySet[Document] = Document.objects.visible_to(user)
    return visible.filter(pk__in=Document.objects.of(owner)).select_related("uploaded_by")


def readable_documents_of_each(user: Caller, owners: Sequence[models.Model]) -> dict[Any, list[Document]]:
    """``readable_documents_of`` for a list of owners of one model in one query: each owner's pk
    with the documents of it the user may read, oldest first (a list page's blocks)."""
    grouped: dict[Any, list[Document]] = {owner.pk: [] for owner in owners}
    if not owners:
        return grouped
    visible: QuerySet[Document] = Document.objects.visible_to(user)
    documents = visible.filter(
        content_type=ContentType.objects.get_for_model(owners[0]), object_id__in=list(grouped)
    ).select_related("uploaded_by")
    for document in documents.order_by("uploaded_at", "id"):
        grouped[document.object_id].append(document)
    return grouped


def may_attach(user: Caller, owner: models.Model) -> bool:
    """Whether the user may attach a document to ``owner`` now: the owner's permission and state,
    as ``documents.services.document_attach`` checks them (pages show "Add a document" by it)."""
    registration = owner_of(owner)
    if not rules.has_perm(registration.attach_permission, user, owner):
        return False
    try:
        registration.check_attachable(owner, None)
    except ApplicationError:
        return False
    return True


def may_remove(user: Caller, owner: models.Model) -> bool:
    """Whether the user may remove ``owner``'s documents now (a draft's, by whoever may attach)."""
    registration = owner_of(owner)
    return registration.removable(owner) and rules.has_perm(registration.attach_permission, user, owner)


def kinds_of(owner: models.Model) -> list[tuple[str, str]]:
    """The kinds ``owner`` takes, as (value, label) choices."""
    return [(kind, str(Document.Kind(kind).label)) for kind in owner_of(owner).kinds]


Owned = TypeVar("Owned", bound=models.Model)


def with_document_counts(owners: QuerySet[Owned]) -> QuerySet[Owned]:
    """``owners`` annotated with ``document_count``, the number of documents attached to each
    (for lists whose reader may read every owner's documents)."""
    content_type = ContentType.objects.get_for_model(owners.model)
    counts = (
        Document.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    annotated: Any = owners.annotate(
        document_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
    )
    return annotated  # type: ignore[no-any-return]
