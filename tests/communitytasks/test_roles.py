"""Every endpoint of community task admission × every kind of caller (docs/rules.md §16, §23): the
status and stable code, and a refused call changes nothing (tests/roles.py)."""

import pytest
from rest_framework import status

from ..roles import Row, check_row, matrix_ids, matrix_params
from .conftest import listed_item, local_today, send_task, task_in

OK, CREATED = status.HTTP_200_OK, status.HTTP_201_CREATED


def _task_body(world, objects):
    return {
        "community": world["community"].pk,
        "title": "Flood drill",
        "scope": "Organise the yearly flood drill.",
        "starts": str(local_today(10)),
        "ends": str(local_today(11)),
        "funding_amount": 300_000,
        "budget_line": world["budget_line"].pk,
    }


SCENARIOS = {
    "nothing": lambda world: {},
    "community": lambda world: {"committee": world["community"]},
    "admission item": lambda world: {"item": listed_item(world)},
    "proposed task": lambda world: {"task": send_task(world)},
    "accepted task": lambda world: {"task": task_in(world, "accepted")},
    "ordered task": lambda world: {"task": task_in(world, "ordered")},
    "funded task": lambda world: {"task": task_in(world, "funded")},
}

PUBLIC = {"anonymous": OK, "stranger": OK, "community": OK, "officer": OK}
PARTIES_ONLY = {"anonymous": 404, "stranger": 404, "other_officer": 404, "provider_admin": 404}
MATRIX = [
    Row("GET", "admission-items/", "nothing", PUBLIC),
    Row("GET", "admission-items/{item}/", "admission item", PUBLIC),
    Row(
        "POST",
        "admission-items/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "officer": 403,
            "finance": 403,
            "community": 403,
            "bureau_admin": CREATED,
            "platform_admin": CREATED,
        },
        body={"name": "Elderly visits"},
    ),
    Row(
        "POST",
        "community-tasks/",
        "nothing",
        {
            "anonymous": 401,
            "stranger": 403,
            "finance": 403,
            "community": 403,
            "provider_admin": 403,
            "platform_admin": 403,
            "other_officer": (400, "budget_line_not_of_bureau"),
            "officer": CREATED,
            "bureau_admin": CREATED,
        },
        body=_task_body,
    ),
    Row("GET", "community-tasks/", "proposed task", PUBLIC),
    Row(
        "GET",
        "community-tasks/{task}/",
        "proposed task",
        {**PARTIES_ONLY, "community": OK, "officer": OK, "finance": OK, "platform_admin": OK},
    ),
    Row("GET", "community-tasks/{task}/", "accepted task", {"anonymous": OK, "other_officer": OK}),
    Row(
        "POST",
        "community-tasks/{task}/accept/",
        "proposed task",
        {
            **PARTIES_ONLY,
            "anonymous": 401,
            "officer": 403,
            "finance": 403,
            "platform_admin": 403,
            "community": OK,
        },
    ),
    Row(
        "POST",
        "community-tasks/{task}/refuse/",
        "proposed task",
        {**PARTIES_ONLY, "anonymous": 401, "officer": 403, "bureau_admin": 403, "community": OK},
        body={"reason": "No one free."},
    ),
    Row(
        "POST",
        "community-tasks/{task}/withdraw/",
        "proposed task",
        {
            **PARTIES_ONLY,
            "anonymous": 401,
            "community": 403,
            "finance": 403,
            "officer": OK,
            "bureau_admin": OK,
        },
    ),
    Row(
        "POST",
        "community-tasks/{task}/withdraw/",
        "accepted task",
        {"anonymous": 401, "stranger": 403, "community": 403, "officer": (409, "invalid_transition")},
    ),
    Row(
        "POST",
        "community-tasks/{task}/confirm-payment/",
        "ordered task",
        {
            "anonymous": 401,
            "stranger": 403,
            "other_officer": 403,
            "officer": 403,
            "community": 403,
            "finance": OK,
        },
        body={"voucher_number": "BANK-1"},
    ),
    Row(
        "POST",
        "community-tasks/{task}/confirm-payment/",
        "funded task",
        {"finance": (409, "invalid_transition")},
        body={"voucher_number": "BANK-2"},
    ),
    Row(
        "POST",
        "community-tasks/{task}/complete/",
        "funded task",
        {"anonymous": 401, "stranger": 403, "community": 403, "finance": 403, "officer": OK},
    ),
    Row("GET", "communities/{committee}/workload/", "community", {**PUBLIC, "platform_admin": OK}),
]


@pytest.mark.parametrize(("row", "role", "outcome"), matrix_params(MATRIX), ids=matrix_ids(MATRIX))
def test_endpoint_as_role(world, api, row, role, outcome):
    check_row(world, api, SCENARIOS, row, role, outcome)
