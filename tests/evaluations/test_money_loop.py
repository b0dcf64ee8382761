"""Delivery, ratings and evaluations through the API: money follows verified service quality."""

import datetime

import pytest
from django.utils import timezone
from django_fsm_log.models import StateLog

from contracts import services as contract_services
from contracts.models import Contract, Instalment
from evaluations.models import Evaluation, Rating
from marketplace.models import Tender

from .. import factories as f
from .. import flows

pytestmark = pytest.mark.django_db

VALUE = 30_000_000


@pytest.fixture
def setup(world, api, settings):
    """An active ¥300,000 contract with an assessor and a community, and 20 households of its
    service area, each with a resident."""
    settings.EVALUATION_APPEAL_DAYS = 0
    contract = flows.active_contract(world, prices=(VALUE, VALUE))
    contract_services.contract_assign(
        actor=world["officer"], contract=contract, assessor=world["assessor"], community=world["community"]
    )
    compound = world["areas"]["compound"]
    residents = [f.ResidentFactory(household=f.HouseholdFactory(area=compound)) for _ in range(20)]
    provider_admin = next(
        a
        for a, p in zip(world["provider_admins"], world["providers"], strict=True)
        if p.id == contract.provider_id
    )
    return {"contract": contract, "residents": residents, "provider_admin": provider_admin}


def rate_all(api, residents, contract, positives: int):
    for index, resident in enumerate(residents):
        response = api(resident.user).post(
            "ratings/",
            {"contract": contract.id, "satisfaction": 5 if index < positives else 2, "resolved": "yes"},
            REMOTE_ADDR=f"10.0.0.{index + 1}",
        )
        assert response.status_code == 201, response.json()


def score(api, world, evaluation_id, t, b, c):
    for user, component, value in (
        (world["assessor_member"], "third_party", t),
        (world["officer"], "buyer", b),
        (world["community_member"], "community", c),
    ):
        response = api(user).post(
            f"evaluations/{evaluation_id}/scores/", {"component": component, "score": value}
        )
        assert response.status_code == 200, response.json()


def report(api, setup, stage):
    response = api(setup["provider_admin"]).post(
        f"contracts/{setup['contract'].id}/reports/", {"stage": stage, "summary": "Delivered as planned."}
    )
    assert response.status_code == 201, response.json()


@pytest.fixture
def in_service(setup):
    """Move the service period so that today lies inside it (the deadline passed in the flow)."""
    contract = setup["contract"]
    today = timezone.localdate()
    Contract.objects.filter(pk=contract.pk).update(
        service_start=today - datetime.timedelta(days=30), service_end=today + datetime.timedelta(days=300)
    )
    contract.refresh_from_db()
    return setup


def log_event(api, setup, households):
    contract = setup["contract"]
    return api(setup["provider_admin"]).post(
        f"contracts/{contract.id}/events/",
        {
            "date": timezone.localdate().isoformat(),
            "area": households[0].area_id,
            "title": "Community lunch",
            "recipients": [h.code for h in households],
        },
    )


def test_worked_example_2_end_to_end(world, api, in_service):
    setup = in_service
    contract = setup["contract"]
    officer = api(world["officer"])
    assert log_event(api, setup, [r.household for r in setup["residents"]]).status_code == 201

    # Midterm: 20 of 20 recipients rate, 9 positive → R = 60.00; T=70, B=65, C=70 → S = 66.00
    rateable = api(setup["residents"][0].user).get("me/rateable/").json()
    assert [row["contract"] for row in rateable] == [contract.id]
    rate_all(api, setup["residents"], contract, positives=9)
    midterm = officer.get(f"contracts/{contract.id}/evaluations/").json()[0]
    assert midterm["stage"] == "midterm" and midterm["status"] == "open"
    score(api, world, midterm["id"], "70", "65", "70")
    refused = officer.post(f"evaluations/{midterm['id']}/finalize/")
    assert refused.status_code == 409 and refused.json()["code"] == "report_missing"
    report(api, setup, "midterm")
    published = officer.post(f"evaluations/{midterm['id']}/finalize/").json()
    assert published["status"] == "published"
    assert {key: published["residents"][key] for key in ("n", "n_pos", "n_min", "score", "method")} == (
        {"n": 20, "n_pos": 9, "n_min": 20, "score": "60.00", "method": "online"}
    )
    assert (published["composite"], published["band"], published["release_pct"]) == ("66.00", "D", "68.00")
    confirmed = officer.post(f"evaluations/{midterm['id']}/confirm/").json()
    assert confirmed["status"] == "final"
    interim = Instalment.objects.get(contract=contract, kind="interim")
    assert (interim.status, interim.release_amount) == ("payable", 12_000_000)

    # Final: the same households rate again in the final evaluation
    final = next(
        e for e in officer.get(f"contracts/{contract.id}/evaluations/").json() if e["stage"] == "final"
    )
    rate_all(api, setup["residents"], contract, positives=9)
    score(api, world, final["id"], "70", "65", "70")
    report(api, setup, "final")
    assert officer.post(f"evaluations/{final['id']}/finalize/").json()["composite"] == "66.00"
    committed_before = Tender.objects.get(pk=contract.tender_id).committed_amount
    assert officer.post(f"evaluations/{final['id']}/confirm/").json()["status"] == "final"

    holdback = Instalment.objects.get(contract=contract, kind="holdback")
    assert (holdback.status, holdback.release_amount, holdback.withheld_amount) == (
        "payable",
        6_120_000,
        2_880_000,
    )
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == committed_before - 2_880_000
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED
    states = [log.state for log in StateLog.objects.for_(contract).order_by("id")]
    assert states == ["active", "completed"]


def test_a_midterm_below_60_puts_the_contract_into_rectification_until_a_re_evaluation_passes(
    world, api, in_service
):
    setup = in_service
    contract = setup["contract"]
    officer = api(world["officer"])
    log_event(api, setup, [r.household for r in setup["residents"]])
    rate_all(api, setup["residents"], contract, positives=2)
    midterm = officer.get(f"contracts/{contract.id}/evaluations/").json()[0]
    score(api, world, midterm["id"], "50", "50", "50")
    report(api, setup, "midterm")
    assert officer.post(f"evaluations/{midterm['id']}/finalize/").json()["band"] == "E"
    officer.post(f"evaluations/{midterm['id']}/confirm/")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.RECTIFICATION
    assert Instalment.objects.get(contract=contract, kind="interim").status == "scheduled"

    retry = Evaluation.objects.get(contract=contract, status="open")
    assert (retry.stage, retry.round) == ("midterm", 2)
    rate_all(api, setup["residents"], contract, positives=18)
    score(api, world, retry.id, "85", "85", "85")
    officer.post(f"evaluations/{retry.id}/finalize/")
    officer.post(f"evaluations/{retry.id}/confirm/")
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert Instalment.objects.get(contract=contract, kind="interim").status == "payable"


def test_rating_rules(world, api, in_service):
    setup = in_service
    contract = setup["contract"]
    households = [r.household for r in setup["residents"]]
    log_event(api, setup, households)
    resident = setup["residents"][0]
    body = {"contract": contract.id, "satisfaction": 4, "resolved": "partly", "comment": "好"}

    outsider = f.ResidentFactory(household=f.HouseholdFactory(area=world["areas"]["compound"]))
    refused = api(outsider.user).post("ratings/", body)
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_recipient"

    staff = world["provider_staff"][0]
    f.ResidentFactory(user=staff, household=f.HouseholdFactory(area=world["areas"]["compound"]))
    refused = api(staff).post("ratings/", body)
    assert refused.status_code == 403 and refused.json()["code"] == "conflict_of_interest"

    assert api(world["stranger"]).post("ratings/", body).json()["code"] == "not_a_resident"
    assert api().post("ratings/", body).status_code == 401

    created = api(resident.user).post("ratings/", body)
    assert created.status_code == 201 and created.json()["status"] == "valid"
    again = api(resident.user).post("ratings/", body)
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert api(resident.user).get("me/rateable/").json() == []

    rating_id = created.json()["id"]
    patched = api(resident.user).patch(f"ratings/{rating_id}/", {"satisfaction": "not_received"})
    assert patched.status_code == 200 and patched.json()["satisfaction"] == "not_received"
    assert (
        api(setup["residents"][1].user).patch(f"ratings/{rating_id}/", {"resolved": "no"}).status_code == 404
    )
    Rating.objects.filter(pk=rating_id).update(created_at=timezone.now() - datetime.timedelta(days=8))
    late = api(resident.user).patch(f"ratings/{rating_id}/", {"satisfaction": 5})
    assert late.status_code == 409 and late.json()["code"] == "edit_window_closed"

    bad = api(setup["residents"][1].user).post("ratings/", {**body, "satisfaction": 6})
    assert bad.status_code == 400 and "satisfaction" in bad.json()["extra"]["fields"]


def test_a_burst_from_one_address_is_quarantined_and_reviewed(world, api, in_service, settings):
    settings.RATING_IP_BURST = 3
    setup = in_service
    contract = setup["contract"]
    log_event(api, setup, [r.household for r in setup["residents"]])
    statuses = []
    for resident in setup["residents"][:5]:
        response = api(resident.user).post(
            "ratings/",
            {"contract": contract.id, "satisfaction": 5, "resolved": "yes"},
            REMOTE_ADDR="192.0.2.7",
        )
        statuses.append(response.json()["status"])
    assert statuses == ["valid", "valid", "valid", "quarantined", "quarantined"]

    quarantined = api(world["officer"]).get("ratings/", status="quarantined").json()
    assert quarantined["count"] == 2
    first, second = (row["id"] for row in quarantined["results"])
    assert api(world["stranger"]).post(f"ratings/{first}/restore/", {"reason": "x"}).status_code == 404
    restored = api(world["officer"]).post(
        f"ratings/{first}/restore/", {"reason": "Household confirmed by phone"}
    )
    assert restored.status_code == 200 and restored.json()["status"] == "valid"
    excluded = api(world["officer"]).post(f"ratings/{second}/exclude/", {"reason": "Duplicate device"})
    assert excluded.json()["status"] == "excluded"
    log = StateLog.objects.for_(Rating.objects.get(pk=first)).order_by("id").last()
    assert (log.state, log.by, log.description) == ("valid", world["officer"], "Household confirmed by phone")


def test_too_few_ratings_need_the_assessors_survey(world, api, in_service):
    setup = in_service
    contract = setup["contract"]
    log_event(api, setup, [r.household for r in setup["residents"]])
    rate_all(api, setup["residents"][:5], contract, positives=5)
    officer = api(world["officer"])
    evaluation = officer.get(f"contracts/{contract.id}/evaluations/").json()[0]
    score(api, world, evaluation["id"], "80", "80", "80")
    report(api, setup, "midterm")
    refused = officer.post(f"evaluations/{evaluation['id']}/finalize/")
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_ratings"
    assert (
        api(world["officer"])
        .post(f"evaluations/{evaluation['id']}/survey/", {"n": 50, "n_pos": 40})
        .status_code
        == 403
    )
    survey = api(world["assessor_member"]).post(
        f"evaluations/{evaluation['id']}/survey/", {"n": 50, "n_pos": 40}
    )
    assert survey.status_code == 200
    published = officer.post(f"evaluations/{evaluation['id']}/finalize/").json()
    assert published["residents"]["method"] == "survey"
    assert published["residents"]["score"] == "78.57"  # 100 × (40 + 15) / 70


def test_public_satisfaction_is_hidden_below_five_ratings(world, api, in_service):
    setup = in_service
    contract = setup["contract"]
    log_event(api, setup, [r.household for r in setup["residents"]])
    rate_all(api, setup["residents"][:4], contract, positives=4)
    assert api().get(f"contracts/{contract.id}/satisfaction/").json() == {
        "count": 4,
        "hidden": True,
        "positive_pct": None,
        "distribution": None,
        "resolved": None,
    }
    rate_all(api, setup["residents"][4:6], contract, positives=0)
    public = api().get(f"contracts/{contract.id}/satisfaction/").json()
    assert public["count"] == 6 and public["positive_pct"] == "66.67"
    assert public["distribution"] == {"5": 4, "4": 0, "3": 0, "2": 2, "1": 0}


def test_service_events_are_checked(world, api, in_service):
    setup = in_service
    contract = setup["contract"]
    provider = api(setup["provider_admin"])
    other = world["areas"]["other_compound"]
    outsider = f.HouseholdFactory(area=other)
    response = provider.post(
        f"contracts/{contract.id}/events/",
        {
            "date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "area": other.id,
            "title": "x",
            "recipients": [outsider.code, "NOPE"],
        },
    )
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"date", "area", "recipients"}
    assert (
        api(world["officer"])
        .post(
            f"contracts/{contract.id}/events/",
            {"date": timezone.localdate().isoformat(), "area": other.id, "title": "x"},
        )
        .status_code
        == 403
    )
    assert api(world["stranger"]).get(f"contracts/{contract.id}/events/").status_code == 404
