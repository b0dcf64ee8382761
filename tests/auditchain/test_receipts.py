"""A rating's receipt (docs/rules.md §24): the resident gets one, anyone holding it learns which
evaluation the rating belongs to and whether it was counted, quarantined or excluded — never the
rating, the household or the person."""

import pytest

from evaluations.models import Rating
from evaluations.services import rating_review
from tests import flows
from tests.frontend.helpers import english_client, page

pytestmark = pytest.mark.django_db

# What a receipt's answer may hold, and no more.
RECEIPT_KEYS = {"receipt", "evaluation", "stage", "round", "contract", "contract_title", "status"}


def _rating(world, **kwargs):
    objects = flows.delivering_contract(world, households=2)
    resident = objects["residents"][0]
    return objects, resident, flows.rate(resident, objects["contract"], 2, **kwargs)


def test_receipts_are_unguessable_and_distinct(world):
    objects = flows.delivering_contract(world, households=3)
    receipts = {flows.rate(r, objects["contract"], 5).receipt for r in objects["residents"]}
    assert len(receipts) == 3 and all(len(receipt) >= 22 for receipt in receipts)


def test_the_rater_gets_the_receipt_from_the_api_and_no_one_else_does(world, api):
    objects = flows.delivering_contract(world, households=1)
    resident = objects["residents"][0]
    response = api(resident.user).post(
        "ratings/", {"contract": objects["contract"].pk, "satisfaction": 4, "resolved": "yes"}
    )
    assert response.status_code == 201, response.json()
    receipt = response.json()["receipt"]
    assert receipt == Rating.objects.get().receipt
    seen_by_bureau = api(world["officer"]).get(f"ratings/{response.json()['id']}/").json()
    assert seen_by_bureau["receipt"] is None


def test_a_receipt_says_counted_and_nothing_personal(world, api):
    objects, resident, rating = _rating(world)
    response = api().get(f"ratings/receipts/{rating.receipt}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == RECEIPT_KEYS
    assert body["status"] == "counted"
    assert (body["evaluation"], body["contract"]) == (objects["evaluation"].pk, objects["contract"].pk)
    assert body["contract_title"] == objects["contract"].title
    text = response.content.decode()
    for secret in (resident.household.code, resident.user.username, "dissatisfied"):
        assert secret not in text


def test_a_receipt_follows_quarantine_and_exclusion(world, api):
    objects = flows.delivering_contract(world, households=1)
    rating = flows.quarantined_rating(objects["residents"][0], objects["contract"])
    assert api().get(f"ratings/receipts/{rating.receipt}/").json()["status"] == "quarantined"
    rating_review(actor=world["officer"], rating=rating, decision="exclude", reason="Burst.")
    assert api().get(f"ratings/receipts/{rating.receipt}/").json()["status"] == "excluded"


@pytest.mark.parametrize("receipt", ["no-such-receipt", "x" * 200, "bad%00byte", "a.b"])
def test_an_unknown_receipt_is_404(world, api, receipt):
    _rating(world)
    response = api().get(f"ratings/receipts/{receipt}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_confirmation_page_shows_the_receipt_and_the_check_page_what_it_says(world):
    objects, resident, rating = _rating(world)
    confirmation = page(english_client(resident.user).get(f"/resident/ratings/{rating.pk}/"))
    assert rating.receipt in confirmation
    link = f"/ratings/receipts/{rating.receipt}/"
    assert f'href="{link}"' in confirmation

    check = english_client().get(link)  # anyone holding it, signed in or not
    assert check.status_code == 200
    text = page(check)
    assert objects["contract"].title in text and 'data-status="counted"' in text
    assert resident.household.code not in text and resident.user.username not in text
    assert english_client().get("/ratings/receipts/no-such-receipt/").status_code == 404


def test_the_open_data_page_shows_the_head_and_how_to_verify(world):
    from auditchain.models import Head

    _rating(world)
    head = Head.objects.get()
    text = page(english_client().get("/open-data/"))
    assert head.hash in text and "/api/v1/log/head/" in text and "verify_log" in text
