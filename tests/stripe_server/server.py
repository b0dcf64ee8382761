"""Test-only: localstripe's aiohttp app, bound to 127.0.0.1 with pickling off, plus what it lacks
for Stripe Connect, which localstripe does not implement:

- ``/v1/accounts``, ``/v1/account_links`` and the onboarding page an account link points to;
- ``/v1/transfers`` (create, retrieve, list by ``transfer_group``/``destination``/``metadata``,
  newest first, paged with ``limit`` and ``starting_after``)
  and ``/v1/transfers/{id}/reversals``, each emitting ``transfer.*`` / ``account.updated`` events
  through localstripe's event store and webhook delivery;
- real idempotency: the same ``Idempotency-Key`` replays the first response; different
  parameters are 400 ``idempotency_error``;
- a fault switch, ``POST /_config/faults {"mode": "error"|"hang"|"down", "count": N,
  "seconds": S, "path": "/v1/transfers"}``: the next N POSTs to that path answer 500, or are
  carried out and answered only after S seconds (past the client's timeout), or lose the
  connection before anything happens;
- ``POST /_config/reset`` clears every object, key, fault and webhook.

Run: ``python -m tests.stripe_server`` prints ``LISTENING <port>`` once the socket listens.
localstripe is GPL-3.0-or-later: a test-only dependency run as a separate process, never shipped.
"""

import asyncio
import hashlib
import json
import secrets
import socket
import sys
import time
from typing import Any

from aiohttp import web
from localstripe import resources, server, webhooks

# No pickling to a fixed file under /tmp: state lives in this process only.
resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]

STATE: dict[str, Any] = {}


def reset() -> None:
    resources.store.clear()
    webhooks._webhooks.clear()
    STATE.clear()
    STATE.update(accounts={}, transfers={}, idempotency={}, faults=[], base="")


reset()


def error(status: int, kind: str, message: str, **more: Any) -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message, **more}}, status=status)


class _Snapshot:
    """What localstripe's Event wants: an object with ``_export()``."""

    def __init__(self, data: dict):
        self.data = json.loads(json.dumps(data))

    def _export(self, expand: Any = None) -> dict:
        return self.data


def emit(event_type: str, obj: dict) -> None:
    event = resources.Event(event_type, _Snapshot(obj))
    webhooks.schedule_webhook(event)


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(8)


async def form(request: web.Request) -> dict:
    return server.unflatten_data(await request.post()) or {}


@web.middleware
async def faults_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    for fault in STATE["faults"]:
        if request.method == "POST" and request.path == fault["path"] and fault["count"] > 0:
            fault["count"] -= 1
            if fault["mode"] == "error":
                return error(500, "api_error", "Injected server error.")
            if fault["mode"] == "down":
                if request.transport is not None:
                    request.transport.abort()
                raise asyncio.CancelledError()
            if fault["mode"] == "hang":
                response = await handler(request)
                await asyncio.sleep(fault["seconds"])
                return response
    return await handler(request)


@web.middleware
async def idempotency_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    body = await request.read()
    fingerprint = hashlib.sha256(request.path.encode() + b"\0" + body).hexdigest()
    stored = STATE["idempotency"].get(key)
    if stored is not None:
        if stored["fingerprint"] != fingerprint:
            return error(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were "
                "first used with.",
            )
        return web.Response(
            body=stored["body"],
            status=stored["status"],
            content_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )
    response = await handler(request)
    if isinstance(response, web.Response) and response.status < 500:
        STATE["idempotency"][key] = {
            "fingerprint": fingerprint,
            "status": response.status,
            "body": response.body,
        }
    return response


# --- Connect ----------------------------------------------------------------------------------


async def account_create(request: web.Request) -> web.Response:
    data = await form(request)
    account = {
        "id": new_id("acct_"),
        "object": "account",
        "type": data.get("type", "express"),
        "email": data.get("email"),
        "business_profile": data.get("business_profile") or {},
        "capabilities": {"transfers": "inactive"},
        "charges_enabled": False,
        "payouts_enabled": False,
        "details_submitted": False,
        "metadata": data.get("metadata") or {},
        "created": int(time.time()),
    }
    STATE["accounts"][account["id"]] = account
    return web.json_response(account)


async def account_retrieve(request: web.Request) -> web.Response:
    account = STATE["accounts"].get(request.match_info["id"])
    if account is None:
        return error(404, "invalid_request_error", "No such account.")
    return web.json_response(account)


async def account_link_create(request: web.Request) -> web.Response:
    data = await form(request)
    account_id = data.get("account")
    if account_id not in STATE["accounts"]:
        return error(400, "invalid_request_error", f"No such account: {account_id}", param="account")
    base = f"{request.scheme}://{request.host}"
    return web.json_response(
        {
            "object": "account_link",
            "url": f"{base}/_config/onboarding/{account_id}",
            "created": int(time.time()),
            "expires_at": int(time.time()) + 300,
        }
    )


async def onboarding_complete(request: web.Request) -> web.Response:
    """The page an account link opens: finishing it enables transfers to the account."""
    account = STATE["accounts"].get(request.match_info["id"])
    if account is None:
        return web.Response(status=404, text="No such account.")
    account.update(
        details_submitted=True,
        payouts_enabled=True,
        charges_enabled=True,
        capabilities={"transfers": "active"},
    )
    emit("account.updated", account)
    return web.Response(text="Onboarding complete.")


async def transfer_create(request: web.Request) -> web.Response:
    data = await form(request)
    try:
        amount = int(data.get("amount", ""))
    except ValueError:
        return error(400, "invalid_request_error", "Invalid amount.", param="amount")
    if amount <= 0:
        return error(400, "invalid_request_error", "Amount must be positive.", param="amount")
    destination = data.get("destination")
    if destination not in STATE["accounts"]:
        return error(400, "invalid_request_error", f"No such destination: {destination}", param="destination")
    transfer_id = new_id("tr_")
    transfer = {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "currency": data.get("currency", "cny"),
        "destination": destination,
        "transfer_group": data.get("transfer_group"),
        "source_transaction": data.get("source_transaction"),
        "description": data.get("description"),
        "metadata": data.get("metadata") or {},
        "reversed": False,
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/transfers/{transfer_id}/reversals",
        },
        "created": int(time.time()),
        "livemode": False,
    }
    STATE["transfers"][transfer_id] = transfer
    emit("transfer.created", transfer)
    return web.json_response(transfer)


async def transfer_retrieve(request: web.Request) -> web.Response:
    transfer = STATE["transfers"].get(request.match_info["id"])
    if transfer is None:
        return error(404, "invalid_request_error", "No such transfer.")
    return web.json_response(transfer)


async def transfer_list(request: web.Request) -> web.Response:
    query = server.unflatten_data(request.query) or {}
    transfers = list(STATE["transfers"].values())
    for field in ("transfer_group", "destination"):
        if field in query:
            transfers = [t for t in transfers if t[field] == query[field]]
    for name, value in (query.get("metadata") or {}).items():
        transfers = [t for t in transfers if t["metadata"].get(name) == value]
    # Newest first, as Stripe lists; pages continue after the last id seen (``starting_after``).
    made = {transfer_id: position for position, transfer_id in enumerate(STATE["transfers"])}
    transfers.sort(key=lambda t: made[t["id"]], reverse=True)
    if "starting_after" in query:
        ids = [t["id"] for t in transfers]
        if query["starting_after"] not in ids:
            return error(400, "invalid_request_error", "No such transfer.", param="starting_after")
        transfers = transfers[ids.index(query["starting_after"]) + 1 :]
    limit = int(query.get("limit", 10))
    return web.json_response(
        {
            "object": "list",
            "url": "/v1/transfers",
            "has_more": len(transfers) > limit,
            "data": transfers[:limit],
        }
    )


async def reversal_create(request: web.Request) -> web.Response:
    transfer = STATE["transfers"].get(request.match_info["id"])
    if transfer is None:
        return error(404, "invalid_request_error", "No such transfer.")
    data = await form(request)
    remaining = transfer["amount"] - transfer["amount_reversed"]
    amount = int(data.get("amount", remaining))
    if amount <= 0 or amount > remaining:
        return error(
            400, "invalid_request_error", "Amount exceeds what remains of the transfer.", param="amount"
        )
    reversal = {
        "id": new_id("trr_"),
        "object": "transfer_reversal",
        "amount": amount,
        "currency": transfer["currency"],
        "transfer": transfer["id"],
        "metadata": data.get("metadata") or {},
        "created": int(time.time()),
    }
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    transfer["reversals"]["data"].insert(0, reversal)
    emit("transfer.reversed", transfer)
    return web.json_response(reversal)


# --- Test controls ----------------------------------------------------------------------------


async def config_reset(request: web.Request) -> web.Response:
    reset()
    return web.json_response({"reset": True})


async def config_faults(request: web.Request) -> web.Response:
    data = await request.json()
    if data.get("mode") == "none":
        STATE["faults"].clear()
    else:
        STATE["faults"].append(
            {
                "mode": data["mode"],
                "count": int(data.get("count", 1)),
                "seconds": float(data.get("seconds", 5)),
                "path": data.get("path", "/v1/transfers"),
            }
        )
    return web.json_response({"faults": STATE["faults"]})


def build_app() -> web.Application:
    app = server.app
    # Ours run first: faults, then idempotency, then localstripe's own middlewares.
    app.middlewares.insert(0, idempotency_middleware)
    app.middlewares.insert(0, faults_middleware)
    routes = [
        ("POST", "/v1/accounts", account_create),
        ("GET", "/v1/accounts/{id}", account_retrieve),
        ("POST", "/v1/account_links", account_link_create),
        ("GET", "/_config/onboarding/{id}", onboarding_complete),
        ("POST", "/v1/transfers", transfer_create),
        ("GET", "/v1/transfers", transfer_list),
        ("GET", "/v1/transfers/{id}", transfer_retrieve),
        ("POST", "/v1/transfers/{id}/reversals", reversal_create),
        ("POST", "/_config/reset", config_reset),
        ("POST", "/_config/faults", config_faults),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app


def main() -> None:
    app = build_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    sock.listen(128)

    async def announce(app: web.Application) -> None:
        print(f"LISTENING {sock.getsockname()[1]}", flush=True)

    app.on_startup.append(announce)
    web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True, shutdown_timeout=1)
