"""One ``PaymentGateway`` interface, two real implementations, chosen by ``PAYMENTS_GATEWAY``
(docs/rules.md §7.2).

- ``TreasuryGateway``: a payment order of the treasury (国库集中支付). Sending it needs no network:
  the order is processing at once, and bureau finance confirms it with the bank voucher number.
- ``StripeGateway``: Stripe Connect, separate charges and transfers. Each provider is a connected
  account; an instalment becomes a Transfer sent with the payment's stored idempotency key, so a
  retry after a timeout or a crash can never pay twice.

Every failure of the gateway surfaces as one ``GatewayError`` saying whether retrying may help.
"""

from dataclasses import dataclass
from typing import Any, Protocol

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from .errors import PaymentsError
from .models import Disbursement, Gateway, Payment


class GatewayError(Exception):
    """The gateway refused or could not be reached. ``is_transient``: the same request, sent again
    with the same idempotency key, may succeed (network, timeout, 5xx, rate limit)."""

    def __init__(self, message: str, *, is_transient: bool, code: str = "gateway_error"):
        super().__init__(message)
        self.message = message
        self.is_transient = is_transient
        self.code = code


@dataclass(frozen=True)
class Transfer:
    """What the gateway holds of one payment."""

    reference: str  # bank voucher number or Stripe transfer id; empty while unknown
    amount: int
    amount_reversed: int = 0


@dataclass(frozen=True)
class Payee:
    account_id: str
    onboarding_url: str | None


class PaymentGateway(Protocol):
    name: str
    confirms_by_voucher: bool  # finance confirms each payment (treasury) vs. the gateway's webhook

    def payee_create(self, *, organization_id: int, name: str, email: str) -> Payee: ...

    def payee_onboarding_url(self, *, account_id: str) -> str | None: ...

    def send(self, *, payment: Payment, destination: str) -> Transfer: ...

    def disburse(self, *, disbursement: Disbursement, destination: str) -> Transfer: ...

    def find(self, *, payment: Payment) -> Transfer | None: ...

    def reverse(self, *, payment: Payment, amount: int, idempotency_key: str) -> Transfer: ...


class TreasuryGateway:
    """国库集中支付: the platform issues a payment order; the bank pays; finance records the voucher."""

    name: str = Gateway.TREASURY
    confirms_by_voucher = True

    def payee_create(self, *, organization_id: int, name: str, email: str) -> Payee:
        raise GatewayError(
            _("The treasury pays the provider's registered bank account; no payout account is needed."),
            is_transient=False,
            code=PaymentsError.NOT_SUPPORTED_BY_GATEWAY,
        )

    def payee_onboarding_url(self, *, account_id: str) -> str | None:
        return None

    def send(self, *, payment: Payment, destination: str) -> Transfer:
        # The order itself is the payment row: nothing leaves the machine until the bank pays.
        return Transfer(reference="", amount=payment.amount)

    def disburse(self, *, disbursement: Disbursement, destination: str) -> Transfer:
        return Transfer(reference="", amount=disbursement.amount)  # an order, as ``send``

    def find(self, *, payment: Payment) -> Transfer | None:
        return None  # the bank is not queried: finance's voucher is the confirmation

    def reverse(self, *, payment: Payment, amount: int, idempotency_key: str) -> Transfer:
        return Transfer(
            reference=payment.reference,
            amount=payment.amount,
            amount_reversed=payment.reversed_amount + amount,
        )


def _stripe_error(error: stripe.StripeError) -> GatewayError:
    transient = isinstance(error, stripe.APIConnectionError | stripe.RateLimitError) or (
        isinstance(error, stripe.APIError) or (error.http_status or 0) >= 500
    )
    if isinstance(error, stripe.IdempotencyError):
        transient = False
    code = getattr(error, "code", None) or type(error).__name__
    return GatewayError(
        str(error.user_message or error) or type(error).__name__, is_transient=transient, code=code
    )


class StripeGateway:
    """Stripe Connect with the stripe 16 ``StripeClient``; ``STRIPE_API_BASE`` points it at Stripe
    or, in tests, at the local Stripe-compatible server on loopback."""

    name: str = Gateway.STRIPE
    confirms_by_voucher = False

    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_base: str | None = None,
        max_network_retries: int | None = None,
        timeout: float | None = None,
    ):
        self.client = stripe.StripeClient(
            api_key or settings.STRIPE_SECRET_KEY or "sk_test_unset",
            base_addresses={"api": api_base or settings.STRIPE_API_BASE},
            max_network_retries=(
                settings.STRIPE_MAX_NETWORK_RETRIES if max_network_retries is None else max_network_retries
            ),
            http_client=stripe.RequestsClient(timeout=timeout or settings.STRIPE_TIMEOUT_SECONDS),
        )

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except stripe.StripeError as error:
            raise _stripe_error(error) from error

    def payee_create(self, *, organization_id: int, name: str, email: str) -> Payee:
        # A recipient: the provider receives transfers and is not the merchant of record.
        account = self._call(
            self.client.v1.accounts.create,
            {
                "type": "express",
                "email": email or None,
                "business_profile": {"name": name},
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"organization": str(organization_id)},
            },
            {"idempotency_key": f"payee:{organization_id}:v1"},
        )
        return Payee(account_id=account.id, onboarding_url=self.payee_onboarding_url(account_id=account.id))

    def payee_onboarding_url(self, *, account_id: str) -> str | None:
        link = self._call(
            self.client.v1.account_links.create,
            {
                "account": account_id,
                "type": "account_onboarding",
                "refresh_url": settings.STRIPE_ONBOARDING_REFRESH_URL,
                "return_url": settings.STRIPE_ONBOARDING_RETURN_URL,
            },
        )
        url: str | None = link.url
        return url

    def send(self, *, payment: Payment, destination: str) -> Transfer:
        instalment = payment.instalment
        transfer = self._call(
            self.client.v1.transfers.create,
            {
                "amount": payment.amount,
                "currency": payment.currency.lower(),
                "destination": destination,
                "transfer_group": f"contract-{instalment.contract_id}",
                "metadata": {"payment": str(payment.pk), "instalment": str(instalment.pk)},
            },
            {"idempotency_key": payment.idempotency_key},
        )
        return _transfer(transfer)

    def disburse(self, *, disbursement: Disbursement, destination: str) -> Transfer:
        transfer = self._call(
            self.client.v1.transfers.create,
            {
                "amount": disbursement.amount,
                "currency": disbursement.currency.lower(),
                "destination": destination,
                "transfer_group": f"disbursement-{disbursement.pk}",
                "metadata": {"disbursement": str(disbursement.pk)},
            },
            {"idempotency_key": disbursement.idempotency_key},
        )
        return _transfer(transfer)

    def find(self, *, payment: Payment) -> Transfer | None:
        """The transfer of this payment, if Stripe has one: by id when known, else by the
        payment's metadata within the contract's transfer group, every page of it (Stripe lists
        transfers by group, not by metadata, and prunes idempotency keys after 24 hours). A crash
        after the transfer reached Stripe but before its id was stored is recovered this way."""
        if payment.reference:
            return _transfer(self._call(self.client.v1.transfers.retrieve, payment.reference))
        group = f"contract-{payment.instalment.contract_id}"
        try:
            listing = self.client.v1.transfers.list({"transfer_group": group, "limit": 100})
            for transfer in listing.auto_paging_iter():  # fetches the next pages as it goes
                if _metadata(transfer).get("payment") == str(payment.pk):
                    return _transfer(transfer)
        except stripe.StripeError as error:
            raise _stripe_error(error) from error
        return None

    def reverse(self, *, payment: Payment, amount: int, idempotency_key: str) -> Transfer:
        self._call(
            self.client.v1.transfers.reversals.create,
            payment.reference,
            {"amount": amount, "metadata": {"payment": str(payment.pk)}},
            {"idempotency_key": idempotency_key},
        )
        return _transfer(self._call(self.client.v1.transfers.retrieve, payment.reference))


def _metadata(stripe_object: Any) -> dict[str, Any]:
    """A Stripe object's metadata as a plain dict (a ``StripeObject`` is not a dict in stripe 16)."""
    metadata = getattr(stripe_object, "metadata", None)
    return metadata.to_dict() if metadata is not None else {}


def _transfer(transfer: Any) -> Transfer:
    return Transfer(
        reference=transfer.id, amount=int(transfer.amount), amount_reversed=int(transfer.amount_reversed or 0)
    )


def gateway_for(name: str | None = None) -> PaymentGateway:
    """The gateway named (a payment keeps the one it was made with), else the configured one."""
    name = name or settings.PAYMENTS_GATEWAY
    if name == Gateway.STRIPE:
        return StripeGateway()
    if name == Gateway.TREASURY:
        return TreasuryGateway()
    raise ValueError(f"unknown payments gateway {name!r}")
