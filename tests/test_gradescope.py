"""`grader gradescope build` and the zip's run_autograder, on a simulated Gradescope tree.

No network, no container: the zip is unpacked into a temporary $AUTOGRADER_ROOT/source, the
student's files go to submission/, and run_autograder runs with this kit's `grader` on PATH (as
setup.sh puts it there). Every score equals `grader autograde --seed K` with the zip's recorded
seed; a hostile notebook cannot write results.json (its honest twin scores the same).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import gradescope
from grader.grading import results
from grader.paths import course

COURSE = course()
GRADER = [sys.executable, "-m", "grader.cli"]
SEED = 4242
#: A few students of each example class (grading one takes seconds): full marks, lost checks, a
#: crash at import (the hostile test below adds an attack to a complete notebook).
SUBSET = {"nn_from_scratch": ["ada_perfect", "ben_relu_ge_zero"],
          "training_networks": ["nia_adam_no_bias_correction", "kim_sys_exit"],
          "computation_graphs": ["ada_perfect", "flo_nesterov_plain_momentum"]}


def _grader(*argv: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([*GRADER, *argv], capture_output=True, text=True, timeout=900,
                          env=env, cwd=COURSE.root)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    """The autograder zip of each example assignment (the wheel built once, then reused)."""
    out = tmp_path_factory.mktemp("zips")
    built = {}
    wheel_args: list[str] = []
    for name in SUBSET:
        proc = _grader("gradescope", "build", "--assignment", name, "--out", str(out / name),
                       "--seed", str(SEED), *wheel_args)
        assert f"run seed {SEED}" in proc.stdout
        built[name] = out / name / "autograder.zip"
        if not wheel_args:
            with zipfile.ZipFile(built[name]) as zf:
                wheel = next(n for n in zf.namelist() if n.startswith("wheels/"))
                zf.extract(wheel, out)
            wheel_args = ["--wheel", str(out / wheel)]
    return built


def _tree(zip_path: Path, root: Path, files: dict[str, bytes | Path]) -> Path:
    """A Gradescope tree: the zip in source/, run_autograder copied beside it, the submission."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, content in files.items():
        target = root / "submission" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return root


def _start(root: Path, **env: str) -> subprocess.Popen:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.Popen(["bash", str(root / "run_autograder")], cwd="/",
                            env={**os.environ, "PATH": path, "AUTOGRADER_ROOT": str(root), **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> tuple[int, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out + err


def _run_all(roots: list[Path], **env: str) -> list[dict]:
    """run_autograder on every tree, two at a time (the machine's cores); their results.json."""
    outputs, printed = [], []
    for i in range(0, len(roots), 2):
        procs = [_start(root, **env) for root in roots[i:i + 2]]
        for proc in procs:
            status, said = _finish(proc)
            assert status == 0, said[-3000:]
            printed.append(said)
    for root, said in zip(roots, printed, strict=True):
        outputs.append(json.loads((root / "results" / "results.json").read_text()))
        outputs[-1]["printed (not part of results.json)"] = said
    return outputs


def _notebook_of(assignment: str, student: str) -> Path:
    folder = COURSE.root / "examples" / assignment / "submitted" / student / assignment
    return next(folder.glob("*.ipynb"))


def test_the_zip_has_gradescopes_layout(zips):
    with zipfile.ZipFile(zips["nn_from_scratch"]) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
        config = json.loads(zf.read(gradescope.CONFIG))
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", gradescope.CONFIG, "requirements.txt"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert config["seed"] == SEED and config["assignment"] == "nn_from_scratch"
    assert config["hidden"] == "after_published"
    assert f"wheels/{config['wheel']}" in names and config["wheel"] in setup
    assert "course/solutions/nn_from_scratch/nn_from_scratch.ipynb" in names
    assert not any("training_networks" in n for n in names)   # only the assignment it grades
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0


@pytest.mark.parametrize("assignment", sorted(SUBSET))
def test_every_score_equals_grader_autograde(zips, assignment, tmp_path):
    """The same seed, the same engine: results.json holds what `grader autograde` gives, check by
    check; the notebook may have any name; written answers are listed for manual grading."""
    klass = tmp_path / "class"
    for student in SUBSET[assignment]:
        shutil.copytree(COURSE.root / "examples" / assignment / "submitted" / student,
                        klass / student)
    _grader("autograde", str(klass), "--assignment", assignment, "--out", str(tmp_path / "out"),
            "--jobs", "2", "--seed", str(SEED), "--no-progress")
    roots = [_tree(zips[assignment], tmp_path / student,
                   {f"my {student}.ipynb": _notebook_of(assignment, student)})
             for student in SUBSET[assignment]]
    for student, got in zip(SUBSET[assignment], _run_all(roots), strict=True):
        want = json.loads(results.result_path(tmp_path / "out", student, assignment).read_text())
        assert got["score"] == want["score"], student
        auto = [t for t in got["tests"] if "manual" not in t.get("tags", [])]
        assert [(t["name"].split(": ", 1)[1], t["score"], t["max_score"], t["status"]) for t in auto] \
            == [(t["id"], t["points"], t["max_points"], "passed" if t["status"] == "passed" else "failed")
                for t in want["tests"]], student
        assert all(t["visibility"] == "after_published" for t in auto)
        manual = [t for t in got["tests"] if "manual" in t.get("tags", [])]
        assert len(manual) == len(want["manual"]) and all(t["visibility"] == "visible" for t in manual)
        assert not any({"score", "max_score"} & set(t) for t in manual)   # graded by hand
        assert got["extra_data"]["status"] == want["status"]


def test_no_notebook_or_several_is_one_clear_result(zips, tmp_path):
    ada = _notebook_of("nn_from_scratch", "ada_perfect")
    none = _tree(zips["nn_from_scratch"], tmp_path / "none", {"notes.txt": b"hello",
                                                               ".ipynb_checkpoints/x.ipynb": ada})
    several = _tree(zips["nn_from_scratch"], tmp_path / "several", {"a.ipynb": ada, "sub/b.ipynb": ada})
    empty, two = _run_all([none, several])
    assert empty["score"] == 0 and empty["extra_data"]["status"] == "missing"
    assert "no nn_from_scratch.ipynb submitted" in empty["output"]
    assert two["score"] == 0 and two["extra_data"]["status"] == "invalid"
    assert "2 notebooks were submitted (a.ipynb, sub/b.ipynb)" in two["output"]
    # the log line names no one notebook as graded when several were refused
    assert "graded no notebook" in two["printed (not part of results.json)"]
    assert "graded a.ipynb" not in two["printed (not part of results.json)"]


#: Added to a complete notebook: everything a submission could do to the results of Gradescope's
#: container, where student code runs as the grader's user when namespaces are not allowed.
ATTACK = """
import json, os, pathlib
_root, _log = pathlib.Path({root!r}), []
try:
    (_root / "results" / "results.json").write_text(json.dumps({{"score": 1000, "tests": []}}))
    _log.append("wrote results.json")
except OSError as e:
    _log.append("results.json: " + type(e).__name__)
try:
    os.rename(_root / "results", _root / "results-taken")
    os.symlink("/proc/self", _root / "results")
    _log.append("replaced results/")
except OSError as e:
    _log.append("results/: " + type(e).__name__)
for _pid in os.listdir("/proc"):
    try:
        _cmd = open(f"/proc/{{_pid}}/cmdline", "rb").read() if _pid.isdigit() else b""
    except OSError:
        continue
    if b"gradescope" in _cmd and b"--root" in _cmd:
        try:
            open(f"/proc/{{_pid}}/mem", "r+b")
            _log.append("grader memory: opened")
        except OSError as e:
            _log.append("grader memory: " + type(e).__name__)
try:
    with open({marker!r}, "a") as _f:
        _f.write("\\n".join(_log) + "\\n")
except OSError:
    pass
print(json.dumps({{"score": 1000, "tests": []}}))
"""


@pytest.mark.parametrize("mode", ["rlimits-only", "bubblewrap"])
def test_a_notebook_cannot_write_results_json(zips, mode, tmp_path):
    """Hostile: a complete notebook that writes a fake results.json, puts a link in place of
    results/, looks for the grader's memory and prints a fake JSON. Its honest twin is the same
    notebook without that cell: both get the same results, written by the grader."""
    from grader import sandbox

    if mode == "bubblewrap" and sandbox.isolation_mode() != "bubblewrap":
        pytest.skip("bubblewrap is not available here")
    ada = _notebook_of("nn_from_scratch", "ada_perfect")
    hostile_root, twin_root = tmp_path / "hostile", tmp_path / "twin"
    marker = tmp_path / "attack.log"
    nb = nbformat.read(ada, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(ATTACK.format(root=str(hostile_root), marker=str(marker))))
    _tree(zips["nn_from_scratch"], hostile_root, {"ada.ipynb": nbformat.writes(nb).encode()})
    if mode == "rlimits-only":
        _tree(zips["nn_from_scratch"], twin_root, {"ada.ipynb": ada})
        hostile, twin = _run_all([hostile_root, twin_root], NNKIT_SANDBOX="rlimits-only")
        assert hostile["tests"] == twin["tests"]
    else:   # the twin's bubblewrap grading is test_every_score_equals_grader_autograde's
        [hostile] = _run_all([hostile_root])
    assert hostile["score"] == 100 and all(t["status"] == "passed" for t in hostile["tests"]
                                           if "manual" not in t.get("tags", []))
    results_dir = hostile_root / "results"
    assert results_dir.is_dir() and not results_dir.is_symlink()
    assert not (results_dir / "results.json").is_symlink()
    if mode == "rlimits-only":   # the attack ran with the grader's user, and lost
        log = marker.read_text()
        assert "wrote results.json" in log and "replaced results/" in log, log
        assert "grader memory: PermissionError" in log and "grader memory: opened" not in log, log
        assert "resource limits only" in hostile["output"]
    else:                        # nothing of the tree is there to attack
        assert not marker.exists()
        assert not (hostile_root / "results-taken").exists()


def test_one_line_errors(zips, tmp_path):
    proc = _grader("gradescope", "build", "--assignment", "no_such", "--out", str(tmp_path), check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    root = tmp_path / "root"
    (root / "submission").mkdir(parents=True)
    proc = _grader("gradescope", "run", "--root", str(root), check=False)
    assert proc.returncode == 2 and "build the autograder again" in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (root / "results" / "results.json").exists()   # Gradescope flags a failed run


def test_visibility_is_the_course_files_choice():
    from grader.course import course_file

    r = {"assignment": "nn_from_scratch", "score": 5.0, "max_score": 10.0, "status": "graded",
         "duration": 3.2,
         "tests": [{"id": "relu.values", "function": "relu", "points": 5.0, "max_points": 5.0,
                    "status": "passed", "message": ""},
                   {"id": "softmax.stable", "function": "softmax", "points": 0.0, "max_points": 5.0,
                    "status": "failed", "message": "overflow for large inputs",
                    "diagnosis": "no max subtracted"}],
         "manual": [{"id": "answer-a", "max_points": 2.0, "status": "blank", "answered": False}]}
    got = gradescope.gradescope_results(r, {"visible": ["relu"], "hidden": "after_due_date"},
                                        "bubblewrap")
    assert [t["visibility"] for t in got["tests"]] == ["visible", "after_due_date", "visible"]
    assert got["tests"][1]["output"] == ("overflow for large inputs\n"
                                         "Cause (confirmed): no max subtracted.")
    assert got["tests"][2]["output"].startswith("No answer written")
    assert got["score"] == 5.0 and got["execution_time"] == 3
    assert "overflow" not in got["output"]   # the summary never shows a hidden check
    with pytest.raises(course_file.UsageError, match="gradescope_hidden"):
        course_file.parse({"assignments": {"a": {"gradescope_hidden": "soon"}}})


def test_the_wheel_is_built_from_this_checkout():
    """`build` without --wheel packs the checkout the kit runs from (the folder of pyproject.toml
    and setup.py, whatever subpackage the grading modules live in)."""
    assert gradescope.source_tree() == COURSE.root
