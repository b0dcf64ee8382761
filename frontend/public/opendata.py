"""The open-data page (docs/rules.md §21): what is published, in which formats, under which
licence, and the CSV and XLSX downloads of the public tables."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from auditchain.selectors import log_head
from opendata import downloads, ocds

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def open_data_page(request: HttpRequest) -> HttpResponse:
    tables = [(name, title) for name, (title, _source, _columns) in downloads.TABLES.items()]
    example_ocid = ocds.ocid_of(
        ocds.public_tenders().order_by("id").values_list("id", flat=True).first() or 1
    )
    return render(
        request,
        "frontend/public/open_data.html",
        {
            "tables": tables,
            "license_url": settings.OCDS_LICENSE_URL,
            "ocid_prefix": settings.OCDS_OCID_PREFIX,
            "example_ocid": example_ocid,
            "log_head": log_head(),
        },
    )


def download(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if table not in downloads.TABLES or fmt not in downloads.FORMATS:
        raise Http404
    body = downloads.as_csv(table) if fmt == "csv" else downloads.as_xlsx(table)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{table}.{fmt}"'
    return response
