"""The error codes of residents' needs (``common.errors.ErrorCode``; docs/rules.md §22)."""

from common.errors import ErrorCode


class NeedsError(ErrorCode):
    NO_COMMUNITY = "no_community"
    ALREADY_SUPPORTED = "already_supported"
    NOT_OF_YOUR_COMMUNITY = "not_of_your_community", 403
