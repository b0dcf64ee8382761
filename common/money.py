"""Money is an integer count of the currency's minor unit (分 for CNY). Never floats."""

from decimal import ROUND_HALF_UP, Decimal

MAX_AMOUNT = 10**14  # 1 trillion yuan in fen: far above any budget, far below BIGINT


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round a Decimal half up (commercial rounding), to ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def split_by_shares(total: int, shares_pct: list[Decimal]) -> list[int]:
    """Split ``total`` minor units by percentage shares; the last part takes the remainder so the
    parts sum to ``total`` exactly (DESIGN 5, instalments)."""
    if not shares_pct:
        return []
    parts = [int(round_half_up(Decimal(total) * share / 100)) for share in shares_pct[:-1]]
    parts.append(total - sum(parts))
    return parts
