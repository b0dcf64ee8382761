"""Exclusion from bidding (docs/rules.md §17.6): a terminated contract or a final evaluation in band
E bars the provider from submitting bids for EXCLUSION_MONTHS; an officer of the bureau that caused
it may lift it with a reason (logged); it ends by date."""

import datetime

import pytest
import time_machine
from django.utils import timezone, translation
from django_fsm_log.models import StateLog

from common.months import add_months
from contracts import services as contract_services
from marketplace import services
from marketplace.models import Exclusion
from marketplace.selectors import exclusion_in_force
from marketplace.services.exclusions import exclusion_end

from .. import flows
from ..roles import assert_error, assert_unchanged, snapshot

pytestmark = pytest.mark.django_db


def _terminated(world):
    contract = flows.active_contract(world)
    return contract_services.contract_terminate(
        actor=world["officer"], contract=contract, reason="Subcontracted"
    )


def _draft_bid(world, provider_index=0):
    tender = flows.published_tender(world)
    return services.bid_create(
        actor=world["provider_admins"][provider_index],
        tender=tender,
        provider=world["providers"][provider_index],
        data={
            "price_amount": 27_000_000,
            "technical_proposal": "Visits.",
            "staffing_plan": "Two.",
            "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
        },
    )


def test_add_months_keeps_the_wall_clock_and_clamps_the_day(settings):
    tz = timezone.get_current_timezone()
    moment = datetime.datetime(2026, 1, 31, 22, 30, tzinfo=tz)
    assert add_months(moment, 1) == datetime.datetime(2026, 2, 28, 22, 30, tzinfo=tz)
    assert add_months(moment, 12) == datetime.datetime(2027, 1, 31, 22, 30, tzinfo=tz)
    assert add_months(moment, -36) == datetime.datetime(2023, 1, 31, 22, 30, tzinfo=tz)
    leap = datetime.datetime(2024, 2, 29, 8, 0, tzinfo=tz)
    assert add_months(leap, 12) == datetime.datetime(2025, 2, 28, 8, 0, tzinfo=tz)


def test_an_exclusion_ends_at_the_end_of_the_local_day_twelve_months_later(settings):
    settings.EXCLUSION_MONTHS = 12
    tz = timezone.get_current_timezone()
    # late evening in Shanghai is the same local date, whatever the UTC date
    starts = datetime.datetime(2026, 3, 5, 23, 30, tzinfo=tz)
    ends = exclusion_end(starts)
    assert timezone.localtime(ends).date() == datetime.date(2027, 3, 5)
    assert (timezone.localtime(ends).hour, timezone.localtime(ends).minute) == (23, 59)


def test_termination_excludes_the_provider_and_submit_is_refused_until_lifted(world, api, sms):
    # Given a contract of the first provider terminated by the officer
    contract = _terminated(world)
    exclusion = Exclusion.objects.get()
    assert (exclusion.provider, exclusion.bureau) == (world["providers"][0], world["bureau"])
    assert (exclusion.source, exclusion.source_id, exclusion.contract_ref) == (
        "contract_terminated",
        contract.pk,
        contract.pk,
    )
    assert exclusion.starts == contract.terminated_at
    assert exclusion.ends == exclusion_end(contract.terminated_at)
    assert exclusion.is_in_force

    # When the provider submits a bid on another tender, it is refused 409 with the end date
    bid = _draft_bid(world)
    provider = api(world["provider_admins"][0])
    before = snapshot()
    response = provider.post(f"bids/{bid.id}/submit/")
    assert_error(response, 409, "provider_excluded")
    assert response.json()["extra"]["ends"] == exclusion.ends.isoformat()
    assert_unchanged(before)
    # another provider bids as usual
    assert api(world["provider_admins"][1]).post(f"bids/{_draft_bid(world, 1).id}/submit/").status_code == 200

    # An officer of another bureau may not lift it; the officer of the bureau must give a reason
    assert_error(
        api(world["other_officer"]).post(f"exclusions/{exclusion.id}/lift/", {"reason": "x"}), 403, None
    )
    assert_error(
        api(world["officer"]).post(f"exclusions/{exclusion.id}/lift/", {"reason": ""}), 400, "invalid"
    )
    officer = api(world["officer"])
    assert officer.get(f"exclusions/{exclusion.id}/").json()["available_transitions"] == ["lift"]
    response = officer.post(f"exclusions/{exclusion.id}/lift/", {"reason": "Court annulled the termination"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["in_force"], body["lift_reason"]) == (
        "lifted",
        False,
        "Court annulled the termination",
    )
    assert body["available_transitions"] == []
    log = StateLog.objects.for_(exclusion).get()
    assert (log.transition, log.by, log.description) == (
        "lift",
        world["officer"],
        "Court annulled the termination",
    )
    history = officer.get(f"exclusions/{exclusion.id}/history/").json()
    assert [entry["transition"] for entry in history] == ["lift"]

    # Then the provider submits
    assert provider.post(f"bids/{bid.id}/submit/").status_code == 200
    # and lifting twice is a conflict
    assert_error(
        officer.post(f"exclusions/{exclusion.id}/lift/", {"reason": "again"}), 409, "invalid_transition"
    )


def test_the_providers_admin_is_told_once_it_commits(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    admin = world["provider_admins"][0]
    admin.email = "admin@provider.example.cn"
    admin.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _terminated(world)
    told = [
        message
        for message in mailoutbox
        if admin.email in message.to and message.subject == "Your organisation is excluded from bidding"
    ]
    assert len(told) == 1
    assert "You may not submit bids until" in told[0].body


def test_imposing_twice_never_duplicates(world):
    contract = _terminated(world)
    from django.db import transaction

    with transaction.atomic():
        again = services.exclusion_impose(
            provider=contract.provider,
            bureau=contract.bureau,
            source=Exclusion.Source.CONTRACT_TERMINATED,
            source_id=contract.pk,
            contract_id=contract.pk,
        )
    assert Exclusion.objects.count() == 1
    assert again.pk == Exclusion.objects.get().pk


def test_an_exclusion_expires_after_exclusion_months(world, api, settings):
    settings.EXCLUSION_MONTHS = 12
    _terminated(world)
    exclusion = Exclusion.objects.get()
    public = api()
    assert [row["id"] for row in public.get("exclusions/").json()["results"]] == [exclusion.id]

    # The day before it ends the provider is still excluded; the moment after, it may bid
    with time_machine.travel(exclusion.ends - datetime.timedelta(hours=1), tick=False):
        assert exclusion_in_force(world["providers"][0]) is not None
    with time_machine.travel(exclusion.ends + datetime.timedelta(seconds=1), tick=False):
        assert exclusion_in_force(world["providers"][0]) is None
        assert public.get("exclusions/").json()["results"] == []
        assert [row["id"] for row in public.get("exclusions/", status="expired").json()["results"]] == [
            exclusion.id
        ]
        bid = _draft_bid(world)
        assert api(world["provider_admins"][0]).post(f"bids/{bid.id}/submit/").status_code == 200
        # an expired exclusion is not lifted: it ended
        assert_error(
            api(world["officer"]).post(f"exclusions/{exclusion.id}/lift/", {"reason": "late"}),
            409,
            "invalid_transition",
        )
    assert exclusion.ends > add_months(exclusion.starts, 12) - datetime.timedelta(days=1)


def test_a_final_evaluation_in_band_e_excludes_the_provider(world):
    objects = flows.delivering_contract(world, households=3)
    flows.final_evaluation(world, objects)  # a passing midterm opens the final evaluation
    final = objects["contract"].evaluations.get(stage="final")
    confirmed = flows.final_evaluation(
        world, {**objects, "evaluation": final}, satisfaction=1, t="30", b="30", c="30"
    )
    assert confirmed.band == "E"
    exclusion = Exclusion.objects.get()
    assert (exclusion.source, exclusion.source_id, exclusion.contract_ref) == (
        "evaluation_band_e",
        confirmed.pk,
        objects["contract"].pk,
    )
    assert exclusion.starts == confirmed.confirmed_at
    assert exclusion.provider == world["providers"][0]


def test_a_passing_final_evaluation_excludes_nobody(world):
    objects = flows.delivering_contract(world, households=3)
    flows.final_evaluation(world, objects)
    final = objects["contract"].evaluations.get(stage="final")
    flows.final_evaluation(world, {**objects, "evaluation": final})
    assert not Exclusion.objects.exists()


def test_the_public_list_names_organisations_only(world, api):
    _terminated(world)
    for user in (None, world["stranger"], world["provider_admins"][1]):
        rows = api(user).get("exclusions/").json()["results"]
        assert len(rows) == 1
        row = rows[0]
        assert set(row) == {
            "id",
            "provider",
            "provider_name",
            "bureau",
            "bureau_name",
            "source",
            "source_id",
            "contract",
            "reason",
            "starts",
            "ends",
            "status",
            "in_force",
            "lifted_at",
            "lift_reason",
            "available_transitions",
        }
        text = str(row)
        for person in (world["officer"], world["provider_admins"][0]):
            assert person.username not in text
        assert "Subcontracted" not in text  # the officer's typed termination reason stays on the contract
    anonymous_history = api().get(f"exclusions/{rows[0]['id']}/history/")
    assert anonymous_history.status_code == 200


def test_the_status_filter(world, api):
    _terminated(world)
    exclusion = Exclusion.objects.get()
    services.exclusion_lift(actor=world["officer"], exclusion=exclusion, reason="Settled")
    public = api()
    assert public.get("exclusions/").json()["count"] == 0
    assert public.get("exclusions/", status="lifted").json()["count"] == 1
    assert public.get("exclusions/", status="all").json()["count"] == 1
    assert_error(public.get("exclusions/", status="bogus"), 400, "invalid")
