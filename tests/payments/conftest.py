"""Fixtures of the payment tests: the local Stripe-compatible server (a separate process on
127.0.0.1), the stripe gateway pointed at it, and helpers that deliver its events as Stripe would:
signed with the webhook secret, raw bytes, to the webhook endpoint."""

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import stripe

from payments.models import PayoutAccount

from .. import flows
from ..clock import python_command

ROOT = Path(__file__).resolve().parent.parent.parent
WEBHOOK_SECRET = "whsec_test_shequ"
SECRET_KEY = "sk_test_shequ"


class StripeServer:
    def __init__(self, base: str):
        self.base = base

    def control(self, path: str, data: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=json.dumps(data or {}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        self.control("/_config/reset")

    def fault(self, mode: str, count: int = 1, seconds: float = 5, path: str = "/v1/transfers") -> None:
        self.control("/_config/faults", {"mode": mode, "count": count, "seconds": seconds, "path": path})

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(
            f"{self.base}{path}", headers={"Authorization": f"Bearer {SECRET_KEY}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    @property
    def client(self) -> stripe.StripeClient:
        return stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.base}, max_network_retries=0)

    def transfers(self, **filters) -> list:
        return self.client.v1.transfers.list({"limit": 100, **filters}).data

    def events(self, event_type: str | None = None) -> list[bytes]:
        """Raw bytes of each event (oldest first), exactly as the server renders them."""
        listing = json.loads(self.get("/v1/events" + (f"?type={event_type}" if event_type else "")))
        ids = [event["id"] for event in sorted(listing["data"], key=lambda e: e["created"])]
        return [self.get(f"/v1/events/{event_id}") for event_id in ids]

    def follow(self, url: str) -> None:
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200


@pytest.fixture(scope="session")
def stripe_server_process():
    process = subprocess.Popen(
        python_command("-m", "tests.stripe_server"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # printed only once the socket listens
    if not line.startswith("LISTENING"):
        process.kill()
        pytest.fail(f"local Stripe server did not start: {line}{process.stdout.read()}")
    try:
        yield StripeServer(f"http://127.0.0.1:{int(line.split()[1])}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def stripe_server(stripe_server_process, settings):
    """The stripe gateway, configured to talk to a freshly reset local server."""
    stripe_server_process.reset()
    settings.PAYMENTS_GATEWAY = "stripe"
    settings.STRIPE_API_BASE = stripe_server_process.base
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 1
    yield stripe_server_process
    stripe_server_process.reset()


def signed(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload.decode()}", secret)
    return f"t={timestamp},v1={signature}"


def deliver(api, payload: bytes, signature: str | None = None):
    """POST one event to the webhook endpoint as Stripe does (no user, raw JSON, signed)."""
    client = api().client
    return client.post(
        "/api/v1/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else signed(payload),
    )


def deliver_all(api, server: StripeServer, event_type: str | None = None) -> None:
    for payload in server.events(event_type):
        response = deliver(api, payload)
        assert response.status_code == 200, response.content


def provider_admin_of(world, contract):
    return next(
        admin
        for admin, org in zip(world["provider_admins"], world["providers"], strict=True)
        if org.id == contract.provider_id
    )


@pytest.fixture
def stripe_contract(world, api, stripe_server):
    """An active contract whose provider has finished Stripe onboarding (through the API, the
    onboarding link and the ``account.updated`` webhook)."""
    contract = flows.active_contract(world)
    provider_admin = provider_admin_of(world, contract)
    response = api(provider_admin).post(f"organizations/{contract.provider_id}/payout-account/")
    assert response.status_code == 200, response.content
    stripe_server.follow(response.json()["onboarding_url"])
    deliver_all(api, stripe_server, "account.updated")
    assert PayoutAccount.objects.get(organization_id=contract.provider_id).status == "enabled"
    return contract
