"""The package's folders follow the data flow, and layers import downwards only.

A module may import from its own layer and from the layers below it, never from a layer
above (nor from a sibling layer of the same rank): a lower layer that called a higher one
would tie the flow in a knot. Imports inside functions count too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import analytics

PACKAGE = Path(analytics.__file__).parent

#: layer → rank; a module may import layers of lower rank, and its own.
RANKS = {
    "analytics": 0, "analytics.config": 0, "analytics.records": 0,
    "analytics.warehouse": 1,
    "analytics.ingest": 2, "analytics.metrics": 2, "analytics.access": 2,
    "analytics.report": 3,
    "analytics.render": 4,
    "analytics.notebooks": 5, "analytics.delivery": 5,
    "analytics.serve": 6,
    "analytics.cli": 7, "analytics.__main__": 8,
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    name = ".".join(parts[:2]) if len(parts) > 1 else parts[0]
    return name if name in RANKS else "analytics"


def imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "analytics"):
            if node.module == "analytics":
                found += [f"analytics.{alias.name}" for alias in node.names]
            else:
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("analytics")]
    return found


def modules() -> list[tuple[str, Path]]:
    result = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        result.append((name, path))
    return result


def test_every_package_folder_has_a_layer() -> None:
    folders = {p.parent.name for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE}
    assert {f"analytics.{f}" for f in folders} <= RANKS.keys()


def test_layers_import_downwards_only() -> None:
    upward = []
    for name, path in modules():
        mine = layer_of(name)
        for target in imports(path):
            theirs = layer_of(target)
            if theirs != mine and RANKS[theirs] >= RANKS[mine] and RANKS[theirs] > 0:
                upward.append(f"{name} imports {target}")
    assert upward == []


def test_the_snapshot_does_not_call_insights() -> None:
    (path,) = [p for n, p in modules() if n == "analytics.metrics.snapshot"]
    assert not [t for t in imports(path) if t.startswith("analytics.metrics.insights")]


def test_every_folder_of_modules_is_a_package() -> None:
    # a folder without __init__.py is invisible to the layer test above (a namespace
    # package): analytics/delivery/ once was
    folders = {p.parent for p in PACKAGE.rglob("*.py")} - {PACKAGE}
    assert sorted(str(f.relative_to(PACKAGE)) for f in folders
                  if not (f / "__init__.py").is_file()) == []
    assert "analytics.delivery" in {layer_of(name) for name, _ in modules()}


def test_every_path_the_docs_and_comments_name_exists() -> None:
    # README, comments, docstrings and --help name files as analytics/<path>.py: after the
    # layout moved them, each must still point at a real file
    root = PACKAGE.parent
    texts = [root / "README.md", *PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]
    named = {(str(path.relative_to(root)), mention)
             for path in texts if path.is_file()
             for mention in re.findall(r"\banalytics/[\w/]+\.(?:py|sql|ipynb)\b",
                                       path.read_text(encoding="utf-8"))}
    assert sorted((where, mention) for where, mention in named
                  if not (root / mention).is_file()) == []
