"""`grader autograde --dask ADDRESS` on a real `distributed` cluster on 127.0.0.1.

A `dask scheduler` and two `dask worker` processes (one thread each, with their nannies, as
docs/cluster.md starts them) grade subsets of the example classes; every file of the output folder
(results, grades.csv, feedback) equals what `--jobs 2` writes with the same seed, also when a
worker is killed in the middle of a run, and `--resume` grades only what is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from grader.grading import results  # noqa: E402
from grader.paths import course  # noqa: E402

COURSE = course()
GRADER = [sys.executable, "-m", "grader.cli"]
DASK = str(Path(sys.executable).parent / "dask")
SEED = 777
#: Small subsets of the example classes (grading one takes seconds): full marks, lost checks, a
#: cheater, a crash at import.
SUBSET = {"nn_from_scratch": ["ada_perfect", "ben_relu_ge_zero", "fay_cheater", "kim_sys_exit"],
          "training_networks": ["nia_adam_no_bias_correction", "oli_momentum_sign", "kim_sys_exit"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """The address of a scheduler with two single-threaded workers; everything is stopped after."""
    work = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{_free_port()}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port",
                               address.rsplit(":", 1)[1], "--no-dashboard"], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)]
    for i in (1, 2):
        procs.append(subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--name",
                                       f"w{i}", "--no-dashboard"], cwd=work,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    yield address
    for proc in reversed(procs):
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _klass(root: Path, assignment: str) -> Path:
    for student in SUBSET[assignment]:
        shutil.copytree(COURSE.root / "examples" / assignment / "submitted" / student, root / student)
    return root


def _autograde(klass: Path, assignment: str, out: Path, *extra: str, check: bool = True,
               background: bool = False):
    argv = [*GRADER, "autograde", str(klass), "--assignment", assignment, "--out", str(out),
            "--no-progress", "--timeout", "3", *extra]
    if background:
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def by_jobs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """(class, output folder) of each subset graded with --jobs 2 and the seed."""
    graded = {}
    for assignment in SUBSET:
        tmp = tmp_path_factory.mktemp(f"jobs-{assignment}")
        klass = _klass(tmp / "class", assignment)
        _autograde(klass, assignment, tmp / "out", "--jobs", "2", "--seed", str(SEED))
        graded[assignment] = klass, tmp / "out"
    return graded


def _same_output(a: Path, b: Path) -> None:
    """Every result (without wall-clock times), every feedback file and grades.csv are equal."""
    files = sorted(p.relative_to(a) for p in (a / results.STUDENTS_DIR).rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in (b / results.STUDENTS_DIR).rglob("*") if p.is_file())
    for rel in files:
        if rel.suffix == ".json":
            assert results.without_timing(json.loads((a / rel).read_text())) == \
                results.without_timing(json.loads((b / rel).read_text())), rel
        else:
            assert (a / rel).read_text() == (b / rel).read_text(), rel
    assert (a / results.CSV_FILE).read_text() == (b / results.CSV_FILE).read_text()


@pytest.mark.parametrize("assignment", sorted(SUBSET))
def test_the_cluster_grades_as_jobs_does(scheduler, by_jobs, assignment, tmp_path):
    klass, reference = by_jobs[assignment]
    proc = _autograde(klass, assignment, tmp_path / "out", "--dask", scheduler, "--seed", str(SEED))
    assert "2 workers" in proc.stdout and "graded by 2 dask worker processes" in proc.stdout
    _same_output(tmp_path / "out", reference)
    run = json.loads((tmp_path / "out" / results.RUN_FILE).read_text())
    assert run["dask"] == scheduler and run["seed"] == SEED


def _worker_pids(address: str) -> dict[str, int]:
    from distributed import Client

    with Client(address, timeout=30) as client:
        return client.run(os.getpid)


@pytest.mark.slow
def test_a_killed_worker_costs_a_retry_not_a_result(scheduler, by_jobs, tmp_path):
    """A worker process killed while the run is under way (its nanny starts a new one): every
    submission still gets the result --jobs gives it, none is recorded as an error."""
    assignment = "nn_from_scratch"
    klass, reference = by_jobs[assignment]
    out = tmp_path / "out"
    before = _worker_pids(scheduler)
    proc = _autograde(klass, assignment, out, "--dask", scheduler, "--seed", str(SEED),
                      background=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not results.result_files(out):
        time.sleep(0.05)
    done_before = len(results.result_files(out))
    assert 1 <= done_before < len(SUBSET[assignment]), "killed too late"
    victim = sorted(before.values())[0]
    os.kill(victim, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    _same_output(out, reference)
    after = _worker_pids(scheduler)
    assert victim not in after.values() and len(after) == 2   # the nanny replaced it


def test_resume_grades_only_what_is_missing(scheduler, by_jobs, tmp_path):
    assignment = "nn_from_scratch"
    klass, reference = by_jobs[assignment]
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    kept = results.result_path(out, "ada_perfect", assignment)
    stamp = kept.stat().st_mtime_ns
    for student in ("ben_relu_ge_zero", "kim_sys_exit"):
        results.result_path(out, student, assignment).unlink()
    _autograde(klass, assignment, out, "--dask", scheduler, "--resume")
    assert kept.stat().st_mtime_ns == stamp   # complete results are kept as they are
    _same_output(out, reference)


@pytest.mark.parametrize("address, needle", [
    ("tcp://127.0.0.1:{closed}", "no dask scheduler reachable at"),
    ("bogus://what", "not a dask scheduler address"),
])
def test_one_line_errors(address, needle, tmp_path):
    klass = _klass(tmp_path / "class", "nn_from_scratch")
    proc = _autograde(klass, "nn_from_scratch", tmp_path / "out",
                      "--dask", address.format(closed=_free_port()), check=False)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert not (tmp_path / "out").exists()   # nothing written before the cluster answered
