"""Reads of the open data: releases (all public, derived on read), one release, one record."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings

from . import ocds, packages


def releases(*, since: datetime.datetime | None = None) -> list[dict[str, Any]]:
    """Every public release, oldest first; with ``since``, those dated after it."""
    built = ocds.releases_of(ocds.load(ocds.public_tenders()))
    if since is not None:
        built = [r for r in built if datetime.datetime.fromisoformat(r["date"]) > since]
    return built


def _tender_id(text: str) -> int | None:
    """The tender id an id or ocid starts with; None (a 404) unless it is 1 to 11 ASCII digits —
    ``str.isdigit`` alone takes ``²``, which ``int`` refuses, and other scripts' digits."""
    head = text.split("-", 1)[0]
    return int(head) if head.isascii() and head.isdigit() and len(head) < 12 else None


def release(release_id: str) -> dict[str, Any] | None:
    tender_id = _tender_id(release_id)
    if tender_id is None:
        return None
    procedures = ocds.load(ocds.public_tenders().filter(pk=tender_id))
    return next((r for r in ocds.releases_of(procedures) if r["id"] == release_id), None)


def record(ocid: str) -> dict[str, Any] | None:
    prefix = f"{settings.OCDS_OCID_PREFIX}-"
    if not ocid.startswith(prefix):
        return None
    tender_id = _tender_id(ocid.removeprefix(prefix))
    if tender_id is None or ocid != ocds.ocid_of(tender_id):
        return None
    built = ocds.releases_of(ocds.load(ocds.public_tenders().filter(pk=tender_id)))
    if not built:
        return None
    return packages.record(ocid, built)
