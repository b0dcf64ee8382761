"""The grid (docs/rules.md §25): who is responsible at each node — the services' rules, every
endpoint × every kind of caller, and no names for anyone who may not see the grid."""

import pytest
from django_fsm_log.models import StateLog
from rest_framework import status

from common.errors import Conflict, Forbidden, Invalid, InvalidTransition
from orgs import services
from orgs.models import Area, GridPost, Membership, Organization

from .. import factories as f
from ..roles import Row, check_row, matrix_ids, matrix_params

pytestmark = pytest.mark.django_db

OK, CREATED, NO_CONTENT = status.HTTP_200_OK, status.HTTP_201_CREATED, status.HTTP_204_NO_CONTENT
Role = GridPost.Role


def committee_admin(world):
    return f.member(world["community"], Membership.Role.ADMIN)


def zone(world) -> Area:
    return f.AreaFactory(level=Area.Level.ZONE, parent=world["areas"]["community"], name="East zone")


def worker_post(world, **fields) -> GridPost:
    values = {
        "area": world["areas"]["compound"],
        "username": world["provider_staff"][0].username,
        "role": Role.GRID_WORKER,
        "employer": world["providers"][0],
        **fields,
    }
    return services.grid_post_create(actor=world["officer"], **values)


# --- Services --------------------------------------------------------------------------------------


def test_the_committee_admin_names_a_member_responsible_for_a_zone(world):
    admin = committee_admin(world)
    area = zone(world)
    post = services.grid_post_create(
        actor=admin, area=area, username=world["community_member"].username, role=Role.COMMITTEE_MEMBER
    )
    assert (post.area, post.user, post.role, post.status) == (
        area,
        world["community_member"],
        "committee_member",
        "active",
    )
    assert post.created_by == admin and post.employer is None


def test_a_grid_worker_employed_by_a_provider_is_recorded_with_the_employer(world):
    post = worker_post(world)
    assert post.employer == world["providers"][0]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"area": "district"}, "area_not_in_grid", "area"),
        ({"area": "street"}, "area_not_in_grid", "area"),
        ({"username": "nobody-has-this"}, "unknown_user", "username"),
        ({"role": "committee_member"}, "not_a_member", "username"),
        ({"employer": "bureau"}, "invalid_employer", "employer"),
        ({"role": "mayor"}, "invalid", "role"),
    ],
)
def test_bad_input_is_a_400_with_a_stable_code(world, fields, code, field):
    values = {
        key: world["areas"][value] if key == "area" else world[value] if key == "employer" else value
        for key, value in fields.items()
    }
    with pytest.raises(Invalid) as caught:
        worker_post(world, **values)
    assert caught.value.code == code
    assert field in caught.value.extra["fields"]
    assert not GridPost.objects.exists()


def test_a_node_outside_the_jurisdiction_is_refused(world):
    admin = committee_admin(world)
    with pytest.raises(Invalid) as caught:
        services.grid_post_create(
            actor=admin,
            area=world["areas"]["other_compound"],
            username=world["stranger"].username,
            role=Role.HOUSEHOLD_HEAD,
        )
    assert caught.value.code == "area_outside_jurisdiction"
    with pytest.raises(Invalid) as caught:
        worker_post(world, area=world["areas"]["other_compound"])  # the officer's bureau: another district
    assert caught.value.code == "area_outside_jurisdiction"


def test_only_the_committee_admin_bureau_officers_and_admins_and_the_platform_admin_name_people(world):
    for actor in (
        world["community_member"],
        world["finance"],
        world["provider_admins"][0],
        world["stranger"],
    ):
        with pytest.raises(Forbidden):
            services.grid_post_create(
                actor=actor,
                area=world["areas"]["compound"],
                username=world["stranger"].username,
                role=Role.HOUSEHOLD_HEAD,
            )
    for actor in (committee_admin(world), world["bureau_admin"], world["platform_admin"]):
        post = services.grid_post_create(
            actor=actor,
            area=world["areas"]["compound"],
            username=actor.username,
            role=Role.HOUSEHOLD_HEAD,
        )
        assert post.created_by == actor


def test_a_suspended_committees_admin_names_no_one(world):
    admin = committee_admin(world)
    Organization.objects.filter(pk=world["community"].pk).update(status=Organization.Status.SUSPENDED)
    with pytest.raises(Forbidden):
        services.grid_post_create(
            actor=admin, area=world["areas"]["compound"], username=admin.username, role=Role.HOUSEHOLD_HEAD
        )


def test_the_same_person_holds_the_same_role_at_a_node_once_at_a_time(world):
    post = worker_post(world)
    with pytest.raises(Conflict) as caught:
        worker_post(world)
    assert caught.value.code == "already_posted"
    # another role, or another node, is another post
    worker_post(world, role=Role.HOUSEHOLD_HEAD)
    worker_post(world, area=world["areas"]["community"])
    # once ended, the person may be named again; the ended post stays
    services.grid_post_end(actor=world["officer"], post=post)
    again = worker_post(world)
    assert again.pk != post.pk
    assert GridPost.objects.filter(status="ended").get() == post


def test_ending_a_post_is_logged_and_kept(world):
    post = worker_post(world)
    ended = services.grid_post_end(actor=world["bureau_admin"], post=post, reason="Moved to another grid.")
    assert ended.status == "ended" and ended.ended_at is not None
    log = StateLog.objects.for_(ended).get()
    assert (log.source_state, log.state, log.by, log.description) == (
        "active",
        "ended",
        world["bureau_admin"],
        "Moved to another grid.",
    )
    with pytest.raises(InvalidTransition):
        services.grid_post_end(actor=world["officer"], post=ended)


def test_ending_without_a_reason_logs_the_systems_reason(world):
    post = services.grid_post_end(actor=world["officer"], post=worker_post(world))
    assert StateLog.objects.for_(post).get().description == "no longer responsible for this part of the grid"


def test_a_member_who_leaves_the_committee_leaves_their_posts_and_no_others(world):
    admin = committee_admin(world)
    member = world["community_member"]
    area = zone(world)
    post = services.grid_post_create(
        actor=admin, area=area, username=member.username, role=Role.COMMITTEE_MEMBER
    )
    worker = worker_post(world)
    membership = Membership.objects.get(user=member, organization=world["community"])
    services.member_remove(actor=admin, membership=membership)
    post.refresh_from_db()
    worker.refresh_from_db()
    assert (post.status, worker.status) == ("ended", "active")
    log = StateLog.objects.for_(post).get()
    assert (log.by, log.description) == (
        admin,
        "no longer a member of the committee responsible for this node",
    )


def test_a_member_who_keeps_another_role_in_the_committee_keeps_the_post(world):
    admin = committee_admin(world)
    member = world["community_member"]
    f.MembershipFactory(organization=world["community"], role=Membership.Role.ADMIN, user=member)
    post = services.grid_post_create(
        actor=admin, area=zone(world), username=member.username, role=Role.COMMITTEE_MEMBER
    )
    membership = Membership.objects.get(
        user=member, organization=world["community"], role=Membership.Role.MEMBER
    )
    services.member_remove(actor=admin, membership=membership)
    post.refresh_from_db()
    assert post.status == "active"


def test_a_committee_member_who_is_not_admin_may_not_end_a_post(world):
    post = worker_post(world)
    with pytest.raises(Forbidden):
        services.grid_post_end(actor=world["community_member"], post=post)
    assert GridPost.objects.get().status == "active"


# --- The API: every endpoint × every caller ----------------------------------------------------------


def _post_scenario(world):
    return {"post": worker_post(world), "committee_admin": committee_admin(world)}


SCENARIOS = {
    "nothing": lambda world: {"committee_admin": committee_admin(world)},
    "post": _post_scenario,
}


def _body(**overrides):
    def body(world, objects):
        values = {
            "area": world["areas"]["compound"].pk,
            "username": world["stranger"].username,
            "role": "household_head",
            **overrides,
        }
        return {
            key: world["areas"][value].pk if key == "area" and isinstance(value, str) else value
            for key, value in values.items()
        }

    return body


def _lists(n):
    def check(response, objects):
        body = response.json()
        assert body["count"] == n, body
        if n:
            assert body["results"][0]["user"]["display_name"] == objects["post"].user.display_name

    return check


PARTIES = {"community": OK, "committee_admin": OK, "officer": OK, "bureau_admin": OK, "platform_admin": OK}
OUTSIDERS = {"anonymous": 404, "stranger": 404, "other_officer": 404, "provider_admin": 404, "finance": 404}
MATRIX = [
    Row("GET", "grid-posts/", "post", dict.fromkeys(PARTIES, OK), then=_lists(1)),
    Row(
        "GET",
        "grid-posts/",
        "post",
        {"anonymous": OK, "stranger": OK, "other_officer": OK, "provider_admin": OK, "finance": OK},
        note="outsiders: no names",
        then=_lists(0),
    ),
    Row("GET", "grid-posts/{post}/", "post", {**PARTIES, **OUTSIDERS}),
    Row(
        "POST",
        "grid-posts/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "community": 403,
            "finance": 403,
            "provider_admin": 403,
            "other_officer": (400, "area_outside_jurisdiction"),
            "committee_admin": CREATED,
            "officer": CREATED,
            "bureau_admin": CREATED,
            "platform_admin": CREATED,
        },
        body=_body(),
    ),
    Row("POST", "grid-posts/", "nothing", {"officer": (400, "area_not_in_grid")}, body=_body(area="street")),
    Row(
        "POST",
        "grid-posts/",
        "nothing",
        {"officer": (400, "not_a_member")},
        body=_body(role="committee_member"),
        note="committee post for an outsider",
    ),
    Row(
        "POST",
        "grid-posts/",
        "nothing",
        {"officer": (400, "unknown_user")},
        body=_body(username="no-such-user"),
    ),
    Row(
        "POST",
        "grid-posts/",
        "nothing",
        {"officer": (400, "invalid_employer")},
        body=lambda world, objects: {**_body()(world, objects), "employer": world["bureau"].pk},
    ),
    Row(
        "POST",
        "grid-posts/",
        "post",
        {"officer": (409, "already_posted"), "committee_admin": (409, "already_posted")},
        body=lambda world, objects: {
            "area": objects["post"].area_id,
            "username": objects["post"].user.username,
            "role": "grid_worker",
        },
        note="again",
    ),
    Row(
        "DELETE",
        "grid-posts/{post}/",
        "post",
        {
            **OUTSIDERS,
            "anonymous": 401,
            "community": 403,
            "committee_admin": NO_CONTENT,
            "officer": NO_CONTENT,
            "bureau_admin": NO_CONTENT,
            "platform_admin": NO_CONTENT,
        },
    ),
]


@pytest.mark.parametrize(("row", "role", "outcome"), matrix_params(MATRIX), ids=matrix_ids(MATRIX))
def test_endpoint_as_role(world, api, row, role, outcome):
    check_row(world, api, SCENARIOS, row, role, outcome)


def test_the_list_filters_a_subtree_and_shows_ended_posts_on_request(world, api):
    at_compound = worker_post(world)
    at_community = worker_post(world, area=world["areas"]["community"])
    client = api(world["officer"])
    ids = [p["id"] for p in client.get("grid-posts/", area=world["areas"]["compound"].pk).json()["results"]]
    assert ids == [at_compound.pk]
    ids = [p["id"] for p in client.get("grid-posts/", area=world["areas"]["community"].pk).json()["results"]]
    assert sorted(ids) == sorted([at_compound.pk, at_community.pk])
    assert client.client.delete(f"/api/v1/grid-posts/{at_compound.pk}/").status_code == 204
    assert [p["id"] for p in client.get("grid-posts/").json()["results"]] == [at_community.pk]
    ended = client.get("grid-posts/", status="ended").json()["results"]
    assert [(p["id"], p["status"]) for p in ended] == [(at_compound.pk, "ended")]
    again = client.client.delete(f"/api/v1/grid-posts/{at_compound.pk}/")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_a_post_says_who_with_which_employer_and_what_the_caller_may_do(world, api):
    post = worker_post(world)
    answer = api(world["officer"]).get(f"grid-posts/{post.pk}/").json()
    assert answer["user"]["username"] == world["provider_staff"][0].username
    assert answer["employer"] == {
        "id": world["providers"][0].pk,
        "name": world["providers"][0].name,
        "kind": "provider",
    }
    assert answer["available_transitions"] == ["end"]
    assert api(world["community_member"]).get(f"grid-posts/{post.pk}/").json()["available_transitions"] == []


def test_the_list_asks_as_many_queries_whatever_the_number_of_posts(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(world["officer"])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("grid-posts/", page_size=100)
        return len(captured), response.json()["count"]

    worker_post(world)
    few, n = count()
    for _ in range(6):
        area = f.AreaFactory(level=Area.Level.BUILDING, parent=world["areas"]["compound"])
        worker_post(world, area=area, employer=None)
    many, m = count()
    assert (n, m) == (1, 7)
    assert many == few <= 6, (few, many)
