"""``ocds/…``: the public OCDS endpoints (docs/rules.md §21), thin views over the selectors."""

from __future__ import annotations

import datetime
import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import CommonError
from common.schema import error_codes

from . import bulk, packages, selectors

MAX_OFFSET = 999_999_999


SINCE_MESSAGE = _("Give a date and time in ISO 8601, e.g. 2026-01-31T08:00:00+08:00.")
OFFSET_MESSAGE = _("Give a whole number, 0 or more.")


class SinceField(serializers.DateTimeField):
    """An ISO 8601 date and time (a date alone is its midnight), in Asia/Shanghai when it names no
    offset. A ``+`` left unencoded in the query string arrives as a space and is read as ``+``;
    anything not a real moment in ASCII (2026-02-30, 25:00, an offset of +99:00, other digits) is
    400, never a 500."""

    default_error_messages = {
        "invalid": SINCE_MESSAGE,
        "make_aware": SINCE_MESSAGE,
        "overflow": SINCE_MESSAGE,
    }

    def to_internal_value(self, value: Any) -> datetime.datetime:
        if not isinstance(value, str) or not value.isascii():
            self.fail("invalid")
        moment: datetime.datetime = super().to_internal_value(value.strip().replace(" ", "+"))
        return moment


class OffsetField(serializers.IntegerField):
    """A count of ASCII digits only: ``str.isdigit`` also accepts ``²`` and other digits that
    ``int`` refuses or reads differently."""

    default_error_messages = {
        "invalid": OFFSET_MESSAGE,
        "max_value": OFFSET_MESSAGE,
        "max_string_length": OFFSET_MESSAGE,
    }

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not (data.isascii() and data.isdigit()):
            self.fail("invalid")
        number: int = super().to_internal_value(data)
        return number


class ReleasesQuerySerializer(serializers.Serializer[Any]):
    """The release list's query: ``since`` and ``offset``, each optional."""

    since = SinceField(required=False, help_text="only releases dated after this")
    offset = OffsetField(
        required=False, min_value=0, max_value=MAX_OFFSET, help_text="skip this many releases"
    )


class ReleasesApi(APIView):
    """``ocds/releases/``: a release package of every public release, newest last, ``?since=`` a
    datetime, ``links.next`` to the next page."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="v1_ocds_releases_list",
        parameters=[ReleasesQuerySerializer],
        responses=OpenApiTypes.OBJECT,
    )
    @error_codes(CommonError.INVALID, CommonError.MALFORMED_REQUEST)  # a bad ``since`` or ``offset``
    def get(self, request: Request) -> Response:
        # an empty ``?since=`` or ``?offset=`` is as if left out
        query = ReleasesQuerySerializer(data={k: v for k, v in request.query_params.items() if v})
        query.is_valid(raise_exception=True)
        since: datetime.datetime | None = query.validated_data.get("since")
        offset: int = query.validated_data.get("offset", 0)
        found = selectors.releases(since=since)
        size = settings.OCDS_PAGE_SIZE
        page = found[offset : offset + size]
        package: dict[str, Any] = packages.release_package(page, uri=request.build_absolute_uri())
        if offset + size < len(found):
            params = {**request.query_params.dict(), "offset": str(offset + size)}
            package["links"] = {"next": request.build_absolute_uri(f"{request.path}?{urlencode(params)}")}
        return Response(package)


class ReleaseApi(APIView):
    """``ocds/releases/{id}/``: one release, in a release package."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, release_id: str) -> Response:
        found = selectors.release(release_id)
        if found is None:
            raise Http404
        return Response(packages.release_package([found], uri=request.build_absolute_uri()))


class RecordApi(APIView):
    """``ocds/records/{ocid}/``: a record package with the procedure's releases and compiled release."""

    permission_classes = [AllowAny]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, ocid: str) -> Response:
        found = selectors.record(ocid)
        if found is None:
            raise Http404
        return Response(packages.record_package([found], uri=request.build_absolute_uri()))


class BulkReleasesApi(APIView):
    """``ocds/bulk/releases.jsonl.gz``: every public release, one a line."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/gzip"): OpenApiTypes.BINARY})
    def get(self, request: Request) -> HttpResponse:
        out = io.BytesIO()
        bulk.write_releases(out)
        response = HttpResponse(out.getvalue(), content_type="application/gzip")
        response["Content-Disposition"] = 'attachment; filename="releases.jsonl.gz"'
        return response


class ExtensionFileApi(APIView):
    """``ocds/extension/<file>``: the performance extension the packages declare."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/markdown"): OpenApiTypes.STR}
    )
    def get(self, request: Request, name: str) -> HttpResponse:
        if name not in packages.EXTENSION_FILES:
            raise Http404
        kind = "text/markdown" if name.endswith(".md") else "application/json"
        return HttpResponse(packages.extension_file(name), content_type=f"{kind}; charset=utf-8")
