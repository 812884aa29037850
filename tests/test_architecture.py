"""docs/architecture.md's package table against the code: what each package imports of the kit,
and the size of its modules.

A package may import only the packages its row allows; a new arrow is a decision to write down
in the table (and here), not something that slips in with an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KIT = ("grader", "autograde_tests", "nnkit_contract")
CORE = {"grader.paths", "grader.errors", "grader"}   # `grader` itself: its __version__
#: package -> what of the kit it may import (docs/architecture.md); commands and cli: anything.
ALLOWED: dict[str, set[str]] = {
    "nnkit_contract": set(),
    "autograde_tests": {"nnkit_contract"},
    "grader.sandbox": {"nnkit_contract"},
    "grader.grading": {"nnkit_contract", "autograde_tests", "grader.sandbox", *CORE},
    "grader.release": {"nnkit_contract", "autograde_tests", "grader.sandbox", "grader.grading",
                       "grader.course", *CORE},
    "grader.course": {"nnkit_contract", "grader.grading", *CORE},
    "grader.report": {"nnkit_contract", "grader.grading", "grader.course", *CORE},
    "grader.nbgrader": {"nnkit_contract", "grader.grading", "grader.release", "grader.course",
                        *CORE},
    "grader.similarity": {"nnkit_contract", "grader.grading", "grader.report", *CORE},
    "grader.cluster": {"autograde_tests", "grader.grading", "grader.sandbox", *CORE},
    "grader.gradescope": {"nnkit_contract", "autograde_tests", "grader.grading", "grader.course",
                          "grader.release", "grader.sandbox", *CORE},
    "grader.paths": {"grader.errors"},
    "grader.errors": set(),
}
#: Longest module, in lines (issue 22: a module a maintainer reads at once: about 500).
MAX_LINES = 510


def _package(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "grader":
        return parts[0]
    if len(parts) == 1:
        return "grader"
    return ".".join(parts[:2])


def _modules() -> list[tuple[str, Path]]:
    found = []
    for top in KIT:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found.append((".".join(parts), path))
    return found


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "grader":   # from grader import paths, errors, __version__
                names = [f"grader.{a.name}" if a.name != "__version__" else "grader" for a in node.names]
            out.update(n for n in names if n.split(".")[0] in KIT)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] in KIT)
    return out


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_imports_follow_the_architecture_table(module, path):
    own = _package(module)
    if own not in ALLOWED:   # grader.commands, grader.cli, grader.__main__
        return
    wrong = sorted(name for name in _imports(path)
                   if _package(name) != own and _package(name) not in ALLOWED[own])
    assert not wrong, (f"{path.relative_to(ROOT)} ({own}) imports {wrong}: docs/architecture.md "
                       f"allows {sorted(ALLOWED[own]) or 'nothing of the kit'}")


def test_every_grader_subpackage_has_a_row():
    packages = {p.name for p in (ROOT / "grader").iterdir() if (p / "__init__.py").is_file()}
    rows = {name.removeprefix("grader.") for name in ALLOWED if name.startswith("grader.")}
    assert packages - {"commands"} <= rows, sorted(packages - rows)
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in sorted(packages):
        assert f"`grader/{name}/`" in text, f"docs/architecture.md has no row for grader/{name}/"


@pytest.mark.parametrize(("module", "path"), _modules(), ids=[m for m, _ in _modules()])
def test_modules_stay_readable(module, path):
    rel = path.relative_to(ROOT).as_posix()
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{rel} has {lines} lines: split it by job"
