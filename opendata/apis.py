"""``ocds/…``: the public OCDS endpoints (docs/rules.md §21), thin views over the selectors."""

from __future__ import annotations

import datetime
import io
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import CommonError, Invalid
from common.schema import error_codes

from . import bulk, packages, selectors


def _since(request: Request) -> datetime.datetime | None:
    text = request.query_params.get("since")
    if not text:
        return None
    parsed = parse_datetime(text.replace(" ", "+"))
    if parsed is None:
        try:
            parsed = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time.min)
        except ValueError as error:
            raise Invalid(
                {"since": [_("Give a date and time in ISO 8601, e.g. 2026-01-31T08:00:00+08:00.")]}
            ) from error
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _offset(request: Request) -> int:
    text = request.query_params.get("offset", "0")
    if not text.isdigit() or len(text) > 9:
        raise Invalid({"offset": [_("Give a whole number, 0 or more.")]})
    return int(text)


class ReleasesApi(APIView):
    """``ocds/releases/``: a release package of every public release, newest last, ``?since=`` a
    datetime, ``links.next`` to the next page."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="v1_ocds_releases_list",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="only releases dated after this"),
            OpenApiParameter("offset", OpenApiTypes.INT, description="skip this many releases"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @error_codes(CommonError.INVALID, CommonError.MALFORMED_REQUEST)  # a bad ``since`` or ``offset``
    def get(self, request: Request) -> Response:
        since, offset = _since(request), _offset(request)
        found = selectors.releases(since=since)
        size = settings.OCDS_PAGE_SIZE
        page = found[offset : offset + size]
        package: dict[str, Any] = packages.release_package(page, uri=request.build_absolute_uri())
        if offset + size < len(found):
            query = {**request.query_params.dict(), "offset": str(offset + size)}
            package["links"] = {"next": request.build_absolute_uri(f"{request.path}?{urlencode(query)}")}
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
