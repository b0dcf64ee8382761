"""The challenge and complaint pages (docs/rules.md §17.5): a bidder challenges from the public tender
page and its bid page, the bureau replies from the tender's Challenges tab (flagged on its dashboard),
the challenger complains, the review body decides from its own area, and the public tender page shows
replied challenges without the challenger's name."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from challenges.models import Challenge, Complaint
from challenges.services import challenge_submit
from common.errors import ApplicationError
from marketplace.models import Award

from ..flows import (
    award_proposed_tender,
    challenged_by_many,
    challenged_tender,
    complained_challenge,
    dismissed_challenge,
)
from .helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_a_bidder_challenges_from_the_public_tender_page(world, as_user):
    tender = award_proposed_tender(world)
    client = as_user(world["provider_admins"][1])
    public = page(client.get(f"/tenders/{tender.pk}/"))
    assert "Challenge this award" in public and f"/provider/tenders/{tender.pk}/challenge/" in public
    bid = tender.bids.get(provider=world["providers"][1])
    assert "Challenge this award" in page(client.get(f"/provider/bids/{bid.pk}/"))

    form = page(client.get(f"/provider/tenders/{tender.pk}/challenge/"))
    # the form says where the documents go, after the grounds (the grounds' label is the <h1>)
    assert form.index("Why do you challenge the award?") < form.index(
        "Once the challenge is sent, you can add the documents that support it from its page"
    )
    empty = client.post(f"/provider/tenders/{tender.pk}/challenge/", {"grounds": ""})
    assert empty.status_code == 200 and "There is a problem" in page(empty)
    response = client.post(f"/provider/tenders/{tender.pk}/challenge/", {"grounds": "Our price was lower."})

    challenge = Challenge.objects.get()
    assert response.status_code == 302 and response.url == f"/provider/challenges/{challenge.pk}/"
    detail = page(client.get(response.url))
    assert "Awaiting reply" in detail and "Our price was lower." in detail
    assert Award.objects.get(tender=tender).status == "challenged"
    assert "Challenge this award" not in page(client.get(f"/tenders/{tender.pk}/"))  # once per award
    assert "Your challenges" in page(client.get("/provider/challenges/"))


def test_no_challenge_button_for_others(world, as_user):
    tender = award_proposed_tender(world)
    for user in (None, world["provider_admins"][2], world["officer"]):
        assert "Challenge this award" not in page(as_user(user).get(f"/tenders/{tender.pk}/"))
    response = as_user(world["provider_admins"][2]).get(f"/provider/tenders/{tender.pk}/challenge/")
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("rival", None),
        ("outsider", "not_a_bidder"),
        ("officer", "not_a_bidder"),
        ("challenged_already", "already_challenged"),
        ("after_window", "challenge_window_closed"),
    ],
)
def test_the_page_offers_a_challenge_exactly_when_the_service_takes_it(world, as_user, who, code):
    tender = award_proposed_tender(world)
    user = {"outsider": world["provider_admins"][2], "officer": world["officer"]}.get(
        who, world["provider_admins"][1]
    )
    if who == "challenged_already":
        challenge_submit(actor=user, tender=tender, grounds="Our price was lower.")
    award = Award.objects.get(tender=tender)
    moment = award.challenge_until + datetime.timedelta(seconds=1) if who == "after_window" else None

    with time_machine.travel(moment or timezone.now()):
        offered = "Challenge this award" in page(as_user(user).get(f"/tenders/{tender.pk}/"))
        try:
            challenge_submit(actor=user, tender=tender, grounds="Our plan was scored too low.")
        except ApplicationError as error:
            refused = error.code
        else:
            refused = None

    assert offered == (code is None)
    assert refused == code


def test_the_bureau_replies_and_an_overdue_reply_is_flagged(world, as_user):
    objects = challenged_tender(world)
    tender, challenge = objects["tender"], objects["challenge"]
    client = as_user(world["officer"])
    dashboard = page(client.get("/bureau/"))
    assert "Reply to the challenge of the award of" in dashboard
    with time_machine.travel(challenge.reply_due + datetime.timedelta(days=1)):
        assert "Overdue reply" in page(client.get("/bureau/"))
        assert "Overdue reply" in page(client.get(f"/bureau/tenders/{tender.pk}/challenges/"))

    listing = page(client.get(f"/bureau/tenders/{tender.pk}/challenges/"))
    assert world["providers"][1].name in listing and "Send reply" in listing
    assert listing.index("Reply to this challenge") < listing.index("Send reply")
    prefix = f"c{challenge.pk}"
    url = f"/bureau/tenders/{tender.pk}/challenges/{challenge.pk}/reply/"
    missing = client.post(url, {f"{prefix}-decision": "upheld", f"{prefix}-text": "Yes."})
    assert missing.status_code == 400 and "Choose what upholding does to the award" in page(missing)
    response = client.post(url, {f"{prefix}-decision": "dismissed", f"{prefix}-text": "The ranking stands."})
    assert response.status_code == 302
    assert Challenge.objects.get(pk=challenge.pk).status == "dismissed"
    assert "Reply to this challenge" not in page(client.get(f"/bureau/tenders/{tender.pk}/challenges/"))


def test_the_bureaus_challenges_page_reads_the_same_queries_for_any_number_of_challenges(world, as_user):
    # Given two tenders whose awards were challenged by 2 and by 8 bidders (some awaiting the reply,
    # some dismissed, some taken to the review body)
    few, many = challenged_by_many(world, 2), challenged_by_many(world, 8)
    client = as_user(world["officer"])
    client.get(f"/bureau/tenders/{few.pk}/challenges/")  # the content types are cached once

    # When the officer opens each tender's challenges page
    counts = []
    for tender in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/bureau/tenders/{tender.pk}/challenges/")
        assert response.status_code == 200
        assert page(response).count("Send reply") == tender.challenges.filter(status="submitted").count()
        counts.append(len(queries))

    # Then the complaints and documents are read with the list, not once per challenge
    assert counts[0] == counts[1]


def test_the_public_page_shows_replied_challenges_without_the_challenger(world, as_user):
    objects = dismissed_challenge(world)
    html = page(as_user(None).get(f"/tenders/{objects['tender'].pk}/"))
    assert "Challenges and complaints" in html and "The scores were checked: the ranking stands." in html
    assert world["providers"][1].name not in html.split("Challenges and complaints")[1]


def test_the_challenger_complains_and_the_review_body_decides(world, as_user, client):
    objects = dismissed_challenge(world)
    challenge = objects["challenge"]
    rival = as_user(world["provider_admins"][1])
    detail = page(rival.get(f"/provider/challenges/{challenge.pk}/"))
    assert "Complain to the finance department" in detail
    response = rival.post(f"/provider/challenges/{challenge.pk}/complain/", {"grounds": "Not scored."})
    assert response.status_code == 302
    complaint = Complaint.objects.get()

    client.logout()
    reviewer = as_user(world["reviewer"])
    home = page(reviewer.get("/review/"))
    assert "Decide the complaint about" in home
    assert f"/review/complaints/{complaint.pk}/" in home
    decided = reviewer.post(
        f"/review/complaints/{complaint.pk}/", {"decision": "dismissed", "text": "Scored by the rules."}
    )
    assert decided.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).status == "dismissed"
    assert Award.objects.get(tender=objects["tender"]).status == "proposed"
    assert "Scored by the rules." in page(as_user(None).get(f"/tenders/{objects['tender'].pk}/"))


def test_review_body_members_land_on_their_area(world, client):
    from tests.factories import PASSWORD

    world["reviewer"].set_password(PASSWORD)
    world["reviewer"].save()
    response = client.post(
        "/accounts/login/", {"username": world["reviewer"].username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/review/"


def test_only_the_review_body_opens_a_complaint(world, as_user):
    complaint = complained_challenge(world)["complaint"]
    assert as_user(world["other_reviewer"]).get(f"/review/complaints/{complaint.pk}/").status_code == 404
    assert as_user(world["officer"]).get("/review/").status_code == 403
