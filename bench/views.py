"""Bare Django views, the ceiling each endpoint is compared with: the same framework, server and
database, doing nothing but the unavoidable (a fixed JSON list the size of a page; one INSERT)."""

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

PAGE_SIZE = 50
PROBE_TABLE = "bench_probe"

# A page of tender summaries: what a page of the public list carries, in size and shape.
PAGE = {
    "count": 2000,
    "next": "http://testserver/api/v1/tenders/?page=2&page_size=50",
    "previous": None,
    "results": [
        {
            "id": index,
            "bureau": 1,
            "title": f"社区居家养老服务 {index}",
            "catalogue_item": 3,
            "areas": [4, 5],
            "ceiling_amount": "300000.00",
            "currency": "CNY",
            "status": "published",
            "bid_deadline": "2026-12-31T17:00:00+08:00",
            "service_start": "2027-01-01",
            "service_end": "2027-12-31",
            "published_at": "2026-12-01T09:00:00+08:00",
        }
        for index in range(PAGE_SIZE)
    ],
}


def bare_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(PAGE)


@csrf_exempt
def bare_insert(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {PROBE_TABLE} (note) VALUES (%s)", ["probe"])
    return HttpResponse(status=201)


def create_probe_table() -> None:
    key = "bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "integer PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PROBE_TABLE} (id {key}, note varchar(20))")
