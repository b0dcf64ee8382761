"""Residents' needs (居民点单, docs/rules.md §22): a confirmed resident proposes a need for their own
community, households support it once each, the council accepts it or rejects it with a
negative-list reason, and the need follows the tender and the contract that answer it."""

import datetime
import json

import pytest
from django.core import mail
from django.utils import timezone

from contracts import services as contract_services
from marketplace import services as market
from needs.models import Deliberation, Need, Support
from orgs.models import Resident

from .. import factories as f
from ..conftest import Api
from ..flows import active_contract, assert_refused, draft_tender, last_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def resident_of(area, **fields):
    """A confirmed resident of a new household in ``area`` (with an e-mail, to be told)."""
    user = f.UserFactory(email=f"resident{f.UserFactory._meta.model.objects.count()}@example.org")
    return f.ResidentFactory(user=user, household=f.HouseholdFactory(area=area), **fields).user


def proposed(world, resident=None, **fields) -> Need:
    resident = resident or resident_of(world["areas"]["compound"])
    body = {
        "title": "A lunch table for the elderly",
        "description": "Hot lunches near the compound.",
        **fields,
    }
    response = Api(resident).post("needs/", body)
    assert response.status_code == 201, response.json()
    return Need.objects.get(pk=response.json()["id"])


def deliberation(decision="accepted", **fields) -> dict:
    return {
        "held_on": timezone.localdate().isoformat(),
        "minutes": "Twelve residents' representatives met; the proposal was read and discussed.",
        "votes_for": 9,
        "votes_against": 2,
        "decision": decision,
        **fields,
    }


def accepted(world, **fields) -> Need:
    need = proposed(world, **fields)
    response = Api(world["community_member"]).post(f"needs/{need.pk}/deliberate/", deliberation())
    assert response.status_code == 200, response.json()
    need.refresh_from_db()
    return need


# --- Proposing ------------------------------------------------------------------------------------


def test_a_confirmed_resident_proposes_a_need_for_their_own_community(
    world, django_capture_on_commit_callbacks
):
    resident = resident_of(world["areas"]["compound"])
    world["community_member"].email = "committee@example.org"
    world["community_member"].save()
    with django_capture_on_commit_callbacks(execute=True):
        response = Api(resident).post(
            "needs/",
            {
                "title": "A lunch table",
                "description": "Hot lunches.",
                "catalogue_item": world["catalogue_item"].pk,
            },
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["supporters"] == 1  # the proposer's household
    assert body["community"] == {
        "id": world["areas"]["community"].pk,
        "name": world["areas"]["community"].name,
    }
    assert body["catalogue_item"] == world["catalogue_item"].pk
    assert "household" not in body and "proposed_by" not in body
    # the community's committee is told
    assert [message.to for message in mail.outbox] == [[world["community_member"].email]]


@pytest.mark.parametrize("who", ["pending_resident", "officer", "stranger", "community_member"])
def test_only_a_confirmed_resident_proposes(world, who):
    if who == "pending_resident":
        user = resident_of(world["areas"]["compound"], status=Resident.Status.PENDING)
    else:
        user = world[who]

    response = Api(user).post("needs/", {"title": "Lunch", "description": "Hot lunches."})

    assert response.status_code == 403
    assert response.json()["code"] == "not_a_resident"
    assert not Need.objects.exists()


def test_an_anonymous_proposal_is_401(world):
    assert Api().post("needs/", {"title": "Lunch", "description": "Hot lunches."}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "description": "x"}, "title"),
        ({"title": "x" * 201, "description": "x"}, "title"),
        ({"title": "Lunch", "description": "   "}, "description"),
        ({"title": "Lunch", "description": "x", "catalogue_item": 999999}, "catalogue_item"),
        ({"title": "Lunch", "description": "x", "catalogue_item": "two"}, "catalogue_item"),
    ],
)
def test_a_bad_proposal_is_a_400_on_its_field_and_saves_nothing(world, body, field):
    response = Api(resident_of(world["areas"]["compound"])).post("needs/", body)

    assert response.status_code == 400, response.json()
    assert field in response.json()["extra"]["fields"]
    assert not Need.objects.exists()


def test_a_household_outside_any_community_cannot_propose(world):
    resident = resident_of(world["areas"]["street"])  # a household registered at the street itself

    response = Api(resident).post("needs/", {"title": "Lunch", "description": "Hot lunches."})

    assert response.status_code == 409
    assert response.json()["code"] == "no_community"


# --- Supporting -----------------------------------------------------------------------------------


def test_each_household_of_the_community_supports_a_need_once(world):
    need = proposed(world)
    neighbour = resident_of(world["areas"]["compound"])

    first = Api(neighbour).post(f"needs/{need.pk}/support/")
    again = Api(neighbour).post(f"needs/{need.pk}/support/")
    proposer_again = Api(need.proposed_by).post(f"needs/{need.pk}/support/")

    assert first.status_code == 200 and first.json()["supporters"] == 2
    assert again.status_code == 409 and again.json()["code"] == "already_supported"
    assert proposer_again.status_code == 409 and proposer_again.json()["code"] == "already_supported"
    assert Support.objects.filter(need=need).count() == 2
    assert Need.objects.get(pk=need.pk).supporters == 2


def test_a_household_of_another_community_may_not_support(world):
    need = proposed(world)
    outsider = resident_of(world["areas"]["other_compound"])

    response = Api(outsider).post(f"needs/{need.pk}/support/")

    assert response.status_code == 403
    assert response.json()["code"] == "not_of_your_community"
    assert Need.objects.get(pk=need.pk).supporters == 1


def test_a_rejected_need_can_no_longer_be_supported(world):
    need = proposed(world)
    Api(world["community_member"]).post(
        f"needs/{need.pk}/deliberate/", deliberation("rejected", reason="private_matter")
    )

    response = Api(resident_of(world["areas"]["compound"])).post(f"needs/{need.pk}/support/")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


# --- The council's deliberation -------------------------------------------------------------------


def test_the_council_accepts_a_need_and_the_households_that_asked_are_told(
    world, django_capture_on_commit_callbacks
):
    need = proposed(world)
    supporter = resident_of(world["areas"]["compound"])
    Api(supporter).post(f"needs/{need.pk}/support/")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = Api(world["community_member"]).post(f"needs/{need.pk}/deliberate/", deliberation())

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    assert response.json()["deliberation"]["minutes"].startswith("Twelve")  # the council sees its minutes
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [need.proposed_by.email, supporter.email]
    )
    log = last_log(Need.objects.get(pk=need.pk))
    assert (log.source_state, log.state, log.by) == ("submitted", "accepted", world["community_member"])


def test_the_public_sees_the_decision_and_votes_but_not_the_minutes_or_who_asked(world):
    need = accepted(world)

    body = Api().get(f"needs/{need.pk}/").json()

    assert body["deliberation"] == {
        "held_on": timezone.localdate().isoformat(),
        "votes_for": 9,
        "votes_against": 2,
        "decision": "accepted",
        "reason": "",
        "explanation": "",
    }
    assert need.proposed_by.username not in str(body) and need.household.code not in str(body)
    history = Api().get(f"needs/{need.pk}/history/").json()
    assert [entry["state"] for entry in history] == ["accepted"]
    assert all(entry.get("by") in (None, "") for entry in history)


def test_a_rejection_names_a_negative_list_reason(world):
    need = proposed(world)

    response = Api(world["community_member"]).post(
        f"needs/{need.pk}/deliberate/",
        deliberation(
            "rejected", reason="other_responsible_body", explanation="The property company repairs lifts."
        ),
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert response.json()["deliberation"]["reason"] == "other_responsible_body"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"decision": "rejected"}, "reason"),
        ({"decision": "rejected", "reason": "other"}, "explanation"),
        ({"decision": "accepted", "reason": "private_matter"}, "reason"),
        ({"decision": "maybe"}, "decision"),
        ({"reason": "not_on_the_list", "decision": "rejected"}, "reason"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"held_on": "2000-01-01"}, "held_on"),
        ({"votes_for": -1}, "votes_for"),
        ({"minutes": "  "}, "minutes"),
        ({"held_on": "2026-02-30"}, "held_on"),
    ],
)
def test_a_bad_deliberation_is_a_400_on_its_field_and_changes_nothing(world, fields, field):
    need = proposed(world)

    response = Api(world["community_member"]).post(f"needs/{need.pk}/deliberate/", deliberation(**fields))

    assert response.status_code == 400, response.json()
    assert field in response.json()["extra"]["fields"], response.json()
    assert Need.objects.get(pk=need.pk).status == "submitted"
    assert not Deliberation.objects.exists()


@pytest.mark.parametrize("who", ["officer", "provider_staff", "assessor_member", "stranger", "resident"])
def test_only_the_communitys_committee_deliberates(world, who):
    need = proposed(world)
    user = need.proposed_by if who == "resident" else world[who]
    user = user[0] if isinstance(user, list) else user

    response = Api(user).post(f"needs/{need.pk}/deliberate/", deliberation())

    assert response.status_code == 403
    assert Need.objects.get(pk=need.pk).status == "submitted"


def test_a_committee_of_another_community_may_not_deliberate(world):
    other = f.OrganizationFactory(
        kind="community",
        legal_type="grassroots_autonomous",
        jurisdiction=world["areas"]["other_compound"].parent,
    )
    need = proposed(world)

    response = Api(f.member(other, "member")).post(f"needs/{need.pk}/deliberate/", deliberation())

    assert response.status_code == 403


def test_a_need_is_deliberated_once(world):
    need = accepted(world)

    response = Api(world["community_member"]).post(f"needs/{need.pk}/deliberate/", deliberation("rejected"))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


# --- The public list ------------------------------------------------------------------------------


def test_anyone_lists_the_needs_of_an_area_by_status(world):
    one, two = accepted(world), proposed(world)
    elsewhere = proposed(world, resident=resident_of(world["areas"]["other_compound"]))

    in_district = Api().get("needs/", area=world["areas"]["district"].pk).json()["results"]
    accepted_only = (
        Api().get("needs/", area=world["areas"]["compound"].pk, status="accepted").json()["results"]
    )

    assert {row["id"] for row in in_district} == {one.pk, two.pk}
    assert [row["id"] for row in accepted_only] == [one.pk]
    assert elsewhere.pk not in {row["id"] for row in in_district}
    assert Api().get("needs/", area=10**30).json()["results"] == []
    assert Api().get("needs/", status="nonsense").status_code == 400


# --- Following the tender and the contract --------------------------------------------------------


def _tender_payload(world, **fields):
    tender = draft_tender(world)  # a valid set of terms to copy
    return {
        "title": "Lunches for the elderly",
        "catalogue_item": world["catalogue_item"].pk,
        "budget_line": world["budget_line"].pk,
        "areas": [world["areas"]["community"].pk],
        "ceiling_amount": 30_000_000,
        "bid_deadline": tender.bid_deadline.isoformat(),
        "service_start": tender.service_start.isoformat(),
        "service_end": tender.service_end.isoformat(),
        "criteria": [
            {"name": "Price", "kind": "price", "weight": 30},
            {"name": "Plan", "kind": "quality", "weight": 70},
        ],
        **fields,
    }


def test_a_tender_names_the_accepted_needs_it_answers(world):
    one, two = accepted(world), accepted(world)

    response = Api(world["officer"]).post("tenders/", _tender_payload(world, needs=[one.pk, two.pk]))

    assert response.status_code == 201, response.json()
    assert sorted(response.json()["needs"]) == sorted([one.pk, two.pk])
    assert Api().get(f"tenders/{response.json()['id']}/").status_code == 404  # still a draft


def test_a_tender_may_not_name_a_need_its_council_has_not_accepted_or_outside_its_jurisdiction(world):
    submitted = proposed(world)
    elsewhere = proposed(world, resident=resident_of(world["areas"]["other_compound"]))
    Api(world["community_member"]).post(f"needs/{elsewhere.pk}/deliberate/", deliberation())

    for need in (submitted, elsewhere):
        response = Api(world["officer"]).post("tenders/", _tender_payload(world, needs=[need.pk]))
        assert response.status_code == 400, response.json()
        assert "needs" in response.json()["extra"]["fields"]


def test_the_need_follows_its_tender_and_contract_to_delivered(world, django_capture_on_commit_callbacks):
    need = accepted(world)
    contract = active_contract(world, needs=[need])  # the tender names it; published, awarded, signed
    need.refresh_from_db()
    assert need.status == "contracted"
    states = [log.state for log in need_logs(need)]
    assert states == ["accepted", "tendered", "contracted"]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contract_services.contract_complete(contract=contract, by=None, reason="service period over")

    need.refresh_from_db()
    assert need.status == "delivered"
    assert [message.to for message in mail.outbox] == [[need.proposed_by.email]]


def test_the_public_sees_why_a_tender_is_bought_on_its_page_and_in_its_releases(world, client):
    from django.urls import reverse

    from tests.opendata.validation import assert_valid

    need = accepted(world, title="A reading corner for children")
    contract = active_contract(world, needs=[need])
    tender = contract.tender

    page = client.get(reverse("public:tender", args=[tender.pk])).content.decode()
    assert "A reading corner for children" in page
    assert f'href="/needs/{need.pk}/"' in page
    assert "The district&#x27;s plan for elderly care." in page  # the factory's reason, given too

    package = client.get(reverse("ocds-releases")).json()
    assert_valid(package)
    first = next(r for r in package["releases"] if r["ocid"].endswith(f"-{tender.pk}"))
    assert "A reading corner for children" in first["planning"]["rationale"]
    assert "The district's plan for elderly care." in first["planning"]["rationale"]
    assert [
        (p["id"], p["relationship"], p["uri"].endswith(f"/needs/{need.pk}/"))
        for p in first["relatedProcesses"]
    ] == [(f"need-{need.pk}", ["planning"], True)]
    assert need.proposed_by.username not in json.dumps(package)  # never who asked


def test_a_tender_of_the_bureaus_own_initiative_names_no_need(world, client):
    from django.urls import reverse

    tender = active_contract(world).tender
    page = client.get(reverse("public:tender", args=[tender.pk])).content.decode()
    assert "The bureau's own initiative:" in page
    release = client.get(reverse("ocds-releases")).json()["releases"][0]
    assert "relatedProcesses" not in release
    assert release["planning"]["rationale"] == "主动发起: The district's plan for elderly care."


def test_a_cancelled_tender_returns_its_needs_to_the_council_list(world):
    need = accepted(world)
    tender = draft_tender(world)
    tender.needs.set([need])
    market.tender_publish(actor=world["officer"], tender=tender)
    assert Need.objects.get(pk=need.pk).status == "tendered"

    market.tender_cancel(actor=world["officer"], tender=tender, reason="The budget was cut.")

    assert Need.objects.get(pk=need.pk).status == "accepted"


def need_logs(need):
    from common.history import history_of

    return list(history_of(need))


def test_publishing_refused_leaves_the_need_accepted(world):
    need = accepted(world)
    tender = draft_tender(world, bid_deadline=timezone.now() + datetime.timedelta(days=1))
    tender.needs.set([need])

    assert_refused(lambda: market.tender_publish(actor=world["officer"], tender=tender), "deadline_too_soon")

    assert Need.objects.get(pk=need.pk).status == "accepted"


def test_a_tender_is_published_only_with_needs_or_the_bureaus_reason(world):
    response = Api(world["officer"]).post("tenders/", _tender_payload(world))
    tender_id = response.json()["id"]

    refused = Api(world["officer"]).post(f"tenders/{tender_id}/publish/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "origin_missing"

    need = accepted(world)
    assert Api(world["officer"]).patch(f"tenders/{tender_id}/", {"needs": [need.pk]}).status_code == 200
    published = Api(world["officer"]).post(f"tenders/{tender_id}/publish/")
    assert published.status_code == 200, published.json()
    assert Need.objects.get(pk=need.pk).status == "tendered"
    assert Api().get(f"tenders/{tender_id}/").json()["needs"] == [need.pk]


def test_proposing_and_supporting_past_the_rate_is_429_and_saves_nothing(world, monkeypatch):
    from django.core.cache import cache
    from rest_framework import throttling as drf_throttling

    cache.clear()
    monkeypatch.setattr(drf_throttling.SimpleRateThrottle, "THROTTLE_RATES", {"needs": "2/hour"})
    resident = resident_of(world["areas"]["compound"])
    body = {"title": "Lunch", "description": "Hot lunches."}

    statuses = [Api(resident).post("needs/", body).status_code for _ in range(3)]

    assert statuses == [201, 201, 429]
    assert Need.objects.count() == 2


@pytest.mark.parametrize("who", ["anonymous", "community_member", "resident"])
def test_the_list_reads_in_the_same_number_of_queries_however_many_needs(world, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = {"anonymous": None, "community_member": world["community_member"]}.get(who)
    if who == "resident":
        user = resident_of(world["areas"]["compound"])
    counts = []
    for total in (2, 8):
        while Need.objects.count() < total:
            accepted(world)
        client = Api(user)
        client.get("needs/")  # the token is made on the first request
        with CaptureQueriesContext(connection) as queries:
            assert client.get("needs/").status_code == 200
        counts.append(len(queries.captured_queries))

    assert counts[0] == counts[1], counts
