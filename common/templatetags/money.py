from django import template

register = template.Library()


@register.filter
def yuan(amount_fen: int | None) -> str:
    """Format an amount in fen as yuan with thousands separators: 30000000 → "300,000.00"."""
    if amount_fen is None:
        return ""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(int(amount_fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"
