"""A number is a correct answer where a 0-d array is expected, and nowhere else.

NumPy's reductions return NumPy scalars (`g.sum()`), and every grading path turns a returned NumPy
scalar into a Python number (nnkit_contract.values.normalize). So `unbroadcast(grad, ())` written
with a loop of sums answers np.float64, which the released check cell accepts
(`np.shape(out) == ()`). The rule lives in one place, `autograde_tests.compare.as_0d`, which
`expect_array` applies on every path. Each honest answer here sits next to its hostile twin: a
number where an array of shape (n,) or (1,) is expected, and a bool, a string, None or an int
beyond every float where shape () is expected, all still fail, in this process, in the sandbox and
in check.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import corpus as sol
import nbformat
import numpy as np
import pytest
from inprocess import InProcessStudent

from autograde_tests import engine
from autograde_tests.compare import Fail, expect_array
from grader.grading.grade import SandboxStudent
from grader.paths import Course
from grader.release import student_check
from grader.release.check_script import released_checks
from grader.release.classgen import make_submission, reference_answers
from grader.sandbox import SubmissionSession
from nnkit_contract.cells import Role
from nnkit_contract.values import normalize

A = "computation_graphs"
SEED = 5
HONEST = (sol.variants_dir(A) / "unbroadcast_loops.py").read_text()
#: The hostile twin: the sum of everything, as a number, whatever the target shape.
SCALAR_EVERYWHERE = '''
def unbroadcast(grad, shape):
    return float(np.sum(grad))
'''
#: A string where shape () is expected (the honest answer elsewhere).
_HONEST_BODY = HONEST.replace("def unbroadcast(", "def _honest_unbroadcast(")
STRING_FOR_SCALAR = _HONEST_BODY + '''

def unbroadcast(grad, shape):
    if tuple(shape) == ():
        return str(float(np.sum(grad)))
    return _honest_unbroadcast(grad, shape)
'''


# ------------------------------------------------------------------ the rule itself
@pytest.mark.parametrize("got", [np.float64(21.0), 21.0, 21, np.array(21.0), np.float32(21.0)],
                         ids=["numpy-float64", "float", "int", "0d-array", "numpy-float32"])
def test_a_number_is_a_correct_0d_answer(got):
    checked = expect_array(normalize(got), np.array(21.0), "g")
    assert isinstance(checked, np.ndarray) and checked.shape == ()


def test_a_wrong_number_for_a_0d_answer_says_what_differs():
    """One value has no position: the message gives both numbers, with no "at []", no "1 of 1
    entries" and no side-by-side (whose "your {name}" misreads with names like "the loss")."""
    with pytest.raises(Fail) as wrong:
        expect_array(normalize(np.float64(20.0)), np.array(21.0), "g")
    assert wrong.value.message.startswith("g is 20, expected 21 (relative error"), wrong.value.message
    assert "[]" not in wrong.value.message and "entries" not in wrong.value.message
    with pytest.raises(Fail) as nan:
        expect_array(np.array(np.nan), np.array(21.0), "the loss")
    assert nan.value.message == "the loss is nan, expected the finite value 21", nan.value.message


@pytest.mark.parametrize("expected", [np.array([21.0]), np.array([[21.0]]), np.array([21.0, 0.0])],
                         ids=["(1,)", "(1, 1)", "(2,)"])
def test_a_number_where_an_array_with_axes_is_expected_fails(expected):
    with pytest.raises(Fail, match="must be a NumPy array"):
        expect_array(normalize(np.float64(21.0)), expected, "g")


@pytest.mark.parametrize("got", [True, np.bool_(True), "21.0", None, 10**400, [21.0], 21 + 0j],
                         ids=["bool", "numpy-bool", "str", "None", "huge-int", "list", "complex"])
def test_what_is_not_a_real_number_fails_even_for_shape_0d(got):
    with pytest.raises(Fail, match="must be a NumPy array"):
        expect_array(normalize(got), np.array(1.0), "g")


# ------------------------------------------------------------------ through the checks
def _in_process(code: str) -> dict:
    sources = [*sol.reference_sources(A), code]

    def fresh():
        return sol.namespace(sources, A)

    results = engine.run_checks(InProcessStudent(fresh(), fresh), SEED, sol.ref(A),
                                only=["unbroadcast"])
    return {r.id: (r.status, r.message) for r in results}


def _in_the_sandbox(code: str) -> dict:
    cells = [source for role, source in sol.cells(A)
             if not (role is Role.SETUP and "toy2d" in source)]
    session = SubmissionSession([*cells, code], setup_cells=["import numpy as np"])
    try:
        results = engine.run_checks(SandboxStudent(session), SEED, sol.ref(A), only=["unbroadcast"])
    finally:
        session.close()
    return {r.id: (r.status, r.message) for r in results}


@pytest.mark.parametrize("grade", [_in_process, _in_the_sandbox], ids=["in-process", "sandbox"])
def test_numpy_scalar_for_shape_0d_passes_and_its_hostile_twins_fail(grade):
    honest = grade(HONEST)["unbroadcast.values"]
    assert honest[0] == "passed", honest
    everywhere = grade(SCALAR_EVERYWHERE)["unbroadcast.values"]
    assert everywhere[0] == "failed" and "must be a NumPy array" in everywhere[1], everywhere
    string = grade(STRING_FOR_SCALAR)["unbroadcast.values"]
    assert string[0] == "failed" and "got str" in string[1], string


def test_check_py_agrees(tmp_path):
    """The released check cell passes the honest variant and flags both hostile twins."""
    course = Course(Path(__file__).resolve().parent.parent)
    source = course.solution_notebook(A)
    released = released_checks(source)
    for k, (code, ok) in enumerate([(HONEST, True), (SCALAR_EVERYWHERE, False),
                                    (STRING_FOR_SCALAR, False)]):
        folder = tmp_path / str(k)
        shutil.copytree(course.assignments / A, folder, ignore=shutil.ignore_patterns("__pycache__"))
        notebook = make_submission(folder / source.name, reference_answers(source),
                                   {"cell:append": code})
        nbformat.write(notebook, folder / source.name)
        report = student_check.run_checks(folder / source.name, released=released)
        status = {r.exercise: r.status for r in report.results}
        assert (status["unbroadcast"] == "passed") is ok, (k, status["unbroadcast"])
