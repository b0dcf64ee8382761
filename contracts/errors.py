"""The error codes the contracts app raises (``common.errors.ErrorCode``; docs/rules.md §16)."""

from common.errors import ErrorCode


class ContractsError(ErrorCode):
    ALREADY_REPORTED = "already_reported"
    ALREADY_SIGNED = "already_signed"
    INSTALMENTS_SETTLED = "instalments_settled"
    RENEWAL_NOT_ALLOWED = "renewal_not_allowed"
    VARIATION_LIMIT = "variation_limit"
    VARIATION_PENDING = "variation_pending"
