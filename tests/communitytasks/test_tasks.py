"""Community task admission through the API (docs/rules.md §23): the admission list, sending a
task, accepting (the funding held on the budget line) and refusing (a reason; never held against
the community), withdrawing, who sees what, and the public workload."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communitytasks.models import AdmissionItem, CommunityTask
from marketplace.models import BudgetCommitment
from marketplace.services import available_on
from orgs.models import Organization

from .. import factories as f
from ..flows import last_log
from .conftest import local_today, send_task, task_in

pytestmark = pytest.mark.django_db


def _body(world, **overrides):
    return {
        "community": world["community"].pk,
        "title": "Flood drill",
        "scope": "Organise the yearly flood drill.",
        "starts": str(local_today(10)),
        "ends": str(local_today(11)),
        "funding_amount": 300_000,
        "budget_line": world["budget_line"].pk,
        **overrides,
    }


# --- The admission list ---------------------------------------------------------------------------


def test_the_admission_list_is_public_and_grows_by_admins_only(world, api):
    created = api(world["platform_admin"]).post(
        "admission-items/", {"name": "Elderly visits", "funding_per_year": 1_000_000}
    )
    assert created.status_code == 201, created.json()
    assert created.json()["bureau"] is None  # the platform admin's item is district-wide
    by_bureau_admin = api(world["bureau_admin"]).post("admission-items/", {"name": "Flood drills"})
    assert by_bureau_admin.status_code == 201
    assert by_bureau_admin.json()["bureau"] == world["bureau"].pk  # a bureau admin's is its bureau's
    assert api(world["officer"]).post("admission-items/", {"name": "X"}).status_code == 403
    assert api(world["community_member"]).post("admission-items/", {"name": "X"}).status_code == 403
    assert api().post("admission-items/", {"name": "X"}).status_code == 401
    other = api(world["bureau_admin"]).post(
        "admission-items/", {"name": "X", "bureau": world["other_bureau"].pk}
    )
    assert other.status_code == 403
    listing = api().get("admission-items/")
    assert listing.status_code == 200
    assert [item["name"] for item in listing.json()["results"]] == ["Elderly visits", "Flood drills"]
    assert AdmissionItem.objects.count() == 2


# --- Sending a task ------------------------------------------------------------------------------


def test_an_officer_sends_a_task_and_the_community_is_told(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    world["community_member"].email = "member@example.org"
    world["community_member"].save()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world["officer"]).post("community-tasks/", _body(world))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "proposed"
    assert body["funding_amount"] == 300_000 and body["is_funded"] and not body["is_listed"]
    assert body["bureau"] == world["bureau"].pk
    assert [m.to for m in mailoutbox] == [["member@example.org"]]
    # nothing is held on the budget line until the community accepts
    assert available_on(world["budget_line"]) == world["budget_line"].amount


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"starts": "2026-13-01"}, "invalid", "starts"),
        ({"funding_amount": -1}, "invalid", "funding_amount"),
        ({"funding_amount": 1.5}, "invalid", "funding_amount"),
        ({"title": ""}, "invalid", "title"),
        ({"community": 10**9}, "invalid", "community"),
    ],
)
def test_malformed_input_is_a_400_naming_the_field(world, api, overrides, code, field):
    response = api(world["officer"]).post("community-tasks/", _body(world, **overrides))
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert field in response.json()["extra"]["fields"]
    assert not CommunityTask.objects.exists()


def test_a_task_cannot_start_in_the_past_or_end_before_it_starts(world, api):
    past = api(world["officer"]).post("community-tasks/", _body(world, starts=str(local_today(-1))))
    assert (past.status_code, past.json()["code"]) == (400, "invalid_dates")
    assert "starts" in past.json()["extra"]["fields"]
    backwards = api(world["officer"]).post(
        "community-tasks/", _body(world, starts=str(local_today(5)), ends=str(local_today(4)))
    )
    assert (backwards.status_code, backwards.json()["code"]) == (400, "invalid_dates")
    today = api(world["officer"]).post(
        "community-tasks/", _body(world, starts=str(local_today()), ends=str(local_today()))
    )
    assert today.status_code == 201  # today, in Asia/Shanghai, is not the past
    assert CommunityTask.objects.count() == 1


def test_the_community_must_be_a_verified_committee_within_the_bureaus_jurisdiction(world, api):
    provider = api(world["officer"]).post(
        "community-tasks/", _body(world, community=world["providers"][0].pk)
    )
    assert (provider.status_code, provider.json()["code"]) == (400, "not_a_community")
    pending = f.OrganizationFactory(
        kind=Organization.Kind.COMMUNITY,
        status=Organization.Status.PENDING,
        jurisdiction=world["areas"]["community"],
    )
    unverified = api(world["officer"]).post("community-tasks/", _body(world, community=pending.pk))
    assert (unverified.status_code, unverified.json()["code"]) == (400, "not_a_community")
    elsewhere = f.OrganizationFactory(
        kind=Organization.Kind.COMMUNITY, jurisdiction=world["areas"]["other_compound"].parent
    )
    outside = api(world["officer"]).post("community-tasks/", _body(world, community=elsewhere.pk))
    assert (outside.status_code, outside.json()["code"]) == (400, "community_outside_jurisdiction")
    assert not CommunityTask.objects.exists()


def test_the_budget_line_and_the_admission_item_must_be_the_bureaus(world, api):
    other_line = f.BudgetLineFactory(bureau=world["other_bureau"])
    response = api(world["officer"]).post("community-tasks/", _body(world, budget_line=other_line.pk))
    assert (response.status_code, response.json()["code"]) == (400, "budget_line_not_of_bureau")
    other_item = AdmissionItem.objects.create(
        bureau=world["other_bureau"], name="Theirs", created_by=world["other_officer"]
    )
    response = api(world["officer"]).post("community-tasks/", _body(world, admission_item=other_item.pk))
    assert (response.status_code, response.json()["code"]) == (400, "admission_item_not_of_bureau")
    own_item = AdmissionItem.objects.create(
        bureau=world["bureau"], name="Ours", created_by=world["bureau_admin"]
    )
    response = api(world["officer"]).post("community-tasks/", _body(world, admission_item=own_item.pk))
    assert response.status_code == 201 and response.json()["is_listed"]


# --- Accepting: the funding is held on the budget line --------------------------------------------


def test_accepting_holds_the_funding_on_the_budget_line(world, api):
    task = send_task(world, funding=400_000)
    response = api(world["community_member"]).post(f"community-tasks/{task.pk}/accept/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    task.refresh_from_db()
    assert task.commitment is not None and task.commitment.amount == 400_000
    assert available_on(world["budget_line"]) == world["budget_line"].amount - 400_000
    # the budget line's API shows it committed too
    line = api(world["officer"]).get(f"budget-lines/{world['budget_line'].pk}/").json()
    assert line["committed"] == 400_000
    log = last_log(task)
    assert (log.source_state, log.state, log.by) == ("proposed", "accepted", world["community_member"])


def test_accepting_more_than_the_line_has_is_409_and_changes_nothing(world, api):
    world["budget_line"].amount = 1_000_000
    world["budget_line"].save()
    first = send_task(world, funding=700_000)
    second = send_task(world, funding=700_000)
    assert api(world["community_member"]).post(f"community-tasks/{first.pk}/accept/").status_code == 200
    response = api(world["community_member"]).post(f"community-tasks/{second.pk}/accept/")
    assert (response.status_code, response.json()["code"]) == (409, "budget_insufficient")
    assert response.json()["extra"] == {"available": 300_000, "amount": 700_000}
    second.refresh_from_db()
    assert second.status == "proposed" and second.commitment is None
    assert BudgetCommitment.objects.count() == 1


def test_a_tender_cannot_be_published_over_money_held_for_a_task(world):
    from marketplace import services as marketplace

    from .. import flows

    world["budget_line"].amount = 30_000_000
    world["budget_line"].save()
    task = send_task(world, funding=1_000)
    from communitytasks import services

    services.community_task_accept(actor=world["community_member"], task=task)
    tender = flows.draft_tender(world, ceiling_amount=30_000_000)
    from ..flows import assert_refused

    assert_refused(
        lambda: marketplace.tender_publish(actor=world["officer"], tender=tender), "budget_insufficient"
    )


def test_an_unfunded_task_is_accepted_without_holding_anything(world, api):
    task = send_task(world, funding=0)
    assert api(world["community_member"]).post(f"community-tasks/{task.pk}/accept/").status_code == 200
    task.refresh_from_db()
    assert task.status == "accepted" and task.commitment is None


# --- Refusing -----------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason(world, api):
    task = send_task(world)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = api(world["community_member"]).post(f"community-tasks/{task.pk}/refuse/", body)
        assert (response.status_code, response.json()["code"]) == (400, "reason_required"), body
    task.refresh_from_db()
    assert task.status == "proposed"


@pytest.mark.parametrize(
    ("listed", "funding", "protected"),
    [(False, 500_000, True), (True, 0, True), (False, 0, True), (True, 500_000, False)],
)
def test_a_refusal_records_whether_the_task_was_listed_and_funded(world, api, listed, funding, protected):
    task = send_task(world, listed=listed, funding=funding)
    response = api(world["community_member"]).post(
        f"community-tasks/{task.pk}/refuse/", {"reason": "We have no one free."}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "refused" and body["reason"] == "We have no one free."
    assert body["refusal_protected"] is protected
    assert last_log(task).description == "We have no one free."
    assert not BudgetCommitment.objects.exists()


def test_the_bureau_withdraws_a_task_not_yet_answered(world, api):
    task = send_task(world)
    response = api(world["officer"]).post(f"community-tasks/{task.pk}/withdraw/", {"reason": "Duplicate."})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    again = api(world["officer"]).post(f"community-tasks/{task.pk}/withdraw/")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


# --- Who sees what -------------------------------------------------------------------------------


def test_the_public_sees_accepted_tasks_and_the_parties_all_of_theirs(world, api):
    proposed = send_task(world)
    refused = task_in(world, "refused")
    accepted = task_in(world, "accepted")

    def ids(user):
        response = api(user).get("community-tasks/")
        assert response.status_code == 200
        return {task["id"] for task in response.json()["results"]}

    assert ids(None) == ids(world["stranger"]) == {accepted.pk}
    assert ids(world["other_officer"]) == {accepted.pk}
    everything = {proposed.pk, refused.pk, accepted.pk}
    assert (
        ids(world["officer"]) == ids(world["community_member"]) == ids(world["platform_admin"]) == everything
    )
    assert api().get(f"community-tasks/{refused.pk}/").status_code == 404


def test_available_transitions_are_the_callers(world, api):
    task = send_task(world)
    path = f"community-tasks/{task.pk}/"
    assert api(world["community_member"]).get(path).json()["available_transitions"] == ["accept", "refuse"]
    assert api(world["officer"]).get(path).json()["available_transitions"] == ["withdraw"]
    assert api(world["finance"]).get(path).json()["available_transitions"] == []
    ordered = task_in(world, "ordered")
    path = f"community-tasks/{ordered.pk}/"
    assert api(world["finance"]).get(path).json()["available_transitions"] == ["confirm-payment"]
    assert api(world["officer"]).get(path).json()["available_transitions"] == []


# --- The workload ---------------------------------------------------------------------------------


def test_the_workload_counts_each_year_and_is_public(world, api):
    task_in(world, "funded", funding=500_000)  # accepted, funded, paid
    task_in(world, "accepted", funding=200_000)  # accepted, not paid yet
    task_in(world, "refused", listed=False)  # refused, unlisted: protected
    task_in(world, "refused", funding=0)  # refused, unfunded: protected
    task_in(world, "refused")  # refused though listed and funded
    send_task(world)  # not answered
    task_in(world, "withdrawn")  # not counted
    next_year = local_today(400)
    send_task(world, starts_in=400)

    response = api().get(f"communities/{world['community'].pk}/workload/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["community"] == world["community"].pk
    years = {row["year"]: row for row in body["years"]}
    this_year = local_today(30).year
    assert next_year.year != this_year  # 370 days apart
    assert years[this_year] == {
        "year": this_year,
        "proposed": 6,
        "pending": 1,
        "accepted": 2,
        "refused": 3,
        "refused_protected": 2,
        "funded_amount": 700_000,
        "received_amount": 500_000,
    }
    assert years[next_year.year]["proposed"] == 1
    assert [row["year"] for row in body["years"]] == [next_year.year, this_year]  # newest first
    only = api().get(f"communities/{world['community'].pk}/workload/", year=next_year.year).json()
    assert [row["year"] for row in only["years"]] == [next_year.year]


def test_the_workload_of_something_else_than_a_community_is_404(world, api):
    assert api().get(f"communities/{world['bureau'].pk}/workload/").status_code == 404
    response = api().get(f"communities/{world['community'].pk}/workload/", year="soon")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["community_member", "officer", "finance"])
def test_the_task_list_does_not_grow_with_its_length(world, api, role):
    client = api(world[role])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("community-tasks/")
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    task_in(world, "ordered")
    task_in(world, "refused")
    few = count()
    for state in (
        "proposed",
        "accepted",
        "funded",
        "completed",
        "withdrawn",
        "refused",
        "ordered",
        "proposed",
    ):
        task_in(world, state)
    many = count()
    assert (few[1], many[1]) == (2, 10)
    assert few[0] == many[0] <= 5  # the token's user, the memberships, the count, the page
