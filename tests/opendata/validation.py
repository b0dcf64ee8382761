"""Validating the open data with libcoveocds, offline: the OCDS 1.1.5 schema comes from the zip in
``tests/opendata/data/`` and the performance extension from ``opendata/extension/``, handed to the
extension registry's HTTP session by a transport adapter that reads the files (nothing leaves the
machine; a request for anything else fails the test)."""

import tempfile
from pathlib import Path

import requests
from django.conf import settings
from libcoveocds.api import ocds_json_output
from libcoveocds.config import LibCoveOCDSConfig
from ocdsextensionregistry import util as registry_util

from opendata import packages

DATA = Path(__file__).resolve().parent / "data"
SCHEMA_ZIP = DATA / "ocds-1.1.5-schema.zip"


class _ExtensionAdapter(requests.adapters.BaseAdapter):
    """Serves the performance extension's files at the address the packages declare."""

    def send(self, request, **kwargs):
        base = packages.extension_url().rsplit("/", 1)[0] + "/"
        response = requests.Response()
        response.url = request.url
        response.request = request
        name = request.url.removeprefix(base)
        if not request.url.startswith(base) or name not in packages.EXTENSION_FILES:
            raise AssertionError(f"validation tried to fetch {request.url}")
        response.status_code = 200
        response._content = packages.extension_file(name).encode()
        return response

    def close(self):
        pass


def validate(package: dict) -> dict:
    """libcoveocds' report on ``package``, with the extension applied."""
    session = registry_util.session
    base = settings.OCDS_PUBLIC_URL.rstrip("/") + "/"
    session.mount(base, _ExtensionAdapter())
    try:
        config = LibCoveOCDSConfig({"standard_zip": SCHEMA_ZIP.as_uri(), "context": "api"})
        with session.cache_disabled(), tempfile.TemporaryDirectory() as folder:
            return ocds_json_output(
                folder, json_data=package, lib_cove_ocds_config=config, schema_version="1.1"
            )
    finally:
        session.adapters.pop(base, None)


def assert_valid(package: dict) -> dict:
    report = validate(package)
    assert report["validation_errors"] == []
    assert report["additional_closed_codelist_values"] == {}
    assert report["additional_fields"] == [], report["additional_fields"]
    assert report["extensions"]["invalid_extension"] == {}
    assert report["extensions"]["is_extended_schema"] is True
    return report


def assert_valid_record_package(package: dict) -> None:
    """A record package: its records' structure against the record package schema (jsonschema, the
    zip's schemas, the extended release schema), and every release and compiled release through
    libcoveocds as a release package (libcoveocds would fetch the versioned release schema for a
    record package, which the offline suite never does)."""
    import json
    import zipfile

    import jsonschema
    from referencing import Registry, Resource

    with zipfile.ZipFile(SCHEMA_ZIP) as archive:

        def read(name):
            return json.loads(archive.read(f"standard-1__1__5/schema/{name}"))

        record_schema = read("record-package-schema.json")
        versioned = read("versioned-release-validation-schema.json")
    release_schema = packages.extended_release_schema()
    base = "https://standard.open-contracting.org/schema/1__1__5/"
    registry = Registry().with_resources(
        [
            (base + "release-schema.json", Resource.from_contents(release_schema)),
            (base + "versioned-release-validation-schema.json", Resource.from_contents(versioned)),
        ]
    )
    validator = jsonschema.Draft4Validator(
        record_schema, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = [error.message for error in validator.iter_errors(package)]
    assert errors == []
    releases = []
    for record in package["records"]:
        releases.extend(record["releases"])
        releases.append(record["compiledRelease"])
    assert_valid({key: value for key, value in package.items() if key != "records"} | {"releases": releases})
