"""The error codes the orgs app raises (``common.errors.ErrorCode``; docs/rules.md §16)."""

from common.errors import ErrorCode


class OrgsError(ErrorCode):
    INVALID_CREDENTIALS = "invalid_credentials", 400
    INVALID_HOUSEHOLD_CODE = "invalid_household_code", 400
    INVALID_PHONE = "invalid_phone", 400
    PHONE_CODE_WRONG = "phone_code_wrong", 400
    # The grid (docs/rules.md §25).
    AREA_NOT_IN_GRID = "area_not_in_grid", 400
    AREA_OUTSIDE_JURISDICTION = "area_outside_jurisdiction", 400
    NOT_A_MEMBER = "not_a_member", 400
    UNKNOWN_USER = "unknown_user", 400
    INVALID_EMPLOYER = "invalid_employer", 400
    # Raised by the apps above as well: a member of one side may not act for the other.
    CONFLICT_OF_INTEREST = "conflict_of_interest", 403
    NOT_A_RESIDENT = "not_a_resident", 403
    RESIDENT_UNCONFIRMED = "resident_unconfirmed", 403
    CODE_RECENTLY_SENT = "code_recently_sent"
    HOUSEHOLD_FULL = "household_full"
    NO_HOUSEHOLD_PHONE = "no_household_phone"
    PHONE_CODE_EXPIRED = "phone_code_expired"
    ALREADY_POSTED = "already_posted"
    ACCOUNT_LOCKED = "account_locked", 429
    ADDRESS_LOCKED = "address_locked", 429
