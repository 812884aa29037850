"""`grader lint`: a source notebook checked against the cell-role contract and its hidden tests.

The contract (docs/cell-roles.md, `nnkit_contract.cell_role`) says which metadata and
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
import re
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograde_tests import engine
from grader.paths import Course
from grader.release.languages import cell_language, twin_id
from nnkit_contract.cells import (
    ROLE_PREFIXES,
    Role,
    cell_role,
    cell_source,
    function_of,
    functions_of,
    grade_id,
    nbgrader_meta,
    neutralize_magics,
)

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


def _defined_functions(source: str) -> set[str] | None:
    """Top-level functions a code cell defines (None when it does not parse)."""
    try:
        tree = ast.parse(neutralize_magics(source))
    except SyntaxError:
        return None
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


@dataclass(frozen=True)
class Cell:
    """One cell as the rules read it."""

    cell: dict
    role: Role
    gid: str | None
    meta: dict
    source: str

    @property
    def code(self) -> bool:
        return self.cell.get("cell_type") == "code"


# One function per rule: each yields what is wrong with one cell, in a line a TA can act on.

def _metadata_without_id(c: Cell) -> Iterator[str]:
    if c.meta and not c.gid:
        yield ("has nbgrader metadata but no grade_id: give it one with a role prefix "
               f"({', '.join(ROLE_PREFIXES.values())})")


def _locked_code_without_role(c: Cell) -> Iterator[str]:
    if c.role is Role.LOCKED and c.code:
        yield ("a locked code cell without a role: its grade_id must start with setup-, check- "
               "or demo- (or make it a solution or grade cell)")


def _prefix_matches_role(c: Cell) -> Iterator[str]:
    if c.gid and c.role in ROLE_PREFIXES and not c.gid.startswith(ROLE_PREFIXES[c.role]):
        yield f"is a {c.role} cell, so its grade_id must start with {ROLE_PREFIXES[c.role]!r}"


def _points(c: Cell) -> Iterator[str]:
    if c.role in (Role.TEST, Role.ANSWER):
        points = c.meta.get("points")
        if not isinstance(points, int | float) or isinstance(points, bool) or points <= 0:
            article = "an" if c.role is Role.ANSWER else "a"
            yield f"{article} {c.role} cell needs positive points in its nbgrader metadata"


def _solution_region(c: Cell) -> Iterator[str]:
    if c.role is not Role.SOLUTION:
        return
    if SOLUTION_BEGIN not in c.source or SOLUTION_END not in c.source:
        yield (f"a solution cell needs a '{SOLUTION_BEGIN}' ... '{SOLUTION_END}' region "
               "(the reference, which the release replaces by a stub)")
    defined = _defined_functions(c.source)
    name = function_of(c.gid) if c.gid else ""
    if defined is None:
        yield "does not parse as Python"
    elif name and name not in defined:
        yield f"does not define `{name}` (a solution cell defines the function its grade_id names)"


def _markers_in_their_cells(c: Cell) -> Iterator[str]:
    """nbgrader acts on solution and hidden-test markers only in solution and grade cells:
    anywhere else it would ship them, reference code and all (the release refuses it then, after
    a long nbgrader traceback); say which cell instead. (A translated cell is judged with its
    twin, by `pair_problems`.)"""
    if cell_language(c.cell) is not None:
        return
    own = {Role.SOLUTION: (SOLUTION_BEGIN, SOLUTION_END), Role.TEST: (HIDDEN_BEGIN, HIDDEN_END)}
    for role, markers in own.items():
        if c.role is role or (role is Role.SOLUTION and c.role is Role.ANSWER):
            continue
        found = [m for m in markers if any(line.strip() == m for line in c.source.splitlines())]
        if found:
            yield (f"holds {found[0]!r}, which belongs in a {role} cell only: move that code to "
                   f"the {role} cell, or remove the marker")


def _hidden_block_only_raises(c: Cell) -> Iterator[str]:
    if c.role is not Role.TEST:
        return
    hidden = c.source.split(HIDDEN_BEGIN, 1)[1].split(HIDDEN_END, 1)[0] \
        if HIDDEN_BEGIN in c.source and HIDDEN_END in c.source else None
    if hidden is None:
        yield f"a test cell needs a '{HIDDEN_BEGIN}' ... '{HIDDEN_END}' block"
        return
    try:
        body = ast.parse(hidden).body
    except SyntaxError:
        body = []
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        yield ("the hidden part of a test cell must only raise (the grade comes from the hidden "
               "tests in the sandbox, never from the kernel)")


def _test_cell_imports_nothing(c: Cell) -> Iterator[str]:
    """An import statement (or the hidden tests' name) in a grade cell, not the word in a comment
    or a string ("important")."""
    if c.role is not Role.TEST:
        return
    try:
        imports = any(isinstance(n, ast.Import | ast.ImportFrom)
                      for n in ast.walk(ast.parse(neutralize_magics(c.source))))
    except SyntaxError:
        imports = False
    if imports or "autograde_tests" in c.source:
        yield "a test cell must not import anything (the hidden tests never run beside student code)"


def _locked_code_parses(c: Cell) -> Iterator[str]:
    if c.role in (Role.SETUP, Role.CHECK, Role.DEMO) and _defined_functions(c.source) is None:
        yield "does not parse as Python"


#: The math of a markdown cell ($$...$$ or $...$), and a command written with a doubled backslash.
MATH = re.compile(r"\$\$.+?\$\$|\$.+?\$", re.DOTALL)
DOUBLED_COMMAND = re.compile(r"\\\\[A-Za-z]+")


def _math_single_backslashes(c: Cell) -> Iterator[str]:
    r"""`$1/\\sqrt{2}$` in a markdown cell renders as a line break and the word "sqrt": a command
    written with the escaping of a Python string, not of markdown. (`\\` before a space or a
    line end is a real line break and is left alone.)"""
    if c.cell.get("cell_type") != "markdown":
        return
    found = sorted({m.group() for math in MATH.findall(c.source)
                    for m in DOUBLED_COMMAND.finditer(math)})
    if found:
        yield (f"its math writes {', '.join(found)} with two backslashes, which renders as a line "
               f"break and a word: write one backslash ({found[0][1:]})")


#: Every rule a cell is checked with, in the order their lines are printed.
CELL_RULES = (_metadata_without_id, _locked_code_without_role, _prefix_matches_role, _points,
              _solution_region, _markers_in_their_cells, _hidden_block_only_raises,
              _test_cell_imports_nothing, _locked_code_parses, _math_single_backslashes)


def _cell_problems(nb_name: str, index: int, cell, role: Role, gid: str | None) -> list[Problem]:
    where = f"{nb_name} cell {index}" + (f" ({gid})" if gid else "")
    c = Cell(cell, role, gid, nbgrader_meta(cell), cell_source(cell) or "")
    return [Problem(where, what) for rule in CELL_RULES for what in rule(c)]


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

    problems += pair_problems(name, nb)
    solutions: dict[str, int] = {}
    tests: dict[str, tuple[int, float]] = {}
    checked: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        role, gid = cell_role(cell), grade_id(cell)
        problems += _cell_problems(name, index, cell, role, gid)
        if not gid:
            continue
        if role is Role.SOLUTION:
            solutions[function_of(gid)] = index
        elif role is Role.TEST:
            tests[function_of(gid)] = (index, nbgrader_meta(cell).get("points"))
        elif role is Role.CHECK:
            for function in functions_of(gid):
                checked.setdefault(function, index)

    try:
        points = engine.points_by_function(assignment)
        checks = engine.all_checks(assignment)
    except engine.UnknownAssignment as exc:
        return [*problems, Problem(name, str(exc))], Summary(0, 0, 0)
    problems += _registry_problems(name, assignment, points, solutions, tests, checked)
    return problems, Summary(len(points), len(checks), float(sum(points.values())))


def pair_problems(name: str, nb) -> list[Problem]:
    """The rules of translated cells (docs/translating.md): a cell in another language follows
    the default-language cell it translates (or another translation of it), is markdown, has no
    nbgrader metadata of its own (the default cell's moves to it in its release), has the id
    `<default id>-<lang>`, and holds a solution region exactly when its default cell is a
    written-answer cell that has one. Docstrings in a code cell's metadata name functions or
    classes of that cell; its comments and string literals are in that cell (a stale one is
    named with its text), each f-string translation with the English's {fields}."""
    from grader.release.languages import (
        StringsError,
        comments,
        docstrings,
        strings,
        swap_comments,
        swap_docstrings,
        swap_strings,
    )

    problems: list[Problem] = []
    default = None
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        lang = cell_language(cell)
        where = f"{name} cell {index}" + (f" ({cell.get('id')})" if cell.get("id") else "")
        if lang is None:
            default, seen = cell, set()
            for other in {k for k, v in cell.metadata.get("nnkit", {}).items()
                          if isinstance(v, dict)} if isinstance(cell.metadata.get("nnkit"), dict) \
                    else ():
                if cell.cell_type != "code":
                    problems.append(Problem(where, f"{other} docstrings belong to a code cell"))
                    continue
                try:
                    swap_docstrings(cell.source, docstrings(cell, other))
                    swap_comments(cell.source, comments(cell, other))
                except (KeyError, SyntaxError) as exc:
                    problems.append(Problem(where, f"{other} docstrings or comments: {exc}"))
                try:
                    swap_strings(cell.source, strings(cell, other))
                except StringsError as exc:
                    problems.append(Problem(where, f"{other} strings (nnkit.{other}.strings): {exc}"))
            continue
        if default is None:
            problems.append(Problem(where, f"a {lang} cell must follow the cell it translates"))
            continue
        if lang in seen:
            problems.append(Problem(where, f"a second {lang} translation of the cell before it"))
        seen.add(lang)
        if cell.cell_type != "markdown" or default.cell_type != "markdown":
            problems.append(Problem(where, f"a {lang} cell translates a markdown cell and is one "
                                           "(code is written once; its docstrings go in its "
                                           "metadata)"))
        if nbgrader_meta(cell):
            problems.append(Problem(where, f"a {lang} cell has no nbgrader metadata of its own "
                                           "(its release takes the translated cell's)"))
        if default.get("id") and cell.get("id") != twin_id(default["id"], lang):
            problems.append(Problem(where, f"its id must be {twin_id(default['id'], lang)!r}, "
                                           "the translated cell's id and the language"))
        region = SOLUTION_BEGIN in cell.source or SOLUTION_END in cell.source
        answer = cell_role(default) is Role.ANSWER and SOLUTION_BEGIN in default.source
        if region != answer:
            problems.append(Problem(where, f"holds a solution region exactly when the cell it "
                                           f"translates (a written answer) does: "
                                           f"{'remove' if region else 'add'} it"))
    return problems


def translation_gaps(course: Course, assignment: str, languages=None) -> list[Problem]:
    """Every markdown cell of the default language without a twin in a language the course
    declares (solutions/course.json `languages`): its release shows the default text there, and
    the untranslated-prose test names it (tests/test_languages.py)."""
    from grader.course import course_file
    from nnkit_contract.i18n import DEFAULT_LANGUAGE

    languages = course_file.load(course).languages if languages is None else languages
    wanted = [lang for lang in languages if lang != DEFAULT_LANGUAGE]
    if not wanted:
        return []
    path = course.solution_notebook(assignment)
    nb = nbformat.read(path, as_version=4)
    gaps: list[Problem] = []
    for lang in wanted:
        missing = [i for i, cell in enumerate(nb.cells)
                   if cell.cell_type == "markdown" and cell_language(cell) is None
                   and cell.source.strip() and not _has_twin(nb.cells, i, lang)]
        if missing:
            gaps.append(Problem(path.name, f"{len(missing)} markdown cell(s) without a {lang} "
                                           f"twin (cells {', '.join(map(str, missing[:8]))}"
                                           f"{', ...' if len(missing) > 8 else ''}): the {lang} "
                                           "release shows their default text"))
    return gaps


def _has_twin(cells, index: int, lang: str) -> bool:
    for cell in cells[index + 1:]:
        other = cell_language(cell)
        if other is None:
            return False
        if other == lang:
            return True
    return False


def _registry_problems(name: str, assignment: str, points: dict[str, float],
                       solutions: dict[str, int], tests: dict[str, tuple[int, float]],
                       checked: dict[str, int]) -> list[Problem]:
    """The notebook's cells (solution, test and check cells by function) against the checks
    registered in autograde_tests/<assignment>/specs/."""
    problems: list[Problem] = []
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
    return problems


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
