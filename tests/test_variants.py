"""The honest-variant corpus: correct work written another way must never be told it is wrong.

Every file in tests/variants/<a>/ redefines notebook functions as other students write them
correctly (.dot, einsum, np.where masks, np.vectorize, logaddexp, argsort, copies updated in place,
another supported init scheme, a test-mode dropout that returns A itself, a formula whose discarded
branch overflows, a loss computed and not returned ...). Each must score full marks with no
diagnosis on any check, and pass every check of the students' check.py: 0 false alarms. Its
`EXPECT = {"notes": {check id: words}}` names the checks whose feedback must carry a note with
those words (a NumPy warning from a line whose result is not returned), and check.py must report
the same warning for that function.
"""

from __future__ import annotations

import functools

import corpus as sol
import grades_snapshot
import pytest
from corpus import ASSIGNMENTS
from inprocess import InProcessStudent

from autograde_tests import engine
from grader.release.check_script import released_checks

#: Run seeds each variant is graded with; the first runs in the TAs' fast lane and in `make
#: test`, the others in `make test-full` (marked full).
RUN_SEEDS = (0, 1, 2)
CASES = [(a, name) for a in ASSIGNMENTS for name in sol.variants(a)]
GRADED = [(a, name, seed) if seed == RUN_SEEDS[0] else
          pytest.param(a, name, seed, marks=[pytest.mark.slow, pytest.mark.full])
          for a, name in CASES for seed in RUN_SEEDS]


def affected(assignment: str, functions: list[str]) -> list[str]:
    """The graded functions whose checks can see these functions: themselves and every graded
    function whose reference code reaches them (the checks of the others run only reference
    code, so they score full marks for every variant)."""
    calls = released_checks(sol.notebook_path(assignment))["calls"]
    return [f for f in engine.functions(assignment)
            if f in functions or set(calls.get(f, ())) & set(functions)]


@functools.cache
def grade(assignment: str, name: str, run_seed: int) -> tuple[engine.TestResult, ...]:
    """The checks of the functions the variant can reach; the end-to-end training checks on the
    first run seed only (the others draw new inputs for the unit checks)."""
    namespace, _ = sol.load_variant(assignment, name)
    student = InProcessStudent(namespace, fresh=lambda: sol.load_variant(assignment, name)[0])
    only = affected(assignment, sol.redefined(sol.variant_source(assignment, name)))
    checks = [c for c in engine.all_checks(assignment) if c.function in only
              and (run_seed == RUN_SEEDS[0] or c.id not in sol.END_TO_END)]
    return tuple(engine.run_check(c, student, run_seed, sol.ref(assignment)) for c in checks)


def test_corpus_covers_both_assignments():
    for assignment in ASSIGNMENTS:
        assert len(sol.variants(assignment)) >= 15, assignment


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_variant_expectation_is_well_formed(assignment, name):
    _, expect = sol.load_variant(assignment, name)
    assert set(expect) == {"notes"}
    checks = {c.id for c in engine.all_checks(assignment)}
    assert set(expect["notes"]) <= checks
    functions = sol.redefined(sol.variant_source(assignment, name))
    assert functions and set(functions) <= set(engine.functions(assignment)), functions


@pytest.mark.parametrize(("assignment", "name", "run_seed"), GRADED)
def test_variant_scores_full_marks_without_a_diagnosis(assignment, name, run_seed):
    _, expect = sol.load_variant(assignment, name)
    results = grade(assignment, name, run_seed)
    assert results
    wrong = [(r.id, r.status, r.diagnosis_id, r.message) for r in results
             if r.status != "passed" or r.diagnosis_id]
    assert not wrong, wrong
    by_id = {r.id: r for r in results}
    for check_id, words in expect["notes"].items():
        # Matched by the note's message id and the event NumPy named (its own words), not by
        # the kit's English.
        notes = (by_id[check_id].text or {}).get("notes", [])
        assert any(isinstance(n, dict) and n["id"] == "stable.note-fp-event"
                   and words in n["values"]["event"] for n in notes), (check_id, notes)


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_variant_passes_every_local_check(assignment, name, tmp_path):
    _, expect = sol.load_variant(assignment, name)
    report = sol.run_local_checks(assignment, sol.code_of(sol.variant_source(assignment, name)),
                                  tmp_path)
    assert not report.notes and not report.changed, (report.notes, report.changed)
    failed = [(r.exercise, r.status, r.hint) for r in report.results if r.status != "passed"]
    assert not failed, failed
    checks = {c.id: c for c in engine.all_checks(assignment)}
    for check_id in expect["notes"]:
        function = checks[check_id].function
        notes = [n for r in report.results if function in r.exercise.split(", ") for n in r.notes]
        assert any(expect["notes"][check_id] in n for n in notes), (check_id, notes)


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_grades_equal_the_recorded_ones(assignment, name):
    """As tests/test_mutants.py's twin: the recorded grades of the base commit, unchanged."""
    now = grades_snapshot.check_rows(grade(assignment, name, RUN_SEEDS[0]))
    want = grades_snapshot.recorded()["variants"][f"{assignment}/{name}"]
    diffs = grades_snapshot.differences(want, now, f"{assignment}/{name}")
    assert not diffs, "\n".join(diffs)
