"""What every page's layout needs: the page language as a BCP 47 tag and the service navigation
(the public tenders, then each role area the user may open with its busiest pages)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .navigation import areas_with_links


def html_lang(language: str | None) -> str:
    """Django's ``zh-hans`` as the BCP 47 tag ``zh-Hans`` for ``<html lang>``."""
    if not language:
        return "zh-Hans"
    head, _sep, tail = language.partition("-")
    if not tail:
        return head
    return f"{head}-{tail.title() if len(tail) == 4 else tail.upper()}"


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"label": _("Tenders"), "url": reverse("public:tenders")}]
    for area in areas_with_links(getattr(request, "user", None)):
        items.append({"label": area.label, "url": area.url})
        items.extend({"label": link.label, "url": link.url} for link in area.links if link.in_navigation)
    # The current page is under the item with the longest matching address (/bureau/contracts/…
    # is "Contracts", not also "Bureau").
    matching = [item for item in items if request.path.startswith(str(item["url"]))]
    current = max(matching, key=lambda item: len(str(item["url"])), default=None)
    for item in items:
        item["active"] = item is current
    return items


def layout(request: HttpRequest) -> dict[str, Any]:
    return {
        "html_lang": html_lang(get_language()),
        "nav_items": SimpleLazyObject(lambda: _nav_items(request)),
    }
