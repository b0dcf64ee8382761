"""Reading documents: an owner's list, and what a receipt covers."""

from django.db import models
from django.db.models import QuerySet

from orgs.auth import Caller

from .models import Document


def documents_of(owner: models.Model) -> QuerySet[Document]:
    """The documents attached to ``owner``, oldest first (the owner's own visibility applies)."""
    return Document.objects.of(owner).select_related("uploaded_by")


def document_hashes(owner: models.Model) -> list[str]:
    """The SHA-256 of each of ``owner``'s documents, sorted: what a bid's receipt covers."""
    return sorted(Document.objects.of(owner).values_list("sha256", flat=True))


def visible_document(user: Caller, pk: int) -> Document | None:
    """The document ``pk`` if the user may read it, else None (404)."""
    document: Document | None = Document.objects.visible_to(user).filter(pk=pk).first()
    return document
