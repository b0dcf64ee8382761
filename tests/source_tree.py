"""The project's own code, for the tests that read it: its apps (those of ``INSTALLED_APPS`` that
live in this repository) and their Python modules."""

from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent


def own_apps() -> set[str]:
    return {app for app in settings.INSTALLED_APPS if (BASE_DIR / app / "apps.py").is_file()}


def own_modules() -> Iterator[Path]:
    """Every Python module of the apps and of ``config/``, migrations aside."""
    for directory in sorted(own_apps() | {"config"}):
        for path in sorted((BASE_DIR / directory).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path
