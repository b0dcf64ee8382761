"""The error codes the evaluations app raises (``common.errors.ErrorCode``; docs/rules.md §16)."""

from common.errors import ErrorCode


class EvaluationsError(ErrorCode):
    NOT_A_RECIPIENT = "not_a_recipient", 403
    ALREADY_RATED = "already_rated"
    DELIVERY_CHECK_REQUIRED = "delivery_check_required"
    APPEAL_WINDOW_OPEN = "appeal_window_open"
    APPEAL_WINDOW_CLOSED = "appeal_window_closed"
    APPEAL_PENDING = "appeal_pending"
    APPEAL_DECIDED = "appeal_decided"
    EDIT_WINDOW_CLOSED = "edit_window_closed"
    INSUFFICIENT_RATINGS = "insufficient_ratings"
    RATING_WINDOW_CLOSED = "rating_window_closed"
    REPORT_MISSING = "report_missing"
    SCORES_MISSING = "scores_missing"
