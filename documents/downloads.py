"""A document's bytes as an HTTP download, for the API and the pages alike: always an attachment
(``Content-Disposition: attachment``, the original name, Chinese included, as RFC 6266's
``filename*``), its detected media type, never sniffed by the browser, never cached by others."""

import logging

from django.http import FileResponse, Http404

from .models import Document
from .storage import document_storage

logger = logging.getLogger(__name__)


def download_response(document: Document) -> FileResponse:
    """The download; 404 (and an error in the log) if the storage no longer holds the bytes."""
    try:
        file = document_storage().open(document.storage_name, "rb")
    except (FileNotFoundError, OSError) as error:
        logger.error("document %s: its bytes are missing from storage (%s)", document.pk, error)
        raise Http404 from error
    response = FileResponse(
        file, as_attachment=True, filename=document.filename, content_type=document.media_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
