"""The pages of contract variations (docs/rules.md §17.8): the officer proposes one from the contract
page (radios for the kind, the field it needs), each party signs from its contract page, the public
sees those in effect; and the signing deadline on the contract pages of both parties."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from contracts.models import Contract, Variation
from contracts.selectors import sign_by
from marketplace.models import Award
from tests import flows

from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


def provider_admin(world, contract: Contract):
    return world["provider_admins"][[p.id for p in world["providers"]].index(contract.provider_id)]


def test_the_officer_proposes_a_value_variation_from_the_contract_page_and_both_sign(world, as_user):
    contract = flows.active_contract(world)
    officer = as_user(world["officer"])
    detail = page(officer.get(f"/bureau/contracts/{contract.pk}/"))
    assert f"/bureau/contracts/{contract.pk}/variations/new/" in detail
    assert "No variations." in detail

    form = page(officer.get(f"/bureau/contracts/{contract.pk}/variations/new/"))
    # each kind's field under its radio, always shown: a revealed one would put aria-expanded on a
    # radio, which axe-core refuses (tests/e2e/test_due_process.py)
    assert 'id="conditional-value"' in form and 'aria-controls="conditional' not in form
    assert "govuk-radios__conditional--hidden" not in form
    assert "¥2,800,000.00" not in form
    assert "¥28,000.00" in form  # 10 % of ¥280,000.00

    response = officer.post(
        f"/bureau/contracts/{contract.pk}/variations/new/",
        {"kind": "value", "value_delta": "14000", "reason": "Forty more households."},
    )
    assert response.status_code == 302
    assert response.url == f"/bureau/contracts/{contract.pk}/#variations"  # where its "Sign" button is
    assert messages_of(officer.get(response.url))[0].startswith("The variation is proposed. Sign it")
    variation = Variation.objects.get()
    assert (variation.kind, variation.value_delta, variation.status) == ("value", 1_400_000, "proposed")

    detail = page(officer.get(f"/bureau/contracts/{contract.pk}/"))
    assert "+¥14,000.00" in detail and "Forty more households." in detail
    assert f"/bureau/variations/{variation.pk}/sign/" in detail
    assert f"/bureau/variations/{variation.pk}/withdraw/" in detail
    assert f"/bureau/contracts/{contract.pk}/variations/new/" not in detail  # one at a time

    assert "Sign variation No. 1" in page(officer.get(f"/bureau/variations/{variation.pk}/sign/"))
    response = officer.post(f"/bureau/variations/{variation.pk}/sign/", follow=True)
    assert messages_of(response) == ["You signed the variation. It takes effect when the provider signs."]

    provider = as_user(provider_admin(world, contract))
    home = page(provider.get("/provider/"))
    assert (
        "Sign variation No. 1 of the contract" in home
        and f"/provider/variations/{variation.pk}/sign/" in home
    )
    response = provider.post(f"/provider/variations/{variation.pk}/sign/", follow=True)
    assert messages_of(response) == ["You have signed the variation. It is now in effect."]
    contract.refresh_from_db()
    assert contract.value_amount == 28_000_000 + 1_400_000

    timeline = page(as_user(world["officer"]).get(f"/bureau/contracts/{contract.pk}/"))
    provider.logout()
    public = page(as_user(None).get(f"/contracts/{contract.pk}/"))
    assert "Variations" in public and "+¥14,000.00" in public and "Forty more households." in public
    # the timeline has each step of the variation, in order (docs/rules.md §17.8)
    steps = [
        "Variation No. 1 proposed",
        "Variation No. 1 signed by the bureau",
        "Variation No. 1 signed by the provider",
        "Variation No. 1 in effect: signed by both parties",
    ]
    history = timeline[timeline.index("History") :]
    assert [history.index(step) for step in steps] == sorted(history.index(step) for step in steps)
    assert "Reason: Forty more households." in history


def test_the_form_shows_the_services_refusal_on_the_form_and_changes_nothing(world, as_user):
    contract = flows.active_contract(world)
    officer = as_user(world["officer"])
    response = officer.post(
        f"/bureau/contracts/{contract.pk}/variations/new/",
        {"kind": "value", "value_delta": "28000.01", "reason": "Too much."},
    )
    assert response.status_code == 200
    assert "Increases may total at most 10% of the original value (¥28,000.00)" in page(response)
    response = officer.post(
        f"/bureau/contracts/{contract.pk}/variations/new/", {"kind": "extend", "reason": "Longer."}
    )
    assert "Enter the new end of the service period." in page(response)
    assert not Variation.objects.exists()


def test_a_proposed_variation_is_not_public_and_the_provider_cannot_propose(world, as_user):
    contract = flows.active_contract(world)
    as_user(world["officer"]).post(
        f"/bureau/contracts/{contract.pk}/variations/new/",
        {"kind": "scope", "scope": "Weekend visits too.", "reason": "Demand."},
    )
    assert "Weekend visits too." not in page(as_user(None).get(f"/contracts/{contract.pk}/"))
    assert (
        as_user(provider_admin(world, contract))
        .get(f"/bureau/contracts/{contract.pk}/variations/new/")
        .status_code
        == 403
    )


def test_the_officer_withdraws_a_proposed_variation(world, as_user):
    contract = flows.active_contract(world)
    officer = as_user(world["officer"])
    officer.post(
        f"/bureau/contracts/{contract.pk}/variations/new/",
        {"kind": "scope", "scope": "Weekend visits too.", "reason": "Demand."},
    )
    variation = Variation.objects.get()
    response = officer.post(
        f"/bureau/variations/{variation.pk}/withdraw/", {"reason": "Not needed."}, follow=True
    )
    assert messages_of(response)[-1] == "The variation is withdrawn."
    variation.refresh_from_db()
    assert variation.status == Variation.Status.WITHDRAWN
    history = page(officer.get(f"/bureau/contracts/{contract.pk}/")).split("History")[-1]
    assert "Variation No. 1 proposed" in history and "Variation No. 1 withdrawn" in history
    assert "Reason: Not needed." in history


def test_both_parties_see_the_signing_deadline_and_it_is_flagged_once_past(world, as_user):
    contract = flows.draft_contract(world)
    deadline = sign_by(contract)
    notice = Award.objects.get(tender=contract.tender).notice_published_at
    assert deadline.date() == timezone.localdate(notice) + datetime.timedelta(days=30)
    assert timezone.localtime(deadline).time() == datetime.time(23, 59, 59, 999999)
    shown = deadline.astimezone(timezone.get_current_timezone()).date().isoformat()
    for user, url in (
        (world["officer"], f"/bureau/contracts/{contract.pk}/"),
        (provider_admin(world, contract), f"/provider/contracts/{contract.pk}/"),
    ):
        html = page(as_user(user).get(url))
        assert "Sign by" in html and shown in html and "Signing overdue" not in html

    with time_machine.travel(deadline + datetime.timedelta(seconds=1), tick=False):
        for user, url, home in (
            (world["officer"], f"/bureau/contracts/{contract.pk}/", "/bureau/"),
            (provider_admin(world, contract), f"/provider/contracts/{contract.pk}/", "/provider/"),
        ):
            assert "Signing overdue" in page(as_user(user).get(url))
            assert f"overdue since {shown}" in page(as_user(user).get(home))


def test_the_api_gives_sign_by(world, api):
    contract = flows.draft_contract(world)
    body = api(world["officer"]).get(f"contracts/{contract.pk}/").json()
    assert body["sign_by"] == timezone.localtime(sign_by(contract)).isoformat()
