from django import template

from common.history import reason_text

register = template.Library()


@register.filter
def transition_reason(description: str | None) -> str:
    """A stored transition reason in the reader's language (``common.history.reason_display``)."""
    return reason_text(description)
