"""Acceptance of the hidden tests (autograde_tests): the reference and an independent solution
get full marks, the released stubs get zero, the points agree with the notebook's grade cells,
grading is deterministic per run seed, the stored thresholds are reproducible, and a grade cell
run in a kernel refuses to grade."""

from __future__ import annotations

import ast
import copy
import functools
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np
import pytest
from inprocess import InProcessStudent

from autograde_tests import calibration, engine, reference
from autograde_tests.contract import RngSeed, Role, cell_role, function_of, grade_id
from grader.paths import course

ASSIGNMENT = "nn_from_scratch"
INDEPENDENT_SOLUTION = Path(__file__).with_name("independent_solution.py")
#: The reference must get full marks on every one of these run seeds (about 1 s each).
REFERENCE_RUN_SEEDS = range(50)
INDEPENDENT_RUN_SEEDS = (0, 1, 2, 3, 4)
#: Every check id in registry order. Ids are stable: results and feedback refer to them, so
#: renaming, adding or removing a check must be a conscious change of this list.
CHECK_IDS = [
    "standardize.fit",
    "standardize.apply",
    "sigmoid.values",
    "sigmoid.stable",
    "init_params.shapes",
    "init_params.rng",
    "linear_forward.values",
    "relu_forward.values",
    "forward.logits",
    "forward.cache",
    "softmax.values",
    "softmax.stable",
    "softmax_cross_entropy.values",
    "softmax_cross_entropy.stable",
    "predict.values",
    "accuracy.values",
    "linear_backward.dX",
    "linear_backward.dW",
    "linear_backward.db",
    "relu_backward.values",
    "relu_backward.at-zero",
    "softmax_cross_entropy_backward.values",
    "softmax_cross_entropy_backward.stable",
    "backward.single-layer",
    "backward.deep",
    "numerical_gradient.values",
    "numerical_gradient.restores",
    "sgd_step.values",
    "train.one-step",
    "train.loop",
    "train.accuracy",
    "train.loss-decreases",
]


# ---------------------------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------------------------

def _notebook():
    return nbformat.read(course().solution_notebook(ASSIGNMENT), as_version=4)


REF = reference.load(course().solution_notebook(ASSIGNMENT))


def _namespace(sources) -> dict:
    """A fresh notebook-like namespace with `sources` executed in order."""
    namespace: dict = {"np": np, "__name__": "submission"}
    for source in sources:
        exec(compile(source, "<submission>", "exec"), namespace)
    return namespace


@functools.cache
def _solution_sources() -> tuple[str, ...]:
    return tuple(reference.solution_sources(course().solution_notebook(ASSIGNMENT)))


def stub(source: str) -> str:
    """A solution cell as released: its solution region replaced by a NotImplementedError."""
    lines, inside, regions = [], False, 0
    for line in source.splitlines():
        marker = line.strip()
        if marker == "### BEGIN SOLUTION":
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            inside, regions = True, regions + 1
        elif marker == "### END SOLUTION":
            inside = False
        elif not inside:
            lines.append(line)
    assert regions >= 1 and not inside, f"no complete solution region in:\n{source[:200]}"
    return "\n".join(lines) + "\n"


def reference_namespace() -> dict:
    return _namespace(_solution_sources())


def stub_namespace() -> dict:
    return _namespace(stub(source) for source in _solution_sources())


def independent_namespace() -> dict:
    return _namespace([INDEPENDENT_SOLUTION.read_text(encoding="utf-8")])


def _score(results) -> float:
    return sum(r.points for r in results)


def _failures(results) -> str:
    return "\n".join(f"{r.id} [{r.status}] {r.diagnosis!r}: {r.message}"
                     for r in results if r.status != "passed")


# ---------------------------------------------------------------------------------------------
# Scores of the reference, the stubs and an independent solution
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def reference_student():
    return InProcessStudent(reference_namespace())


@pytest.mark.parametrize("run_seed", REFERENCE_RUN_SEEDS)
def test_reference_scores_full_marks(reference_student, run_seed):
    results = engine.run_checks(reference_student, run_seed, REF)
    assert [r.id for r in results] == CHECK_IDS
    assert _score(results) == engine.total_points(), _failures(results)


def test_stubs_score_zero_as_not_implemented():
    namespace = stub_namespace()
    for name in engine.functions():
        function = namespace[name]
        with pytest.raises(NotImplementedError):
            function(*[None] * function.__code__.co_argcount)
    results = engine.run_checks(InProcessStudent(namespace), 0, REF)
    assert [r.id for r in results] == CHECK_IDS
    assert _score(results) == 0
    for r in results:
        assert r.status == "not_implemented", (r.id, r.status, r.message)
        assert "not implemented" in r.message, (r.id, r.message)
        assert r.function in r.message


@pytest.mark.parametrize("run_seed", INDEPENDENT_RUN_SEEDS)
def test_independent_solution_scores_full_marks(run_seed):
    results = engine.run_checks(InProcessStudent(independent_namespace()), run_seed, REF)
    assert _score(results) == engine.total_points(), _failures(results)


def _code_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_independent_solution_is_written_independently():
    """No function of it is the reference's solution region over again (lines such as
    `if mean is None:` are dictated by the API, so single lines may well coincide)."""
    tree = ast.parse(INDEPENDENT_SOLUTION.read_text(encoding="utf-8"))
    ours = {node.name: _code_lines(ast.unparse(ast.get_docstring(node) and node.body[1:] or node.body))
            for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert set(engine.functions()) <= set(ours)
    for source in _solution_sources():
        name = source.split("def ", 1)[1].split("(", 1)[0]
        region = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        theirs = _code_lines(ast.unparse(ast.parse(textwrap.dedent(region))))
        assert ours[name] != theirs, f"{name} is the reference's code"


# ---------------------------------------------------------------------------------------------
# Points and check ids
# ---------------------------------------------------------------------------------------------

def test_points_per_function_match_the_grade_cells():
    grade_cells = {}
    for cell in _notebook().cells:
        if cell_role(cell) is Role.TEST:
            grade_cells[function_of(grade_id(cell))] = cell.metadata["nbgrader"]["points"]
    points = engine.points_by_function()
    assert points == grade_cells
    assert list(points) == engine.functions()
    assert engine.total_points() == sum(c.points for c in engine.all_checks()) == 100


def test_check_ids_are_unique_and_stable():
    ids = [c.id for c in engine.all_checks()]
    assert len(ids) == len(set(ids))
    assert ids == CHECK_IDS
    for c in engine.all_checks():
        assert c.id.startswith(f"{c.function}."), c.id
        assert c.points > 0 and c.description


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------

#: Overrides that fail several checks with value-dependent messages (excerpts of the inputs).
_BUGGY = '''
def linear_forward(X, W, b):
    return X @ W + 2 * b

def sgd_step(params, grads, lr):
    return [(W - 0.5 * lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]

def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    base = f(x)
    for i in np.ndindex(*x.shape):
        x[i] += h
        grad[i] = (f(x) - base) / h
    return grad
'''


def _buggy_student() -> InProcessStudent:
    return InProcessStudent(_namespace([*_solution_sources(), _BUGGY]))


def _summary(results) -> list[tuple]:
    return [(r.id, r.status, r.points, r.message, r.diagnosis) for r in results]


def test_same_run_seed_same_results():
    first = engine.run_checks(_buggy_student(), 123, REF)
    second = engine.run_checks(_buggy_student(), 123, REF)
    assert _summary(first) == _summary(second)
    failed = {r.id for r in first if r.status != "passed"}
    assert {"linear_forward.values", "sgd_step.values", "numerical_gradient.values",
            "numerical_gradient.restores"} <= failed
    other = engine.run_checks(_buggy_student(), 124, REF)
    assert _summary(other) != _summary(first), "the messages should show the run's own inputs"


def test_results_do_not_depend_on_which_checks_run():
    everything = {r.id: r for r in engine.run_checks(_buggy_student(), 7, REF)}
    alone = engine.run_checks(_buggy_student(), 7, REF, only=["linear_forward", "sgd_step"])
    assert alone
    assert _summary(alone) == _summary(everything[r.id] for r in alone)


@dataclass
class RecordingStudent:
    """Passes every call through and keeps a copy of its function name and arguments."""

    inner: InProcessStudent
    calls: list = field(default_factory=list)

    def new_check(self) -> None:
        self.inner.new_check()

    def call(self, fn, args, **kwargs):
        self.calls.append((fn, copy.deepcopy(args)))
        return self.inner.call(fn, args, **kwargs)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and bool(np.array_equal(a, b))
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(map(_same, a, b))
    return a == b


def _recorded_inputs(run_seed: int) -> dict[str, list]:
    student = RecordingStudent(InProcessStudent(reference_namespace()))
    fast = [f for f in engine.functions() if f != "train"]
    engine.run_checks(student, run_seed, REF, only=fast)
    per_function: dict[str, list] = {}
    for fn, args in student.calls:
        per_function.setdefault(fn, []).append(args)
    return per_function


def test_run_seed_decides_the_inputs():
    a, again, b = _recorded_inputs(11), _recorded_inputs(11), _recorded_inputs(12)
    assert set(a) == set(engine.functions()) - {"train"}
    for fn in a:
        assert len(a[fn]) == len(again[fn]) and all(map(_same, a[fn], again[fn])), fn
        assert not _same(a[fn], b[fn]), f"{fn} sees the same inputs under two run seeds"
    # standardize.fit fits on a different X (its first argument) under another run seed.
    X_a, X_b = a["standardize"][0][0], b["standardize"][0][0]
    assert isinstance(X_a, np.ndarray) and not _same(X_a, X_b)
    assert any(isinstance(arg, RngSeed) for args in a["init_params"] for arg in args)


# ---------------------------------------------------------------------------------------------
# Calibrated thresholds
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_calibration_reproduces_the_stored_thresholds():
    fresh = calibration.calibrate()
    stored = calibration.stored()
    assert json.loads(json.dumps(fresh)) == stored, (
        "thresholds.json is out of date: run `python -m autograde_tests.calibration --write`")


# ---------------------------------------------------------------------------------------------
# Grade cells never grade in a kernel
# ---------------------------------------------------------------------------------------------

def test_a_grade_cell_run_in_a_kernel_refuses_to_grade():
    """The hidden part of every grade cell only raises: a course that runs the notebook in a
    kernel (plain nbgrader without `grader nbgrader setup`) gets a loud error in every grade cell,
    never a silent score, and no hidden test ever runs beside student code."""
    cells = [c for c in _notebook().cells if cell_role(c) is Role.TEST]
    assert len(cells) == len(engine.functions())
    for cell in cells:
        assert "autograde_tests" not in cell.source and "import" not in cell.source
        with pytest.raises(RuntimeError, match="grader nbgrader setup"):
            exec(compile(cell.source, grade_id(cell), "exec"), {})


def test_the_notebook_states_the_grading_time_limits():
    """The time limits students read in the notebook are the ones grading applies."""
    from autograde_tests.specs.p4_training import TRAIN_TIMEOUT
    from grader.limits import grading_limits

    intro = _notebook().cells[0].source
    text = " ".join(intro.split())
    assert f"may use {grading_limits().call_cpu:g} s of CPU time" in text
    assert f"`train` {TRAIN_TIMEOUT:g} s" in text
