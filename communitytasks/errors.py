"""The error codes of community task admission (``common.errors.ErrorCode``; docs/rules.md §16, §23)."""

from common.errors import ErrorCode


class CommunityTasksError(ErrorCode):
    NOT_A_COMMUNITY = "not_a_community", 400
    COMMUNITY_OUTSIDE_JURISDICTION = "community_outside_jurisdiction", 400
    BUDGET_LINE_NOT_OF_BUREAU = "budget_line_not_of_bureau", 400
    ADMISSION_ITEM_NOT_OF_BUREAU = "admission_item_not_of_bureau", 400
    INVALID_DATES = "invalid_dates", 400
    REASON_REQUIRED = "reason_required", 400
