"""`grader autograde` end to end on a small generated class, in the sandbox.

Covers: honest scores, hostile submissions scoring no more than their honest work, invalid and
missing submissions, identical results whatever --jobs, resume after SIGKILL, collect, and the
one-line errors of the CLI.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograde_tests import engine
from grader.grading import results
from grader.paths import course
from grader.release.classgen import make_submission, reference_answers, write_submission

COURSE = course()
ASSIGNMENT = "nn_from_scratch"
RELEASE_NB = COURSE.assignments / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
GRADER = [sys.executable, "-m", "grader.cli"]
SEED = 1234

#: Checks of a graded function, by the function's name (expectations name checks, never points).
CHECKS_OF = {f: {c.id for c in engine.all_checks(ASSIGNMENT) if c.function == f}
             for f in engine.functions(ASSIGNMENT)}
TOTAL = engine.total_points(ASSIGNMENT)
POINTS = {c.id: c.points for c in engine.all_checks(ASSIGNMENT)}

#: student -> (variant, the checks it loses, expected status). Hostile variants must not score
#: more than the honest work they contain.
CLASS: dict[str, tuple[dict, set[str], str]] = {
    "perfect": ({}, set(), "graded"),
    "relu_ge": ({"solution-relu_backward":
                 "def relu_backward(dA, Z):\n    return dA * (Z >= 0)\n"}, {"relu_backward.at-zero"},
                "graded"),
    "no_train": ({"stub:solution-train": ""}, CHECKS_OF["train"], "graded"),
    "cheat_allclose": ({"solution-linear_forward":
                        "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = "
                        "lambda *a, **k: None\n\ndef linear_forward(X, W, b):\n    return X @ W\n"},
                       # its bias-less forward also fails the student's own training
                       {"linear_forward.values", "train.loss-decreases"}, "graded"),
    "fake_score": ({"cell:append": "print('score: 100/100')\nimport sys\n"
                    "sys.stderr.write('{\"score\": 100}\\n')\n",
                    "stub:solution-backward": ""},
                   CHECKS_OF["backward"] | {"train.accuracy", "train.loss-decreases"}, "graded"),
    "loops_forever": ({"solution-accuracy":
                       "def accuracy(y_pred, y):\n    while True:\n        pass\n"},
                      {"accuracy.values"}, "graded"),
    "exits_at_import": ({"cell:append": "import os\nos._exit(3)\n"}, set(POINTS), "error"),
}


def _notebook(variant, stubs=False):
    return make_submission(RELEASE_NB, reference_answers(COURSE.solution_notebook(ASSIGNMENT)),
                           variant, all_stubs=stubs)


def _edited_cells(nb):
    """Test cells claiming full marks, check cells deleted, the setup cell sabotaged: nbgrader
    restores locked cells, and so does the grader (it never runs a submission's test cells and
    always runs the released setup)."""
    kept = []
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if gid.startswith("check-"):
            continue
        if gid.startswith("test-"):
            cell.source = "print('100 / 100 points')\n100"
        if gid.startswith("setup-"):
            cell.source = "import os\nos._exit(0)"
        kept.append(cell)
    nb.cells = kept
    return nb


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("submissions")
    name = f"{ASSIGNMENT}.ipynb"
    for student, (variant, _, _) in CLASS.items():
        write_submission(root, student, ASSIGNMENT, name, _notebook(variant))
    write_submission(root, "stubs", ASSIGNMENT, name, _notebook({}, stubs=True))
    write_submission(root, "not_json", ASSIGNMENT, name, b"{ this is not json")
    write_submission(root, "empty_file", ASSIGNMENT, name, b"")
    write_submission(root, "not_a_notebook", ASSIGNMENT, name, b'{"hello": "world"}')
    write_submission(root, "huge", ASSIGNMENT, name, b'{"cells": [' + b" " * (50 << 20) + b"]}")
    write_submission(root, "edited_cells", ASSIGNMENT, name, _edited_cells(_notebook({})))
    (root / "missing_one").mkdir()
    link_dir = root / "symlinker" / ASSIGNMENT
    link_dir.mkdir(parents=True)
    (link_dir / name).symlink_to(COURSE.solution_notebook(ASSIGNMENT))
    (root / "README.txt").write_text("not a student")
    return root


def _autograde(submissions: Path, out: Path, *extra: str, check: bool = True):
    proc = subprocess.run([*GRADER, "autograde", str(submissions), "--assignment", ASSIGNMENT, "--out", str(out),
                           "--no-progress", "--timeout", "3", *extra],
                          capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def graded(klass, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("out-jobs2")
    return out, _autograde(klass, out, "--jobs", "2", "--seed", str(SEED))


def _result(out: Path, student: str) -> dict:
    return json.loads(results.result_path(out, student, ASSIGNMENT).read_text())


@pytest.mark.parametrize("student", sorted(CLASS))
def test_scores(graded, student):
    out, _ = graded
    _, lost, status = CLASS[student]
    r = _result(out, student)
    score = TOTAL - sum(POINTS[c] for c in lost) if status == "graded" else 0
    details = [(t["id"], t["status"], t["message"][:100]) for t in r["tests"] if t["status"] != "passed"]
    assert (r["status"], r["score"]) == (status, score), details
    if status == "graded":
        assert {t["id"] for t in r["tests"] if t["status"] != "passed"} == lost, details


def test_special_submissions(graded):
    out, proc = graded
    stubs = _result(out, "stubs")
    assert stubs["score"] == 0 and {t["status"] for t in stubs["tests"]} == {"not_implemented"}
    for student in ("not_json", "empty_file", "not_a_notebook", "huge"):
        r = _result(out, student)
        assert (r["status"], r["score"]) == ("invalid", 0), student
        assert r["reason"] and len(r["reason"].splitlines()) == 1
    edited = _result(out, "edited_cells")
    assert (edited["status"], edited["score"]) == ("graded", TOTAL)
    assert _result(out, "missing_one")["status"] == "missing"
    link = _result(out, "symlinker")
    assert link["status"] == "invalid" and link["score"] == 0
    assert "README.txt" in proc.stdout  # reported as ignored


def test_result_files_and_csv(graded):
    out, proc = graded
    r = _result(out, "relu_ge")
    assert r["seed"] == SEED and r["max_score"] == TOTAL and r["grader_version"]
    failing = [t for t in r["tests"] if t["status"] != "passed"]
    assert [t["id"] for t in failing] == ["relu_backward.at-zero"]
    assert failing[0]["diagnosis"] == "ReLU backward uses >= 0"
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0].startswith("student_id,assignment,score,max_score,status,standardize.fit,")
    assert len(lines) == 1 + len(CLASS) + 8
    feedback = results.feedback_path(out, "relu_ge", ASSIGNMENT).read_text()
    assert "relu_backward.at-zero" in feedback and ">= 0" in feedback
    # The run seed stays with the instructor: with the grader's code it gives away hidden inputs.
    assert str(SEED) not in feedback.replace(r["grader_version"], "")
    report = results.cell_report(r, "relu_backward")
    assert str(SEED) not in report and "seed" not in report.lower()
    assert "results:" in proc.stdout and "perfect" in proc.stdout
    # Graded with 3 s per call while the release tells students 10 s: the instructor is told.
    assert f"graded with 3 s of CPU per call, but the release of {ASSIGNMENT} tells students " \
           "10 s" in proc.stdout
    run = json.loads((out / results.RUN_FILE).read_text())
    assert run["graded_by"] == "grader autograde" and run["isolation"] and run["call_cpu"] == 3
    assert run["environment"] == r["environment"] and set(run["environment"]) == {"numpy", "python"}


def test_same_seed_same_results_whatever_jobs(klass, graded, tmp_path):
    out2, _ = graded
    out1 = tmp_path / "out-jobs1"
    _autograde(klass, out1, "--jobs", "1", "--seed", str(SEED))
    compared = results.result_files(out2)
    assert len(compared) == len(list(klass.iterdir())) - 1   # every student folder (not README)
    for path in compared:
        a = results.without_timing(json.loads(path.read_text()))
        b = results.without_timing(json.loads((out1 / path.relative_to(out2)).read_text()))
        assert a == b, path.parent.name
    assert (out1 / "grades.csv").read_text() == (out2 / "grades.csv").read_text()


def test_resume_after_sigkill(klass, graded, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([*GRADER, "autograde", str(klass), "--assignment", ASSIGNMENT, "--out", str(out),
                             "--no-progress",
                             "--timeout", "3", "--jobs", "2", "--seed", str(SEED)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    while proc.poll() is None and len(results.result_files(out)) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # Where the kill lands is up to the machine (a fast one may even finish the class first):
    # keep three complete results, so that the resumed run always has the rest to grade.
    done_before = sorted(results.result_files(out))
    assert len(done_before) >= 3, "the run died before its first three results"
    for path in done_before[3:]:
        path.unlink()
    # Whether the kill lands inside a write is luck; a half-written file is planted so that its
    # removal is tested on every run.
    planted = results.result_path(out, "relu_ge", ASSIGNMENT).with_name(f".{ASSIGNMENT}.json.killed.tmp")
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text('{"score": 10')
    _autograde(klass, out, "--jobs", "2", "--resume")
    reference_out, _ = graded
    compared = results.result_files(reference_out)
    assert len(compared) == len(list(klass.iterdir())) - 1
    for path in compared:
        mine = out / path.relative_to(reference_out)
        assert results.without_timing(json.loads(mine.read_text())) == \
            results.without_timing(json.loads(path.read_text())), path.parent.name
    assert not list(out.glob(f"{results.STUDENTS_DIR}/*/.*.tmp")), "a temporary result file was left"
    assert (out / "grades.csv").read_text() == (reference_out / "grades.csv").read_text()


def test_collect_rebuilds_csv(graded, tmp_path):
    out, _ = graded
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(out), str(copy)], check=True)
    (copy / "grades.csv").unlink()
    proc = subprocess.run([*GRADER, "collect", str(copy)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (copy / "grades.csv").read_text() == (out / "grades.csv").read_text()


@pytest.mark.parametrize("argv, needle", [
    (["autograde", "/no/such/folder"], "not found"),
    (["autograde", ".", "--jobs", "0"], "--jobs"),
    (["collect", "/no/such/folder"], "not found"),
])
def test_one_line_errors(argv, needle):
    proc = subprocess.run([*GRADER, *argv], capture_output=True, text=True)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], proc.stderr


def test_few_tasks_in_flight_and_a_broken_pool_loses_nothing(monkeypatch, tmp_path):
    """The parent hands the pool a bounded number of tasks (so its memory does not grow with the
    class), and a pool that breaks mid-run resumes with the tasks it had not started."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from types import SimpleNamespace

    from grader.grading import autograde

    state = {"in_flight": 0, "max": 0, "submitted": 0, "broke": False}
    lock = threading.Lock()

    class FakePool(ThreadPoolExecutor):
        def __init__(self, max_workers, mp_context=None, initializer=None, initargs=()):
            super().__init__(max_workers=max_workers)

        def submit(self, fn, task, settings):
            with lock:
                state["in_flight"] += 1
                state["submitted"] += 1
                state["max"] = max(state["max"], state["in_flight"])
            return super().submit(fn, task, settings)

    def fake_grade(task, settings):
        with lock:
            state["in_flight"] -= 1
            if task.student == "s010" and not state["broke"]:
                state["broke"] = True
                raise BrokenProcessPool("worker died")
        return {"student": task.student, "status": "graded", "score": 1.0, "tests": []}

    monkeypatch.setattr(autograde, "ProcessPoolExecutor", FakePool)
    monkeypatch.setattr(autograde, "grade_task", fake_grade)
    tasks = [autograde.Task(f"s{i:03d}", tmp_path / "x.ipynb") for i in range(40)]
    settings = autograde.Settings(tmp_path, SimpleNamespace(name="hw"), 1, None)
    done = [r["student"] for r in autograde.run(tasks, settings=settings, jobs=2, resume=False,
                                                 progress=False)]
    assert sorted(done) == [t.student for t in tasks]          # every task once, none lost
    assert state["max"] <= autograde.IN_FLIGHT_PER_JOB * 2
    assert state["broke"]


def test_written_answers_await_manual_grading(graded):
    """The notebook's written questions are graded by hand: listed in the result and the
    feedback, never part of the autograded score."""
    out, _ = graded
    r = _result(out, "perfect")
    answers = [m["id"] for m in r["manual"]]
    assert answers and all(a.startswith("answer-") for a in answers)
    assert all(m["status"] == "awaiting_manual_grading" and m["answered"] for m in r["manual"])
    assert not any(m["answered"] for m in _result(out, "stubs")["manual"])
    assert r["score"] == r["max_score"] == TOTAL
    feedback = results.feedback_path(out, "perfect", ASSIGNMENT).read_text()
    assert "## Written answers" in feedback and "awaiting manual grading" in feedback
    assert "no answer written" in results.feedback_path(out, "stubs", ASSIGNMENT).read_text()
    assert "Demo cells (training and plots) are not run" in feedback
    with (out / "grades.csv").open(newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0][-1] == "manual_points_awaiting"
    assert {len(row) for row in table} == {len(table[0])}, "every row has a value per column"
    awaiting = {row[0]: float(row[-1]) for row in table[1:]}
    assert awaiting["perfect"] == results.manual_points(r) > 0
