"""The rules of a tender's terms the task list and the API share (issue 9): one pure function per
group of rules in ``marketplace.services.terms`` / ``budget``; the service reports every broken
rule at once, and refuses a bid deadline that could never be published and a KPI target that is
not positive, at create and edit as well as at publish."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from common.errors import ApplicationError
from marketplace import services
from marketplace.models import Kpi, Tender
from marketplace.services import terms
from marketplace.services.budget import ceiling_errors

from ..factories import in_days
from ..flows import draft_tender
from .test_tender_machine import tender_body

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English wording (the msgids); pages and the API default to Chinese."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_a_negative_kpi_target_is_refused_at_create(world, api):
    body = tender_body(world, kpis=[{"name": "Home visits", "target": "-5", "unit": "visits"}])

    response = api(world["officer"]).post("tenders/", body)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert response.json()["extra"]["fields"]["kpis"] == [
        "The target of KPI “Home visits” must be more than 0."
    ]
    assert not Tender.objects.exists()


def test_a_kpi_target_of_nothing_is_refused_at_edit(world, api):
    officer = api(world["officer"])
    created = officer.post("tenders/", tender_body(world)).json()

    response = officer.patch(
        f"tenders/{created['id']}/", {"kpis": [{"name": "Meals", "target": "0", "unit": "meals"}]}
    )

    assert response.status_code == 400 and list(response.json()["extra"]["fields"]) == ["kpis"]
    assert [kpi.name for kpi in Kpi.objects.filter(tender_id=created["id"])] == ["Home visits"]


@pytest.mark.parametrize(
    "from_now, is_accepted",
    [
        (None, False),  # 2020
        (-datetime.timedelta(minutes=5), False),
        (datetime.timedelta(days=9), False),  # could never be published
        (datetime.timedelta(days=10, minutes=5), True),
    ],
    ids=["2020", "just-passed", "inside-the-minimum-bidding-period", "after-it"],
)
def test_a_bid_deadline_that_could_never_be_published_is_refused_at_create(world, api, from_now, is_accepted):
    # The deadline is worked out when the test runs (not when it is collected), on the suite's clock.
    if from_now is None:
        deadline = datetime.datetime(2020, 9, 30, 17, 0, tzinfo=datetime.UTC)
    else:
        deadline = timezone.now() + from_now
    start = max(timezone.localtime(deadline).date(), timezone.localdate())
    body = tender_body(
        world,
        bid_deadline=deadline.isoformat(),
        service_start=start.isoformat(),
        service_end=(start + datetime.timedelta(days=300)).isoformat(),
    )

    response = api(world["officer"]).post("tenders/", body)

    if is_accepted:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == 400, response.json()
        assert list(response.json()["extra"]["fields"]) == ["bid_deadline"]
        assert "at least 10 days from now" in response.json()["extra"]["fields"]["bid_deadline"][0]


def test_every_broken_rule_is_reported_at_once(world, api):
    start = timezone.localtime(in_days(12)).date()
    body = tender_body(
        world,
        service_end=(start - datetime.timedelta(days=1)).isoformat(),
        criteria=[
            {"name": "Price", "kind": "price", "weight": 30},
            {"name": "Plan", "kind": "quality", "weight": 50},
        ],
        payment_schedule=[
            {"kind": "advance", "share_pct": "30"},
            {"kind": "interim", "share_pct": "40"},
            {"kind": "holdback", "share_pct": "90"},
        ],
        kpis=[{"name": "Home visits", "target": "-1", "unit": "visits"}],
    )

    response = api(world["officer"]).post("tenders/", body)

    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert set(fields) == {"service_end", "criteria", "payment_schedule", "kpis"}
    assert fields["criteria"] == [
        "The weights of price and the quality criteria must add up to 100. They add up to 80."
    ]
    assert fields["payment_schedule"] == [
        "The instalment shares must add up to 100%. They add up to 160%.",
        "The performance holdback may be at most 30%.",
    ]
    assert fields["service_end"] == [
        f"The service end date must be the same as or after the service start date ({start.isoformat()})."
    ]


def test_publish_checks_kpi_targets_stored_by_another_path(world):
    tender = draft_tender(world)
    tender.kpis.update(target=Decimal(-3))

    with pytest.raises(ApplicationError) as refusal:
        services.tender_publish(actor=world["officer"], tender=tender)

    assert (refusal.value.code, list(refusal.value.extra["fields"])) == ("invalid", ["kpis"])


def test_the_section_rules_name_the_part_they_are_about():
    """Pure checks, no database: the keys say which input a page puts each message on."""
    assert terms.kpi_errors([{"name": "A", "target": Decimal(1)}, {"name": "B", "target": Decimal(-1)}]) == {
        "kpis.1.target": ["The target of KPI “B” must be more than 0."]
    }
    schedule = [{"kind": "advance", "share_pct": Decimal(0)}, {"kind": "holdback", "share_pct": Decimal(100)}]
    assert set(terms.payment_schedule_errors(schedule)) == {
        "payment_schedule.advance",
        "payment_schedule.holdback",
    }
    weights = {
        "third_party": Decimal("0.2"),
        "buyer": Decimal("0.1"),
        "residents": Decimal("0.5"),
        "community": Decimal(0),
    }
    assert set(terms.score_weight_errors(weights)) == {"score_weights", "score_weights.residents"}
    assert terms.field_errors({"kpis.1.target": ["x"], "kpis.3.target": ["y"], "criteria": ["z"]}) == {
        "kpis": ["x", "y"],
        "criteria": ["z"],
    }


def test_the_ceiling_fits_what_the_budget_line_has_available():
    assert ceiling_errors(ceiling_amount=100_000_00, available=100_000_00) == {}
    assert ceiling_errors(ceiling_amount=100_000_01, available=100_000_00) == {
        "ceiling_amount": [
            "The ceiling is more than the budget line has available (¥100,000.00). "
            "Enter ¥100,000.00 or less, or choose another budget line."
        ]
    }


def test_publish_refuses_a_ceiling_above_the_budget_with_the_same_words(world):
    tender = draft_tender(world, ceiling_amount=world["budget_line"].amount + 1)

    with pytest.raises(ApplicationError) as refusal:
        services.tender_publish(actor=world["officer"], tender=tender)

    assert refusal.value.code == "budget_insufficient"
    assert (
        refusal.value.message
        == ceiling_errors(ceiling_amount=tender.ceiling_amount, available=world["budget_line"].amount)[
            "ceiling_amount"
        ][0]
    )
