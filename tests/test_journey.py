"""The procurement half end to end through the API: from an empty tender to an active contract."""

import datetime

import pytest
import time_machine
from rest_framework import status

from contracts.models import Contract, Instalment
from marketplace.models import Bid, Tender

from .flows import pass_deadline, pass_standstill


def tender_body(world, **overrides):
    from .factories import in_days, local_date

    deadline = in_days(12)
    start = local_date(deadline)
    body = {
        "title": "玉林街道 elderly day care 2026",
        "description": "Day care and home visits for 300 elderly residents.",
        "catalogue_item": world["catalogue_item"].id,
        "budget_line": world["budget_line"].id,
        "areas": [world["areas"]["street"].id],
        "beneficiaries": "Residents over 70",
        "ceiling_amount": 30_000_000,
        "initiative_reason": "The district plan for elderly care.",
        "bid_deadline": deadline.isoformat(),
        "service_start": start.isoformat(),
        "service_end": start.replace(year=start.year + 1, day=1).isoformat(),
        "kpis": [{"name": "Home visits", "target": "1200.00", "unit": "visits"}],
        "criteria": [
            {"name": "Price", "kind": "price", "weight": 30},
            {"name": "Service plan", "kind": "quality", "weight": 70},
        ],
        "payment_schedule": [
            {"kind": "advance", "share_pct": "30"},
            {"kind": "interim", "share_pct": "40"},
            {"kind": "holdback", "share_pct": "30"},
        ],
        "score_weights": {"third_party": "0.40", "buyer": "0.20", "residents": "0.30", "community": "0.10"},
        "min_bids": 2,
        "standstill_days": 7,
    }
    body.update(overrides)
    return body


@pytest.fixture(params=["now", "evening_utc"])
def clock(request):
    """Today's clock, and 16:30 UTC on New Year's Eve: already 1 January of the next year in Shanghai."""
    if request.param == "now":
        yield
    else:
        with time_machine.travel(datetime.datetime(2026, 12, 31, 16, 30, tzinfo=datetime.UTC), tick=True):
            yield


def test_from_draft_to_active_contract(clock, world, api):
    officer = api(world["officer"])

    # Given a draft tender created by the officer
    response = officer.post("tenders/", tender_body(world))
    assert response.status_code == status.HTTP_201_CREATED, response.json()
    tender = response.json()
    assert tender["status"] == "draft"
    assert "publish" in tender["available_transitions"]
    assert [c["id"] for c in tender["criteria"]]

    # When it is published, the ceiling is committed on the budget line
    response = officer.post(f"tenders/{tender['id']}/publish/")
    assert response.status_code == 200, response.json()
    line = api(world["finance"]).get(f"budget-lines/{world['budget_line'].id}/").json()
    assert line["committed"] == 30_000_000 and line["available"] == 70_000_000

    # Providers ask a question and bid
    question = api(world["provider_admins"][0]).post(f"tenders/{tender['id']}/questions/", {"text": "Meals?"})
    assert question.status_code == 201
    answered = officer.post(f"questions/{question.json()['id']}/answer/", {"answer": "Yes, lunch."})
    assert answered.status_code == 200 and answered.json()["answer"] == "Yes, lunch."
    public_questions = api().get(f"tenders/{tender['id']}/questions/").json()
    assert public_questions["count"] == 1 and "asker_organization" not in public_questions["results"][0]

    receipts = []
    for index, price in enumerate([27_000_000, 29_000_000]):
        provider = api(world["provider_admins"][index])
        bid = provider.post(
            f"tenders/{tender['id']}/bids/",
            {
                "price_amount": price,
                "technical_proposal": "Plan",
                "staffing_plan": "Team",
                "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
            },
        )
        assert bid.status_code == 201, bid.json()
        submitted = provider.post(f"bids/{bid.json()['id']}/submit/")
        assert submitted.status_code == 200, submitted.json()
        assert len(submitted.json()["receipt"]) == 64
        receipts.append(submitted.json())

    # Sealed: the bureau cannot list bids before the deadline
    sealed = officer.get(f"tenders/{tender['id']}/bids/")
    assert sealed.status_code == 409 and sealed.json()["code"] == "bids_sealed"
    assert officer.get(f"bids/{receipts[0]['id']}/").status_code == 404

    # The deadline passes and the officer closes it: bids are opened
    pass_deadline(Tender.objects.get(pk=tender["id"]))
    closed = officer.post(f"tenders/{tender['id']}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "evaluating"
    assert officer.get(f"tenders/{tender['id']}/bids/").json()["count"] == 2

    # Evaluators declare, then score
    criterion = next(c for c in tender["criteria"] if c["kind"] == "quality")
    for evaluator in world["evaluators"]:
        client = api(evaluator)
        refused = client.post(
            f"bids/{receipts[0]['id']}/scores/", {"criterion": criterion["id"], "score": "80"}
        )
        assert refused.status_code == 409 and refused.json()["code"] == "declaration_required"
        assert client.post(f"tenders/{tender['id']}/declarations/", {"no_conflict": True}).status_code == 201
        for bid in receipts:
            scored = client.post(f"bids/{bid['id']}/scores/", {"criterion": criterion["id"], "score": "80"})
            assert scored.status_code == 201, scored.json()

    ranking = officer.get(f"tenders/{tender['id']}/ranking/").json()
    assert [row["bid"] for row in ranking] == [receipts[0]["id"], receipts[1]["id"]]
    assert ranking[0]["price_score"] == "30.00" and ranking[0]["total"] == "86.00"

    refused = officer.post(f"tenders/{tender['id']}/award/", {"bid": receipts[1]["id"]})
    assert refused.status_code == 409 and refused.json()["code"] == "not_top_ranked"
    awarded = officer.post(f"tenders/{tender['id']}/award/", {"bid": receipts[0]["id"]})
    assert awarded.status_code == 200 and awarded.json()["status"] == "award_proposed"

    # After the standstill the award is finalized and the contract drafted
    pass_standstill(Tender.objects.get(pk=tender["id"]))
    final = officer.post(f"tenders/{tender['id']}/finalize-award/")
    assert final.status_code == 200 and final.json()["status"] == "awarded"
    contract_id = final.json()["contract"]
    assert Bid.objects.get(pk=receipts[0]["id"]).status == "awarded"
    assert Bid.objects.get(pk=receipts[1]["id"]).status == "not_awarded"
    line = api(world["finance"]).get(f"budget-lines/{world['budget_line'].id}/").json()
    assert line["committed"] == 27_000_000

    contract = officer.get(f"contracts/{contract_id}/").json()
    assert contract["status"] == "draft" and contract["value_amount"] == 27_000_000
    assert [i["amount"] for i in contract["instalments"]] == [8_100_000, 10_800_000, 8_100_000]

    # Both sign: the contract becomes active and the advance payable
    assert officer.post(f"contracts/{contract_id}/sign/").json()["status"] == "draft"
    active = api(world["provider_admins"][0]).post(f"contracts/{contract_id}/sign/")
    assert active.status_code == 200 and active.json()["status"] == "active"
    advance = Instalment.objects.get(contract_id=contract_id, kind="advance")
    assert advance.status == "payable"

    history = officer.get(f"contracts/{contract_id}/history/").json()
    assert [entry["state"] for entry in history] == ["active"]
    assert history[0]["by"]["username"] == world["provider_admins"][0].username
    tender_history = api().get(f"tenders/{tender['id']}/history/").json()
    assert [e["state"] for e in tender_history] == ["published", "evaluating", "award_proposed", "awarded"]
    assert all(entry["by"] is None for entry in tender_history)  # actors hidden from the public
    assert Contract.objects.get(pk=contract_id).status == "active"
