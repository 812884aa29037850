"""The mutant corpus: typical student mistakes must cost exactly the declared points.

Every file in tests/mutants/ redefines one or more notebook functions the way a student might get
them wrong, and declares in `EXPECT` which checks fail ("lost": check id -> points) and which
words their diagnosis contains ("diagnoses": check id -> substring). The mutant is executed over
a fresh copy of the reference solution (so that the other reference functions, `train` included,
really call the mutant), graded on several run seeds, and must lose exactly the declared points
on exactly the declared checks, with every other check passing.
"""

from __future__ import annotations

import functools
import importlib
from types import SimpleNamespace

import corpus as sol
import pytest
from corpus import ASSIGNMENTS
from inprocess import InProcessStudent

from autograde_tests import engine

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
    """The cases, with every run seed but an assignment's first marked slow: the TAs' fast lane
    (`make test-fast`) grades each mutant once, `make test` on every seed."""
    return [c if c[-1] == RUN_SEEDS.get(c[0], DEFAULT_RUN_SEEDS)[0] else
            pytest.param(*c, marks=pytest.mark.slow) for c in cases]


@functools.cache
def grade(assignment: str, name: str, run_seed: int) -> tuple[engine.TestResult, ...]:
    namespace, _ = sol.load_mutant(assignment, name)
    student = InProcessStudent(namespace, fresh=lambda: sol.load_mutant(assignment, name)[0])
    return tuple(engine.run_checks(student, run_seed, sol.ref(assignment)))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_corpus_is_large_enough(assignment):
    assert len(sol.mutants(assignment)) >= MIN_CORPUS_SIZE, sol.mutants(assignment)


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_expectation_is_well_formed(assignment, name):
    _, expect = sol.load_mutant(assignment, name)
    checks = {c.id: c for c in engine.all_checks(assignment)}
    assert {"lost", "diagnoses"} <= set(expect) <= {"lost", "diagnoses", "maybe"}
    lost, diagnoses = expect["lost"], expect["diagnoses"]
    assert lost, "a mutant must lose points somewhere"
    unknown = sorted((set(lost) | set(expect.get("maybe", {}))) - set(checks))
    assert not unknown, f"unknown check ids {unknown}"
    for check_id, points in {**lost, **expect.get("maybe", {})}.items():
        assert points == checks[check_id].points, f"{check_id} is worth {checks[check_id].points}"
    assert set(diagnoses) <= set(lost), "a diagnosis is declared for a check that passes"
    assert diagnoses, "every mutant should be diagnosed on at least one check"


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
    assert total == engine.total_points(assignment) - sum(lost.values())
    by_id = {r.id: r for r in results}
    for check_id, words in expect["diagnoses"].items():
        diagnosis = by_id[check_id].diagnosis or ""
        assert words in diagnosis, f"{check_id}: diagnosis {diagnosis!r} lacks {words!r}"


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
