"""The error codes of the payments app (``common.errors.ErrorCode``; docs/rules.md §16)."""

from common.errors import ErrorCode


class PaymentsError(ErrorCode):
    INVALID_EVENT = "invalid_event", 400
    INVALID_SIGNATURE = "invalid_signature", 400
    NOT_SUPPORTED_BY_GATEWAY = "not_supported_by_gateway"
    PAYMENT_IN_PROGRESS = "payment_in_progress"
    PAYOUT_ACCOUNT_NOT_READY = "payout_account_not_ready"
    GATEWAY_UNAVAILABLE = "gateway_unavailable", 503
