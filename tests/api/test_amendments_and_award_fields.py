"""The API of amendments (``POST tenders/{id}/amend/``, the tender's ``amendments`` and
``questions_until``) and of a bid's own standing after the award notice (``GET bids/{id}/`` gains
``price_score, quality_score, total, rank``): docs/rules.md §17.3, §17.4."""

import datetime

import pytest
from django.utils import timezone

from marketplace.models import Award, Tender
from marketplace.selectors import ranking_of

from .. import factories as f
from ..flows import award_proposed_tender, evaluating_tender, published_tender, score_all

pytestmark = pytest.mark.django_db


def test_amend_returns_the_tender_with_its_amendments(world, api):
    tender = published_tender(world, bid_deadline=f.in_days(30))
    officer = api(world["officer"])
    assert "amend" in officer.get(f"tenders/{tender.id}/").json()["available_transitions"]
    new_deadline = timezone.localtime(f.in_days(31)).replace(microsecond=0)

    response = officer.post(
        f"tenders/{tender.id}/amend/",
        {
            "reason": "Lunch is included; one more day to bid.",
            "changes": {"description": "Day care with lunch.", "bid_deadline": new_deadline.isoformat()},
        },
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["description"] == "Day care with lunch."
    (amendment,) = body["amendments"]
    assert amendment["reason"] == "Lunch is included; one more day to bid."
    assert set(amendment["changes"]) == {"description", "bid_deadline"}
    assert amendment["changes"]["bid_deadline"]["after"] == new_deadline.isoformat()
    assert amendment["deadline_moved"] is False
    questions_until = datetime.datetime.fromisoformat(body["questions_until"])
    assert questions_until == Tender.objects.get(pk=tender.pk).questions_until
    # the public sees the amendment, and the history shows it with its reason
    public = api().get(f"tenders/{tender.id}/").json()
    assert public["amendments"][0]["reason"] == amendment["reason"]
    history = api().get(f"tenders/{tender.id}/history/").json()
    assert history[-1]["transition"] == "amend"
    assert history[-1]["reason"] == "Lunch is included; one more day to bid."


def test_bad_amendments_are_400_with_the_field(world, api):
    tender = published_tender(world)
    officer = api(world["officer"])
    response = officer.post(
        f"tenders/{tender.id}/amend/",
        {
            "reason": "New weights",
            "changes": {
                "criteria": [
                    {"name": "Price", "kind": "price", "weight": 5},
                    {"name": "Plan", "kind": "quality", "weight": 95},
                ]
            },
        },
    )
    assert response.status_code == 400
    assert "criteria" in response.json()["extra"]["fields"]
    response = officer.post(f"tenders/{tender.id}/amend/", {"changes": {}})
    assert response.status_code == 400 and "reason" in response.json()["extra"]["fields"]
    assert Tender.objects.get(pk=tender.pk).amendments.count() == 0


def test_a_draft_has_no_questions_deadline(world, api):
    tender = f.TenderFactory(bureau=world["bureau"], budget_line=world["budget_line"])
    body = api(world["officer"]).get(f"tenders/{tender.id}/").json()
    assert body["questions_until"] is None and body["amendments"] == []


STANDING = ("price_score", "quality_score", "total", "rank")


def test_a_bid_shows_its_own_standing_only_after_the_award_notice(world, api):
    tender = evaluating_tender(world)
    score_all(world, tender)
    own = tender.bids.get(provider=world["providers"][1])
    provider = api(world["provider_admins"][1])
    before = provider.get(f"bids/{own.id}/").json()
    assert [before[key] for key in STANDING] == [None] * 4 and before["quality_scores"] == []

    top = ranking_of(tender)[0].bid
    api(world["officer"]).post(f"tenders/{tender.id}/award/", {"bid": top.id})

    row = next(row for row in ranking_of(tender) if row.bid.id == own.id)
    body = provider.get(f"bids/{own.id}/").json()
    assert body["rank"] == row.rank == 2
    assert (body["price_score"], body["quality_score"], body["total"]) == (
        f"{row.price_score:.2f}",
        f"{row.quality_score:.2f}",
        f"{row.total:.2f}",
    )
    assert [(item["name"], item["score"]) for item in body["quality_scores"]] == [
        (criterion.name, f"{row.quality_by_criterion[criterion.id]:.2f}")
        for criterion in tender.criteria.filter(kind="quality")
    ]
    # the bureau sees the same figures on the opened bid; another provider does not see the bid
    assert api(world["officer"]).get(f"bids/{own.id}/").json()["total"] == body["total"]
    assert api(world["provider_admins"][0]).get(f"bids/{own.id}/").status_code == 404
    # the rival sees only the public notice's standings: provider, price, total and rank
    notice = api(world["provider_admins"][0]).get(f"tenders/{tender.id}/award/").json()
    standing = next(item for item in notice["standings"] if item["bid"] == own.id)
    assert set(standing) == {
        "bid",
        "provider",
        "provider_name",
        "price_amount",
        "total",
        "rank",
        "disqualified",
    }


def test_a_disqualified_bid_has_no_standing(world, api):
    from marketplace import services

    tender = evaluating_tender(world, prices=(28_000_000, 30_000_000, 29_000_000))
    third = tender.bids.get(provider=world["providers"][2])
    services.bid_disqualify(actor=world["officer"], bid=third, reason="No certificate.")
    score_all(world, tender)
    services.tender_award(actor=world["officer"], tender=tender, bid=ranking_of(tender)[0].bid)
    body = api(world["provider_admins"][2]).get(f"bids/{third.id}/").json()
    assert [body[key] for key in STANDING] == [None] * 4


def test_every_bidder_is_told_of_the_award_with_its_rank(
    world, mailoutbox, sms, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"
    for number, person in enumerate(world["provider_admins"]):
        person.email = f"admin{number}@example.cn"
        person.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        tender = award_proposed_tender(world)
    award = Award.objects.get(tender=tender)
    until = timezone.localtime(award.challenge_until).strftime("%Y-%m-%d %H:%M")
    mail = {address: message.body for message in mailoutbox for address in message.to}
    winner, loser = mail["admin0@example.cn"], mail["admin1@example.cn"]
    assert "Your bid ranked first of 2." in winner
    assert "Your bid ranked 2 of 2." in loser
    for body in (winner, loser):
        assert award.provider.name in body and until in body
    assert "admin2@example.cn" not in mail  # the third provider did not bid


def test_a_term_that_cannot_be_amended_is_refused_by_name_not_dropped(world, api):
    tender = published_tender(world)
    response = api(world["officer"]).post(
        f"tenders/{tender.id}/amend/",
        {"reason": "A higher ceiling", "changes": {"ceiling_amount": 1, "title": "New"}},
    )
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]["changes"]) == {"ceiling_amount", "title"}
    assert Tender.objects.get(pk=tender.pk).amendments.count() == 0


def test_a_service_start_at_the_end_of_the_calendar_is_a_field_error_not_a_crash(world, api):
    tender = published_tender(world)
    response = api(world["officer"]).post(
        f"tenders/{tender.id}/amend/",
        {"reason": "Later", "changes": {"service_start": "9999-12-01", "service_end": "9999-12-31"}},
    )
    assert response.status_code == 400
    assert "service_start" in response.json()["extra"]["fields"]
    assert Tender.objects.get(pk=tender.pk).amendments.count() == 0


def test_after_an_annulment_no_bidder_reads_its_standing_while_bids_are_scored_again(world, api):
    from django.db import transaction

    from marketplace import services

    tender = award_proposed_tender(world)
    own = tender.bids.get(provider=world["providers"][1])
    provider = api(world["provider_admins"][1])
    assert provider.get(f"bids/{own.id}/").json()["rank"] == 2
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        services.award_annul(
            award=Award.objects.get(tender=tender),
            tender=locked,
            by=world["officer"],
            description="Upheld.",
            cancel_tender=False,
        )

    body = provider.get(f"bids/{own.id}/").json()
    assert [body[key] for key in STANDING] == [None] * 4 and body["quality_scores"] == []
    # the annulled notice still shows what it published
    assert api().get(f"tenders/{tender.id}/award/").json()["status"] == "annulled"
