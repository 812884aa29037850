"""The example classes' expectations follow from what they are built of, not from retyping.

examples/<a>/expected.json lists, per student, the checks lost (the scores are derived from the
registry: tests/test_examples.py). Two kinds of student are made of something that already
declares what grading must say, and their expectations are checked against it here:

- a student whose description names a mutant (`tests/mutants/<a>/<name>.py`) hands in that
  mutant's functions, function by function the same code, and loses exactly the checks the
  mutant's EXPECT declares lost (status "failed");
- a student with `# %% stub <cell>` sections loses every check of each stubbed function as
  "not_implemented".
"""

from __future__ import annotations

import ast
import re

import corpus as sol
import pytest

from autograde_tests import engine
from grader.paths import Course
from grader.release import example_class

COURSE = Course(sol.TESTS.parent)
CLASSES = example_class.classes(COURSE)
_MUTANT = re.compile(r"tests/mutants/(?P<a>[a-z_0-9]+)/(?P<name>[a-z_0-9]+)\.py")


def _functions(code: str) -> dict[str, str]:
    """Graded-looking function name -> its normalized source (ast.dump)."""
    return {n.name: ast.dump(n) for n in ast.parse(code).body
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}


def _students(assignment: str):
    want = example_class.load_expected(COURSE, assignment)["students"]
    for variant in example_class.load_variants(COURSE, assignment):
        yield variant, want[variant.student]


MUTANT_STUDENTS = [(a, v.student) for a in CLASSES for v, _ in _students(a)
                   if _MUTANT.search(v.description)]
STUB_STUDENTS = [(a, v.student) for a in CLASSES for v, _ in _students(a)
                 if any(k.startswith("stub:") for k in v.changes)]


def _find(assignment: str, student: str):
    return next((v, w) for v, w in _students(assignment) if v.student == student)


def test_the_computation_graphs_class_is_made_of_mutants():
    assert sum(a == "computation_graphs" for a, _ in MUTANT_STUDENTS) >= 6, MUTANT_STUDENTS


@pytest.mark.parametrize(("assignment", "student"), MUTANT_STUDENTS)
def test_a_mutant_student_loses_what_the_mutant_declares(assignment, student):
    variant, want = _find(assignment, student)
    match = _MUTANT.search(variant.description)
    assert match["a"] == assignment, f"{student} names a mutant of another assignment"
    mutant = match["name"]
    source = sol.mutant_source(assignment, mutant)
    handed_in = {}
    for code in variant.changes.values():
        handed_in.update(_functions(code))
    assert handed_in == _functions(sol.code_of(source)), \
        f"{student}'s functions are not those of tests/mutants/{assignment}/{mutant}.py"
    _, expect = sol.load_mutant(assignment, mutant)
    assert not expect.get("maybe"), "a mutant that loses checks on some run seeds only"
    assert example_class.expected_lost(want, []) == {c: "failed" for c in expect["lost"]}


@pytest.mark.parametrize(("assignment", "student"), STUB_STUDENTS)
def test_a_stubbed_function_loses_every_check_as_not_implemented(assignment, student):
    variant, want = _find(assignment, student)
    ids = [c.id for c in engine.all_checks(assignment)]
    lost = example_class.expected_lost(want, ids)
    stubbed = {k.removeprefix("stub:solution-") for k in variant.changes if k.startswith("stub:")}
    for c in engine.all_checks(assignment):
        if c.function in stubbed:
            assert lost.get(c.id) == "not_implemented", (student, c.id, lost.get(c.id))
