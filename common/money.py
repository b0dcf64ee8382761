"""Money is an integer count of the currency's minor unit (分 for CNY). Never floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_AMOUNT = 10**14  # 1 trillion yuan in fen: far above any budget, far below BIGINT
FEN_DIGITS = 2  # 1 yuan = 10² fen


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round a Decimal half up (commercial rounding), to ``places`` decimals."""
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def share_of(amount: int, share: Decimal) -> int:
    """``share`` (0–1) of ``amount`` minor units, rounded half up to a whole unit: what releasing an
    instalment at f(S) pays (docs/rules.md §11.4), and what the payout simulator shows."""
    return int(round_half_up(Decimal(amount) * share))


def split_by_shares(total: int, shares_pct: list[Decimal]) -> list[int]:
    """Split ``total`` minor units by percentage shares; the last part takes the remainder so the
    parts sum to ``total`` exactly (docs/rules.md §6.1)."""
    if not shares_pct:
        return []
    parts = [int(round_half_up(Decimal(total) * share / 100)) for share in shares_pct[:-1]]
    parts.append(total - sum(parts))
    return parts


def fen_to_yuan(amount_fen: int) -> Decimal:
    """An amount in fen as yuan, exactly, with two decimals: 123456 → Decimal("1234.56"). The one way
    fen become yuan (a form's initial value, a chart's data, the admin's input)."""
    return Decimal(int(amount_fen)).scaleb(-FEN_DIGITS)


def yuan_to_fen(amount_yuan: Decimal | str | int) -> int:
    """An amount in yuan as whole fen, exactly: Decimal("1234.56") or "1234.56" → 123456. The one
    way yuan become fen. Nothing is rounded: an amount finer than a fen ("0.001"), or not a number,
    raises ``ValueError`` — forms refuse it first (``DecimalField(decimal_places=2)``)."""
    if isinstance(amount_yuan, float | bool):
        raise ValueError(f"an amount in yuan is a Decimal, a string or an int, not {amount_yuan!r}")
    try:
        fen = Decimal(str(amount_yuan).strip()).scaleb(FEN_DIGITS)
    except InvalidOperation as error:
        raise ValueError(f"not an amount in yuan: {amount_yuan!r}") from error
    if not fen.is_finite():
        raise ValueError(f"not an amount in yuan: {amount_yuan!r}")
    if fen != fen.to_integral_value():
        raise ValueError(f"not a whole number of fen: {amount_yuan!r}")
    return int(fen)


def yuan(amount_fen: int | None) -> str:
    """Format an amount in fen as yuan with thousands separators: 30000000 → "300,000.00". The one
    way an amount is shown to a person (pages, e-mails, SMS, the admin)."""
    if amount_fen is None:
        return ""
    return f"{fen_to_yuan(amount_fen):,.2f}"
