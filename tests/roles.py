"""The toolkit of the role matrix (tests/test_role_matrix.py): who the callers are, the scenarios
that put the world into the state an endpoint acts on, one table row per endpoint and state, and
the checks every refusal must pass: the error body of docs/rules.md §16 and an untouched database."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import services as contract_services
from marketplace import services
from marketplace.models import Criterion, Exclusion
from marketplace.selectors import ranking_of
from orgs import services as org_services

from . import factories as f
from . import flows

# --- Callers ------------------------------------------------------------------------------------

# Every caller of the matrix, by name. ``provider_admin`` and ``provider_staff`` belong to the first
# provider, which bids lowest in every flow (so it asks, bids and wins); ``rival`` is the admin of
# the second provider, which bids too; ``outsider_provider`` the admin of the third, which never bids.
ROLE_USERS: dict[str, Callable[[dict], Any]] = {
    "anonymous": lambda world: None,
    "stranger": lambda world: world["stranger"],
    "officer": lambda world: world["officer"],
    "finance": lambda world: world["finance"],
    "bureau_admin": lambda world: world["bureau_admin"],
    "evaluator": lambda world: world["evaluators"][0],
    "undeclared_evaluator": lambda world: world["evaluators"][1],
    "other_officer": lambda world: world["other_officer"],
    "provider_admin": lambda world: world["provider_admins"][0],
    "provider_staff": lambda world: world["provider_staff"][0],
    "rival": lambda world: world["provider_admins"][1],
    "outsider_provider": lambda world: world["provider_admins"][2],
    "assessor": lambda world: world["assessor_member"],
    "community": lambda world: world["community_member"],
    "reviewer": lambda world: world["reviewer"],
    "other_reviewer": lambda world: world["other_reviewer"],
    "platform_admin": lambda world: world["platform_admin"],
}


def user_for(world: dict, objects: dict, role: str) -> Any:
    """The user behind a role name; a scenario may bring callers of its own (``pending_admin``,
    ``double_agent``, ``conflicted_evaluator``)."""
    if role in objects:
        return objects[role]
    return ROLE_USERS[role](world)


# --- Scenarios ----------------------------------------------------------------------------------


def _question(world: dict, *, answered: bool) -> dict:
    tender = flows.published_tender(world)
    question = services.question_ask(
        actor=world["provider_admins"][0], tender=tender, text="Are meals included?"
    )
    if answered:
        question = services.question_answer(actor=world["officer"], question=question, answer="Yes, lunch.")
    return {"tender": tender, "question": question}


def _draft_bid(world: dict) -> dict:
    tender = flows.published_tender(world)
    bid = services.bid_create(
        actor=world["provider_admins"][0],
        tender=tender,
        provider=world["providers"][0],
        data=bid_body(),
    )
    return {"tender": tender, "bid": bid}


def _submitted_bid(world: dict) -> dict:
    tender = flows.published_tender(world)
    bid = flows.submitted_bid(world, tender, 0, 28_000_000)
    rival_bid = flows.submitted_bid(world, tender, 1, 30_000_000)
    return {"tender": tender, "bid": bid, "rival_bid": rival_bid}


def _closable_tender(world: dict) -> dict:
    objects = _submitted_bid(world)
    flows.pass_deadline(objects["tender"])
    return objects


def _opened_bid(world: dict) -> dict:
    """An evaluating tender; the first evaluator has declared no conflict, the second has not."""
    tender = flows.evaluating_tender(world)
    services.evaluator_declare(actor=world["evaluators"][0], tender=tender, no_conflict=True)
    return {
        "tender": tender,
        "bid": tender.bids.get(provider=world["providers"][0]),
        "rival_bid": tender.bids.get(provider=world["providers"][1]),
        "criterion": tender.criteria.filter(kind=Criterion.Kind.QUALITY).first(),
    }


def _scored_tender(world: dict) -> dict:
    tender = flows.evaluating_tender(world)
    flows.score_all(world, tender)
    ranking = ranking_of(tender)
    return {"tender": tender, "top_bid": ranking[0].bid, "other_bid": ranking[1].bid}


def _contract(world: dict, *, state: str) -> dict:
    contract = flows.draft_contract(world) if state == "draft" else flows.active_contract(world)
    if state == "suspended":
        contract = contract_services.contract_suspend(
            actor=world["officer"], contract=contract, reason="Audit"
        )
    return {
        "tender": contract.tender,
        "contract": contract,
        "instalment": contract.instalments.order_by("sequence").first(),
    }


def _variation(world: dict, *, effective: bool) -> dict:
    """An active contract with a value variation proposed by its officer (signed by both, if
    ``effective``)."""
    from evaluations.services import variation_propose, variation_sign

    objects = _contract(world, state="active")
    variation = variation_propose(
        actor=world["officer"],
        contract=objects["contract"],
        kind="value",
        reason="More homes.",
        value_delta=100_000,
    )
    if effective:
        variation_sign(actor=world["officer"], variation=variation)
        variation = variation_sign(actor=world["provider_admins"][0], variation=variation)
    return {**objects, "variation": variation}


def _pending_provider(world: dict) -> dict:
    provider = flows.pending_provider()
    return {"organization": provider, "pending_admin": provider.memberships.get().user}


def _double_agent(world: dict) -> dict:
    """A bureau officer who is also the admin of a provider: may not act on both sides."""
    user = f.member(world["bureau"], "officer")
    f.MembershipFactory(user=user, organization=world["providers"][2], role="admin")
    return {"tender": flows.published_tender(world), "double_agent": user}


def _conflicted_evaluator(world: dict) -> dict:
    """An evaluator of the bureau who also works for a bidding provider."""
    objects = _opened_bid(world)
    user = f.member(world["bureau"], "evaluator")
    f.MembershipFactory(user=user, organization=world["providers"][0], role="staff")
    return {**objects, "conflicted_evaluator": user}


def _assigned_contract(world: dict) -> dict:
    objects = _contract(world, state="active")
    contract_services.contract_assign(
        actor=world["officer"],
        contract=objects["contract"],
        assessor=world["assessor"],
        community=world["community"],
    )
    return objects


def _suspended_provider_contract(world: dict) -> dict:
    objects = _contract(world, state="draft")
    org_services.organization_suspend(
        actor=world["platform_admin"], organization=world["providers"][0], reason="Audit"
    )
    return objects


def _document(world: dict, owner: Any, actor: Any, kind: str) -> Any:
    from documents.services import document_attach

    from .documents.files import PDF, upload

    return document_attach(
        actor=actor, owner=owner, file=upload(PDF), filename="evidence.pdf", title="Evidence", kind=kind
    )


def _tender_document(world: dict) -> dict:
    tender = flows.draft_tender(world)
    return {"tender": tender, "document": _document(world, tender, world["officer"], "tender_documents")}


def _bid_document(world: dict, *, opened: bool) -> dict:
    objects = _draft_bid(world)
    document = _document(world, objects["bid"], world["provider_admins"][0], "qualification")
    services.bid_submit(actor=world["provider_admins"][0], bid=objects["bid"])
    flows.submitted_bid(world, objects["tender"], 1, 30_000_000)
    if opened:
        services.tender_close(actor=world["officer"], tender=flows.pass_deadline(objects["tender"]))
    return {**objects, "document": document}


def _draft_bid_document(world: dict) -> dict:
    objects = _draft_bid(world)
    return {
        **objects,
        "document": _document(world, objects["bid"], world["provider_admins"][0], "qualification"),
    }


def _service_event(world: dict) -> dict:
    objects = flows.delivering_contract(world, households=1)
    return {"contract": objects["contract"], "event": objects["event"]}


def _event_document(world: dict) -> dict:
    objects = _service_event(world)
    return {**objects, "document": _document(world, objects["event"], world["provider_staff"][0], "photo")}


def _pending_resident(world: dict) -> dict:
    household = f.HouseholdFactory(area=world["areas"]["compound"])
    return {"resident": f.ResidentFactory(household=household, status="pending")}


def _exclusion(world: dict) -> dict:
    """The first provider's contract terminated by the officer: the provider is excluded."""
    objects = _contract(world, state="active")
    contract_services.contract_terminate(actor=world["officer"], contract=objects["contract"], reason="Audit")
    return {**objects, "exclusion": Exclusion.objects.get()}


def _excluded_draft_bid(world: dict) -> dict:
    """An excluded provider's draft bid on another published tender."""
    objects = _exclusion(world)
    return {**objects, **_draft_bid(world)}


def _conflicted_scorer(world: dict) -> dict:
    """An evaluator who declared no conflict before the bids came, and has since joined the first
    provider: scoring its bid re-checks the declaration (docs/rules.md §17.7)."""
    user = f.member(world["bureau"], "evaluator")
    tender = flows.published_tender(world)
    services.evaluator_declare(actor=user, tender=tender, no_conflict=True)
    flows.submitted_bid(world, tender, 0, 28_000_000)
    flows.submitted_bid(world, tender, 1, 30_000_000)
    flows.pass_deadline(tender)
    services.tender_close(actor=world["officer"], tender=tender)
    f.MembershipFactory(user=user, organization=world["providers"][0], role="staff")
    return {
        "tender": tender,
        "bid": tender.bids.get(provider=world["providers"][0]),
        "criterion": tender.criteria.filter(kind=Criterion.Kind.QUALITY).first(),
        "conflicted_scorer": user,
    }


SCENARIOS: dict[str, Callable[[dict], dict]] = {
    "pending resident": _pending_resident,
    "nothing": lambda world: {},
    "area": lambda world: {"area": world["areas"]["compound"]},
    "household": lambda world: {"household": f.HouseholdFactory(area=world["areas"]["compound"])},
    "verified provider": lambda world: {"organization": world["providers"][0]},
    "pending provider": _pending_provider,
    "published tender, pending provider": lambda world: {
        **_pending_provider(world),
        "tender": flows.published_tender(world),
    },
    "catalogue item": lambda world: {"item": world["catalogue_item"]},
    "budget line": lambda world: {"budget_line": world["budget_line"]},
    "draft tender": lambda world: {"tender": flows.draft_tender(world)},
    "published tender": lambda world: {"tender": flows.published_tender(world)},
    "closable tender": _closable_tender,
    "evaluating tender": _opened_bid,
    "scored tender": _scored_tender,
    "award proposed": lambda world: {"tender": flows.award_proposed_tender(world)},
    "standstill over": lambda world: {"tender": flows.pass_standstill(flows.award_proposed_tender(world))},
    "unanswered question": lambda world: _question(world, answered=False),
    "answered question": lambda world: _question(world, answered=True),
    "draft bid": _draft_bid,
    "submitted bid": _submitted_bid,
    "opened bid": _opened_bid,
    "draft contract": lambda world: _contract(world, state="draft"),
    "active contract": lambda world: _contract(world, state="active"),
    "suspended contract": lambda world: _contract(world, state="suspended"),
    "assigned contract": _assigned_contract,
    "proposed variation": lambda world: _variation(world, effective=False),
    "effective variation": lambda world: _variation(world, effective=True),
    "draft contract, provider suspended": _suspended_provider_contract,
    "published tender, double agent": _double_agent,
    "service event": _service_event,
    "draft tender document": _tender_document,
    "draft bid document": _draft_bid_document,
    "sealed bid document": lambda world: _bid_document(world, opened=False),
    "opened bid document": lambda world: _bid_document(world, opened=True),
    "event document": _event_document,
    "evaluating tender, conflicted evaluator": _conflicted_evaluator,
    "exclusion": _exclusion,
    "exclusion, draft bid": _excluded_draft_bid,
    "evaluating tender, conflicted scorer": _conflicted_scorer,
    "challenged award": flows.challenged_tender,
    "dismissed challenge": flows.dismissed_challenge,
    "open complaint": flows.complained_challenge,
}


# --- Request bodies -----------------------------------------------------------------------------


def bid_body(**overrides: Any) -> dict:
    body = {
        "price_amount": 27_000_000,
        "technical_proposal": "Weekly home visits and a day centre.",
        "staffing_plan": "Two social workers and a nurse.",
        "declarations": {"eligibility": True, "no_double_funding": True, "no_conflict": True},
    }
    return {**body, **overrides}


def tender_body(world: dict) -> dict:
    deadline = timezone.now() + datetime.timedelta(days=12)
    start = timezone.localtime(deadline).date() + datetime.timedelta(days=1)
    return {
        "title": "Elderly day care 2026",
        "catalogue_item": world["catalogue_item"].id,
        "budget_line": world["budget_line"].id,
        "areas": [world["areas"]["street"].id],
        "ceiling_amount": 30_000_000,
        "initiative_reason": "The district plan for elderly care.",
        "bid_deadline": deadline.isoformat(),
        "service_start": start.isoformat(),
        "service_end": (start + datetime.timedelta(days=300)).isoformat(),
        "criteria": [
            {"name": "Price", "kind": "price", "weight": 30},
            {"name": "Service plan", "kind": "quality", "weight": 70},
        ],
    }


def household_csv(world: dict) -> dict:
    content = f"code,area\nHH-IMPORT-1,{world['areas']['compound'].code}\n".encode()
    return {"file": SimpleUploadedFile("households.csv", content, content_type="text/csv")}


# --- The table ----------------------------------------------------------------------------------

Outcome = int | tuple[int, str]
DEFAULT_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    409: "invalid_transition",
}


def expected(outcome: Outcome) -> tuple[int, str | None]:
    """``404`` or ``(409, "bids_sealed")`` → (status, stable code or None for a success)."""
    if isinstance(outcome, tuple):
        return outcome
    return outcome, DEFAULT_CODES.get(outcome)


@dataclass(frozen=True)
class Row:
    """One endpoint in one scenario, and what each caller gets from it.

    ``path`` holds ``{name}`` placeholders filled with the ids of the scenario's objects; ``body`` is
    a dict or a function of (world, objects)."""

    method: str
    path: str
    scenario: str
    expect: dict[str, Outcome]
    body: dict | Callable[[dict, dict], dict] | None = None
    format: str = "json"
    note: str = ""
    then: Callable[[Any, dict], None] | None = field(default=None, compare=False)

    @property
    def name(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.method} {self.path} @{self.scenario}{note}"

    def call(self, client: Any, world: dict, objects: dict) -> Any:
        ids = {name: getattr(value, "id", value) for name, value in objects.items()}
        path = self.path.format(**ids)
        body = self.body(world, objects) if callable(self.body) else self.body
        if self.method == "GET":
            return client.get(path)
        if self.method == "PATCH":
            return client.patch(path, body)
        if self.method == "DELETE":
            return client.client.delete(f"/api/v1/{path}")
        return client.post(path, body, format=self.format)


def matrix_params(rows: list[Row]) -> list[tuple[Row, str, Outcome]]:
    return [(row, role, outcome) for row in rows for role, outcome in row.expect.items()]


def matrix_ids(rows: list[Row]) -> list[str]:
    return [f"{row.name} as {role}" for row in rows for role in row.expect]


# --- Checks -------------------------------------------------------------------------------------

TRACKED_APPS = (
    "orgs",
    "documents",
    "marketplace",
    "contracts",
    "challenges",
    "evaluations",
    "communitytasks",
    "django_fsm_log",
    "authtoken",
)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every model the API can write, StateLog and tokens included."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app_label in TRACKED_APPS
        for model in apps.get_app_config(app_label).get_models()
    }


def assert_unchanged(before: dict[str, list[dict]]) -> None:
    after = snapshot()
    changed = {label: (rows, after[label]) for label, rows in before.items() if after[label] != rows}
    assert not changed, f"a refused call changed the database: {changed}"


def assert_error(response: Any, status_code: int, code: str | None) -> None:
    body = response.json()
    assert response.status_code == status_code, body
    assert set(body) == {"code", "message", "extra"}, body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["extra"], dict), body
    if code is not None:
        assert body["code"] == code, body


def check_row(world: dict, api: Any, scenarios: dict, row: Any, role: str, outcome: Outcome) -> None:
    """One cell of a role matrix. Given the row's scenario and a caller, when the caller uses the
    endpoint, then the status (and, for a refusal, the error body) is the one docs/rules.md §16 promises; a
    refused call changes nothing, and a read never writes."""
    objects = scenarios[row.scenario](world)
    client = api(user_for(world, objects, role))
    before = snapshot()

    response = row.call(client, world, objects)

    expected_status, code = expected(outcome)
    if expected_status >= 400:
        assert_error(response, expected_status, code)
        assert_unchanged(before)
        return
    assert response.status_code == expected_status, response.json()
    if row.method == "GET":
        assert_unchanged(before)
    if row.then is not None:
        row.then(response, objects)
