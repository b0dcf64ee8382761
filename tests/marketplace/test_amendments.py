"""Amendments and clarification of a published tender (docs/rules.md §17.3): an officer amends a
published tender before its deadline with a reason; the amended terms pass the draft's checks; the
deadline moves so that MARKETPLACE_CLARIFICATION_DAYS remain; bidders are told; questions close
``questions_until``."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ApplicationError
from marketplace import services
from marketplace.models import Tender, TenderAmendment
from marketplace.services.amendments import amended_deadline

from .. import factories as f
from ..flows import assert_refused, last_log, machine_snapshot, pass_deadline, published_tender, submitted_bid

pytestmark = pytest.mark.django_db

NEW_CRITERIA = [
    {"name": "Price", "kind": "price", "weight": 40},
    {"name": "Service plan", "kind": "quality", "weight": 60},
]


def amend(world, tender, reason="Lunch is now included.", **changes):
    return services.tender_amend(actor=world["officer"], tender=tender, reason=reason, changes=changes)


def test_an_amendment_changes_the_terms_records_them_and_is_in_the_history(world):
    tender = published_tender(world, bid_deadline=f.in_days(30))
    old_deadline = tender.bid_deadline

    amendment = amend(world, tender, description="Day care with lunch.", criteria=NEW_CRITERIA)

    tender.refresh_from_db()
    assert tender.status == "published" and tender.description == "Day care with lunch."
    assert [(c.kind, c.weight) for c in tender.criteria.all()] == [("price", 40), ("quality", 60)]
    assert tender.bid_deadline == old_deadline  # 30 days remain: nothing moves
    assert set(amendment.changes) == {"description", "criteria"}
    assert amendment.changes["description"] == {
        "before": "Day care for elderly residents.",
        "after": "Day care with lunch.",
    }
    assert amendment.changes["criteria"]["after"] == NEW_CRITERIA
    assert [c["weight"] for c in amendment.changes["criteria"]["before"]] == [30, 40, 30]
    assert not amendment.deadline_moved and amendment.by == world["officer"]
    log = last_log(tender)
    assert (log.transition, log.source_state, log.state) == ("amend", "published", "published")
    assert log.description == "Lunch is now included."


def test_the_deadline_moves_so_that_the_clarification_days_remain(world, settings):
    settings.MARKETPLACE_CLARIFICATION_DAYS = 15
    tender = published_tender(world, bid_deadline=f.in_days(12))
    deadline_time = timezone.localtime(tender.bid_deadline).time()

    amendment = amend(world, tender, description="Clarified.")

    tender.refresh_from_db()
    earliest = timezone.now() + datetime.timedelta(days=15)
    assert earliest <= tender.bid_deadline < earliest + datetime.timedelta(days=1)
    assert timezone.localtime(tender.bid_deadline).time() == deadline_time  # same time of day
    assert amendment.deadline_moved and set(amendment.changes) == {"description", "bid_deadline"}
    assert tender.questions_until is not None and tender.questions_until > timezone.now()


def test_the_moved_deadline_keeps_its_time_of_day_on_the_first_day_that_leaves_enough():
    now = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    morning = timezone.make_aware(datetime.datetime(2026, 3, 5, 9, 0))
    evening = timezone.make_aware(datetime.datetime(2026, 3, 5, 17, 0))
    assert timezone.localtime(amended_deadline(morning, now)) == timezone.make_aware(
        datetime.datetime(2026, 3, 18, 9, 0)
    )  # 09:00 on the 17th would leave less than 15 days
    assert timezone.localtime(amended_deadline(evening, now)) == timezone.make_aware(
        datetime.datetime(2026, 3, 17, 17, 0)
    )
    far = timezone.make_aware(datetime.datetime(2026, 4, 30, 17, 0))
    assert amended_deadline(far, now) == far


def test_a_clarification_changes_no_term_but_is_published_and_moves_the_deadline(world):
    tender = published_tender(world)  # 15 days from its creation: a little less remains now

    amendment = amend(world, tender, reason="Meals are not part of the service.")

    assert list(amendment.changes) == ["bid_deadline"] and amendment.deadline_moved
    assert Tender.objects.get(pk=tender.pk).amendments.get() == amendment


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {
                "criteria": [
                    {"name": "Price", "kind": "price", "weight": 5},
                    {"name": "Q", "kind": "quality", "weight": 95},
                ]
            },
            "criteria",
        ),
        (
            {
                "criteria": [
                    {"name": "Price", "kind": "price", "weight": 30},
                    {"name": "Q", "kind": "quality", "weight": 60},
                ]
            },
            "criteria",
        ),
        ({"kpis": [{"name": "Visits", "target": Decimal(0), "unit": "visits"}]}, "kpis"),
        ({"service_end": datetime.date(2000, 1, 1)}, "service_end"),
        ({"bid_deadline": f.in_days(11)}, "bid_deadline"),
        ({"title": "Renamed"}, "title"),
        ({"reason": ""}, "reason"),
    ],
    ids=[
        "price weight",
        "weights total",
        "kpi target",
        "service end",
        "deadline too soon",
        "title",
        "no reason",
    ],
)
def test_bad_amendments_are_refused_with_the_field_and_change_nothing(world, changes, field):
    tender = published_tender(world)
    changes = {**changes}
    reason = changes.pop("reason", "A change.")
    amendments_before = TenderAmendment.objects.count()
    before = machine_snapshot()
    criteria_before = list(tender.criteria.values_list("name", "weight"))

    with pytest.raises(ApplicationError) as refusal:
        services.tender_amend(actor=world["officer"], tender=tender, reason=reason, changes=changes)

    assert (refusal.value.status_code, refusal.value.code) == (400, "invalid")
    assert field in refusal.value.extra["fields"], refusal.value.extra
    assert machine_snapshot() == before and TenderAmendment.objects.count() == amendments_before
    assert list(tender.criteria.values_list("name", "weight")) == criteria_before


def test_only_the_officer_amends_and_only_before_the_deadline(world):
    tender = published_tender(world)
    for who in (world["finance"], world["other_officer"], world["provider_admins"][0]):
        assert_refused(
            lambda who=who: services.tender_amend(actor=who, tender=tender, reason="x", changes={}),
            "permission_denied",
            403,
        )
    pass_deadline(tender)
    assert_refused(lambda: amend(world, tender), "bidding_closed")
    draft = f.TenderFactory(bureau=world["bureau"], budget_line=world["budget_line"])
    assert_refused(lambda: amend(world, draft), "invalid_transition")


def test_bidders_are_told_and_a_submitted_bid_may_be_withdrawn_and_submitted_again(
    world, sms, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"  # the e-mails are written in the site's language
    people = [world[key][i] for i in range(3) for key in ("provider_admins", "provider_staff")]
    for number, person in enumerate(people):
        person.email = f"person{number}@example.cn"
        person.save(update_fields=["email"])
    tender = published_tender(world)
    bid = submitted_bid(world, tender, 0, 28_000_000)
    services.bid_create(
        actor=world["provider_admins"][1],
        tender=tender,
        provider=world["providers"][1],
        data={"price_amount": 29_000_000, "technical_proposal": "x", "staffing_plan": "y"},
    )

    with django_capture_on_commit_callbacks(execute=True):
        amend(world, tender, description="Lunch included.")

    told = {address for message in mailoutbox for address in message.to}
    assert told == {person.email for person in people[:4]}  # not the third provider, which never bid
    submitted_mail = next(m for m in mailoutbox if world["provider_admins"][0].email in m.to)
    assert "Lunch is now included." in submitted_mail.body and "withdraw" in submitted_mail.body

    bid = services.bid_withdraw(actor=world["provider_admins"][0], bid=bid)
    again = submitted_bid(world, tender, 0, 27_500_000)
    assert (bid.status, again.status) == ("withdrawn", "submitted")


def test_questions_close_at_the_clarification_deadline(world, settings, api):
    settings.MARKETPLACE_CLARIFICATION_DAYS = 15
    tender = published_tender(world, bid_deadline=f.in_days(40))
    assert tender.questions_until == tender.bid_deadline - datetime.timedelta(days=15)
    services.question_ask(actor=world["provider_admins"][0], tender=tender, text="Meals?")

    # 14 days published, one day left: past both the 15-day bound and the midpoint
    Tender.objects.filter(pk=tender.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=14), bid_deadline=f.in_days(1)
    )
    tender.refresh_from_db()
    assert_refused(
        lambda: services.question_ask(actor=world["provider_admins"][0], tender=tender, text="Late?"),
        "questions_closed",
    )
    response = api(world["provider_admins"][0]).post(f"tenders/{tender.id}/questions/", {"text": "Late?"})
    assert (response.status_code, response.json()["code"]) == (409, "questions_closed")
    assert response.json()["extra"]["questions_until"]


def test_a_short_bidding_period_keeps_questions_open_until_its_midpoint(world, settings):
    settings.MARKETPLACE_CLARIFICATION_DAYS = 15
    tender = published_tender(world, bid_deadline=f.in_days(12))
    midpoint = tender.published_at + (tender.bid_deadline - tender.published_at) / 2
    assert tender.questions_until == midpoint
    assert tender.is_accepting_questions


def test_an_amendment_that_moves_the_deadline_reopens_questions(world, settings):
    settings.MARKETPLACE_CLARIFICATION_DAYS = 15
    tender = published_tender(world)
    Tender.objects.filter(pk=tender.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=20), bid_deadline=f.in_days(3)
    )
    tender.refresh_from_db()
    assert not tender.is_accepting_questions

    amend(world, tender, reason="The service area grew.")

    # the deadline is 15 days away now, and questions stay open for the first half of them
    tender = Tender.objects.get(pk=tender.pk)
    amendment = tender.amendments.get()
    assert (
        tender.questions_until == amendment.published_at + (tender.bid_deadline - amendment.published_at) / 2
    )
    assert tender.is_accepting_questions
    services.question_ask(actor=world["provider_admins"][0], tender=tender, text="Which streets?")


def test_an_amendment_may_bring_documents_which_the_tender_then_carries(world):
    from documents.models import Document

    from ..documents import files

    tender = published_tender(world)
    amendment = services.tender_amend(
        actor=world["officer"],
        tender=tender,
        reason="The site plan is attached.",
        changes={},
        documents=[
            {"file": files.upload(), "filename": "site.pdf", "title": "Site plan", "kind": "clarification"}
        ],
    )

    document = Document.objects.of(tender).get()
    assert document.title == "Site plan"
    assert amendment.changes["documents"]["after"] == [
        {"title": "Site plan", "filename": "site.pdf", "sha256": document.sha256}
    ]
