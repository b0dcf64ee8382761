"""Money is an integer count of the currency's minor unit (分 for CNY). Never floats."""

from decimal import ROUND_HALF_UP, Decimal

MAX_AMOUNT = 10**14  # 1 trillion yuan in fen: far above any budget, far below BIGINT


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round a Decimal half up (commercial rounding), to ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def split_by_shares(total: int, shares_pct: list[Decimal]) -> list[int]:
    """Split ``total`` minor units by percentage shares; the last part takes the remainder so the
    parts sum to ``total`` exactly (docs/rules.md §6.1)."""
    if not shares_pct:
        return []
    parts = [int(round_half_up(Decimal(total) * share / 100)) for share in shares_pct[:-1]]
    parts.append(total - sum(parts))
    return parts


def yuan(amount_fen: int | None) -> str:
    """Format an amount in fen as yuan with thousands separators: 30000000 → "300,000.00". The one
    way an amount is shown to a person (pages, e-mails, SMS, the admin)."""
    if amount_fen is None:
        return ""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(int(amount_fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"
