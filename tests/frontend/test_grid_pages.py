"""The grid's pages (docs/rules.md §25): the committee sees its own community in one place — the
tree with who is responsible at each node, households and residents, registrations, needs and
tasks — and its admin names and ends posts; a bureau officer sees and manages its jurisdiction. The
page asks the same number of queries whatever the size of the grid."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needs.models import Need
from orgs import services
from orgs.models import Area, GridPost, Household, Membership, Resident

from .. import factories as f
from ..communitytasks.conftest import send_task
from .helpers import messages_of, page

pytestmark = pytest.mark.django_db

GRID = "/community/grid/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def committee_admin(world):
    return f.member(world["community"], Membership.Role.ADMIN)


def households(area: Area, n: int, start: int = 0, confirmed: int = 0, pending: int = 0) -> list[Household]:
    made = [Household.objects.create(code=f"{area.code}-H{start + i:03d}", area=area) for i in range(n)]
    for household in made[:confirmed]:
        Resident.objects.create(user=f.UserFactory(), household=household, status=Resident.Status.CONFIRMED)
    for household in made[confirmed : confirmed + pending]:
        Resident.objects.create(user=f.UserFactory(), household=household)
    return made


def worker(world, area=None, **fields) -> GridPost:
    staff = world["provider_staff"][0]
    staff.display_name = "Grid worker Wang"
    staff.save()
    return services.grid_post_create(
        actor=world["officer"],
        area=area or world["areas"]["compound"],
        username=staff.username,
        role=GridPost.Role.GRID_WORKER,
        employer=world["providers"][0],
        **fields,
    )


def test_a_committee_member_sees_the_tree_who_is_responsible_and_the_counts(world, browse):
    post = worker(world)
    households(world["areas"]["compound"], 3, confirmed=1, pending=1)
    client = browse(world["community_member"])
    home = page(client.get(reverse("community:home")))
    assert f'href="{GRID}"' in home
    text = page(client.get(GRID))
    assert world["areas"]["community"].name in text and world["areas"]["compound"].name in text
    assert "Grid worker Wang" in text and "Grid worker (网格员)" in text
    assert f"employed by {world['providers'][0].name}" in text
    assert "3 households registered here" in text
    assert f"{world['areas']['compound'].code}-H000" in text
    # another community's nodes are not in the tree
    assert world["areas"]["other_compound"].name not in text
    # a member who is not the committee's admin neither names nor ends
    assert "Name someone responsible" not in text
    assert reverse("community:grid_end", args=[post.pk]) not in text


def test_the_page_gathers_registrations_needs_and_tasks(world, browse):
    made = households(world["areas"]["compound"], 2, pending=2)
    Need.objects.create(
        community=world["areas"]["community"],
        title="Benches in the courtyard",
        description="Somewhere to sit.",
        household=made[0],
        proposed_by=f.UserFactory(),
    )
    send_task(world)
    text = page(browse(world["community_member"]).get(GRID))
    assert "Benches in the courtyard" in text
    assert reverse("community:residents") in text and reverse("community:tasks") in text
    assert reverse("needs:council") in text
    assert reverse("needs:community", args=[world["areas"]["community"].pk]) in text


def test_the_committee_admin_names_and_ends_a_post_from_the_page(world, browse):
    admin = committee_admin(world)
    client = browse(admin)
    text = page(client.get(GRID))
    assert "Name someone responsible" in text
    response = client.post(
        GRID,
        {
            "area": world["areas"]["compound"].pk,
            "username": world["community_member"].username,
            "role": "committee_member",
            "employer": "",
        },
    )
    assert response.status_code == 302
    post = GridPost.objects.get()
    assert (post.user, post.area, post.created_by) == (
        world["community_member"],
        world["areas"]["compound"],
        admin,
    )
    shown = client.get(GRID)
    assert any("is now responsible for" in message for message in messages_of(shown))
    end = reverse("community:grid_end", args=[post.pk])
    assert end in page(shown)
    assert client.post(end).status_code == 302
    assert GridPost.objects.get().status == "ended"


def test_a_refusal_is_shown_on_the_form_govuk_style(world, browse):
    client = browse(committee_admin(world))
    response = client.post(
        GRID,
        {
            "area": world["areas"]["compound"].pk,
            "username": world["stranger"].username,
            "role": "committee_member",
        },
    )
    assert response.status_code == 400
    text = page(response)
    assert "There is a problem" in text
    assert "Only a member of the community committee may hold a committee member" in text
    response = client.post(GRID, {"area": "", "username": "", "role": ""})
    assert response.status_code == 400 and "govuk-error-summary" in page(response)
    assert not GridPost.objects.exists()


def test_a_member_cannot_end_a_post_and_another_committee_cannot_see_it(world, browse):
    post = worker(world)
    member = browse(world["community_member"])
    response = member.post(reverse("community:grid_end", args=[post.pk]))
    assert response.status_code == 302
    assert GridPost.objects.get().status == "active"
    other = f.OrganizationFactory(
        kind="community",
        legal_type="grassroots_autonomous",
        jurisdiction=world["areas"]["other_compound"].parent,
    )
    other_admin = f.member(other, Membership.Role.ADMIN)
    outsider = browse(other_admin)
    assert outsider.post(reverse("community:grid_end", args=[post.pk])).status_code == 404
    assert "Grid worker Wang" not in page(outsider.get(GRID))


def test_only_committee_members_open_the_community_grid(world, browse):
    assert browse().get(GRID).status_code == 302  # to sign in
    for user in (world["stranger"], world["officer"], world["provider_admins"][0]):
        assert browse(user).get(GRID).status_code == 403


def test_a_bureau_officer_sees_and_manages_the_grid_of_its_jurisdiction(world, browse):
    worker(world)
    client = browse(world["officer"])
    text = page(client.get(reverse("bureau:home")))
    assert reverse("bureau:grid") in text
    text = page(client.get(reverse("bureau:grid")))
    assert world["areas"]["district"].name in text and "Grid worker Wang" in text
    assert "Name someone responsible" in text
    focused = page(client.get(reverse("bureau:grid"), {"area": world["areas"]["community"].pk}))
    assert world["areas"]["compound"].name in focused
    assert (
        client.get(reverse("bureau:grid"), {"area": world["areas"]["other_compound"].pk}).status_code == 404
    )
    assert browse(world["finance"]).get(reverse("bureau:grid")).status_code == 403
    other = page(browse(world["other_officer"]).get(reverse("bureau:grid")))
    assert "Grid worker Wang" not in other


def test_no_public_page_names_the_people_of_the_grid(world, browse):
    worker(world)
    anonymous = browse()
    for url in (
        reverse("needs:community", args=[world["areas"]["community"].pk]),
        reverse("needs:list"),
        "/",
    ):
        assert "Grid worker Wang" not in page(anonymous.get(url))


def _grid_queries(user, client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(GRID)
    assert response.status_code == 200
    return len(captured)


def test_the_page_asks_as_many_queries_whatever_the_size_of_the_grid(world, browse):
    client = browse(committee_admin(world))
    worker(world)
    households(world["areas"]["compound"], 2, confirmed=1, pending=1)
    small = _grid_queries(None, client)
    for n in range(4):
        zone = f.AreaFactory(level=Area.Level.ZONE, parent=world["areas"]["community"])
        building = f.AreaFactory(level=Area.Level.BUILDING, parent=zone)
        households(building, 5, start=10 * n, confirmed=2, pending=2)
        worker(world, area=building)
        services.grid_post_create(
            actor=world["officer"],
            area=zone,
            username=world["community_member"].username,
            role=GridPost.Role.COMMITTEE_MEMBER,
        )
    large = _grid_queries(None, client)
    assert large == small, (small, large)
    assert large <= 30
