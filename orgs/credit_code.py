"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V):
registration authority (1), organisation category (1), administrative division (6 digits),
organisation code (9), check character (1). The check character is
``31 - (Σ value(c_i) × w_i mod 31)`` with ``w_i = 3^(i-1) mod 31``; 31 is written as 0.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
CREDIT_CODE_LENGTH = 18


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if len(code) != CREDIT_CODE_LENGTH or any(char not in ALPHABET for char in code):
        return False
    if not code[2:8].isdigit():
        return False
    return check_character(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if not is_valid_credit_code(value):
        raise ValidationError(
            _("Enter a valid 18-character unified social credit code."), code="invalid_credit_code"
        )
