"""Each section of the tender task list is checked against the service's rules when it is saved as
completed (issue 9): every problem at once, each on its field and linked from the error summary; a
section with problems is not completed; the ceiling shows what the chosen budget line has."""

import datetime

import pytest
from django.utils import timezone

from marketplace.services.budget import ceiling_errors

from .helpers import page
from .test_bureau import answer_every_section, section_answers

pytestmark = pytest.mark.django_db

NEW = "/bureau/tenders/new/"


def post_section(client, world, slug, **answers):
    return client.post(f"{NEW}{slug}/", {**section_answers(world)[slug], "completed": "yes", **answers})


def section_status(client, slug) -> str:
    html = page(client.get(NEW))
    row = html[html.index(f'id="task-{slug}"') :]
    return row[: row.index("</li>")]


def test_criteria_weights_must_add_up_to_100(world, as_user):
    client = as_user(world["officer"])

    response = post_section(client, world, "criteria", price_weight="10", quality_2_weight="30")

    assert response.status_code == 200
    html = page(response)
    message = "The weights of price and the quality criteria must add up to 100. They add up to 80."
    assert f'<a href="#id_price_weight">{message}</a>' in html
    assert 'value="10"' in html  # the answers are kept
    assert "Completed" not in section_status(client, "criteria")


def test_price_weight_below_the_minimum_is_on_the_price_field(world, as_user):
    client = as_user(world["officer"])

    response = post_section(client, world, "criteria", price_weight="5", quality_1_weight="65")

    assert '<a href="#id_price_weight">The price weight must be at least 10.</a>' in page(response)


def test_payment_shares_and_weights_show_every_problem_at_once(world, as_user):
    client = as_user(world["officer"])

    response = post_section(
        client,
        world,
        "payment-scoring",
        holdback_share="90",
        weight_residents="0.50",
    )

    html = page(response)
    assert response.status_code == 200
    assert (
        '<a href="#id_advance_share">The instalment shares must add up to 100%. They add up to 160%.</a>'
        in html
    )
    assert '<a href="#id_holdback_share">The performance holdback may be at most 30%.</a>' in html
    assert (
        '<a href="#id_weight_third_party">The weights of the performance score must add up to 1. '
        "They add up to 1.2.</a>"
    ) in html
    assert '<a href="#id_weight_residents">The residents&#x27; weight may be at most 0.3.</a>' in html
    assert "Completed" not in section_status(client, "payment-scoring")


def test_timetable_refuses_a_past_deadline_and_an_end_before_the_start(world, as_user):
    client = as_user(world["officer"])
    start = timezone.localdate() + datetime.timedelta(days=30)

    response = post_section(
        client,
        world,
        "timetable",
        deadline_date="2020-09-30",
        service_start=start.isoformat(),
        service_end=(start - datetime.timedelta(days=1)).isoformat(),
    )

    html = page(response)
    assert response.status_code == 200
    assert '<a href="#id_deadline_date">The bid deadline must be at least 10 days from now.' in html
    assert (
        '<a href="#id_service_end">The service end date must be the same as or after the service start '
        f"date ({start.isoformat()}).</a>"
    ) in html
    assert "Completed" not in section_status(client, "timetable")


def test_timetable_service_must_start_after_the_deadline(world, as_user):
    client = as_user(world["officer"])
    deadline = timezone.localdate() + datetime.timedelta(days=20)

    response = post_section(
        client,
        world,
        "timetable",
        deadline_date=deadline.isoformat(),
        service_start=(deadline - datetime.timedelta(days=1)).isoformat(),
    )

    assert (
        '<a href="#id_service_start">The service start date must be the same as or after the bid '
        f"deadline date ({deadline.isoformat()}).</a>"
    ) in page(response)


def test_a_negative_kpi_target_is_refused_on_its_row(world, as_user):
    client = as_user(world["officer"])

    response = client.post(
        f"{NEW}kpis/",
        {
            "kpi_1_name": "Home visits",
            "kpi_1_target": "1200",
            "kpi_1_unit": "visits",
            "kpi_3_name": "Group activities",
            "kpi_3_target": "-4",
            "kpi_3_unit": "sessions",
            "completed": "yes",
        },
    )

    assert response.status_code == 200
    html = page(response)
    assert '<a href="#id_kpi_3_target">The target of KPI “Group activities” must be more than 0.</a>' in html
    assert "Completed" not in section_status(client, "kpis")


def test_the_ceiling_must_fit_the_budget_line_which_is_shown_beside_it(world, as_user):
    client = as_user(world["officer"])
    html = page(client.get(f"{NEW}areas-budget/"))
    assert "It cannot be more than the budget line has available" in html  # no line chosen yet

    response = post_section(client, world, "areas-budget", ceiling="1000000.01")

    html = page(response)
    assert response.status_code == 200
    message = ceiling_errors(ceiling_amount=100_000_001, available=100_000_000)["ceiling_amount"][0]
    assert f'<a href="#id_ceiling">{message}</a>' in html
    assert "The chosen budget line has ¥1,000,000.00 available." in html

    assert post_section(client, world, "areas-budget", ceiling="1000000.00").status_code == 302
    html = page(client.get(f"{NEW}areas-budget/"))
    assert "The chosen budget line has ¥1,000,000.00 available." in html


def test_a_section_saved_for_later_keeps_its_answers_without_the_rules(world, as_user):
    client = as_user(world["officer"])

    response = post_section(
        client, world, "criteria", price_weight="10", quality_2_weight="30", completed="no"
    )

    assert response.status_code == 302
    assert "In progress" in section_status(client, "criteria")
    # Completing it later runs the rules.
    response = client.post(
        f"{NEW}criteria/", {**section_answers(world)["criteria"], "price_weight": "10", "completed": "yes"}
    )
    assert response.status_code == 200 and "They add up to 80." in page(response)


def test_valid_sections_still_create_the_tender(world, as_user):
    client = as_user(world["officer"])
    answer_every_section(client, world)
    response = client.post(f"{NEW}check/")
    assert response.status_code == 302 and response["Location"].startswith("/bureau/tenders/")
