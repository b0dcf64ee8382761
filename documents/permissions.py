"""Who may read a document: whoever may read the documents of what it is attached to, as that
owner's app says (``documents.owners``; docs/rules.md §17.2). Attaching and removing are decided by
the owner's registered permission, checked by ``documents.services``."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from orgs.auth import Caller

from .models import Document
from .owners import registered_owners


def documents_visible_to(documents: QuerySet[Document], user: Caller) -> QuerySet[Document]:
    """``Document.objects.visible_to(user)``: a document is read by whoever may read its owner's
    documents (``Owner.readable``); a sealed bid's documents by its bidder alone."""
    visible = Q(pk__in=[])
    for owner in registered_owners():
        content_type = ContentType.objects.get_for_model(owner.model)
        visible |= Q(content_type=content_type, object_id__in=owner.readable(user).values("pk"))
    return documents.filter(visible)
