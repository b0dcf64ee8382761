"""Mainland China mobile numbers: the one rule for every phone a person types (sign-up, the phone
on the household register) — the number the SMS codes and reminders are sent to.

A mobile number has 11 digits and starts with 13–19. People write it with spaces or dashes
(``138 0013 8000``, ``138-0013-8000``) and sometimes with the country code (``+86``, ``0086``,
``86``); it is stored as the 11 digits alone."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orgs.errors import OrgsError

MOBILE = re.compile(r"1[3-9][0-9]{9}")
SEPARATORS = re.compile(r"[\s\-()（）]+")
COUNTRY_PREFIXES = ("+86", "0086", "86")

INVALID_MESSAGE = _("Enter a mobile phone number of 11 digits starting with 1, like 138 0013 8000")


def normalize_mainland_mobile(value: str) -> str:
    """``"+86 138-0013-8000"`` → ``"13800138000"``; an empty value stays empty (the number is
    optional wherever it is asked for). Anything else raises ``ValidationError`` (code
    ``invalid_phone``) with a message that says how to write the number."""
    # NFKC: full-width digits and signs from a Chinese input method become ASCII ones
    number = SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))
    if not number:
        return ""
    for prefix in COUNTRY_PREFIXES:
        # "86" alone is also how a number of 13 digits starts; strip it only when 11 digits remain
        if number.startswith(prefix) and len(number) - len(prefix) == 11:
            number = number[len(prefix) :]
            break
    if not MOBILE.fullmatch(number):
        raise ValidationError(INVALID_MESSAGE, code=OrgsError.INVALID_PHONE)
    return number
