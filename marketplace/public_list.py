"""The lean read path of the public tender list (issue 13): what an anonymous caller of
``GET /api/v1/tenders/`` and a visitor of ``/tenders/`` are shown, read with ``values()`` (no model
instances) and written by hand, instead of 50 tenders with their related rows as model instances
through DRF's serializer machinery, which cost ~80 ms a page of 50.

- :func:`tender_rows`: the page's tenders as ``TenderSerializer`` writes them for an anonymous
  caller, **the same JSON** (``tests/marketplace/test_public_list.py`` compares them field by field
  for tenders in every state, with amendments, needs, a contract …). One narrow query of the page's
  columns and one per related set (areas, needs, KPIs, criteria, payment schedule, amendments).
  Each value is written by the serializer's own field (``to_representation``), so dates, decimals
  and the amendments' changes are formatted exactly as the serializer does; a field added to
  ``TenderSerializer`` that this module does not know stops the import (``_plan``), so the two
  cannot drift apart silently. ``available_transitions`` is empty: an anonymous caller may use none
  (the test checks the serializer agrees).
- :func:`tender_summaries`: the few columns a row of the ``/tenders/`` page shows.
- :class:`CountingPaginator`: the list's count read once per version of the public cache and filter
  (``common.public_cache``), so the pages of one list do not each count the whole table; the version
  moves with every change the public sees, so the count is never stale.

Only anonymous callers take this path: what a signed-in user is shown depends on who they are
(drafts of their bureau, the transitions they may use)."""

import dataclasses
import datetime
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings

from common import public_cache
from needs.models import Need
from orgs.models import Area

from .components import Component, ScoreWeights
from .models import Criterion, Kpi, PaymentScheduleItem, Tender, TenderAmendment, questions_until
from .serializers import TenderSerializer

# The values() column of each plain field of the serializer that is not the model field's own name.
_RELATED_IDS = {
    "bureau": "bureau_id",
    "catalogue_item": "catalogue_item_id",
    "budget_line": "budget_line_id",
    "proposed_bid": "proposed_bid_id",
}
# Fields written from more than the tender's row (each by its own function below).
_COMPUTED = {
    "areas",
    "needs",
    "kpis",
    "criteria",
    "payment_schedule",
    "score_weights",
    "contract",
    "available_transitions",
    "amendments",
    "questions_until",
}
# A field of these kinds needs more than its column: it must be written in tender_rows.
_UNKNOWN = (
    serializers.RelatedField,
    serializers.ManyRelatedField,
    serializers.BaseSerializer,
    serializers.SerializerMethodField,
    serializers.ReadOnlyField,
)


def _DATETIME_MARK(value: Any) -> Any:
    raise AssertionError("the datetime writer was not bound")


_WEIGHT_COLUMNS = [component.weight_field for component in Component]


def _plan() -> list[tuple[str, str, Callable[[Any], Any]]]:
    """(name, column, writer) of each of the serializer's plain fields; a field of another kind
    that is not in ``_COMPUTED`` stops the import rather than be left out of the lean answer."""
    plan: list[tuple[str, str, Callable[[Any], Any]]] = []
    for name, field in TenderSerializer().fields.items():
        if name in _COMPUTED:
            continue
        if isinstance(field, serializers.PrimaryKeyRelatedField):
            plan.append((name, _RELATED_IDS[name], _identity))
        elif isinstance(field, _UNKNOWN):
            raise TypeError(f"marketplace.public_list does not know how to write TenderSerializer.{name}")
        elif _is_iso_datetime(field):
            plan.append((name, str(field.source), _DATETIME_MARK))
        elif isinstance(field, serializers.CharField | serializers.IntegerField | serializers.ChoiceField):
            plan.append((name, str(field.source), _plain(field)))
        else:
            plan.append((name, str(field.source), field.to_representation))
    return plan


def _is_iso_datetime(field: Any) -> bool:
    """A DRF DateTimeField writing ISO 8601 in the current time zone (every one of the list's)."""
    return (
        isinstance(field, serializers.DateTimeField)
        and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        and not hasattr(field, "timezone")
        and settings.USE_TZ
    )


def _datetime_writer() -> Callable[[datetime.datetime], str]:
    """DRF's ``DateTimeField.to_representation`` for ISO 8601 in the current time zone, which it
    looks up for every value (a third of the lean list's time); here once per answer."""
    zone = timezone.get_current_timezone()

    def write(value: datetime.datetime) -> str:
        if timezone.is_naive(value):  # DRF makes it aware in the zone (the database gives aware ones)
            text = timezone.make_aware(value, zone).isoformat()
        else:
            text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def _bind(writers: Sequence[tuple[Any, ...]], moment: Callable[[datetime.datetime], str]) -> list[Any]:
    """The writers with the datetime mark replaced by this answer's datetime writer."""
    return [(*entry[:-1], moment if entry[-1] is _DATETIME_MARK else entry[-1]) for entry in writers]


def _identity(value: Any) -> Any:
    return value


def _plain(field: serializers.Field[Any, Any, Any, Any]) -> Callable[[Any], Any]:
    """Strings, integers and choices the database gives as the serializer writes them: as they are."""
    return _identity if not isinstance(field, serializers.IntegerField) else int


def _writer(field: serializers.Field[Any, Any, Any, Any]) -> Callable[[Any], Any]:
    """How a nested serializer's field is written: datetimes by the answer's datetime writer,
    decimals remembered per value (DRF quantizes each anew; equal decimals are written alike,
    ``0.4`` and ``0.40`` both as ``"0.40"``), the rest by the field."""
    if _is_iso_datetime(field):
        return _DATETIME_MARK
    if isinstance(field, serializers.DecimalField):
        return functools.lru_cache(maxsize=4096)(field.to_representation)
    return field.to_representation


def _nested(serializer: serializers.Serializer[Any]) -> list[tuple[str, Callable[[Any], Any]]]:
    return [(name, _writer(field)) for name, field in serializer.fields.items()]


_FIELDS = TenderSerializer().fields
_FIELD_NAMES: list[str] = list(_FIELDS.keys())
_PLAN = _plan()
_COLUMNS = sorted(
    {"id", "published_at", "bid_deadline", "contract", *(column for _, column, _w in _PLAN), *_WEIGHT_COLUMNS}
)
_KPI = _nested(_FIELDS["kpis"].child)  # type: ignore[attr-defined]
_CRITERION = _nested(_FIELDS["criteria"].child)  # type: ignore[attr-defined]
_SCHEDULE = _nested(_FIELDS["payment_schedule"].child)  # type: ignore[attr-defined]
_AMENDMENT = _nested(_FIELDS["amendments"].child)  # type: ignore[attr-defined]
_AMENDMENT_NAMES = [name for name, _ in _AMENDMENT]
if not _is_iso_datetime(_FIELDS["questions_until"]):
    raise TypeError("marketplace.public_list writes questions_until as an ISO 8601 datetime")
_WEIGHT = _writer(serializers.DecimalField(max_digits=3, decimal_places=2))
# score_weights: (key, column) in ScoreWeights' order, as ``ScoreWeights.of_tender(…).as_dict()``
_WEIGHTS = [(item.name, Component(item.name).weight_field) for item in dataclasses.fields(ScoreWeights)]


def _write(writers: Sequence[tuple[str, Callable[[Any], Any]]], row: dict[str, Any]) -> dict[str, Any]:
    """A row as a serializer writes it: None stays None, everything else through its field."""
    return {name: None if (value := row[name]) is None else write(value) for name, write in writers}


def _grouped(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for tender_id, value in rows:
        groups[tender_id].append(value)
    return groups


def _children(
    model: Any, writers: Sequence[tuple[str, Callable[[Any], Any]]], ids: list[int]
) -> dict[int, list[Any]]:
    """The rows of a tender's related set, in the model's own order (as the prefetch reads them)."""
    names = [name for name, _ in writers]
    rows = model.objects.filter(tender_id__in=ids).values("tender_id", *names)
    return _grouped((row["tender_id"], _write(writers, row)) for row in rows)


def _related_ids(model: Any, ids: list[int]) -> dict[int, list[int]]:
    """The ids of a many-to-many set (areas, needs), in the related model's order (the prefetch's)."""
    return _grouped(model.objects.filter(tenders__in=ids).values_list("tenders", "id"))


def tender_rows(tenders: Iterable[Any]) -> list[dict[str, Any]]:
    """The tenders (a page of a queryset from :func:`page_values`, or its rows) as an anonymous
    caller is shown them by ``TenderSerializer``."""
    rows: list[dict[str, Any]] = list(tenders)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    areas = _related_ids(Area, ids)
    needs = _related_ids(Need, ids)
    moment = _datetime_writer()
    kpis = _children(Kpi, _bind(_KPI, moment), ids)
    criteria = _children(Criterion, _bind(_CRITERION, moment), ids)
    schedules = _children(PaymentScheduleItem, _bind(_SCHEDULE, moment), ids)
    amendment_writers = _bind(_AMENDMENT, moment)
    plan = _bind(_PLAN, moment)
    amendment_rows = _grouped(
        (row["tender_id"], row)
        for row in TenderAmendment.objects.filter(tender_id__in=ids).values("tender_id", *_AMENDMENT_NAMES)
    )
    answer = []
    for row in rows:
        pk = row["id"]
        tender: dict[str, Any] = {}
        for name, column, write in plan:
            value = row[column]
            tender[name] = None if value is None else write(value)
        tender["kpis"] = kpis.get(pk, [])
        tender["criteria"] = criteria.get(pk, [])
        tender["payment_schedule"] = schedules.get(pk, [])
        tender["score_weights"] = {key: _WEIGHT(row[column]) for key, column in _WEIGHTS}
        tender["areas"] = areas.get(pk, [])
        tender["needs"] = needs.get(pk, [])
        tender["contract"] = row["contract"]
        tender["available_transitions"] = []  # an anonymous caller may use none
        amended = amendment_rows.get(pk, [])
        tender["amendments"] = [_write(amendment_writers, amendment) for amendment in amended]
        amended_at = [amendment["published_at"] for amendment in amended]
        until = questions_until(row["published_at"], row["bid_deadline"], amended_at)
        tender["questions_until"] = None if until is None else moment(until)
        answer.append({name: tender[name] for name in _FIELD_NAMES})  # the serializer's order
    return answer


def page_values(tenders: QuerySet[Tender]) -> "QuerySet[Tender, dict[str, Any]]":
    """The narrow query of a list's page: the columns :func:`tender_rows` writes, and the contract's
    id (one LEFT JOIN); no description is left out, the list shows it as the serializer does."""
    rows: QuerySet[Tender, dict[str, Any]] = (
        tenders.select_related(None).prefetch_related(None).values(*_COLUMNS)
    )
    return rows


@dataclasses.dataclass(frozen=True)
class TenderSummary:
    """A row of the ``/tenders/`` page (what ``tender_results.html`` shows of a tender)."""

    pk: int
    title: str
    bureau_name: str
    catalogue_item_name: str
    ceiling_amount: int
    bid_deadline: datetime.datetime
    status: str

    def get_status_display(self) -> str:
        return str(Tender.Status(self.status).label)


SUMMARY_COLUMNS = (
    "id",
    "title",
    "bureau__name",
    "catalogue_item__name",
    "ceiling_amount",
    "bid_deadline",
    "status",
)


def summary_values(tenders: QuerySet[Tender]) -> "QuerySet[Tender, tuple[Any, ...]]":
    """The narrow query of a ``/tenders/`` page: the columns a row shows, two joins."""
    return tenders.select_related(None).prefetch_related(None).values_list(*SUMMARY_COLUMNS)


def tender_summaries(rows: Iterable[Sequence[Any]]) -> list[TenderSummary]:
    return [TenderSummary(*row) for row in rows]


class CountingPaginator(Paginator):  # type: ignore[type-arg]  # not generic at run time
    """Django's paginator that counts ``counted`` (the filtered tenders, without the page's columns
    and joins) and, for a ``scope`` (an anonymous visitor's filters, as a stable string), reads the
    count once per version of the public cache instead of a ``COUNT(*)`` of all visible tenders on
    every page. With the public cache switched off, or no scope, it counts every time."""

    scope: str | None = None
    counted: Any = None  # a QuerySet[Tender]

    @cached_property
    def count(self) -> int:
        counted: Any = self.counted if self.counted is not None else self.object_list
        if self.scope is None or not public_cache.enabled():
            return int(counted.count())
        digest = hashlib.sha256(self.scope.encode()).hexdigest()[:32]
        key = f"public:count:{public_cache.current_version()}:{digest}"
        cache = caches[public_cache.ALIAS]
        count = cache.get(key)
        if not isinstance(count, int):
            count = int(counted.count())
            cache.set(key, count, getattr(settings, "PUBLIC_CACHE_SECONDS", 300))
        return count


def counting_paginator(counted: QuerySet[Tender], scope: str | None) -> type[CountingPaginator]:
    """A paginator class counting ``counted``, its count kept per version for ``scope`` (None: a
    signed-in user's list, counted every time)."""
    return type("ScopedCountingPaginator", (CountingPaginator,), {"scope": scope, "counted": counted})
