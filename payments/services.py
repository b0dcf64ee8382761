"""Writes of payments. An instalment is paid exactly once, whatever retries, crashes, races or
duplicate webhooks happen (docs/rules.md §7.2):

- the payment row and its idempotency key ``instalment:<id>:v1`` are committed before any gateway
  call, and every retry sends the same key, so the gateway creates at most one transfer;
- the key is unique, so an instalment has one payment; paying it again retries that payment;
- every state change locks the instalment, then the payment (always in that order);
- the ledger accepts one ``paid`` entry per instalment (database constraint).
"""

import logging
from dataclasses import dataclass
from typing import Any

import rules
import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common import reasons
from common.errors import ApplicationError, Conflict, Forbidden, Invalid, InvalidTransition
from common.parsers import json_loads_bounded
from common.transitions import run_transition
from contracts.models import Instalment, LedgerEntry
from contracts.settlement import contract_close_if_settled, ledger_record
from marketplace.services import commitment_release
from orgs.models import Organization, User

from .errors import PaymentsError
from .gateways import GatewayError, gateway_for
from .models import Disbursement, Gateway, Payment, PayoutAccount, WebhookEvent

logger = logging.getLogger(__name__)

LIVE = (Payment.Status.PENDING, Payment.Status.PROCESSING, Payment.Status.SUCCEEDED)


class GatewayUnavailable(ApplicationError):
    status_code = 503
    code = PaymentsError.GATEWAY_UNAVAILABLE
    default_message = _("The payment gateway cannot be reached now; try again later.")


class InvalidSignature(ApplicationError):
    status_code = 400
    code = PaymentsError.INVALID_SIGNATURE
    default_message = _("The webhook signature does not verify.")


class InvalidEvent(ApplicationError):
    """A validly signed event whose shape we cannot read: refused before anything is stored, so a
    corrected redelivery is still applied. ``extra.field`` names the part at fault."""

    status_code = 400
    code = PaymentsError.INVALID_EVENT
    default_message = _("The webhook event is not in a shape we can read.")


def idempotency_key_for(instalment: Instalment) -> str:
    return f"instalment:{instalment.pk}:v1"


def _locked(payment_id: int) -> tuple[Instalment, Payment]:
    """Lock the payment's instalment, then the payment: the one lock order of this module."""
    instalment_id = Payment.objects.values_list("instalment_id", flat=True).get(pk=payment_id)
    instalment = Instalment.objects.select_for_update().select_related("contract").get(pk=instalment_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    payment.instalment = instalment
    return instalment, payment


def _destination(instalment: Instalment, gateway: str) -> str:
    if gateway == Gateway.TREASURY:
        return ""
    account = PayoutAccount.objects.filter(organization_id=instalment.contract.provider_id).first()
    if account is None or account.status != PayoutAccount.Status.ENABLED:
        raise Conflict(
            _("The provider has no payout account ready to receive payments."),
            code=PaymentsError.PAYOUT_ACCOUNT_NOT_READY,
        )
    return account.account_id


@transaction.atomic
def instalment_pay(*, actor: User, instalment: Instalment) -> Payment:
    """Bureau finance pays a payable instalment through the configured gateway. Treasury: the
    payment order is processing at once. Stripe: the payment is pending and a task sends the
    transfer after commit. Paying an instalment whose payment failed retries that payment with
    the same idempotency key; one in progress or done is 409 ``payment_in_progress``."""
    instalment = Instalment.objects.select_for_update().select_related("contract").get(pk=instalment.pk)
    if not rules.has_perm("payments.pay_instalment", actor, instalment):
        raise Forbidden()
    if instalment.status != Instalment.Status.PAYABLE:
        raise InvalidTransition()
    payment: Payment | None = (
        Payment.objects.select_for_update().filter(instalment=instalment).order_by("-id").first()
    )
    if payment is not None and payment.status in LIVE:
        raise Conflict(_("This instalment is already being paid."), code=PaymentsError.PAYMENT_IN_PROGRESS)
    if payment is None:
        gateway_name = settings.PAYMENTS_GATEWAY
        _destination(instalment, gateway_name)
        payment = Payment.objects.create(
            instalment=instalment,
            amount=instalment.amount_payable,
            currency=instalment.contract.currency,
            gateway=gateway_name,
            idempotency_key=idempotency_key_for(instalment),
            requested_by=actor,
        )
    payment.instalment = instalment
    if gateway_for(payment.gateway).confirms_by_voucher:
        payment.attempts += 1
        run_transition(payment, payment.start_processing, by=actor, description=reasons.PAYMENT_ORDER_ISSUED)
    else:
        _destination(instalment, payment.gateway)
        from .tasks import payment_execute_task

        payment_execute_task.delay_on_commit(payment.pk)
    return payment


def payment_execute(*, payment_id: int) -> Payment:
    """Send a pending (or failed) gateway payment. Safe to run any number of times, at once or
    after a crash: a done payment is left alone, and the gateway replays the stored key."""
    with transaction.atomic():
        instalment, payment = _locked(payment_id)
        if payment.status not in (Payment.Status.PENDING, Payment.Status.FAILED):
            return payment
        payment.attempts += 1
        payment.save(update_fields=["attempts", "updated_at"])
        gateway = gateway_for(payment.gateway)
        destination = _destination(instalment, payment.gateway)
    # The network call holds no lock: the idempotency key, not the database, prevents a double.
    try:
        transfer = gateway.send(payment=payment, destination=destination)
    except GatewayError as error:
        logger.warning("payment %s failed (transient=%s): %s", payment_id, error.is_transient, error)
        with transaction.atomic():
            _instalment, payment = _locked(payment_id)
            if payment.status == Payment.Status.PENDING:
                run_transition(
                    payment, payment.fail, error=error.message[:2000], is_retryable=error.is_transient
                )
            elif payment.status == Payment.Status.FAILED:
                payment.last_error, payment.is_retryable = error.message[:2000], error.is_transient
                payment.save(update_fields=["last_error", "is_retryable", "updated_at"])
        return payment
    with transaction.atomic():
        _instalment, payment = _locked(payment_id)
        if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
            run_transition(
                payment,
                payment.start_processing,
                reference=transfer.reference,
                description=reasons.TRANSFER_SENT,
            )
        elif not payment.reference:
            payment.reference = transfer.reference
            payment.save(update_fields=["reference", "updated_at"])
        return payment


def _succeed(*, instalment: Instalment, payment: Payment, by: Any, reference: str = "") -> Payment:
    """The payment reached the provider: the instalment is paid, the ledger says so, and a
    completed contract with nothing left to settle closes. Callers hold the locks."""
    if payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        run_transition(payment, payment.start_processing, by=by, reference=reference)
    run_transition(payment, payment.succeed, by=by, reference=reference)
    paid = reasons.INSTALMENT_PAID % {"payment": payment.pk}
    run_transition(instalment, instalment.mark_paid, by=by, description=paid)
    ledger_record(
        contract=instalment.contract,
        kind=LedgerEntry.Kind.PAID,
        amount=payment.amount,
        instalment=instalment,
        payment_id=payment.pk,
        description=payment.reference,
    )
    contract_close_if_settled(contract=instalment.contract, by=by)
    return payment


@transaction.atomic
def payment_confirm(*, actor: User, payment: Payment, voucher_number: str) -> Payment:
    """Bureau finance confirms a treasury payment order with the bank voucher number."""
    instalment, payment = _locked(payment.pk)
    if not rules.has_perm("payments.confirm_payment", actor, payment):
        raise Forbidden()
    voucher_number = voucher_number.strip()
    if not voucher_number:
        raise Invalid({"voucher_number": [_("Give the bank voucher number.")]})
    if not payment.awaits_voucher:
        raise InvalidTransition()
    payment.confirmed_by = actor
    return _succeed(instalment=instalment, payment=payment, by=actor, reference=voucher_number)


@transaction.atomic
def payment_succeeded(*, payment: Payment, by: Any = None, reference: str = "") -> Payment:
    """The gateway says the money arrived (a webhook, or reconciliation). Idempotent."""
    instalment, payment = _locked(payment.pk)
    if payment.status == Payment.Status.SUCCEEDED:
        return payment
    return _succeed(instalment=instalment, payment=payment, by=by, reference=reference)


def _sync_reversed(*, payment: Payment, total_reversed: int, by: Any = None) -> Payment:
    """Bring the payment to the gateway's cumulative reversed amount, writing the difference to
    the ledger. Cumulative, so duplicate and out-of-order reports change nothing."""
    difference = min(total_reversed, payment.amount) - payment.reversed_amount
    if difference <= 0:
        return payment
    payment.reversed_amount += difference
    payment.save(update_fields=["reversed_amount", "updated_at"])
    commitment_release(tender=payment.instalment.contract.tender, amount=difference)
    LedgerEntry.objects.create(
        contract=payment.instalment.contract,
        instalment=payment.instalment,
        payment=payment,
        kind=LedgerEntry.Kind.REVERSED,
        amount=difference,
        currency=payment.currency,
        description=(reasons.PAYMENT_REVERSAL % {"reference": payment.reference})[:255],
    )
    return payment


def payment_reverse(*, actor: User, payment: Payment, amount: int, reason: str) -> Payment:
    """Claw back (part of) a succeeded payment: a transfer reversal at Stripe, a refund voucher at
    the treasury. The money returns to the bureau and the ledger records it."""
    with transaction.atomic():
        _instalment, payment = _locked(payment.pk)
        if not rules.has_perm("payments.confirm_payment", actor, payment):
            raise Forbidden()
        if not reason.strip():
            raise Invalid({"reason": [_("Give the reason.")]})
        if payment.status != Payment.Status.SUCCEEDED:
            raise InvalidTransition()
        if not 0 < amount <= payment.amount - payment.reversed_amount:
            raise Invalid({"amount": [_("Reverse more than nothing and at most what remains paid.")]})
        reversed_before = payment.reversed_amount
    key = f"payment:{payment.pk}:reversal:{reversed_before}:{amount}:v1"
    try:
        transfer = gateway_for(payment.gateway).reverse(payment=payment, amount=amount, idempotency_key=key)
    except GatewayError as error:
        raise GatewayUnavailable(extra={"gateway_error": error.message}) from error  # its words, not ours
    with transaction.atomic():
        _instalment, payment = _locked(payment.pk)
        total = max(transfer.amount_reversed, reversed_before + amount)
        return _sync_reversed(payment=payment, total_reversed=total, by=actor)


# --- Stripe webhooks -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Event:
    """The parts of a gateway event that we use, checked for shape."""

    id: str
    type: str
    object: dict[str, Any]
    created: int
    payload: dict[str, Any]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_text(value: Any, max_length: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_length


def _event_problem(data: Any) -> str | None:
    """The first part of the event that is not as Stripe sends it (None when all are)."""
    if not isinstance(data, dict):
        return "event"
    if not _is_text(data.get("id"), 255):
        return "id"
    if not _is_text(data.get("type"), 100):
        return "type"
    if data.get("created") is not None and not _is_count(data["created"]):
        return "created"
    if not isinstance(data.get("data"), dict):
        return "data"
    obj = data["data"].get("object")
    if not isinstance(obj, dict):
        return "data.object"
    is_ours = data["type"].startswith("transfer.") or data["type"] == "account.updated"
    if is_ours and not _is_text(obj.get("id"), 255):
        return "data.object.id"
    if data["type"].startswith("transfer."):
        if obj.get("metadata") is not None and not isinstance(obj["metadata"], dict):
            return "data.object.metadata"
        if obj.get("amount_reversed") is not None and not _is_count(obj["amount_reversed"]):
            return "data.object.amount_reversed"
    if data["type"] == "account.updated":
        if obj.get("capabilities") is not None and not isinstance(obj["capabilities"], dict):
            return "data.object.capabilities"
        for flag in ("payouts_enabled", "details_submitted"):
            if obj.get(flag) is not None and not isinstance(obj[flag], bool):
                return f"data.object.{flag}"
    return None


def _read_event(payload: bytes) -> _Event:
    """The verified body as an event, or ``InvalidEvent`` (logged) naming what is wrong with it."""
    problem: str | None
    try:
        data = json_loads_bounded(payload)
    except ValueError:  # not JSON, or nested too deeply
        data, problem = None, "body"
    else:
        problem = _event_problem(data)
    if problem is not None:
        event_id = data.get("id") if isinstance(data, dict) else None
        logger.warning("webhook refused: invalid_event at %s (event %r)", problem, event_id)
        raise InvalidEvent(extra={"field": problem})
    return _Event(
        id=data["id"],
        type=data["type"],
        object=data["data"]["object"],
        created=data.get("created") or 0,
        payload=data,
    )


def webhook_receive(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify the signature over the raw body, check the event's shape, store it once by its id,
    and apply it. A redelivered event changes nothing; events may arrive in any order. A signed
    event we cannot read is 400 ``invalid_event`` and changes nothing (not even the record of
    events), so Stripe's redelivery of a corrected event still applies."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidSignature() from error
    event = _read_event(payload)
    with transaction.atomic():
        record, _created = WebhookEvent.objects.get_or_create(
            event_id=event.id, defaults={"type": event.type, "payload": event.payload}
        )
        record = WebhookEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at is not None:
            return record
        _apply_event(event.type, event.object, created=event.created)
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])
        return record


def _apply_event(event_type: str, obj: dict[str, Any], *, created: int) -> None:
    if event_type.startswith("transfer."):
        _apply_transfer(obj)
    elif event_type == "account.updated":
        _apply_account(obj, created=created)


def _payment_of_transfer(transfer: dict[str, Any]) -> Payment | None:
    payment_id = str((transfer.get("metadata") or {}).get("payment") or "")
    payments: QuerySet[Payment] = Payment.objects.filter(gateway=Gateway.STRIPE)
    if payment_id.isdigit() and len(payment_id) <= 18:  # within a database integer
        return payments.filter(pk=int(payment_id)).first()
    return payments.filter(reference=transfer.get("id")).first()


def _apply_transfer(transfer: dict[str, Any]) -> None:
    """Any transfer event proves the transfer exists at Stripe (transfers move the money when
    created): the payment has succeeded. Its cumulative ``amount_reversed`` is synced too."""
    payment = _payment_of_transfer(transfer)
    if payment is None:
        logger.info("transfer %s matches no payment", transfer.get("id"))
        return
    instalment, payment = _locked(payment.pk)
    if payment.status != Payment.Status.SUCCEEDED:
        _succeed(instalment=instalment, payment=payment, by=None, reference=str(transfer.get("id") or ""))
    _sync_reversed(payment=payment, total_reversed=int(transfer.get("amount_reversed") or 0))


def _apply_account(account: dict[str, Any], *, created: int) -> None:
    payout_account = PayoutAccount.objects.select_for_update().filter(account_id=account.get("id")).first()
    if payout_account is None or created < payout_account.status_as_of:
        return  # unknown, or older than what we know already
    capabilities = account.get("capabilities") or {}
    if account.get("payouts_enabled") or capabilities.get("transfers") == "active":
        payout_account.status = PayoutAccount.Status.ENABLED
    elif account.get("details_submitted"):
        payout_account.status = PayoutAccount.Status.RESTRICTED
    else:
        payout_account.status = PayoutAccount.Status.ONBOARDING
    payout_account.status_as_of = created
    payout_account.save(update_fields=["status", "status_as_of", "updated_at"])


# --- Payout accounts -------------------------------------------------------------------------


def payout_account_onboard(*, actor: User, organization: Organization) -> tuple[PayoutAccount, str | None]:
    """A provider's admin opens (or resumes) onboarding of the provider's payout account at the
    gateway; returns the account and the link the admin follows to finish onboarding."""
    if not rules.has_perm("payments.onboard_payout_account", actor, organization):
        raise Forbidden()
    gateway = gateway_for()
    account = PayoutAccount.objects.filter(organization=organization).first()
    try:
        if account is not None:
            return account, gateway.payee_onboarding_url(account_id=account.account_id)
        payee = gateway.payee_create(
            organization_id=organization.pk, name=organization.name, email=actor.email
        )
    except GatewayError as error:
        if error.code == PaymentsError.NOT_SUPPORTED_BY_GATEWAY:
            raise Conflict(error.message, code=PaymentsError.NOT_SUPPORTED_BY_GATEWAY) from error
        raise GatewayUnavailable(extra={"gateway_error": error.message}) from error  # its words, not ours
    with transaction.atomic():
        account, _created = PayoutAccount.objects.get_or_create(
            organization=organization, defaults={"gateway": gateway.name, "account_id": payee.account_id}
        )
    return account, payee.onboarding_url


# --- Periodic work ---------------------------------------------------------------------------


def payment_reconcile(*, payment_id: int) -> Payment:
    """Ask the gateway about a payment we have not heard of: a transfer that exists means the
    payment succeeded (a lost webhook); a pending one with no transfer is sent again."""
    payment: Payment = Payment.objects.select_related("instalment").get(pk=payment_id)
    if payment.status not in (Payment.Status.PENDING, Payment.Status.PROCESSING):
        return payment
    try:
        transfer = gateway_for(payment.gateway).find(payment=payment)
    except GatewayError as error:
        logger.warning("reconciling payment %s: %s", payment_id, error)
        return payment
    if transfer is not None:
        with transaction.atomic():
            instalment, payment = _locked(payment_id)
            if payment.status != Payment.Status.SUCCEEDED:
                _succeed(instalment=instalment, payment=payment, by=None, reference=transfer.reference)
            _sync_reversed(payment=payment, total_reversed=transfer.amount_reversed)
        return payment
    if payment.status == Payment.Status.PENDING:
        return payment_execute(payment_id=payment_id)
    return payment


# --- Disbursements (docs/rules.md §23) --------------------------------------------------------


def _disbursement_locked(disbursement_id: int) -> Disbursement:
    disbursement: Disbursement = Disbursement.objects.select_for_update().get(pk=disbursement_id)
    return disbursement


def _payee_destination(payee_id: int, gateway: str) -> str:
    if gateway == Gateway.TREASURY:
        return ""
    account = PayoutAccount.objects.filter(organization_id=payee_id).first()
    if account is None or account.status != PayoutAccount.Status.ENABLED:
        raise Conflict(
            _("The payee has no payout account ready to receive payments."),
            code=PaymentsError.PAYOUT_ACCOUNT_NOT_READY,
        )
    return account.account_id


@transaction.atomic
def disbursement_request(
    *, payer: Organization, payee: Organization, amount: int, idempotency_key: str, purpose: str
) -> Disbursement:
    """The disbursement of ``idempotency_key``, created pending on the first call and returned as
    it is on every later one: the caller's key names what is paid, so it is paid once. Nothing
    leaves the machine here; ``disbursement_execute`` sends it. A payee without a ready payout
    account (Stripe) is 409 ``payout_account_not_ready``, and nothing is created."""
    existing: Disbursement | None = Disbursement.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    _payee_destination(payee.pk, settings.PAYMENTS_GATEWAY)
    disbursement: Disbursement
    disbursement, _created = Disbursement.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "payer": payer,
            "payee": payee,
            "amount": amount,
            "purpose": purpose[:200],
            "gateway": settings.PAYMENTS_GATEWAY,
        },
    )
    return disbursement


def disbursement_execute(*, disbursement_id: int) -> Disbursement:
    """Send a pending (or failed) disbursement; safe to run any number of times. Treasury: the
    order is issued and awaits finance's voucher (processing). Stripe: the transfer is created with
    the stored key and has moved the money, so the disbursement succeeds at once. A payee without
    a ready payout account is 409 ``payout_account_not_ready`` and nothing is sent."""
    with transaction.atomic():
        disbursement = _disbursement_locked(disbursement_id)
        if disbursement.status not in (Disbursement.Status.PENDING, Disbursement.Status.FAILED):
            return disbursement
        destination = _payee_destination(disbursement.payee_id, disbursement.gateway)
        disbursement.attempts += 1
        disbursement.save(update_fields=["attempts", "updated_at"])
        gateway = gateway_for(disbursement.gateway)
    # The network call holds no lock: the idempotency key, not the database, prevents a double.
    try:
        transfer = gateway.disburse(disbursement=disbursement, destination=destination)
    except GatewayError as error:
        logger.warning(
            "disbursement %s failed (transient=%s): %s", disbursement_id, error.is_transient, error
        )
        with transaction.atomic():
            disbursement = _disbursement_locked(disbursement_id)
            if disbursement.status == Disbursement.Status.PENDING:
                run_transition(
                    disbursement,
                    disbursement.fail,
                    error=error.message[:2000],
                    is_retryable=error.is_transient,
                )
            elif disbursement.status == Disbursement.Status.FAILED:
                disbursement.last_error, disbursement.is_retryable = error.message[:2000], error.is_transient
                disbursement.save(update_fields=["last_error", "is_retryable", "updated_at"])
        return disbursement
    with transaction.atomic():
        disbursement = _disbursement_locked(disbursement_id)
        if disbursement.status in (Disbursement.Status.PENDING, Disbursement.Status.FAILED):
            description = (
                reasons.PAYMENT_ORDER_ISSUED if gateway.confirms_by_voucher else reasons.TRANSFER_SENT
            )
            run_transition(
                disbursement,
                disbursement.start_processing,
                reference=transfer.reference,
                description=description,
            )
        if disbursement.status == Disbursement.Status.PROCESSING and not gateway.confirms_by_voucher:
            run_transition(disbursement, disbursement.succeed, reference=transfer.reference)
        return disbursement


@transaction.atomic
def disbursement_confirm(*, actor: User, disbursement: Disbursement, voucher_number: str) -> Disbursement:
    """The payer's finance confirms a treasury disbursement order with the bank voucher number.
    The caller locks what it pays for first, then this locks the disbursement."""
    disbursement = _disbursement_locked(disbursement.pk)
    if not rules.has_perm("payments.confirm_disbursement", actor, disbursement):
        raise Forbidden()
    voucher_number = voucher_number.strip()
    if not voucher_number:
        raise Invalid({"voucher_number": [_("Give the bank voucher number.")]})
    if not disbursement.awaits_voucher:
        raise InvalidTransition()
    disbursement.confirmed_by = actor
    run_transition(disbursement, disbursement.succeed, by=actor, reference=voucher_number)
    return disbursement
