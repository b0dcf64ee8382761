"""The README's "How the pieces fit" and docs/architecture.md §1 describe the apps the project has
and the layers import-linter enforces (pyproject.toml), so a newcomer's map matches the code."""

import re
import tomllib

from tests.source_tree import BASE_DIR, own_apps, own_modules

README = (BASE_DIR / "README.md").read_text(encoding="utf-8")
ARCHITECTURE = (BASE_DIR / "docs" / "architecture.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((BASE_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def _enforced_layers() -> list[set[str]]:
    """import-linter's layers, lowest first, each a set of independent apps."""
    (layers,) = [c["layers"] for c in PYPROJECT["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [{app.strip() for app in layer.split("|")} for layer in reversed(layers)]


def _documented_layers(line: str) -> list[set[str]]:
    """``a ← b ← { c, d } ← e`` as [{a}, {b}, {c, d}, {e}]."""
    return [set(re.findall(r"[a-z_]+", layer)) for layer in line.split("←")]


def _without(layers: list[set[str]], *apps: str) -> list[set[str]]:
    return [layer - set(apps) for layer in layers if layer - set(apps)]


def test_every_app_is_on_both_maps():
    for app in own_apps():
        assert re.search(rf"^{app}/\s", README, re.MULTILINE), f"README's layout lacks {app}/"
        assert f"[`{app}/`](../{app}/)" in ARCHITECTURE, f"docs/architecture.md §1 lacks {app}/"


def test_the_documented_layers_are_the_enforced_ones():
    enforced = _without(_enforced_layers(), "common")
    readme = re.search(r"Dependencies point one way: `([^`]+)`", README).group(1)
    assert _without(_documented_layers(readme), "common") == enforced
    diagram = re.search(r"^common ← .+$", ARCHITECTURE, re.MULTILINE).group()
    assert _without(_documented_layers(diagram), "common", "demo") == enforced
    assert {"common"} == _enforced_layers()[0]


def test_the_layers_name_every_domain_app():
    in_layers = set().union(*_enforced_layers())
    assert in_layers == own_apps() - {"demo"}
    assert set(PYPROJECT["tool"]["importlinter"]["root_packages"]) == in_layers


def test_no_module_is_imported_for_its_side_effects():
    """Permissions, checks and tasks are registered by name (AppConfig.ready, Celery's
    autodiscovery), never by an import kept only for what importing does: ruff's F401 (unused
    import) and E402 (import below code) may not be silenced."""
    silenced = re.compile(r"#\s*noqa\s*:?[^\n]*\b(F401|E402)\b")
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{number}"
        for path in own_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if silenced.search(line)
    ]
    assert not offenders, offenders
