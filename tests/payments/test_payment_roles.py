"""Every payment endpoint × anonymous, stranger, wrong role, right role. A denied call changes
nothing."""

import pytest

from contracts.models import Instalment, LedgerEntry
from payments.models import Payment, PayoutAccount
from tests import flows

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(Payment.objects.order_by("pk").values_list("pk", "status", "reference", "attempts")),
        list(Instalment.objects.order_by("pk").values_list("pk", "status")),
        LedgerEntry.objects.count(),
        PayoutAccount.objects.count(),
    )


def refused(api, user, method, path, body=None) -> int:
    before = snapshot()
    client = api(user)
    response = client.post(path, body) if method == "post" else client.get(path)
    assert snapshot() == before, f"{path} by {user} changed something"
    return response.status_code


def test_pay_roles(world, api):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    path = f"instalments/{advance.id}/pay/"
    assert refused(api, None, "post", path) == 401
    assert refused(api, world["stranger"], "post", path) == 404
    assert refused(api, world["other_officer"], "post", path) == 404
    for wrong in (world["officer"], world["bureau_admin"], world["provider_admins"][0]):
        assert refused(api, wrong, "post", path) in (403, 404)
    assert api(world["finance"]).post(path).status_code == 200


def test_payment_read_and_confirm_roles(world, api):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    payment_id = api(world["finance"]).post(f"instalments/{advance.id}/pay/").json()["payment"]["id"]
    read, confirm = f"payments/{payment_id}/", f"payments/{payment_id}/confirm/"
    body = {"voucher_number": "V-1"}
    assert refused(api, None, "get", read) == 401
    assert refused(api, None, "post", confirm, body) == 401
    for outsider in (
        world["stranger"],
        world["other_officer"],
        world["officer"],
        world["provider_admins"][0],
    ):
        assert refused(api, outsider, "get", read) == 404
        assert refused(api, outsider, "post", confirm, body) == 404
    # the platform admin may look, not pay
    assert api(world["platform_admin"]).get(read).status_code == 200
    assert refused(api, world["platform_admin"], "post", confirm, body) == 403
    assert api(world["finance"]).get(read).status_code == 200
    assert api(world["finance"]).post(confirm, body).status_code == 200


def test_payout_account_roles(world, api):
    # The default gateway (treasury) needs no payout account: the provider's admin is told so.
    provider = world["providers"][0]
    path = f"organizations/{provider.id}/payout-account/"
    assert refused(api, None, "post", path) == 401
    assert refused(api, world["stranger"], "post", path) == 403
    assert refused(api, world["provider_staff"][0], "post", path) == 403
    assert refused(api, world["provider_admins"][1], "post", path) == 403
    assert refused(api, world["finance"], "post", path) == 403
    response = api(world["provider_admins"][0]).post(path)
    assert response.status_code == 409
    assert response.json()["code"] == "not_supported_by_gateway"


def test_instalment_carries_its_payment_for_every_party(world, api):
    contract = flows.active_contract(world)
    advance = contract.instalments.get(kind="advance")
    api(world["finance"]).post(f"instalments/{advance.id}/pay/")
    provider_admin = next(
        a
        for a, o in zip(world["provider_admins"], world["providers"], strict=True)
        if o.id == contract.provider_id
    )
    for party in (world["officer"], provider_admin):
        payment = api(party).get(f"instalments/{advance.id}/").json()["payment"]
        assert set(payment) == {"id", "status", "amount", "gateway", "reference"}
    assert api(world["stranger"]).get(f"instalments/{advance.id}/").status_code == 404
    contract_body = api(world["officer"]).get(f"contracts/{contract.id}/").json()
    nested = {i["kind"]: i["payment"] for i in contract_body["instalments"]}
    assert nested["advance"]["status"] == "processing"
    assert nested["interim"] is None
