"""OCDS release and record packages (docs/rules.md §21): what the API serves and the export writes."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import ocdsmerge
from django.conf import settings
from django.utils import timezone

from . import ocds

APP_DIR = Path(__file__).resolve().parent
EXTENSION_DIR = APP_DIR / "extension"
# OCDS 1.1.5's release schema (open-contracting/standard, tag 1__1__5, Apache-2.0), which ocdsmerge
# reads its merge rules from; the whole schema folder is in tests/opendata/data/ for validation.
RELEASE_SCHEMA = APP_DIR / "schema" / "release-schema.json"
EXTENSION_FILES = ("extension.json", "release-schema.json", "README.md")


def extension_url() -> str:
    return ocds.public_url("/api/v1/ocds/extension/extension.json")


def extension_file(name: str) -> str:
    """One file of the performance extension as served: ``extension.json`` names where its README is."""
    text = (EXTENSION_DIR / name).read_text(encoding="utf-8")
    if name == "extension.json":
        metadata = json.loads(text)
        metadata["documentationUrl"] = {"en": ocds.public_url("/api/v1/ocds/extension/README.md")}
        text = json.dumps(metadata, ensure_ascii=False, indent=2)
    return text


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS applies an extension's release-schema.json."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


@functools.cache
def extended_release_schema() -> dict[str, Any]:
    schema = json.loads(RELEASE_SCHEMA.read_text(encoding="utf-8"))
    patch = json.loads((EXTENSION_DIR / "release-schema.json").read_text(encoding="utf-8"))
    extended: dict[str, Any] = merge_patch(schema, patch)
    return extended


@functools.cache
def merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=extended_release_schema())


def _metadata(uri: str) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": ocds.OCDS_VERSION,
        "extensions": [extension_url()],
        "publishedDate": ocds.moment(timezone.now()),
        "publisher": {"name": settings.OCDS_PUBLISHER_NAME},
        "license": settings.OCDS_LICENSE_URL,
        "publicationPolicy": ocds.public_url("/open-data/"),
    }


def release_package(releases: list[dict[str, Any]], *, uri: str) -> dict[str, Any]:
    return {**_metadata(uri), "releases": releases}


def record(ocid: str, releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The record of one procedure: every release and the compiled release (ocdsmerge)."""
    return {
        "ocid": ocid,
        "releases": releases,
        "compiledRelease": merger().create_compiled_release(releases),
    }


def record_package(records: list[dict[str, Any]], *, uri: str) -> dict[str, Any]:
    return {**_metadata(uri), "records": records}
