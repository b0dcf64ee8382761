"""Documents in the API (docs/rules.md §17.2): ``documents/{id}/`` (metadata, and ``DELETE`` from
a draft) and ``documents/{id}/download/`` here; each owner's ``<owner>s/{id}/documents/`` (list and
upload) is an action of the owner's viewset, declared with ``documents_action`` and calling
``owner_documents``."""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from common.api import ReadViewSet
from common.errors import ErrorCode
from common.schema import error_codes
from orgs.auth import ApiRequest, AuthenticatedRequest

from . import selectors, services
from .downloads import download_response
from .errors import DocumentsError
from .models import Document
from .serializers import DocumentSerializer, DocumentUploadSerializer
from .sniffing import MEDIA_TYPES

# What an upload can answer with, besides the generic codes and the owner's own.
UPLOAD_ERRORS = (DocumentsError.INVALID_FILE, DocumentsError.FILE_TOO_LARGE)

Method = Callable[..., Response]


def documents_action(*owner_codes: ErrorCode) -> Callable[[Method], Method]:
    """Declare an owner's viewset method as its ``{id}/documents/`` action: ``GET`` lists what the
    caller may read, ``POST`` attaches one (multipart), answering besides the upload's codes with
    ``owner_codes`` (the owner's own refusals, such as ``not_editable``)."""

    def declare(method: Method) -> Method:
        method = error_codes(*UPLOAD_ERRORS, *owner_codes, method="POST")(method)
        method = action(
            detail=True,
            methods=["get", "post"],
            parser_classes=[MultiPartParser],
            pagination_class=None,
            filter_backends=[],
        )(method)
        method = extend_schema(
            methods=["POST"],
            request={"multipart/form-data": DocumentUploadSerializer},
            responses={201: DocumentSerializer},
        )(method)
        documented: Method = extend_schema(methods=["GET"], responses=DocumentSerializer(many=True))(method)
        return documented

    return declare


def owner_documents(view: GenericViewSet[Any], request: ApiRequest, owner: models.Model) -> Response:
    """``GET`` the owner's documents the caller may read, or ``POST`` a new one (multipart ``file``,
    ``title``, ``kind``). An oversized request is refused before its body is read."""
    if request.method == "GET":
        readable = selectors.readable_documents_of(request.user, owner)
        return Response(DocumentSerializer(readable.order_by("uploaded_at", "id"), many=True).data)
    services.check_request_size(request.META.get("CONTENT_LENGTH"))
    serializer = DocumentUploadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    upload = data["file"]
    document = services.document_attach(
        actor=request.user,  # type: ignore[arg-type]  # a write: signed in (checked by the view)
        owner=owner,
        file=upload,
        filename=upload.name or "",
        title=data["title"],
        kind=data["kind"],
    )
    return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentViewSet(mixins.RetrieveModelMixin, ReadViewSet):
    """A document's metadata and bytes, for whoever may read what it belongs to; a sealed bid's
    documents are 404 to all but the bidder."""

    serializer_class = DocumentSerializer

    def get_queryset(self) -> QuerySet[Document]:
        visible: QuerySet[Document] = Document.objects.visible_to(self.request.user)
        return visible

    @extend_schema(
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in MEDIA_TYPES},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> Any:
        return download_response(self.get_object())

    @extend_schema(responses={204: None})
    @error_codes(DocumentsError.NOT_REMOVABLE)
    def destroy(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        services.document_remove(actor=request.user, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
