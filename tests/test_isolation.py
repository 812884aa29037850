"""Students graded one after the other cannot reach each other (issue 20's reproducers).

The class of tests/isolation_attacks.py is graded with `--jobs 1`, so that one sandbox serves
every submission in name order, as a course server grading a class does: memory scans for
earlier students' code, extended attributes, modes and modules planted for the next student,
forged argument reports and answer frames, a sleeping function. Each attacker must score no more
than its honest twin, and every honest student graded after one must score full marks; the same
for a grader that is not root, where that can be arranged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import isolation_attacks
import pytest

from autograde_tests import engine
from grader.grading import results

pytestmark = pytest.mark.slow

ASSIGNMENT = isolation_attacks.ASSIGNMENT
TOTAL = engine.total_points(ASSIGNMENT)


def _lost(result: dict) -> dict[str, str]:
    return {t["id"]: t["status"] for t in result["tests"] if t["status"] != "passed"}


def _grade_isolation_class(root: Path, students: list[str], argv_prefix: tuple[str, ...] = (),
                           python: str = sys.executable, env: dict[str, str] | None = None
                           ) -> dict[str, dict]:
    """Students of tests/isolation_attacks.py graded one submission after the other (--jobs 1:
    one sandbox serves them all, in name order)."""
    subs, out = root / "submitted", root / "out"
    isolation_attacks.write_class(subs, students)
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    proc = subprocess.run([*argv_prefix, python, "-m", "grader.cli", "autograde", str(subs),
                           "--assignment", ASSIGNMENT, "--out", str(out), "--jobs", "1",
                           "--seed", str(isolation_attacks.SEED), "--timeout", isolation_attacks.TIMEOUT,
                           "--no-progress"], capture_output=True, text=True, timeout=1200, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {r["student"]: r for r in results.load_results(out)}


def _messages(result: dict) -> str:
    return " ".join(t["message"] for t in result["tests"] if t["status"] != "passed")


def _check_isolation_class(found: dict[str, dict]) -> None:
    for student in isolation_attacks.VICTIMS:      # graded after an attacker, every one whole
        if student in found:
            assert (found[student]["status"], found[student]["score"]) == ("graded", TOTAL), \
                (student, _lost(found[student]))
    for student, (_, twin) in isolation_attacks.CLASS.items():
        if twin and student in found:
            assert found[student]["score"] <= found[twin]["score"], (student, _lost(found[student]))
    # Reading an earlier student's code from memory found nothing to run.
    assert found["b3_memory_scan_ctypes"]["score"] == 0
    if len(found) < len(isolation_attacks.CLASS):
        return
    assert found["b1_memory_scan"]["score"] == 0
    # A forged report of the arguments costs the checks it tried to save.
    assert {"sgd_step.values", "numerical_gradient.restores"} <= set(_lost(found["f1_forged_report"]))
    assert "misreported" in _messages(found["f1_forged_report"])
    # 700k lists in a forged answer: refused before they cost the grader anything.
    assert "more than 100000 values" in _messages(found["g1_frame_bomb"])
    # A sleeping function is ended by the submission's time for waiting, not the wall backstop.
    sleeper = _messages(found["h1_sleeper"])
    assert "waited (slept or blocked)" in sleeper and "did not return within" not in sleeper
    assert "linear_forward.values" in _lost(found["h1_sleeper"])


@pytest.fixture(scope="module")
def isolation_class(tmp_path_factory):
    return _grade_isolation_class(tmp_path_factory.mktemp("isolation"), list(isolation_attacks.CLASS))


#: What behaved differently for a grader that is not root: the memory scan through ctypes, modes
#: and planted modules (such a grader could not remove a file from a folder made read-only).
UNPRIVILEGED_CLASS = ["a0_victim", "b3_memory_scan_ctypes", "b4_victim", "d1_chmod", "d2_victim",
                      "e1_plant", "e2_victim", "g2_stubs"]


def test_students_graded_in_a_row_cannot_reach_each_other(isolation_class):
    """Memory scans for earlier students' code, extended attributes, modes and modules planted
    for the next student, forged argument reports and answer frames, a sleeping function: each
    attacker scores no more than its honest twin, and every honest student graded after one
    scores full marks."""
    _check_isolation_class(isolation_class)


#: An interpreter an unprivileged user can run, with the kit's dependencies (a venv made from
#: /usr/bin/python3.11 will do): $NNKIT_TEST_UNPRIVILEGED_PYTHON, else this one.
UNPRIVILEGED_USER = "nobody"


def _unprivileged_python(root: Path) -> tuple[str | None, str]:
    python = os.environ.get("NNKIT_TEST_UNPRIVILEGED_PYTHON", sys.executable)
    if os.getuid() != 0 or shutil.which("runuser") is None:
        return None, "needs root (to run the grader as another user) and runuser"
    probe = subprocess.run([shutil.which("runuser"), "-u", UNPRIVILEGED_USER, "--", python, "-c",
                            "import numpy, nbformat, grader, toy2d"],
                           capture_output=True, text=True, env=_unprivileged_env(root), cwd="/")
    if probe.returncode != 0:
        return None, (f"{python} cannot import the kit as {UNPRIVILEGED_USER} (set "
                      "NNKIT_TEST_UNPRIVILEGED_PYTHON to a readable venv with its dependencies): "
                      + (probe.stderr.strip().splitlines() or ["?"])[-1])
    return python, ""


def _unprivileged_env(root: Path) -> dict[str, str]:
    """The checkout first on the import path (toy2d is the datasets folder, as installed)."""
    checkout = Path(__file__).resolve().parent.parent
    shim = root / "pypath"
    shim.mkdir(mode=0o755, exist_ok=True)
    if not (shim / "toy2d").exists():
        (shim / "toy2d").symlink_to(checkout / "datasets")
    return {"PATH": "/usr/bin:/bin", "HOME": str(root), "LANG": "C.UTF-8",
            "PYTHONPATH": f"{checkout}:{shim}"}


def test_students_cannot_reach_each_other_under_an_unprivileged_grader():
    """The same class graded by a grader that is not root: its sandbox maps another user, and
    before, files and modes a check left could not be removed by such a grader."""
    root = Path(tempfile.mkdtemp(prefix="nnkit-unprivileged-"))   # pytest's own is root's alone
    try:
        root.chmod(0o755)
        python, why = _unprivileged_python(root)
        if python is None:
            pytest.skip(why)
        found = _grade_isolation_class(root, UNPRIVILEGED_CLASS,
                                       (shutil.which("runuser"), "-u", UNPRIVILEGED_USER, "--"),
                                       python, _unprivileged_env(root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    _check_isolation_class(found)
