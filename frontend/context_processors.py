"""What every page's layout needs: the page language as a BCP 47 tag and the role areas the user
may open (service navigation)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .access import areas_of

_AREA_LABELS = {
    "bureau": _("Bureau"),
    "provider": _("Provider"),
    "assessor": _("Assessment"),
    "community": _("Community"),
    "resident": _("My ratings"),
}


def html_lang(language: str | None) -> str:
    """Django's ``zh-hans`` as the BCP 47 tag ``zh-Hans`` for ``<html lang>``."""
    if not language:
        return "zh-Hans"
    head, _sep, tail = language.partition("-")
    if not tail:
        return head
    return f"{head}-{tail.title() if len(tail) == 4 else tail.upper()}"


def _nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    items = [{"label": _("Tenders"), "url": reverse("public:tenders")}]
    for area in areas_of(getattr(request, "user", None)):
        items.append({"label": _AREA_LABELS[area], "url": reverse(f"{area}:home")})
    for item in items:
        item["active"] = request.path.startswith(str(item["url"]))
    return items


def layout(request: HttpRequest) -> dict[str, Any]:
    return {
        "html_lang": html_lang(get_language()),
        "nav_items": SimpleLazyObject(lambda: _nav_items(request)),
    }
