"""One NumPy for students and grader: the pin is declared once (pyproject.toml) and is the NumPy
installed here; releases pin it; check.py says when a student's differs; feedback names a NumPy
version difference as a possible cause of an error raised on a line that calls NumPy; results
record the versions of grading."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import numpy as np
import pytest

from grader.grading import numpy_version, results
from grader.paths import course
from grader.release import student_check
from grader.release.classgen import make_submission, reference_answers, write_submission

ROOT = Path(__file__).resolve().parent.parent
COURSE = course()
ASSIGNMENT = "nn_from_scratch"


def test_the_pin_is_declared_once_and_is_the_numpy_installed_here():
    declared = [d for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
                ["dependencies"] if d.startswith("numpy")]
    assert declared == [f"numpy=={numpy_version.course_minor()}.*"]
    assert numpy_version.minor_of(np.__version__) == numpy_version.course_minor(), \
        "the grading environment must have the NumPy the course pins: reinstall (make test does)"


@pytest.mark.parametrize("name", COURSE.assignment_names())
def test_every_release_pins_it_and_tells_check_py(name):
    release = COURSE.assignments / name
    wanted = f"numpy=={numpy_version.course_minor()}.*"
    assert wanted in (release / "requirements.txt").read_text().splitlines()
    assert f'"numpy": "{numpy_version.course_minor()}"' in (release / "check.py").read_text()


def test_check_py_says_in_one_line_when_the_students_numpy_differs(monkeypatch):
    released = {"numpy": numpy_version.course_minor()}
    assert student_check.numpy_note(released) == ""
    monkeypatch.setattr(np, "__version__", "2.3.1")
    line = student_check.numpy_note(released)
    assert "\n" not in line and "2.3.1" in line and numpy_version.course_minor() in line
    assert "requirements.txt" in line
    assert student_check.numpy_note({}) == ""          # a check.py without a pin says nothing
    report = student_check.Report([], [], [], True, line)
    assert report.numpy and student_check.report(report, 0.1).count(line) == 1


def _message(where: str, kind: str = "TypeError", text: str = "boom") -> dict:
    return {"status": "error", "message": f"{kind}: {text} ({where})", "diagnosis": None}


def test_the_note_needs_a_numpy_call_on_the_line_that_raised():
    code = {"7": "def f(x):\n    return np.reshape(x, newshape=(2, 2))\n",
            "8": "def g(x):\n    return len(5)\n"}
    assert "NumPy call" in numpy_version.numpy_call_note(_message("cell 7, line 2, in f"), code)
    assert numpy_version.numpy_call_note(_message("cell 8, line 2, in g"), code) is None
    assert numpy_version.numpy_call_note(_message("cell 7, line 2, in f", "ValueError"), code) is None
    assert numpy_version.numpy_call_note(_message("cell 7, line 9, in f"), code) is None
    assert numpy_version.numpy_call_note(_message("cell 99, line 1, in f"), code) is None
    # A message that forges a location of its own: only the location the sandbox appends counts.
    forged = _message("cell 8, line 2, in g", text="oops (cell 7, line 2, in f)")
    assert numpy_version.numpy_call_note(forged, code) is None


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Two notebooks graded in the sandbox: relu_forward raising a TypeError inside a NumPy call
    that older NumPy accepted, and its twin raising a TypeError that has nothing to do with
    NumPy."""
    tmp = tmp_path_factory.mktemp("numpy")
    answers = reference_answers(COURSE.solution_notebook(ASSIGNMENT))
    release = COURSE.assignments / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    bodies = {"old_numpy": "    return np.reshape(np.maximum(Z, 0), newshape=Z.shape)\n",
              "plain_bug": "    return len(5)\n"}
    for student, body in bodies.items():
        nb = make_submission(release, answers, {"cell:append": f"def relu_forward(Z):\n{body}"})
        write_submission(tmp / "class", student, ASSIGNMENT, release.name, nbformat.writes(nb))
    done = subprocess.run([sys.executable, "-m", "grader", "autograde", str(tmp / "class"),
                           "--assignment", ASSIGNMENT, "--out", str(tmp / "out"), "--seed", "7",
                           "--jobs", "1", "--no-progress"], capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return {r["student"]: r for r in results.load_results(tmp / "out")}


def test_feedback_names_a_numpy_version_difference(graded):
    lost = [t for t in graded["old_numpy"]["tests"] if t["function"] == "relu_forward"
            and t["status"] != "passed"]
    assert lost and all("newshape" in t["message"] for t in lost)
    assert all("NumPy call" in t["diagnosis"] and np.__version__ in t["diagnosis"] for t in lost)
    twin = [t for t in graded["plain_bug"]["tests"] if t["function"] == "relu_forward"
            and t["status"] != "passed"]
    assert twin and not any("NumPy" in (t["diagnosis"] or "") for t in twin)
    # The note changes no points: both lose exactly the same checks.
    assert [t["id"] for t in lost] == [t["id"] for t in twin]
    assert graded["old_numpy"]["score"] == graded["plain_bug"]["score"]


def test_results_record_the_versions_of_grading(graded):
    assert graded["plain_bug"]["environment"] == numpy_version.grading_environment()
