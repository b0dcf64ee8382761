"""The pages of community task admission (docs/rules.md §23): the bureau sends a task with a form;
the community member accepts in one click or refuses with a reason and one click; the public
workload page per community shows the year's chart and its table."""

import re
from html import unescape

import pytest
from django.urls import reverse

from communitytasks.models import CommunityTask
from communitytasks.selectors import WorkloadYear
from frontend.public.workload import bars_of

from ..communitytasks.conftest import local_today, send_task, task_in
from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


def test_the_bureau_sends_a_task_from_its_form(world, browse):
    client = browse(world["officer"])
    url = reverse("bureau:community_task_new")
    form = page(client.get(url))
    assert world["community"].name in form and world["budget_line"].name in form
    response = client.post(
        url,
        {
            "community": world["community"].pk,
            "admission_item": "",
            "title": "Flood drill",
            "scope": "The yearly flood drill.",
            "starts": str(local_today(5)),
            "ends": str(local_today(6)),
            "funding": "1234.56",
            "budget_line": world["budget_line"].pk,
        },
    )
    assert response.status_code == 302 and response.url == reverse("bureau:community_tasks")
    task = CommunityTask.objects.get()
    assert (task.funding_amount, task.status, task.admission_item) == (123_456, "proposed", None)
    listing = page(client.get(reverse("bureau:community_tasks")))
    assert "Flood drill" in listing and "Not on the list" in listing and "Withdraw" in listing


def test_the_form_shows_the_services_refusal_on_its_field(world, browse):
    client = browse(world["officer"])
    response = client.post(
        reverse("bureau:community_task_new"),
        {
            "community": world["community"].pk,
            "title": "Flood drill",
            "scope": "The yearly flood drill.",
            "starts": str(local_today(-1)),
            "ends": str(local_today(6)),
            "funding": "0",
            "budget_line": world["budget_line"].pk,
        },
    )
    assert response.status_code == 200
    assert "The task cannot start in the past." in page(response)
    assert not CommunityTask.objects.exists()


def test_the_community_member_accepts_in_one_click(world, browse):
    task = send_task(world)
    client = browse(world["community_member"])
    listing = page(client.get(reverse("community:tasks")))
    assert task.title in listing and reverse("community:task_accept", args=[task.pk]) in listing
    response = client.post(reverse("community:task_accept", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "accepted" and task.commitment.amount == task.funding_amount
    assert "Task accepted." in messages_of(client.get(reverse("community:tasks")))


def test_the_community_member_refuses_an_unfunded_task_with_a_reason(world, browse):
    task = send_task(world, funding=0, listed=False)
    client = browse(world["community_member"])
    listing = page(client.get(reverse("community:tasks")))
    assert "No funding" in listing and "the community may refuse it" in listing
    url = reverse("community:task_refuse", args=[task.pk])
    # without a reason: the page again, saying what is missing, and nothing changes
    empty = client.post(url, {f"task-{task.pk}-reason": ""})
    assert empty.status_code == 400 and "Say why the community refuses the task." in page(empty)
    task.refresh_from_db()
    assert task.status == "proposed"
    response = client.post(url, {f"task-{task.pk}-reason": "No funding was attached."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.reason, task.refusal_protected) == ("refused", "No funding was attached.", True)


def _reason_offered(html: str, task) -> str:
    """The text of the task's refusal form's reason field, as the page renders it."""
    match = re.search(rf'<textarea[^>]*name="task-{task.pk}-reason"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, html
    return unescape(match.group(1)).strip()


def test_an_unfunded_unlisted_task_is_refused_in_two_clicks_from_the_landing_page(world, browse):
    """Click one: "Waiting for you" on the landing page links to the tasks. Click two: "Refuse",
    whose reason is already written (what the task lacks); it is recorded as sent."""
    unfunded = send_task(world, funding=0, listed=False)
    listed_unfunded = send_task(world, funding=0, title="Flood drill")
    funded = send_task(world, title="Elderly visits")
    client = browse(world["community_member"])
    home = page(client.get(reverse("community:home")))
    assert f'href="{reverse("community:tasks")}"' in home.split('data-testid="waiting"', 1)[1]

    listing = page(client.get(reverse("community:tasks")))
    reason = _reason_offered(listing, unfunded)
    assert reason == "The task is not on the community's admission list and comes without funding."
    assert _reason_offered(listing, listed_unfunded) == "The task comes without funding."
    assert _reason_offered(listing, funded) == ""  # a listed, funded task: the member says why

    response = client.post(
        reverse("community:task_refuse", args=[unfunded.pk]), {f"task-{unfunded.pk}-reason": reason}
    )
    assert response.status_code == 302 and response.url == reverse("community:tasks")
    unfunded.refresh_from_db()
    assert (unfunded.status, unfunded.reason, unfunded.refusal_protected) == ("refused", reason, True)
    assert "The refusal does not count against the community." in " ".join(
        messages_of(client.get(reverse("community:tasks")))
    )


def test_another_community_cannot_answer_the_task(world, browse):
    from orgs.models import Organization

    from .. import factories as f

    other = f.OrganizationFactory(kind=Organization.Kind.COMMUNITY, jurisdiction=world["areas"]["community"])
    outsider = f.member(other, "member")
    task = send_task(world)
    response = browse(outsider).post(reverse("community:task_accept", args=[task.pk]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "proposed"


def test_the_workload_page_is_public_with_a_chart_and_its_table(world, browse):
    task_in(world, "funded", funding=500_000)
    task_in(world, "refused", funding=0)
    year = local_today(30).year
    html = page(browse().get(reverse("public:community_workload", args=[world["community"].pk])))
    assert f'data-testid="workload-chart-{year}"' in html
    assert f"{year}: 2 sent, 1 accepted, 1 refused" in html  # the chart's accessible title
    assert "¥5,000.00" in html  # funding and money received
    table = html[html.index(f"Figures of {year}") :]
    assert re.search(r"Refused</th><td[^>]*>1<", table)
    assert browse().get(reverse("public:community_workload", args=[world["bureau"].pk])).status_code == 404


def test_the_bars_are_scaled_to_the_largest_count():
    row = WorkloadYear(
        year=2027,
        proposed=4,
        pending=0,
        accepted=2,
        refused=2,
        refused_protected=1,
        funded_amount=0,
        received_amount=0,
    )
    labels = {name: name for name in ("proposed", "accepted", "refused", "refused_protected", "pending")}
    bars = bars_of(row, labels)
    assert [bar.value for bar in bars] == [4, 2, 2, 1, 0]
    assert [bar.width for bar in bars] == [290, 145, 145, 72, 0]  # 290 units for the largest
    empty = WorkloadYear(
        year=2027,
        proposed=0,
        pending=0,
        accepted=0,
        refused=0,
        refused_protected=0,
        funded_amount=0,
        received_amount=0,
    )
    assert {bar.width for bar in bars_of(empty, labels)} == {0}
