"""Every permission registered is used, and every permission used is registered: each app's
``permissions.PERMISSIONS``, registered by its ``AppConfig.ready()``, is the whole permission
surface (docs/architecture.md §2)."""

import ast
import re
from pathlib import Path

import rules
from django.apps import apps
from django.conf import settings

DOMAIN_APPS = ("orgs", "marketplace", "contracts", "payments", "evaluations")
PERMISSION_NAME = re.compile(rf"^(?:{'|'.join(DOMAIN_APPS)})\.[a-z][a-z_]*$")
SOURCE_DIRECTORIES = ("common", "config", *DOMAIN_APPS, "frontend", "demo")


def _declared() -> dict[str, str]:
    """Permission name → the app whose PERMISSIONS declares it."""
    declared: dict[str, str] = {}
    for app in DOMAIN_APPS:
        module = __import__(f"{app}.permissions", fromlist=["PERMISSIONS"])
        for name in module.PERMISSIONS:
            assert name not in declared, f"{name} is declared twice"
            declared[name] = app
    return declared


def _names_used() -> dict[str, list[str]]:
    """Permission names written in the code, outside the PERMISSIONS declarations: name → places."""
    used: dict[str, list[str]] = {}
    root = Path(settings.BASE_DIR)
    for directory in SOURCE_DIRECTORIES:
        for path in sorted((root / directory).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            declarations = {
                id(key)
                for node in ast.walk(tree)
                if isinstance(node, ast.AnnAssign | ast.Assign)
                and any(
                    isinstance(target, ast.Name) and target.id == "PERMISSIONS"
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
                and isinstance(node.value, ast.Dict)
                for key in node.value.keys
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and PERMISSION_NAME.match(node.value)
                    and id(node) not in declarations
                ):
                    used.setdefault(node.value, []).append(f"{path.relative_to(root)}:{node.lineno}")
    return used


def test_each_domain_app_registers_its_declared_permissions_at_start_up():
    declared = _declared()
    registered = {name for name in rules.permissions.permissions if name.split(".")[0] in DOMAIN_APPS}
    assert registered == set(declared)
    for name, app in declared.items():
        assert name.startswith(f"{app}."), f"{name} is declared by {app}"
        assert apps.is_installed(app)


def test_every_permission_registered_is_used():
    unused = sorted(set(_declared()) - set(_names_used()))
    assert unused == [], f"registered but never checked: {unused}"


def test_every_permission_used_is_registered():
    declared = set(_declared())
    unknown = {name: places for name, places in _names_used().items() if name not in declared}
    assert unknown == {}, f"checked but never registered: {unknown}"
