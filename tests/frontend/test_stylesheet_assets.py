"""Every ``url()`` in the built stylesheets names a file we ship.

``collectstatic``'s manifest storage checks the relative URLs in the CSS it stores, but it leaves
alone an absolute path outside ``STATIC_URL`` — which is how GOV.UK Frontend's crest
(``/assets/images/govuk-crest.svg``) reached the pages as an HTML 404. This test resolves every
``url()`` of every built stylesheet (``scripts/build-assets`` writes them, ``make test`` runs it
first) the way a browser would, against the static files Django serves."""

import posixpath
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "frontend" / "static"
DIST_DIR = STATIC_DIR / "frontend" / "dist"

# url("…"), url('…') or url(…), as CSS writes them (comments are gone from the compressed build).
URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")


def broken_references(css: str, static_path: str) -> list[str]:
    """The ``url()`` values in ``css`` (served as ``STATIC_URL + static_path``) that do not name a
    static file: external addresses, absolute paths outside ``STATIC_URL`` and missing files.
    ``data:`` URIs and fragment-only references (``#id`` in an SVG filter) need no file."""
    broken = []
    for match in URL.finditer(css):
        url = next(group for group in match.groups() if group is not None)
        if not url or url.startswith(("data:", "#")):
            continue
        path = re.split(r"[?#]", url, maxsplit=1)[0]
        if re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, flags=re.IGNORECASE):
            broken.append(f"{url}: an address outside this site")
            continue
        if path.startswith("/"):
            if not path.startswith(settings.STATIC_URL):
                broken.append(f"{url}: not under STATIC_URL ({settings.STATIC_URL})")
                continue
            name = path.removeprefix(settings.STATIC_URL)
        else:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(static_path), path))
        if name.startswith("..") or finders.find(name) is None:
            broken.append(f"{url}: no static file {name}")
    return broken


def built_stylesheets() -> list[Path]:
    if not (DIST_DIR / "shequ.css").exists():
        pytest.fail(f"{DIST_DIR} is not built: run scripts/build-assets (make assets)", pytrace=False)
    return sorted(STATIC_DIR.rglob("*.css"))


def test_every_url_in_the_built_stylesheets_names_a_static_file():
    problems = []
    for stylesheet in built_stylesheets():
        static_path = stylesheet.relative_to(STATIC_DIR).as_posix()
        problems += [f"{static_path}: {p}" for p in broken_references(stylesheet.read_text(), static_path)]

    assert problems == []


def test_the_stylesheet_names_no_crest_crown_or_logo():
    """Not ours to use: GOV.UK's crest, crown and logotype (the header is our own)."""
    named = [
        f"{stylesheet.name}: {name}"
        for stylesheet in built_stylesheets()
        for name in re.findall(r"govuk-(?:crest|crown|logotype)[\w-]*\.(?:svg|png)", stylesheet.read_text())
    ]

    assert named == []


def test_a_broken_reference_is_found():
    """The check itself: what it accepts and what it reports."""
    css = (
        '.a{background:url("/assets/images/govuk-crest.svg")}'
        ".b{background:url(data:image/svg+xml;base64,PHN2Zy8+)}"
        ".c{mask:url(#mask)}"
        ".d{background:url('https://example.com/x.png')}"
        ".e{background:url(../missing.png)}"
        ".f{background:url(../shequ.js)}"
        f".g{{background:url({settings.STATIC_URL}frontend/shequ.js?v=1)}}"
    )

    broken = broken_references(css, "frontend/dist/shequ.css")

    assert broken == [
        f"/assets/images/govuk-crest.svg: not under STATIC_URL ({settings.STATIC_URL})",
        "https://example.com/x.png: an address outside this site",
        "../missing.png: no static file frontend/missing.png",
    ]
