from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from common.admin import ReadOnlyModelAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyModelAdmin):
    """Read-only: documents are attached and removed through the services (docs/rules.md §17.2);
    the list holds only what the admin may read, so a sealed bid's documents are not here."""

    list_display = ("title", "kind", "filename", "size", "uploaded_by", "uploaded_at")
    list_filter = ("kind", "content_type")
    search_fields = ("title", "filename", "sha256")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        visible: QuerySet[Document] = Document.objects.visible_to(request.user)
        return visible.select_related("uploaded_by", "content_type")
