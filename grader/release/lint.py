"""`grader lint`: a source notebook checked against the cell-role contract and its hidden tests.

The contract (docs/cell-roles.md, `autograde_tests.contract.cell_role`) says which metadata and
`grade_id` make a cell setup, solution, check, hidden-test, demo or written-answer. This module
reads one assignment's source notebook with those rules and its check registry, and names every
problem in one line, e.g.

    nn_from_scratch.ipynb cell 14 (test-sigmoid): 5 points, but its checks add up to 4

It never runs the notebook: everything is read from the JSON and the registry, so it takes well
under a second and is safe on a half-edited notebook.
"""

from __future__ import annotations

import ast
import json
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograde_tests import engine
from autograde_tests.contract import (
    ROLE_PREFIXES,
    Role,
    cell_role,
    cell_source,
    function_of,
    grade_id,
    nbgrader_meta,
)
from grader.paths import Course

#: What the hidden part of a test cell may hold: only a raise (it never grades in a kernel).
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Problem:
    """One violation of the contract: where (the notebook, and a cell when there is one) and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class Summary:
    """What a clean notebook holds, for the one-line OK."""

    functions: int
    checks: int
    points: float


def _strip_magics(source: str) -> str:
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def _defined_functions(source: str) -> set[str] | None:
    """Top-level functions a code cell defines (None when it does not parse)."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return None
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def _check_targets(gid: str) -> list[str]:
    """The functions a check cell names: "check-predict-accuracy" -> ["predict", "accuracy"]."""
    return [f for f in gid.removeprefix(ROLE_PREFIXES[Role.CHECK]).split("-") if f]


def _cell_problems(nb_name: str, index: int, cell, role: Role, gid: str | None) -> list[Problem]:
    where = f"{nb_name} cell {index}" + (f" ({gid})" if gid else "")
    meta = nbgrader_meta(cell)
    source = cell_source(cell) or ""
    found: list[Problem] = []

    def problem(what: str) -> None:
        found.append(Problem(where, what))

    if meta and not gid:
        problem("has nbgrader metadata but no grade_id: give it one with a role prefix "
                f"({', '.join(ROLE_PREFIXES.values())})")
    if role is Role.LOCKED and cell.get("cell_type") == "code":
        problem("a locked code cell without a role: its grade_id must start with setup-, check- "
                "or demo- (or make it a solution or grade cell)")
    if gid and role in ROLE_PREFIXES and not gid.startswith(ROLE_PREFIXES[role]):
        problem(f"is a {role} cell, so its grade_id must start with {ROLE_PREFIXES[role]!r}")
    if role in (Role.TEST, Role.ANSWER):
        points = meta.get("points")
        if not isinstance(points, int | float) or isinstance(points, bool) or points <= 0:
            article = "an" if role is Role.ANSWER else "a"
            problem(f"{article} {role} cell needs positive points in its nbgrader metadata")
    if role is Role.SOLUTION:
        if SOLUTION_BEGIN not in source or SOLUTION_END not in source:
            problem(f"a solution cell needs a '{SOLUTION_BEGIN}' ... '{SOLUTION_END}' region "
                    "(the reference, which the release replaces by a stub)")
        defined = _defined_functions(source)
        name = gid.removeprefix(ROLE_PREFIXES[Role.SOLUTION]) if gid else ""
        if defined is None:
            problem("does not parse as Python")
        elif name and name not in defined:
            problem(f"does not define `{name}` (a solution cell defines the function its "
                    "grade_id names)")
    if role is Role.TEST:
        hidden = source.split(HIDDEN_BEGIN, 1)[1].split(HIDDEN_END, 1)[0] \
            if HIDDEN_BEGIN in source and HIDDEN_END in source else None
        if hidden is None:
            problem(f"a test cell needs a '{HIDDEN_BEGIN}' ... '{HIDDEN_END}' block")
        else:
            try:
                body = ast.parse(hidden).body
            except SyntaxError:
                body = []
            if len(body) != 1 or not isinstance(body[0], ast.Raise):
                problem("the hidden part of a test cell must only raise (the grade comes from the "
                        "hidden tests in the sandbox, never from the kernel)")
        if "autograde_tests" in source or "import" in source:
            problem("a test cell must not import anything (the hidden tests never run beside "
                    "student code)")
    if role in (Role.SETUP, Role.CHECK, Role.DEMO) and _defined_functions(source) is None:
        problem("does not parse as Python")
    return found


def lint(course: Course, assignment: str) -> tuple[list[Problem], Summary]:
    """Every problem of `assignment`'s source notebook against the contract and its registry."""
    path = course.solution_notebook(assignment)
    name = path.name
    try:
        with warnings.catch_warnings():   # duplicated cell ids are reported below, in one line
            warnings.simplefilter("ignore")
            nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        return [Problem(name, f"cannot be read as a notebook ({type(exc).__name__}: {exc})")], \
            Summary(0, 0, 0)
    problems: list[Problem] = []
    ids = [gid for cell in nb.cells if (gid := grade_id(cell))]
    for gid, count in Counter(ids).items():
        if count > 1:
            problems.append(Problem(name, f"grade_id {gid!r} is used by {count} cells"))
    # Read from the file itself: nbformat silently gives duplicated cell ids (cells copied with
    # their ids) new random ones on every read, which would make every release differ.
    raw = json.loads(path.read_text(encoding="utf-8"))
    cell_ids = [cid for cell in raw.get("cells", []) if isinstance(cell, dict)
                and isinstance(cid := cell.get("id"), str)]
    for cid, count in Counter(cell_ids).items():
        if count > 1:
            problems.append(Problem(name, f"cell id {cid!r} is used by {count} cells (give each "
                                          "copied cell a new id)"))

    solutions: dict[str, int] = {}
    tests: dict[str, tuple[int, float]] = {}
    checked: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        role, gid = cell_role(cell), grade_id(cell)
        problems += _cell_problems(name, index, cell, role, gid)
        if not gid:
            continue
        if role is Role.SOLUTION:
            solutions[gid.removeprefix(ROLE_PREFIXES[Role.SOLUTION])] = index
        elif role is Role.TEST:
            tests[function_of(gid)] = (index, nbgrader_meta(cell).get("points"))
        elif role is Role.CHECK:
            for function in _check_targets(gid):
                checked.setdefault(function, index)

    try:
        points = engine.points_by_function(assignment)
        checks = engine.all_checks(assignment)
    except engine.UnknownAssignment as exc:
        return [*problems, Problem(name, str(exc))], Summary(0, 0, 0)
    specs = f"autograde_tests/{assignment}/specs/"
    for function, total in points.items():
        if function not in solutions:
            problems.append(Problem(name, f"`{function}` has checks in {specs} but no "
                                          f"solution-{function} cell (its reference)"))
        if function not in checked:
            problems.append(Problem(name, f"`{function}` has no check cell (check-{function}, or "
                                          f"check-…-{function}-… for several functions)"))
        if function not in tests:
            problems.append(Problem(name, f"`{function}` has checks but no test-{function} cell "
                                          f"(worth {total:g} points)"))
        elif tests[function][1] != total:
            index, declared = tests[function]
            problems.append(Problem(f"{name} cell {index} (test-{function})",
                                    f"{declared} points, but its checks in {specs} add up to "
                                    f"{total:g}"))
    for function, (index, _) in tests.items():
        if function not in points:
            problems.append(Problem(f"{name} cell {index} (test-{function})",
                                    f"no check in {specs} grades `{function}`"))
    for function, index in checked.items():
        if function not in solutions:
            problems.append(Problem(f"{name} cell {index}",
                                    f"names `{function}`, which no solution cell defines"))
    for function in engine.time_limits(assignment):
        if function not in points:
            problems.append(Problem(name, f"{specs} sets a time limit for `{function}`, which "
                                          "no check grades"))
    return problems, Summary(len(points), len(checks), float(sum(points.values())))


def lint_folder_problems(course: Course, assignment: str) -> list[Problem]:
    """Problems of the assignment's folders around the notebook (one line each)."""
    found = []
    folder = course.solutions / assignment
    extra = sorted(p.name for p in folder.glob("*.ipynb"))
    if len(extra) != 1:
        found.append(Problem(str(folder), f"must hold exactly one notebook, found {len(extra)}"))
    if not (Path(course.autograde_tests) / assignment / "specs").is_dir():
        found.append(Problem(assignment, f"no hidden tests: autograde_tests/{assignment}/specs/ "
                                         "does not exist"))
    return found
