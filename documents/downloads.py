"""A document's bytes as an HTTP download, for the API and the pages alike: always an attachment
(``Content-Disposition: attachment``, the original name, Chinese included, as RFC 6266's
``filename*``), its detected media type, never sniffed by the browser, never cached by others."""

from django.http import FileResponse

from .models import Document
from .storage import document_storage


def download_response(document: Document) -> FileResponse:
    file = document_storage().open(document.storage_name, "rb")
    response = FileResponse(
        file, as_attachment=True, filename=document.filename, content_type=document.media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
