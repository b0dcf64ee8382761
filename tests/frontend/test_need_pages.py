"""The pages of residents' needs (docs/rules.md §22): a resident proposes a need and neighbours
support it, reached from the home page; the committee records the council's decision from its
area; anyone follows the community's needs to the tender, contract and satisfaction ("you said,
we did") without learning who asked."""

import pytest
from django.urls import reverse
from django.utils import timezone

from needs.models import Need

from .. import factories as f
from .. import flows
from .helpers import messages_of, page

pytestmark = pytest.mark.django_db


def resident_of(area):
    return f.ResidentFactory(household=f.HouseholdFactory(area=area)).user


def _propose(browse, resident, title="A lunch table for older residents"):
    client = browse(resident)
    response = client.post(
        reverse("needs:new"), {"title": title, "description": "Hot lunches, five days a week."}
    )
    assert response.status_code == 302, page(response)
    return client, Need.objects.get(title=title)


def test_a_resident_finds_the_proposal_form_from_the_home_page_and_proposes(world, browse):
    resident = resident_of(world["areas"]["compound"])
    client = browse(resident)
    home = page(client.get("/"))
    assert f'href="{reverse("needs:new")}"' in home  # the resident's "Your work"

    form = page(client.get(reverse("needs:new")))
    assert "What does your community need?" in form
    response = client.post(
        reverse("needs:new"), {"title": "A lunch table", "description": "Hot lunches."}, follow=True
    )

    need = Need.objects.get()
    assert response.redirect_chain[-1][0] == reverse("needs:need", args=[need.pk])
    assert "Your need is sent to your community" in " ".join(messages_of(response))
    assert "Awaiting the council" in page(response)


def test_a_bad_proposal_shows_the_error_with_a_400(world, browse):
    response = browse(resident_of(world["areas"]["compound"])).post(
        reverse("needs:new"), {"title": "", "description": ""}
    )

    assert response.status_code == 400
    assert "govuk-error-summary" in page(response)
    assert not Need.objects.exists()


def test_the_proposal_form_is_for_residents(world, browse):
    assert browse().get(reverse("needs:new")).status_code == 302  # to sign in
    assert browse(world["officer"]).get(reverse("needs:new")).status_code == 403


def test_a_neighbour_supports_the_need_once_from_its_page(world, browse):
    _, need = _propose(browse, resident_of(world["areas"]["compound"]))
    neighbour = browse(resident_of(world["areas"]["compound"]))

    detail = page(neighbour.get(reverse("needs:need", args=[need.pk])))
    assert "Support this need" in detail
    response = neighbour.post(reverse("needs:support", args=[need.pk]), follow=True)

    assert "Your household supports this need." in " ".join(messages_of(response))
    assert "Support this need" not in page(response)
    assert Need.objects.get(pk=need.pk).supporters == 2
    # a household of another community is not offered the button
    outsider = browse(resident_of(world["areas"]["other_compound"]))
    assert "Support this need" not in page(outsider.get(reverse("needs:need", args=[need.pk])))


def test_the_committee_records_the_councils_decision_from_its_area(world, browse):
    _, need = _propose(browse, resident_of(world["areas"]["compound"]))
    member = browse(world["community_member"])

    home = page(member.get(reverse("community:home")))
    assert f'href="{reverse("needs:council")}"' in home
    queue = page(member.get(reverse("needs:council")))
    assert need.title in queue and reverse("needs:deliberate", args=[need.pk]) in queue

    refused = member.post(reverse("needs:deliberate", args=[need.pk]), {"decision": "rejected"})
    assert refused.status_code == 400
    assert Need.objects.get(pk=need.pk).status == "submitted"

    response = member.post(
        reverse("needs:deliberate", args=[need.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "minutes": "Nine representatives met.",
            "votes_for": "7",
            "votes_against": "2",
            "decision": "rejected",
            "reason": "private_matter",
        },
        follow=True,
    )

    assert "The council's decision is recorded." in " ".join(messages_of(response))
    assert Need.objects.get(pk=need.pk).status == "rejected"
    # the public reads the decision and its reason, never the minutes
    public = page(browse().get(reverse("needs:need", args=[need.pk])))
    assert "A private matter of one household" in public and "7 for, 2 against" in public
    assert "Nine representatives met." not in public


def test_only_the_communitys_committee_opens_the_decision_form(world, browse):
    _, need = _propose(browse, resident_of(world["areas"]["compound"]))
    other = f.OrganizationFactory(
        kind="community",
        legal_type="grassroots_autonomous",
        jurisdiction=world["areas"]["other_compound"].parent,
    )

    assert (
        browse(f.member(other, "member")).get(reverse("needs:deliberate", args=[need.pk])).status_code == 404
    )
    assert browse(world["officer"]).get(reverse("needs:deliberate", args=[need.pk])).status_code == 403


def test_you_said_we_did_follows_a_need_to_its_contract_without_naming_who_asked(world, browse):
    resident = resident_of(world["areas"]["compound"])
    _, need = _propose(browse, resident)
    from needs import services

    services.need_deliberate(
        actor=world["community_member"],
        need=need,
        held_on=timezone.localdate(),
        minutes="Met.",
        votes_for=5,
        votes_against=0,
        decision="accepted",
    )
    contract = flows.active_contract(world, needs=[need])

    client = browse()
    listing = page(client.get(reverse("needs:list")))
    community_url = reverse("needs:community", args=[need.community_id])
    assert community_url in listing
    html = page(client.get(community_url))

    assert need.title in html and "Being delivered" in html
    assert reverse("public:tender", args=[contract.tender_id]) in html
    assert reverse("public:contract", args=[contract.pk]) in html
    assert resident.username not in html and need.household.code not in html
    assert client.get(reverse("needs:community", args=[world["areas"]["street"].pk])).status_code == 404
    # the community committee's workload is one click away, and back
    workload = reverse("public:community_workload", args=[world["community"].pk])
    assert workload in html
    assert community_url in page(client.get(workload))


def test_the_officer_ticks_the_needs_a_new_tender_answers(world, browse):
    from needs import services

    _, need = _propose(browse, resident_of(world["areas"]["compound"]))
    services.need_deliberate(
        actor=world["community_member"],
        need=need,
        held_on=timezone.localdate(),
        minutes="Met.",
        votes_for=5,
        votes_against=0,
        decision="accepted",
    )
    client = browse(world["officer"])
    url = reverse("bureau:tender_new_section", args=["service"])
    base = {"title": "Lunches", "catalogue_item": world["catalogue_item"].pk, "completed": "yes"}

    form = page(client.get(url))
    assert need.title in form and "Residents&#x27; needs it answers" in form
    neither = client.post(url, base)
    assert neither.status_code in (200, 400)
    assert "Name the residents&#x27; needs the tender answers" in page(neither)
    ticked = client.post(url, {**base, "needs": [need.pk]})
    assert ticked.status_code == 302
