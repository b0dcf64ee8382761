"""The lean public tender list (marketplace/public_list.py) writes exactly what ``TenderSerializer``
writes for an anonymous caller, field by field, for tenders in every state and shape; the API's
anonymous answer is the serializer's, cached or not; the count is kept per version of the public
cache, so a change is counted at once."""

import datetime
from decimal import Decimal

import orjson
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from common import public_cache
from common.renderers import ORJSONRenderer
from marketplace import public_list, services
from marketplace.models import BudgetLine, Kpi, Tender
from marketplace.selectors import tender_list
from marketplace.serializers import TenderSerializer
from needs.models import Need

from .. import factories as f
from .. import flows

API = "/api/v1/tenders/"


@pytest.fixture
def tenders(world, settings):
    """Tenders in every public state and a draft, with amendments, needs, several areas, odd
    decimals, a contract, an award proposed and a cancellation."""
    settings.LANGUAGE_CODE = "en"
    BudgetLine.objects.filter(pk=world["budget_line"].pk).update(amount=10_000_000_000)
    draft = flows.draft_tender(world, title="A draft")
    amended = flows.published_tender(world, bid_deadline=f.in_days(40), multi_year_justification="Two years.")
    services.tender_amend(
        actor=world["officer"],
        tender=amended,
        reason="Lunch is included.",
        changes={"description": "Day care with lunch.", "bid_deadline": f.in_days(45)},
    )
    services.tender_amend(actor=world["officer"], tender=amended, reason="A clarification.", changes={})
    household = f.HouseholdFactory()
    needs = [
        Need.objects.create(
            community=world["areas"]["community"],
            title=f"Need {index}",
            description="Lunch.",
            household=household,
            proposed_by=f.UserFactory(),
        )
        for index in range(3)
    ]
    Need.objects.filter(pk__in=[need.pk for need in needs]).update(status=Need.Status.ACCEPTED)
    with_needs = flows.published_tender(world, needs=needs[:2], initiative_reason="")
    with_needs.areas.add(world["areas"]["community"], world["areas"]["other_district"])
    Kpi.objects.create(tender=with_needs, name="Meals", target=Decimal("12.5"), unit="meals")
    Tender.objects.filter(pk=with_needs.pk).update(
        weight_third_party=Decimal("0.35"), weight_buyer=Decimal("0.25"), renewal_allowed=True
    )
    cancelled = flows.published_tender(world)
    services.tender_cancel(actor=world["officer"], tender=cancelled, reason="No longer needed.")
    proposed = flows.award_proposed_tender(world)
    contract = flows.draft_contract(world)
    evaluating = flows.evaluating_tender(world)
    return [draft, amended, with_needs, cancelled, proposed, contract.tender, evaluating]


def anonymous_request():
    request = APIRequestFactory().get(API)
    request.user = AnonymousUser()
    return request


def serializer_rows(queryset):
    from rest_framework.request import Request

    request = Request(anonymous_request())
    request.user = AnonymousUser()
    return TenderSerializer(queryset, many=True, context={"request": request}).data


def test_the_lean_rows_are_the_serializers_field_by_field(tenders):
    everything = (
        tender_list(user=AnonymousUser())
        .model.objects.select_related("contract")
        .prefetch_related("areas", "needs", "kpis", "criteria", "payment_schedule", "amendments")
    )
    expected = serializer_rows(everything)
    lean = public_list.tender_rows(public_list.page_values(Tender.objects.all()))
    assert len(expected) == len(lean) == len(tenders)
    for want, got in zip(expected, lean, strict=True):
        assert list(got) == list(want)  # the same fields in the same order
        for name in want:
            assert got[name] == want[name], name
    # and the same JSON
    assert ORJSONRenderer().render(lean) == ORJSONRenderer().render(expected)
    shapes = {(row["status"], bool(row["amendments"]), bool(row["needs"])) for row in lean}
    assert ("published", True, False) in shapes and ("published", False, True) in shapes
    assert any(row["contract"] for row in lean) and any(row["proposed_bid"] for row in lean)


def test_the_lean_rows_follow_the_current_time_zone(tenders):
    with timezone.override(datetime.UTC):
        utc = public_list.tender_rows(public_list.page_values(Tender.objects.all()))
        assert utc == serializer_rows(Tender.objects.all())
    assert utc[0]["created_at"].endswith("Z")
    assert public_list.tender_rows(public_list.page_values(Tender.objects.all()))[0]["created_at"].endswith(
        "+08:00"
    )


def test_a_field_the_lean_list_does_not_know_stops_it(monkeypatch):
    from rest_framework import serializers

    monkeypatch.setitem(TenderSerializer._declared_fields, "extra", serializers.SerializerMethodField())
    monkeypatch.setattr(TenderSerializer.Meta, "fields", [*TenderSerializer.Meta.fields, "extra"])
    monkeypatch.setattr(TenderSerializer, "get_extra", lambda self, tender: 1, raising=False)
    with pytest.raises(TypeError, match="extra"):
        public_list._plan()


@pytest.mark.parametrize("cached", [True, False])
def test_the_anonymous_api_answer_is_the_serializers(tenders, settings, cached):
    settings.PUBLIC_CACHE_ENABLED = cached
    answer = APIClient().get(API, {"page_size": 2, "page": 2})
    assert answer.status_code == 200
    body = orjson.loads(answer.content)
    public = tender_list(user=AnonymousUser()).order_by("-id")
    assert body["count"] == public.count() == len(tenders) - 1  # not the draft
    assert body["results"] == orjson.loads(ORJSONRenderer().render(serializer_rows(public[2:4])))
    assert body["next"].endswith("page=3&page_size=2") and body["previous"].endswith("page_size=2")


def test_filters_apply_to_the_lean_list(tenders, settings):
    settings.PUBLIC_CACHE_ENABLED = False
    body = orjson.loads(APIClient().get(API, {"status": "cancelled"}).content)
    assert [row["status"] for row in body["results"]] == ["cancelled"]
    assert body["count"] == 1
    assert APIClient().get(API, {"status": "nonsense"}).status_code == 400


def test_a_signed_in_officer_still_gets_the_serializers_answer_with_drafts(tenders, world, api):
    body = api(world["officer"]).get("tenders/?page_size=50").json()
    draft = next(row for row in body["results"] if row["status"] == "draft")
    assert "publish" in draft["available_transitions"]


def test_the_count_is_read_once_per_version_and_moves_with_a_change(tenders, world, settings):
    settings.PUBLIC_CACHE_ENABLED = True
    client = APIClient()
    assert client.get(API, {"page": 1, "page_size": 2}).json()["count"] == 6
    with CaptureQueriesContext(connection) as queries:
        assert client.get(API, {"page": 2, "page_size": 2}).json()["count"] == 6
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    flows.published_tender(world)
    public_cache._bump()  # what the publication's commit hook does (the test's transaction never commits)
    assert client.get(API, {"page": 3, "page_size": 2}).json()["count"] == 7
    # another filter is another count
    assert client.get(API, {"page": 1, "page_size": 2, "status": "cancelled"}).json()["count"] == 1


def test_the_lean_list_runs_a_fixed_number_of_queries(tenders, settings, django_assert_max_num_queries):
    settings.PUBLIC_CACHE_ENABLED = False
    with django_assert_max_num_queries(8):
        APIClient().get(API, {"page_size": 50})
