"""The error codes of challenges and complaints (``common.errors.ErrorCode``; docs/rules.md §16,
§17.5)."""

from common.errors import ErrorCode


class ChallengesError(ErrorCode):
    NOT_A_BIDDER = "not_a_bidder", 403
    CHALLENGE_WINDOW_CLOSED = "challenge_window_closed"
    ALREADY_CHALLENGED = "already_challenged"
    COMPLAINT_LODGED = "complaint_lodged"
    REPLY_NOT_DUE = "reply_not_due"
    COMPLAINT_WINDOW_CLOSED = "complaint_window_closed"
    ALREADY_COMPLAINED = "already_complained"
    NO_REVIEW_BODY = "no_review_body"
