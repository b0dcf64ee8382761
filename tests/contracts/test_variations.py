"""Contract variations (补充协议, docs/rules.md §17.8): the officer proposes, both parties sign, the
second signature makes the change. The cap on increases, the re-planned instalments, the budget
commitment, renewal, the ledger invariant, and refusals that change nothing."""

import datetime

import pytest
from django_fsm_log.models import StateLog

from contracts.models import Contract, Variation
from contracts.settlement import ledger_invariant_holds
from contracts.variations import increases_limit, variation_withdraw
from evaluations.services import variation_propose, variation_sign
from marketplace.models import Tender
from marketplace.services.budget import available_on

from .. import flows
from ..flows import assert_refused, machine_snapshot

PRICE = 28_000_000  # the first provider's price in every flow: instalments 30/40/30


def provider_admin(world, contract: Contract):
    return world["provider_admins"][[p.id for p in world["providers"]].index(contract.provider_id)]


def propose(world, contract: Contract, **fields) -> Variation:
    fields.setdefault("reason", "More households joined the programme.")
    return variation_propose(actor=world["officer"], contract=contract, **fields)


def sign_both(world, variation: Variation) -> Variation:
    variation = variation_sign(actor=world["officer"], variation=variation)
    return variation_sign(actor=provider_admin(world, variation.contract), variation=variation)


def snapshot() -> dict:
    """Every machine, and the variations and the contracts' service periods besides."""
    return {
        **machine_snapshot(),
        "variations": list(
            Variation.objects.order_by("pk").values_list(
                "pk", "status", "bureau_signed_at", "provider_signed_at", "value_before", "effective_at"
            )
        ),
        "service_ends": list(Contract.objects.order_by("pk").values_list("pk", "service_end")),
    }


def refused(call, code: str, status_code: int = 409) -> None:
    before = snapshot()
    assert_refused(call, code, status_code)
    assert snapshot() == before


def amounts(contract: Contract) -> list[tuple[str, int]]:
    return list(contract.instalments.order_by("sequence").values_list("status", "amount"))


# --- value ------------------------------------------------------------------------------------------


def test_a_value_increase_takes_effect_at_the_second_signature_and_replans_what_is_scheduled(world):
    contract = flows.active_contract(world)
    assert amounts(contract) == [("payable", 8_400_000), ("scheduled", 11_200_000), ("scheduled", 8_400_000)]
    variation = propose(world, contract, kind="value", value_delta=2_800_000)  # exactly 10 %
    assert (variation.sequence, variation.status) == (1, "proposed")

    variation = variation_sign(actor=world["officer"], variation=variation)
    contract.refresh_from_db()
    assert (variation.status, contract.value_amount) == ("proposed", PRICE)  # one signature: nothing yet

    variation = variation_sign(actor=provider_admin(world, contract), variation=variation)
    contract.refresh_from_db()
    assert variation.status == Variation.Status.EFFECTIVE
    assert (variation.value_before, contract.value_amount) == (PRICE, PRICE + 2_800_000)
    # the payable advance is untouched; 22,400,000 re-planned over the 40 : 30 still scheduled
    assert amounts(contract) == [("payable", 8_400_000), ("scheduled", 12_800_000), ("scheduled", 9_600_000)]
    assert sum(amount for _status, amount in amounts(contract)) == contract.value_amount
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == PRICE + 2_800_000
    assert ledger_invariant_holds(contract)
    log = StateLog.objects.for_(variation).get()
    assert (log.transition, log.state, log.by) == (
        "take_effect",
        "effective",
        provider_admin(world, contract),
    )


def test_replanning_an_amount_that_does_not_divide_evenly_still_sums_exactly(world):
    contract = flows.active_contract(world)
    sign_both(world, propose(world, contract, kind="value", value_delta=1_000_001))
    contract.refresh_from_db()
    scheduled = [amount for status, amount in amounts(contract) if status == "scheduled"]
    assert sum(scheduled) == 19_600_000 + 1_000_001
    assert scheduled == [11_771_429, 8_828_572]
    assert ledger_invariant_holds(contract)


def test_increases_total_at_most_ten_percent_of_the_original_value_and_decreases_make_no_room(world):
    contract = flows.active_contract(world)
    assert increases_limit(contract) == 2_800_000
    sign_both(world, propose(world, contract, kind="value", value_delta=2_000_000))
    sign_both(world, propose(world, contract, kind="value", value_delta=-500_000))
    contract.refresh_from_db()

    refused(lambda: propose(world, contract, kind="value", value_delta=800_001), "variation_limit")

    sign_both(world, propose(world, contract, kind="value", value_delta=800_000))  # 2,800,000 in all
    contract.refresh_from_db()
    assert contract.value_amount == PRICE + 2_000_000 - 500_000 + 800_000
    assert ledger_invariant_holds(contract)
    assert list(contract.variations.values_list("sequence", flat=True)) == [1, 2, 3]


def test_a_decrease_comes_out_of_what_is_scheduled_and_returns_to_the_budget(world):
    contract = flows.active_contract(world)
    refused(lambda: propose(world, contract, kind="value", value_delta=-19_600_001), "instalments_settled")

    sign_both(world, propose(world, contract, kind="value", value_delta=-1_000_000))
    contract.refresh_from_db()
    assert contract.value_amount == PRICE - 1_000_000
    assert Tender.objects.get(pk=contract.tender_id).committed_amount == PRICE - 1_000_000
    assert amounts(contract)[0] == ("payable", 8_400_000)
    assert ledger_invariant_holds(contract)


def test_an_increase_the_budget_line_cannot_hold_is_refused_at_the_second_signature(world):
    contract = flows.active_contract(world)
    variation = variation_sign(
        actor=world["officer"], variation=propose(world, contract, kind="value", value_delta=1_000_000)
    )
    # meanwhile another tender commits all but 999,999 of the line
    line = contract.tender.budget_line
    flows.published_tender(world, ceiling_amount=available_on(line) - 999_999)

    refused(
        lambda: variation_sign(actor=provider_admin(world, contract), variation=variation),
        "budget_insufficient",
    )
    variation.refresh_from_db()
    assert (variation.status, variation.provider_signed_at) == ("proposed", None)


def test_the_cap_is_checked_again_when_the_variation_takes_effect(world):
    contract = flows.active_contract(world)
    first = propose(world, contract, kind="value", value_delta=2_000_000)
    # the second is proposed only after the first is withdrawn, then the first's amount is proposed again
    from contracts.variations import variation_withdraw

    variation_withdraw(actor=world["officer"], variation=first, reason="Wrong amount.")
    sign_both(world, propose(world, contract, kind="value", value_delta=2_800_000))
    refused(lambda: propose(world, contract, kind="value", value_delta=1), "variation_limit")


# --- extension and renewal ------------------------------------------------------------------------


def test_an_extension_beyond_the_tenders_period_without_renewal_is_refused(world):
    contract = flows.active_contract(world)
    later = contract.tender.service_end + datetime.timedelta(days=90)
    refused(lambda: propose(world, contract, kind="extend", service_end=later), "renewal_not_allowed")


def _contract_with_final_band(world, renewal: bool, **scores) -> Contract:
    objects = flows.delivering_contract(world, renewal_allowed=renewal)
    flows.final_evaluation(world, objects, **scores)
    contract = objects["contract"]
    contract.refresh_from_db()
    return contract


@pytest.mark.parametrize(
    ("renewal", "scores", "band", "allowed"),
    [
        (True, {"t": "72", "b": "72", "c": "72"}, "C", False),
        (False, {"t": "100", "b": "100", "c": "100"}, "A", False),
        (True, {"t": "100", "b": "100", "c": "100"}, "A", True),
    ],
    ids=["renewal-band-C", "no-renewal-band-A", "renewal-band-A"],
)
def test_renewal_needs_the_tender_to_allow_it_and_the_last_final_band_a_or_b(
    world, renewal, scores, band, allowed
):
    contract = _contract_with_final_band(world, renewal, **scores)
    assert contract.evaluations.get(status="final").band == band
    assert contract.frozen_terms.renewal_allowed is renewal
    later = contract.tender.service_end + datetime.timedelta(days=365)
    if not allowed:
        refused(lambda: propose(world, contract, kind="extend", service_end=later), "renewal_not_allowed")
        return
    before = contract.service_end
    variation = sign_both(world, propose(world, contract, kind="extend", service_end=later))
    contract.refresh_from_db()
    assert (variation.status, variation.service_end_before, contract.service_end) == (
        "effective",
        before,
        later,
    )
    assert ledger_invariant_holds(contract)


def test_renewal_is_frozen_at_award_so_changing_the_tender_later_does_not_matter(world):
    contract = flows.active_contract(world)
    Tender.objects.filter(pk=contract.tender_id).update(renewal_allowed=True)
    contract.refresh_from_db()
    assert contract.frozen_terms.renewal_allowed is False


# --- scope, withdrawal, one at a time, states ----------------------------------------------------


def test_a_scope_change_records_the_new_scope_and_changes_no_money(world):
    contract = flows.active_contract(world)
    variation = sign_both(world, propose(world, contract, kind="scope", scope="Add weekend visits."))
    contract.refresh_from_db()
    assert (variation.status, variation.scope, contract.value_amount) == (
        "effective",
        "Add weekend visits.",
        PRICE,
    )


def test_one_proposed_variation_at_a_time_and_withdrawal_frees_the_way(world):
    from contracts.variations import variation_withdraw

    contract = flows.active_contract(world)
    first = propose(world, contract, kind="scope", scope="Add weekend visits.")
    refused(lambda: propose(world, contract, kind="scope", scope="Again."), "variation_pending")
    refused(
        lambda: variation_withdraw(actor=provider_admin(world, contract), variation=first),
        "permission_denied",
        403,
    )
    first = variation_withdraw(actor=world["officer"], variation=first, reason="Not needed.")
    assert first.status == Variation.Status.WITHDRAWN
    refused(lambda: variation_sign(actor=world["officer"], variation=first), "invalid_transition")
    second = propose(world, contract, kind="scope", scope="Add holiday visits.")
    assert second.sequence == 2


def test_each_side_signs_once_and_only_the_parties_sign(world):
    contract = flows.active_contract(world)
    variation = propose(world, contract, kind="scope", scope="Add weekend visits.")
    variation_sign(actor=world["officer"], variation=variation)
    refused(lambda: variation_sign(actor=world["officer"], variation=variation), "already_signed")
    refused(
        lambda: variation_sign(actor=world["provider_staff"][0], variation=variation),
        "permission_denied",
        403,
    )
    refused(
        lambda: variation_sign(actor=world["provider_admins"][1], variation=variation),
        "permission_denied",
        403,
    )


def test_only_a_running_contract_is_varied(world):
    draft = flows.draft_contract(world)
    refused(lambda: propose(world, draft, kind="scope", scope="x"), "invalid_transition")
    active = flows.active_contract(world)
    refused(lambda: propose(world, active, kind="value", value_delta=0), "invalid", 400)


def test_proposal_input_is_checked_field_by_field(world, api):
    contract = flows.active_contract(world)
    officer = api(world["officer"])
    response = officer.post(f"contracts/{contract.pk}/variations/", {"kind": "extend", "reason": " "})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"reason"}
    response = officer.post(f"contracts/{contract.pk}/variations/", {"kind": "extend", "reason": "Later."})
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"service_end"}
    response = officer.post(
        f"contracts/{contract.pk}/variations/",
        {"kind": "extend", "reason": "Later.", "service_end": str(contract.service_end)},
    )
    assert response.status_code == 400
    assert "service_end" in response.json()["extra"]["fields"]
    assert not Variation.objects.exists()


# --- API and visibility ---------------------------------------------------------------------------


def test_the_api_proposes_signs_and_shows_variations_to_whoever_sees_the_contract(world, api):
    contract = flows.active_contract(world)
    officer, provider = api(world["officer"]), api(provider_admin(world, contract))
    response = officer.post(
        f"contracts/{contract.pk}/variations/",
        {"kind": "value", "reason": "More homes.", "value_delta": 1_400_000},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["sequence"], body["status"], body["available_transitions"]) == (
        1,
        "proposed",
        ["sign", "withdraw"],
    )
    pk = body["id"]
    assert provider.get(f"variations/{pk}/").json()["available_transitions"] == ["sign"]
    # the public sees the contract but not a variation not in effect
    assert api().get(f"variations/{pk}/").status_code == 404
    assert api().get(f"contracts/{contract.pk}/variations/").json() == []
    assert api(world["other_officer"]).post(f"variations/{pk}/sign/").status_code == 404

    assert officer.post(f"variations/{pk}/sign/").json()["status"] == "proposed"
    assert provider.post(f"variations/{pk}/sign/").json()["status"] == "effective"
    assert api().get(f"variations/{pk}/").json()["value_delta"] == 1_400_000
    assert [v["id"] for v in api().get(f"contracts/{contract.pk}/variations/").json()] == [pk]
    history = officer.get(f"variations/{pk}/history/").json()
    assert [(h["transition"], h["state"], h["reason_code"]) for h in history] == [
        ("take_effect", "effective", "variation_signed")
    ]
    assert officer.get(f"contracts/{contract.pk}/").json()["value_amount"] == PRICE + 1_400_000


def test_a_draft_contracts_variations_are_not_found_by_the_public(world, api):
    contract = flows.draft_contract(world)
    assert api().get(f"contracts/{contract.pk}/variations/").status_code == 404
    assert (
        api(world["stranger"])
        .post(f"contracts/{contract.pk}/variations/", {"kind": "scope", "reason": "x", "scope": "y"})
        .status_code
        == 404
    )


def test_the_contract_offers_vary_to_its_officer_while_it_runs_and_none_is_pending(world, api):
    contract = flows.active_contract(world)
    assert "vary" in api(world["officer"]).get(f"contracts/{contract.pk}/").json()["available_transitions"]
    assert (
        "vary"
        not in api(provider_admin(world, contract))
        .get(f"contracts/{contract.pk}/")
        .json()["available_transitions"]
    )
    propose(world, contract, kind="scope", scope="Add weekend visits.")
    assert (
        "vary" not in api(world["officer"]).get(f"contracts/{contract.pk}/").json()["available_transitions"]
    )


def test_both_parties_are_told(world, django_capture_on_commit_callbacks):
    contract = flows.active_contract(world)
    with django_capture_on_commit_callbacks() as queued:
        propose(world, contract, kind="scope", scope="Add weekend visits.")
    told = {callback.args[0] for callback in queued}  # notify_user_task.delay(user_id, subject, body)
    assert told == {world["officer"].id, provider_admin(world, contract).id}


def test_the_contracts_history_has_each_step_of_its_variations(world, api):
    # Given a variation proposed, signed by both and in effect, and a second proposed and withdrawn
    contract = flows.active_contract(world)
    first = sign_both(world, propose(world, contract, kind="value", value_delta=1_400_000))
    second = propose(world, contract, kind="scope", scope="Weekend visits too.", reason="Demand.")
    variation_withdraw(actor=world["officer"], variation=second, reason="Not needed.")
    admin = provider_admin(world, contract)

    def steps(client) -> list[tuple]:
        history = client.get(f"contracts/{contract.pk}/history/").json()
        assert history[0]["transition"] == "activate" and history[0]["variation"] is None
        return [
            (h["variation"]["number"], h["transition"], h["state"], (h["by"] or {}).get("username"))
            for h in history
            if h["variation"] is not None
        ]

    # Then the parties see every step, in order, with who took it
    expected = [
        (1, "variation_propose", "proposed", world["officer"].username),
        (1, "variation_sign_bureau", "proposed", world["officer"].username),
        (1, "variation_sign_provider", "proposed", admin.username),
        (1, "variation_take_effect", "effective", admin.username),
        (2, "variation_propose", "proposed", world["officer"].username),
        (2, "variation_withdraw", "withdrawn", world["officer"].username),
    ]
    assert steps(api(world["officer"])) == expected
    assert steps(api(admin)) == expected
    # and the public the steps of the variation in effect, without names (docs/rules.md §17.8)
    assert steps(api()) == [(*step[:3], None) for step in expected[:4]]
    withdrawn = api(world["officer"]).get(f"contracts/{contract.pk}/history/").json()[-1]
    assert (withdrawn["reason"], withdrawn["variation"]["id"]) == ("Not needed.", second.pk)
    assert first.status == Variation.Status.EFFECTIVE


def test_the_contracts_history_reads_the_same_queries_whatever_the_number_of_variations(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contract = flows.active_contract(world)
    officer = api(world["officer"])
    sign_both(world, propose(world, contract, kind="value", value_delta=1_400_000))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer.get(f"contracts/{contract.pk}/history/").status_code == 200
        return len(captured)

    one = queries()
    variation_withdraw(actor=world["officer"], variation=propose(world, contract, kind="scope", scope="A."))
    sign_both(world, propose(world, contract, kind="scope", scope="Weekend visits too."))
    assert len(officer.get(f"contracts/{contract.pk}/history/").json()) > 8
    assert queries() == one
