"""The error codes the marketplace raises (``common.errors.ErrorCode``; docs/rules.md §16)."""

from common.errors import ErrorCode


class MarketplaceError(ErrorCode):
    ALREADY_ANSWERED = "already_answered"
    ALREADY_DECLARED = "already_declared"
    BIDDING_CLOSED = "bidding_closed"
    BIDS_SEALED = "bids_sealed"
    BUDGET_INSUFFICIENT = "budget_insufficient"
    CHALLENGE_PENDING = "challenge_pending"
    DEADLINE_NOT_PASSED = "deadline_not_passed"
    DEADLINE_TOO_SOON = "deadline_too_soon"
    DECLARATION_REQUIRED = "declaration_required"
    DECLARATIONS_REQUIRED = "declarations_required"
    DRAFT_EXISTS = "draft_exists"
    DUPLICATE_BID = "duplicate_bid"
    NO_ELIGIBLE_BID = "no_eligible_bid"
    NOT_EDITABLE = "not_editable"
    NOT_TOP_RANKED = "not_top_ranked"
    ORIGIN_MISSING = "origin_missing"
    PRICE_ABOVE_CEILING = "price_above_ceiling"
    PROVIDER_EXCLUDED = "provider_excluded"
    QUESTIONS_CLOSED = "questions_closed"
    SCORING_INCOMPLETE = "scoring_incomplete"
    STANDSTILL_NOT_OVER = "standstill_not_over"
