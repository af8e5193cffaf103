"""Imports point down the layers, so the folders say which way data flows.

bot/ (process, settings, channels, CLI) -> handlers/ (use cases) -> schedules/, plans/ -> db/ ->
core/ (the foundation). Pure language modules import only core/ and each other, so any layer
may use them.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RANK = {"core": 0, "db": 1, "plans": 2, "schedules": 2, "handlers": 3, "bot": 4}
# Grammar, calendar, reply parser, agency names and the plan model: no I/O, no store.
PURE = {
    "schedules.deadlines",
    "schedules.calendar",
    "plans.agencies",
    "plans.model",
    "handlers.replies",
}


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name.split(".")[0] in RANK]


def _is_pure(name: str) -> bool:
    return any(name == pure or name.startswith(pure + ".") for pure in PURE)


def violations(root: Path = ROOT) -> list[str]:
    """Every import that runs up the layers or sideways between peers, as readable lines."""
    found = []
    for package in RANK:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(path, root)
            for name in _imports(path):
                target = name.split(".")[0]
                if _is_pure(module):
                    allowed = target == "core" or _is_pure(name)
                elif target == package:
                    allowed = True
                else:
                    allowed = RANK[target] < RANK[package] or _is_pure(name)
                if not allowed:
                    found.append(f"{module} imports {name}")
    return found


def test_imports_point_down_the_layers():
    assert violations() == []


def test_the_foundation_imports_nothing_of_ours():
    for path in (ROOT / "core").rglob("*.py"):
        assert [name for name in _imports(path) if not name.startswith("core")] == [], path


def test_the_check_catches_an_import_that_runs_up(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "bad.py").write_text("from handlers.conversation import handle\n")
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "deadlines.py").write_text("from db.models import Task\n")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "peer.py").write_text("from schedules.planning import plan\n")
    for package in RANK:
        (tmp_path / package).mkdir(exist_ok=True)
    assert violations(tmp_path) == [
        "db.bad imports handlers.conversation",
        "plans.peer imports schedules.planning",
        "schedules.deadlines imports db.models",
    ]


def test_readme_names_the_layers_in_order():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it works", 1)[1]
    order = ["bot/", "handlers/", "schedules/", "plans/", "db/", "core/"]
    positions = [section.index(f"`{name}`") for name in order]
    assert positions == sorted(positions)
