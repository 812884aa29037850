"""Diagnoses are claims the grader verifies, and the students' check cells name the same ones.

Every named cause is declared once, next to its check (autograde_tests.diagnosis): an id, a
message template, and an alternative formula or an observation that confirms it. These tests hold
the check cells of every assignment to the declarations:

- a check cell names a cause only with a `# diagnosis: <id>` comment before the assertion, and that
  assertion's message is the declared message of that id (its placeholders filled);
- an assertion without such a comment names no declared cause: its message matches no template;
- every declared alternative a check cell may name (`local`) is tagged in its cell, and the cell
  run against exactly that alternative fails with exactly that diagnosis: so the cell's fixed
  inputs keep every pair of declared alternatives apart (no lr = 1 - beta, no all-zero state);
- the grader, given exactly an alternative formula as the student's function, names exactly that
  diagnosis on every check of the function it fails (the hidden inputs keep the alternatives
  apart too), and every observed diagnosis is what the grader shows for some mutant of
  tests/mutants/; no mutant or variant is shown an undeclared or a different one
  (tests/test_mutants.py, tests/test_variants.py).
"""

from __future__ import annotations

import ast
import functools
import re
import warnings

import corpus as sol
import numpy as np
import pytest
from corpus import ASSIGNMENTS
from inprocess import InProcessStudent

from autograde_tests import diagnosis, engine, reference
from nnkit_contract.cells import Role, cell_role, functions_of, grade_id

TAG = re.compile(r"^\s*# diagnosis: (?P<id>\S+)\s*$")


def _check_cells(assignment: str) -> dict[str, str]:
    return {grade_id(c): c.source for c in sol.notebook(assignment).cells if cell_role(c) is Role.CHECK}


def _functions_of(check_id: str) -> list[str]:
    return functions_of(check_id)


def _cell_of(assignment: str, function: str) -> str:
    return next(gid for gid in _check_cells(assignment) if function in _functions_of(gid))


def _tagged(source: str) -> list[tuple[int, str]]:
    return [(number, m["id"]) for number, line in enumerate(source.splitlines(), 1)
            if (m := TAG.match(line))]


def _message_text(node: ast.AST | None) -> str | None:
    """An assertion's message as text, each formatted value standing for one word; None when it
    is not a string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
    return None


def _assertions(source: str) -> list[tuple[int, str | None]]:
    """(line, message text) of every assert and every `raise AssertionError(...)` of a cell."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            found.append((node.lineno, _message_text(node.msg)))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                getattr(node.exc.func, "id", "") == "AssertionError":
            found.append((node.lineno, _message_text(node.exc.args[0] if node.exc.args else None)))
    return found


def _local(assignment: str) -> dict[str, diagnosis.Diagnosis]:
    return {i: d for i, d in diagnosis.declared(assignment).items() if d.local}


CELL_CASES = [(a, gid) for a in ASSIGNMENTS for gid in _check_cells(a)]
ALTERNATIVES = [(a, d.id, i) for a in ASSIGNMENTS for d in diagnosis.declared(a).values()
                if d.local and d.alternative is not None
                for i in range(len(d.alternative) if isinstance(d.alternative, tuple) else 1)]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_declarations_are_well_formed(assignment):
    functions = set(engine.functions(assignment))
    declared = diagnosis.declared(assignment)
    assert declared
    for d in declared.values():
        scope, _, cause = d.id.partition(".")
        assert scope in functions | {diagnosis.COMMON}, f"{d.id}: no graded function {scope}"
        assert cause and re.fullmatch(r"[a-z0-9-]+", cause), d.id
        assert d.label and d.message and not d.message.endswith((".", " ")), d.id
        assert all(name.isidentifier() for name in d.placeholders), d.id


@pytest.mark.parametrize(("assignment", "cell"), CELL_CASES)
def test_check_cells_name_causes_only_by_declared_messages(assignment, cell):
    """A tagged assertion states exactly its declared message; an untagged one states none."""
    source = _check_cells(assignment)[cell]
    local = _local(assignment)
    tags = dict(_tagged(source))
    for number, tag in tags.items():
        assert tag in local, f"{cell} line {number}: {tag} is not a declared diagnosis a check cell may name"
        assert local[tag].function in (*_functions_of(cell), diagnosis.COMMON), (cell, tag)
    assertions = _assertions(source)
    tagged_lines = {number + 1 for number in tags}
    assert tagged_lines <= {number for number, _ in assertions}, (
        f"{cell}: a `# diagnosis:` comment must stand right before its assertion")
    for number, text in assertions:
        if text is None:
            continue
        named = [d.id for d in diagnosis.recognise(text, local.values())]
        want = [tags[number - 1]] if number in tagged_lines else []
        assert named == want, f"{cell} line {number}: the message names {named}, tagged {want}:\n{text}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_alternative_a_cell_may_name_is_tagged_there(assignment):
    for d in _local(assignment).values():
        if d.alternative is None or d.function == diagnosis.COMMON:
            continue
        source = _check_cells(assignment)[_cell_of(assignment, d.function)]
        assert d.id in {tag for _, tag in _tagged(source)}, f"{d.id} is not named by its check cell"


@functools.cache
def _reference_namespace(assignment: str) -> dict:
    return sol.reference_namespace(assignment)


def run_cell(assignment: str, cell: str, replaced: dict) -> BaseException | None:
    """Run a check cell of the source notebook over the reference with some names replaced;
    the exception it raised, if any."""
    namespace = {**_reference_namespace(assignment), **replaced}
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            with reference.in_folder(sol.notebook_path(assignment).parent):
                exec(compile(_check_cells(assignment)[cell], cell, "exec"), namespace)
    except Exception as exc:  # noqa: BLE001 - the outcome is what is tested
        return exc
    return None


@pytest.mark.parametrize(("assignment", "diagnosis_id", "formula"), ALTERNATIVES)
def test_the_check_cell_names_each_declared_alternative(assignment, diagnosis_id, formula):
    """The check cell run against exactly an alternative formula of a diagnosis fails with that
    diagnosis and no other: its fixed inputs tell every declared alternative apart."""
    d = diagnosis.declared(assignment)[diagnosis_id]
    cell = _cell_of(assignment, d.function)
    exc = run_cell(assignment, cell, {d.function: d.implementations(sol.ref(assignment))[formula]})
    assert isinstance(exc, AssertionError), f"{cell} against {diagnosis_id}: {exc!r}"
    named = [x.id for x in diagnosis.recognise(str(exc), _local(assignment).values())]
    assert named == [diagnosis_id], f"{cell} against {diagnosis_id} said: {exc}"


GRADED_ALTERNATIVES = [(a, d.id, i) for a in ASSIGNMENTS for d in diagnosis.declared(a).values()
                       if d.alternative is not None
                       for i in range(len(d.alternative) if isinstance(d.alternative, tuple) else 1)]
#: The end-to-end training checks: they train with every student function, so what they show
#: is the training's outcome, not the formula's (tests/test_mutants.py pins them per mutant).
END_TO_END = ("train.accuracy", "train.loss-decreases")


@pytest.mark.parametrize(("assignment", "diagnosis_id", "formula"), GRADED_ALTERNATIVES)
def test_the_grader_names_each_declared_alternative(assignment, diagnosis_id, formula):
    """A student whose function is exactly an alternative formula loses that function's checks
    (where the formula shows) and is shown exactly that diagnosis on every one of them: the
    hidden inputs keep the declared alternatives apart too."""
    d = diagnosis.declared(assignment)[diagnosis_id]
    ref = sol.ref(assignment)
    namespace = {**_reference_namespace(assignment), d.function: d.implementations(ref)[formula]}
    student = InProcessStudent(namespace)
    results = [engine.run_check(c, student, 0, ref) for c in engine.all_checks(assignment)
               if c.function == d.function and c.id not in END_TO_END]
    failed = {r.id: r.diagnosis_id for r in results if r.status != "passed"}
    assert failed, f"{diagnosis_id}: no check of {d.function} fails"
    assert set(failed.values()) == {diagnosis_id}, failed


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_observed_diagnosis_is_shown_for_some_mutant(assignment):
    """A diagnosis without an alternative formula (an observation) is exercised by a real buggy
    implementation in tests/mutants/: the check that states it has measured it (the common ones
    in either assignment; the alternatives are exercised above)."""
    shown = {a: {i for name in sol.mutants(a) for v in sol.load_mutant(a, name)[1]["diagnoses"].values()
                 for i in sol.diagnosis_ids(v)} for a in ASSIGNMENTS}
    everywhere = set().union(*shown.values())
    missing = sorted(i for i, d in diagnosis.declared(assignment).items() if d.alternative is None
                     and i not in (everywhere if d.function == diagnosis.COMMON else shown[assignment]))
    assert not missing, f"declared but never shown for a mutant: {missing}"


def test_confirm_names_nothing_when_two_alternatives_agree():
    twice = [diagnosis.Diagnosis(f"f.alt-{i}", "alt", "m", lambda x: x * 2) for i in range(2)]
    once = [twice[0], diagnosis.Diagnosis("f.other", "other", "m", lambda x: x + 1)]
    x = np.array([1.0, 2.0])
    assert diagnosis.confirm(twice, [((x,), x * 2, x)]) is None
    assert diagnosis.confirm(once, [((x,), x * 2, x)]) is once[0]
    assert diagnosis.confirm(once, [((x,), x * 3, x)]) is None          # nothing declared matches
    assert diagnosis.confirm(once, [((x,), x, x)]) is None              # a right answer has no cause


def test_confirm_needs_every_call_of_the_check_to_agree():
    """An alternative that agrees with the failing answer but not with an earlier one is not the
    cause: a check's evidence is all its calls."""
    naive = diagnosis.Diagnosis("f.naive", "naive", "m", lambda z: np.where(np.abs(z) > 30, np.inf, z))
    small, big = np.array([40.0]), np.array([1e3])
    honest_so_far = ((small,), small, small)                 # the student was right on |z| = 40
    assert diagnosis.confirm([naive], [((big,), np.array([np.inf]), big)]) is naive
    assert diagnosis.confirm([naive], [honest_so_far, ((big,), np.array([np.inf]), big)]) is None


def test_confirm_compares_nan_and_exceptions_as_outcomes():
    naive = diagnosis.Diagnosis("f.naive", "naive", "m", lambda z: np.exp(z) / np.exp(z).sum())
    z = np.array([1000.0, 0.0])
    assert diagnosis.confirm([naive], [((z,), np.array([np.nan, 0.0]), np.array([1.0, 0.0]))]) is naive
    raises = diagnosis.Diagnosis("f.raises", "raises", "m", lambda a: a @ np.ones((3, 1)))
    a = np.ones((2, 2))
    got = diagnosis.outcome(lambda a: a @ np.ones((3, 1)), (a,))
    assert isinstance(got, diagnosis.Raised)
    assert diagnosis.confirm([raises], [((a,), got, a @ np.ones((2, 1)))]) is raises
    assert diagnosis.confirm([raises], [((a,), diagnosis.Raised("ValueError", "other"), a)]) is None
