"""A bid's receipt as people handle it. The receipt is the SHA-256 of what was submitted
(``services.bids.receipt_for``): 64 hexadecimal characters nobody can read out over the phone. Its
reference — the first 10 characters, in capitals, in two groups of five (``3F2A9-C81D0``) — is what
pages show beside it, and either may be typed wherever a receipt is asked for. Pure functions."""

RECEIPT_LENGTH = 64
REFERENCE_LENGTH = 10  # 40 bits: unique among one tender's bids in practice
_HEX = frozenset("0123456789abcdef")


def receipt_reference(receipt: str) -> str:
    """``"3f2a9c81d0…"`` → ``"3F2A9-C81D0"``; empty for a bid not yet submitted (no receipt)."""
    head = receipt[:REFERENCE_LENGTH].upper()
    if len(head) < REFERENCE_LENGTH:
        return ""
    half = REFERENCE_LENGTH // 2
    return f"{head[:half]}-{head[half:]}"


def receipt_typed(typed: str) -> str | None:
    """What a person typed — the reference or the full receipt, in any letter case, with spaces or
    dashes anywhere — as stored receipts are written (lower-case hex; the reference is their
    prefix), or ``None`` if it is neither."""
    text = "".join(typed.split()).replace("-", "").replace("－", "").replace("–", "").lower()
    if len(text) not in (REFERENCE_LENGTH, RECEIPT_LENGTH) or not set(text) <= _HEX:
        return None
    return text
