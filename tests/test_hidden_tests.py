"""Acceptance of the hidden tests (autograde_tests) of every assignment: the reference and an
independent solution get full marks, the released stubs get zero, the points agree with the
notebook's grade cells, grading is deterministic per run seed, the stored thresholds are
reproducible, and a grade cell run in a kernel refuses to grade."""

from __future__ import annotations

import ast
import copy
import json
import textwrap
from dataclasses import dataclass, field

import corpus as sol
import numpy as np
import pytest
from corpus import ASSIGNMENTS
from inprocess import InProcessStudent

from autograde_tests import calibration, engine, reference
from nnkit_contract import graphs
from nnkit_contract.cells import Role, cell_role, function_of, grade_id

#: The reference must get full marks on every one of these run seeds (about 1 s each per
#: assignment; the calibration trains it on 20 more seeds per case).
REFERENCE_RUN_SEEDS = range(20)
#: The first seeds run in the TAs' fast lane (`make test-fast`) and in `make test`; the others
#: are marked slow and full (`make test-full`): the stored thresholds keep a margin below the
#: reference's worst accuracy over the calibration's seeds (test_calibration_reproduces_...).
FAST_REFERENCE_SEEDS = 5
INDEPENDENT_RUN_SEEDS = (0, 1, 2, 3, 4)


def test_every_assignment_has_hidden_tests():
    from grader.paths import course

    assert ASSIGNMENTS == course().assignment_names()


# ---------------------------------------------------------------------------------------------
# Scores of the reference, the stubs and an independent solution
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=ASSIGNMENTS)
def assignment(request):
    return request.param


@pytest.fixture(scope="module")
def reference_student(assignment):
    return InProcessStudent(sol.reference_namespace(assignment))


def _ids(assignment: str) -> list[str]:
    return [c.id for c in engine.all_checks(assignment)]


@pytest.mark.parametrize("run_seed", [s if s < FAST_REFERENCE_SEEDS else
                                      pytest.param(s, marks=[pytest.mark.slow, pytest.mark.full])
                                      for s in REFERENCE_RUN_SEEDS])
def test_reference_scores_full_marks(assignment, reference_student, run_seed):
    results = engine.run_checks(reference_student, run_seed, sol.ref(assignment))
    assert [r.id for r in results] == _ids(assignment)
    assert sol.score(results) == engine.total_points(assignment), sol.failures(results)


def test_stubs_score_zero_as_not_implemented(assignment):
    namespace = sol.stub_namespace(assignment)
    for name in engine.functions(assignment):
        function = namespace[name]
        with pytest.raises(NotImplementedError):
            function(*[None] * function.__code__.co_argcount)
    results = engine.run_checks(InProcessStudent(namespace), 0, sol.ref(assignment))
    assert [r.id for r in results] == _ids(assignment)
    assert sol.score(results) == 0
    for r in results:
        assert r.status == "not_implemented", (r.id, r.status, r.message)
        assert r.text == {"id": "engine.not-implemented", "values": {"function": r.function}}, \
            (r.id, r.text)
        assert r.function in r.message


@pytest.mark.parametrize("run_seed", INDEPENDENT_RUN_SEEDS)
def test_independent_solution_scores_full_marks(assignment, run_seed):
    student = InProcessStudent(sol.independent_namespace(assignment))
    results = engine.run_checks(student, run_seed, sol.ref(assignment))
    assert sol.score(results) == engine.total_points(assignment), sol.failures(results)


def _code_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_independent_solution_is_written_independently(assignment):
    """No function of it is the reference's solution region over again (lines such as
    `if mean is None:` are dictated by the API, so single lines may well coincide)."""
    tree = ast.parse(sol.independent_path(assignment).read_text(encoding="utf-8"))
    ours = {node.name: _code_lines(ast.unparse(ast.get_docstring(node) and node.body[1:] or node.body))
            for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = sorted(set(engine.functions(assignment)) - set(ours))
    assert not missing, (f"{sol.independent_path(assignment).relative_to(sol.TESTS.parent)} has no "
                         f"{', '.join(missing)}: write each graded function there again, "
                         "independently of the reference (docs/adding-an-exercise.md)")
    for source in sol.solution_sources(assignment):
        if "### BEGIN SOLUTION" not in source:
            continue
        name = source.split("def ", 1)[1].split("(", 1)[0]
        region = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        theirs = _code_lines(ast.unparse(ast.parse(textwrap.dedent(region))))
        assert ours.get(name) != theirs, f"{name} is the reference's code"


# ---------------------------------------------------------------------------------------------
# Points and check ids
# ---------------------------------------------------------------------------------------------

def test_points_per_function_match_the_grade_cells(assignment):
    grade_cells = {}
    for cell in sol.notebook(assignment).cells:
        if cell_role(cell) is Role.TEST:
            grade_cells[function_of(grade_id(cell))] = cell.metadata["nbgrader"]["points"]
    points = engine.points_by_function(assignment)
    assert points == grade_cells
    assert list(points) == engine.functions(assignment)
    assert engine.total_points(assignment) == sum(points.values()) > 0


def test_a_duplicate_check_id_is_refused_when_registered(assignment):
    """Ids are what results, feedback, expectations and mutants refer to: a spec module that
    registers an id twice fails at import, naming it."""
    taken = engine.all_checks(assignment)[0]

    def run(ctx):
        raise AssertionError("never run")

    run.__module__ = f"autograde_tests.{assignment}.specs.duplicate"
    with pytest.raises(ValueError, match=f"duplicate check id {taken.id}"):
        engine.check(taken.id, function=taken.function, points=1, description="again")(run)
    assert engine.all_checks(assignment)[0] is taken


def test_check_ids_name_their_function(assignment):
    """Ids read `<function>.<name>`, worth points, with a description."""
    for c in engine.all_checks(assignment):
        assert c.id.startswith(f"{c.function}.") and " " not in c.id, c.id
        assert c.points > 0 and c.description


def test_unknown_assignment_is_one_clear_error():
    with pytest.raises(engine.UnknownAssignment, match="no hidden tests for 'nope'"):
        engine.all_checks("nope")


# ---------------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------------

def _buggy_sources(assignment: str) -> list[str]:
    """The reference with three mutants of different functions over it that fail a `.values`
    check (the run seed decides what the failing comparisons see)."""
    chosen, functions = [], set()
    checks = {c.id: c.function for c in engine.all_checks(assignment)}
    for name in sol.mutants(assignment):
        _, expect = sol.load_mutant(assignment, name)
        hit = {checks[cid] for cid in expect["lost"]}
        if ("maybe" in expect or hit & functions or set(engine.time_limits(assignment)) & hit
                or not any(cid.endswith(".values") for cid in expect["lost"])):
            continue
        chosen.append(sol.mutant_source(assignment, name))
        functions |= hit
        if len(chosen) == 3:
            break
    assert len(chosen) == 3, "the mutant corpus should break three different functions"
    return [*sol.reference_sources(assignment), *chosen]


def _buggy_student(assignment: str) -> InProcessStudent:
    ns = sol.namespace(_buggy_sources(assignment), assignment)
    ns.pop("EXPECT", None)
    return InProcessStudent(ns)


def _summary(results) -> list[tuple]:
    return [(r.id, r.status, r.points, r.message, r.diagnosis) for r in results]


def test_same_run_seed_same_results(assignment):
    ref = sol.ref(assignment)
    first = engine.run_checks(_buggy_student(assignment), 123, ref)
    second = engine.run_checks(_buggy_student(assignment), 123, ref)
    assert _summary(first) == _summary(second)
    assert any(r.status == "failed" for r in first)


def test_results_do_not_depend_on_which_checks_run(assignment):
    ref = sol.ref(assignment)
    everything = {r.id: r for r in engine.run_checks(_buggy_student(assignment), 7, ref)}
    failed = list(dict.fromkeys(r.function for r in everything.values() if r.status == "failed"))
    alone = engine.run_checks(_buggy_student(assignment), 7, ref, only=failed[:2])
    assert alone
    assert _summary(alone) == _summary(everything[r.id] for r in alone)


@dataclass
class RecordingStudent:
    """Passes every call through and keeps a copy of its function name and arguments; a graph
    call (graphs.ENTRY: description, arrays, mode) is kept under the student's function its mode
    runs (graphs.RUNS), with the description and the arrays as its arguments."""

    inner: InProcessStudent
    calls: list = field(default_factory=list)

    def new_check(self) -> None:
        self.inner.new_check()

    def call(self, fn, args, **kwargs):
        if fn == graphs.ENTRY:
            mode = args[2] if len(args) > 2 else "values"
            self.calls.append((graphs.RUNS.get(mode, fn), copy.deepcopy(tuple(args[:2]))))
        else:
            self.calls.append((fn, copy.deepcopy(args)))
        return self.inner.call(fn, args, **kwargs)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and bool(np.array_equal(a, b))
    if isinstance(a, list | tuple):
        return isinstance(b, list | tuple) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _fast_functions(assignment: str) -> list[str]:
    """The graded functions without a time limit of their own (the slow training ones have)."""
    return [f for f in engine.functions(assignment) if f not in engine.time_limits(assignment)]


def _recorded_inputs(assignment: str, run_seed: int) -> dict[str, list]:
    student = RecordingStudent(InProcessStudent(sol.reference_namespace(assignment)))
    engine.run_checks(student, run_seed, sol.ref(assignment), only=_fast_functions(assignment))
    per_function: dict[str, list] = {}
    for fn, args in student.calls:
        per_function.setdefault(fn, []).append(args)
    return per_function


def test_run_seed_decides_the_inputs(assignment):
    a = _recorded_inputs(assignment, 11)
    again, b = _recorded_inputs(assignment, 11), _recorded_inputs(assignment, 12)
    assert set(a) == set(_fast_functions(assignment))
    for fn in a:
        assert len(a[fn]) == len(again[fn]) and all(map(_same, a[fn], again[fn])), fn
        assert not _same(a[fn], b[fn]), f"{fn} sees the same inputs under two run seeds"


# ---------------------------------------------------------------------------------------------
# Calibrated thresholds
# ---------------------------------------------------------------------------------------------

CALIBRATED = [a for a in ASSIGNMENTS if calibration.thresholds_file(a).is_file()]


def _hardest_case(name: str) -> str:
    """The case whose reference accuracy is lowest: its threshold is the tightest."""
    cases = calibration.stored(name)["cases"]
    return min(cases, key=lambda case: (cases[case]["min"], case))


@pytest.mark.slow
@pytest.mark.parametrize("name", CALIBRATED)
def test_calibration_reproduces_the_hardest_case(name):
    """`make test` trains the reference on every calibration seed of each assignment's hardest
    case (a change of the reference's training, the hyperparameters or the calibration changes
    every case); `make test-full` reproduces every case and the file's header."""
    case = _hardest_case(name)
    fresh = calibration._case_row(name, reference.checkout_notebook(name), case)
    stored = calibration.stored(name)
    assert json.loads(json.dumps(fresh)) == stored["cases"][case], (
        f"{calibration.thresholds_file(name).name} of {name} is out of date ({case}): run "
        f"`python -m autograde_tests.calibration --assignment {name} --write`")
    assert (stored["seeds"], stored["margin"], stored["draw_base"]) == \
        (calibration.SEEDS, calibration.MARGIN, calibration.DRAW_BASE)


@pytest.mark.slow
@pytest.mark.full
@pytest.mark.parametrize("name", CALIBRATED)
def test_calibration_reproduces_the_stored_thresholds(name):
    fresh = calibration.calibrate(name)
    stored = calibration.stored(name)
    assert json.loads(json.dumps(fresh)) == stored, (
        f"{calibration.thresholds_file(name).name} of {name} is out of date: run "
        f"`python -m autograde_tests.calibration --assignment {name} --write`")


# ---------------------------------------------------------------------------------------------
# Grade cells never grade in a kernel
# ---------------------------------------------------------------------------------------------

def test_a_grade_cell_run_in_a_kernel_refuses_to_grade(assignment):
    """The hidden part of every grade cell only raises: a course that runs the notebook in a
    kernel (plain nbgrader without `grader nbgrader setup`) gets a loud error in every grade cell,
    never a silent score, and no hidden test ever runs beside student code."""
    cells = [c for c in sol.notebook(assignment).cells if cell_role(c) is Role.TEST]
    assert len(cells) == len(engine.functions(assignment))
    for cell in cells:
        assert "autograde_tests" not in cell.source and "import" not in cell.source
        with pytest.raises(RuntimeError, match="grader nbgrader setup"):
            exec(compile(cell.source, grade_id(cell), "exec"), {})


def test_the_notebook_states_the_grading_time_limits(assignment):
    """The time limits students read in the notebook are the ones grading applies."""
    from grader.grading.limits import grading_limits

    intro = sol.notebook(assignment).cells[0].source
    text = " ".join(intro.split())
    assert f"may use {grading_limits().call_cpu:g} s of CPU time" in text
    for function, seconds in engine.time_limits(assignment).items():
        assert f"`{function}` {seconds:g} s" in text
