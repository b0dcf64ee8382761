"""Review of issue 9's "waiting for you" lists (guards, not failures at review time): nothing of
another bureau's or provider's work — titles, amounts — reaches a list, and a user-typed title is
escaped in the task texts built as safe HTML (``frontend.waiting.sentence``)."""

import pytest

from frontend.waiting import tasks_for
from marketplace import services
from orgs.models import Membership

from . import factories as f
from . import flows
from .frontend.helpers import english_client, page

pytestmark = pytest.mark.django_db

XSS = '<img src=x onerror="alert(1)">'


def test_other_organisations_see_nothing_of_the_work_waiting_in_a_bureau(world):
    world["budget_line"].amount = 1_000_000_000
    world["budget_line"].save(update_fields=["amount"])
    contract = flows.active_contract(world, title="Secret bathing " + XSS)  # payable advance
    flows.draft_contract(world, title="Secret day centre")
    published = flows.published_tender(world, title="Secret meals")
    services.question_ask(actor=world["provider_admins"][0], tender=published, text="Halal?")
    flows.evaluating_tender(world, title="Secret scoring")
    outsiders = [
        world["other_officer"],
        f.member(world["other_bureau"], Membership.Role.FINANCE),
        f.member(world["other_bureau"], Membership.Role.EVALUATOR),
        world["provider_admins"][2],  # neither bid nor contract
        world["stranger"],
    ]
    assert contract.provider_id != world["providers"][2].pk
    insiders = tasks_for(world["finance"], "bureau") + tasks_for(world["officer"], "bureau")
    texts = " ".join(str(task.text) for task in insiders)
    assert "Secret bathing" in texts and "Secret meals" in texts  # the insiders do see them

    for user in outsiders:
        for area in ("bureau", "provider", "assessor", "community", "resident"):
            texts = [str(task.text) for task in tasks_for(user, area)]
            assert not any("Secret" in text or "84,000" in text for text in texts), (user, area, texts)


def test_a_title_is_escaped_in_a_task_built_as_html(world):
    flows.active_contract(world, title="Bathing " + XSS)

    html = page(english_client(world["finance"]).get("/bureau/"))

    assert "Bathing &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert XSS not in html
