"""Issue 8 item 6: bad input is never a 500. Creating an area without a parent is checked for
permission first and then refused cleanly; JSON nested too deep is a 400 on every endpoint."""

import pytest

from orgs.models import Area

from .test_errors import assert_envelope, raw_post

pytestmark = pytest.mark.django_db


def area_body(**fields) -> dict:
    return {"name": "Jiangxi Street", "code": "JX-NEW", "level": "street", **fields}


@pytest.mark.parametrize("who", ["stranger", "officer", "provider_admin"])
def test_creating_an_area_without_a_parent_is_refused_before_anything_else(world, api, who):
    # Given a signed-in user who is not the platform admin
    user = world["provider_admins"][0] if who == "provider_admin" else world[who]
    areas = Area.objects.count()

    # When they post an area without a parent (or with nothing at all)
    without_parent = api(user).post("areas/", area_body())
    empty = api(user).post("areas/", {})

    # Then both are refused for permission, before the body is judged, and nothing is created
    assert_envelope(without_parent, 403, "permission_denied")
    assert_envelope(empty, 403, "permission_denied")
    assert Area.objects.count() == areas


def test_anonymous_area_creation_is_401(world, api):
    assert_envelope(api().post("areas/", area_body()), 401, "not_authenticated")


def test_platform_admin_creating_a_non_district_without_a_parent_gets_a_clean_400(world, api):
    areas = Area.objects.count()

    response = api(world["platform_admin"]).post("areas/", area_body())

    body = assert_envelope(response, 400, "invalid")
    assert "parent" in body["extra"]["fields"]
    assert Area.objects.count() == areas


def test_platform_admin_creates_a_district_without_a_parent(world, api):
    response = api(world["platform_admin"]).post("areas/", area_body(level="district", code="JX-D"))

    assert response.status_code == 201, response.content
    assert response.json()["parent"] is None
    assert Area.objects.get(code="JX-D").path == "JX-D/"


# --- JSON nested too deep ------------------------------------------------------------------------


def nested(depth: int, kind: str) -> str:
    if kind == "list":
        return "[" * depth + "]" * depth
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize("kind", ["list", "object"])
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_too_deep_is_400_for_anyone(db, api, kind, depth):
    response = raw_post(api(), "auth/token/", nested(depth, kind))

    assert_envelope(response, 400, "malformed_request")


@pytest.mark.parametrize(
    "path", ["tenders/", "households/", "budget-lines/", "areas/", "residents/register/", "ratings/"]
)
def test_json_nested_too_deep_is_400_on_every_endpoint(world, api, path):
    response = raw_post(api(world["platform_admin"]), path, '{"title": ' + nested(5_000, "list") + "}")

    assert_envelope(response, 400, "malformed_request")


def test_json_nested_deeper_than_any_body_needs_is_400_even_when_python_could_parse_it(db, api):
    response = raw_post(api(), "auth/token/", '{"username": ' + nested(200, "list") + "}")

    assert_envelope(response, 400, "malformed_request")


def test_ordinary_nesting_still_parses(world, api):
    response = raw_post(
        api(), "auth/token/", '{"username": "nobody", "password": "x", "extra": [[{"a": [1]}]]}'
    )

    assert_envelope(response, 400, "invalid_credentials")
