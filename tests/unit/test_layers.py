"""The layers import one way: nothing below the entry points imports the demo."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BELOW_THE_DEMO = ("domain", "application", "infrastructure", "projections")


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_no_layer_below_the_entry_points_imports_the_demo() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported(path) if name == "demo" or name.startswith("demo.")
        )
        for package in BELOW_THE_DEMO
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_application_holds_no_demo_module() -> None:
    assert sorted(p.name for p in (ROOT / "application").glob("demo*.py")) == []


#: Which layers each layer may import (itself included): one direction, entry points on top.
MAY_IMPORT = {
    "domain": {"domain"},
    "application": {"domain", "application"},
    "projections": {"domain", "projections"},
    "infrastructure": {"domain", "application", "projections", "infrastructure"},
}
LAYERS = {"domain", "application", "projections", "infrastructure", "api", "demo"}


def test_each_layer_imports_only_the_layers_beneath_it() -> None:
    crossing = {
        f"{path.relative_to(ROOT)} imports {name}"
        for layer, allowed in MAY_IMPORT.items()
        for path in (ROOT / layer).rglob("*.py")
        for name in _imported(path)
        if name.split(".")[0] in LAYERS - allowed
    }
    assert sorted(crossing) == []
