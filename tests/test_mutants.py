"""The mutant corpus: typical student mistakes must cost exactly the declared points, with exactly
the declared diagnoses.

Every file in tests/mutants/ redefines one or more notebook functions the way a student might get
them wrong, and declares in `EXPECT`

    "lost":      check id -> points, the checks it fails on every run seed;
    "maybe":     check id -> points, checks it fails on some run seeds only (training draws);
    "diagnoses": check id -> the diagnosis id (autograde_tests.diagnosis) grading shows on it;
                 a failed check without an entry must show none (a missing, extra or different
                 diagnosis fails);
    "local":     the diagnosis id the students' check cell shows for it (None: the cell fails
                 and says what differs, naming no cause); one id, or function -> id when the
                 mutant redefines several functions (tests/test_student_check.py).

The mutant is executed over a fresh copy of the reference solution (so that the other reference
functions, `train` included, really call the mutant), graded on several run seeds, and must lose
exactly the declared points on exactly the declared checks, with every other check passing.
"""

from __future__ import annotations

import functools
import importlib
from types import SimpleNamespace

import corpus as sol
import grades_snapshot
import pytest
from corpus import ASSIGNMENTS
from inprocess import InProcessStudent

from autograde_tests import diagnosis, engine

#: Run seeds each corpus is graded with (default: DEFAULT_RUN_SEEDS). nn_from_scratch's
#: `train.accuracy` trains on two datasets chosen by the run seed; a mistake that slows learning
#: down without breaking it (bias gradient averaged, loss gradient N times too large, ReLU
#: backward with the output) still passes on the easy datasets and fails on spirals only. So
#: every seed there draws spirals (next to a different partner).
RUN_SEEDS = {"nn_from_scratch": (4, 10, 19)}
DEFAULT_RUN_SEEDS = (0, 1, 2)
MIN_CORPUS_SIZE = 12

CASES = [(a, name) for a in ASSIGNMENTS for name in sol.mutants(a)]
GRADED = [(a, name, seed) for a, name in CASES for seed in RUN_SEEDS.get(a, DEFAULT_RUN_SEEDS)]


def _first_seed_fast(cases: list[tuple]) -> list:
    """The cases, with every run seed but an assignment's first marked slow and full: `make
    test-fast` and `make test` grade each mutant once (every check, its exact points and
    diagnoses), `make test-full` on every seed (the declared losses hold whatever the draws)."""
    return [c if c[-1] == RUN_SEEDS.get(c[0], DEFAULT_RUN_SEEDS)[0] else
            pytest.param(*c, marks=[pytest.mark.slow, pytest.mark.full]) for c in cases]


@functools.cache
def grade(assignment: str, name: str, run_seed: int) -> tuple[engine.TestResult, ...]:
    """Every check on the first run seed; on the others, the end-to-end training checks only for
    a mutant that declares them (lost or maybe): the extra seeds draw new inputs for the unit
    checks and their diagnoses, and new training cases where training is what the mutant breaks
    (each training run costs about a second, the suite's budget is minutes)."""
    namespace, expect = sol.load_mutant(assignment, name)
    student = InProcessStudent(namespace, fresh=lambda: sol.load_mutant(assignment, name)[0])
    first = run_seed == RUN_SEEDS.get(assignment, DEFAULT_RUN_SEEDS)[0]
    declared = set(expect["lost"]) | set(expect.get("maybe", {}))
    checks = [c for c in engine.all_checks(assignment)
              if first or c.id not in sol.END_TO_END or c.id in declared]
    return tuple(engine.run_check(c, student, run_seed, sol.ref(assignment)) for c in checks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_corpus_is_large_enough(assignment):
    assert len(sol.mutants(assignment)) >= MIN_CORPUS_SIZE, sol.mutants(assignment)


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_expectation_is_well_formed(assignment, name):
    _, expect = sol.load_mutant(assignment, name)
    checks = {c.id: c for c in engine.all_checks(assignment)}
    assert {"lost", "diagnoses", "local"} <= set(expect) <= {"lost", "diagnoses", "maybe", "local"}
    lost, diagnoses, maybe = expect["lost"], expect["diagnoses"], expect.get("maybe", {})
    assert lost, "a mutant must lose points somewhere"
    unknown = sorted((set(lost) | set(maybe)) - set(checks))
    assert not unknown, f"unknown check ids {unknown}"
    for check_id, points in {**lost, **maybe}.items():
        assert points == checks[check_id].points, f"{check_id} is worth {checks[check_id].points}"
    assert set(diagnoses) <= set(lost) | set(maybe), "a diagnosis is declared for a check that passes"
    declared = diagnosis.declared(assignment)
    ids = {i for v in diagnoses.values() for i in sol.diagnosis_ids(v)}
    assert ids <= set(declared), f"undeclared diagnoses {diagnoses}"
    assert all(isinstance(v, str) or k in maybe for k, v in diagnoses.items()), \
        "only a check lost on some run seeds may declare more than one diagnosis"
    local = expect["local"] if isinstance(expect["local"], dict) else {None: expect["local"]}
    for function, shown in local.items():
        assert shown is None or (shown in declared and declared[shown].local), (function, shown)


def accuracy_datasets(run_seed: int) -> list[str]:
    """The datasets nn_from_scratch's `train.accuracy` trains on in a run with this seed."""
    engine.all_checks("nn_from_scratch")  # registers every spec module, in order
    training = importlib.import_module("autograde_tests.nn_from_scratch.specs.p4_training")
    return training._datasets_for_run(SimpleNamespace(seed=engine.check_seed(run_seed, "train.accuracy")))


def test_run_seeds_draw_spirals():
    seen = []
    for run_seed in RUN_SEEDS["nn_from_scratch"]:
        datasets = accuracy_datasets(run_seed)
        assert "spirals" in datasets, (run_seed, datasets)
        seen.append(tuple(datasets))
    assert len(set(seen)) == len(seen), "the run seeds should pair spirals with different datasets"


@pytest.mark.parametrize(("assignment", "name", "run_seed"), _first_seed_fast(GRADED))
def test_mutant_loses_exactly_the_declared_points(assignment, name, run_seed):
    _, expect = sol.load_mutant(assignment, name)
    results = grade(assignment, name, run_seed)
    lost = {r.id: r.max_points for r in results if r.status != "passed"}
    details = "\n".join(f"  {r.id} [{r.status}] {r.diagnosis!r}: {r.message.splitlines()[0]}"
                        for r in results if r.status != "passed")
    maybe = expect.get("maybe", {})  # lost on some run seeds only (the training draws decide)
    certain = {k: v for k, v in lost.items() if k not in maybe}
    assert certain == expect["lost"], f"failed checks differ from EXPECT:\n{details}"
    assert all(lost.get(k, v) == v for k, v in maybe.items())
    for r in results:
        assert r.points == (0 if r.id in lost else r.max_points)
    total = sum(r.points for r in results)
    assert total == sum(r.max_points for r in results) - sum(lost.values())
    for r in results:
        if r.status == "passed":
            assert r.diagnosis_id is None, (r.id, r.diagnosis_id)
        else:   # a missing, extra or different diagnosis fails
            want = expect["diagnoses"].get(r.id)
            assert r.diagnosis_id in sol.diagnosis_ids(want), \
                f"{r.id}: shows {r.diagnosis_id!r}, declared {want!r}\n{details}"


@pytest.mark.parametrize(("assignment", "run_seed"), _first_seed_fast(
    [(a, seed) for a in ASSIGNMENTS for seed in RUN_SEEDS.get(a, DEFAULT_RUN_SEEDS)]))
def test_feedback_never_shows_reference_source(assignment, run_seed):
    lines = sol.solution_lines(assignment)
    assert len(lines) > 40, "solution regions not found"
    shown = [(name, seed, r) for a, name, seed in GRADED if a == assignment and seed == run_seed
             for r in grade(a, name, seed) if r.status != "passed"]
    assert shown, "the corpus produced no feedback to inspect"
    leaks = [(name, seed, r.id, line) for name, seed, r in shown for line in lines
             if line in r.message or line in (r.diagnosis or "")]
    assert not leaks, leaks


def test_end_to_end_checks_exist():
    """The corpus tests' END_TO_END ids name real checks of every assignment that grades a
    `train` function (computation_graphs grades none: it has no training check)."""
    training = [a for a in ASSIGNMENTS if "train" in engine.functions(a)]
    assert training
    for assignment in training:
        ids = {c.id for c in engine.all_checks(assignment)}
        assert set(sol.END_TO_END) <= ids, assignment


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_grades_equal_the_recorded_ones(assignment, name):
    """Every check's status, points, diagnosis and message equal what the code before the issue-22
    restructuring gave (tests/grades_snapshot.py)."""
    first = RUN_SEEDS.get(assignment, DEFAULT_RUN_SEEDS)[0]
    now = grades_snapshot.check_rows(grade(assignment, name, first))
    want = grades_snapshot.recorded()["mutants"][f"{assignment}/{name}"]
    diffs = grades_snapshot.differences(want, now, f"{assignment}/{name}")
    assert not diffs, "\n".join(diffs)
