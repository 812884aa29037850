"""Fixtures shared by several test modules."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
from pathlib import Path

import pytest

from grader import paths
from grader.cli import main
from grader.paths import ROOT_ENV, Course

ROOT = Path(__file__).resolve().parent.parent
#: The option of the full lane (`make test-full`): see pytest_collection_modifyitems.
FULL_OPTION = "--full"


def pytest_addoption(parser):
    parser.addoption(FULL_OPTION, action="store_true", default=False,
                     help="the full lane (make test-full): also the tests marked `full` (the "
                          "corpora on every run seed, the calibration of every case) and whole "
                          "classes where the default lane grades a subset covering every status")


def pytest_collection_modifyitems(config, items):
    """Without --full, tests marked `full` are deselected (not skipped): each repeats a
    capability that the default lane (`make test`) already tests, on more seeds, cases or
    students. `make test` is every capability; `make test-full` is that on every input."""
    if config.getoption(FULL_OPTION):
        return
    kept = [item for item in items if item.get_closest_marker("full") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("full")])
        items[:] = kept


def full_lane(config) -> bool:
    """True in the full lane (`make test-full`): fixtures grade whole classes there."""
    return bool(config.getoption(FULL_OPTION))


@pytest.fixture(scope="session")
def full(request) -> bool:
    """True in the full lane (`make test-full`), False in `make test`."""
    return full_lane(request.config)


@pytest.fixture(autouse=True)
def _no_course_override(monkeypatch):
    """No test finds the course through $NNKIT_COURSE_ROOT (a developer's shell may set it): the
    kit's own course is the checkout the tests run in, found as every command finds it."""
    monkeypatch.delenv(ROOT_ENV, raising=False)


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """A temporary copy of the course, which `grader` serves as the checkout at or above the
    working directory (the test runs inside it)."""
    root = tmp_path / "course"
    for folder in ("solutions", "datasets", "autograde_tests", "assignments"):
        shutil.copytree(ROOT / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    monkeypatch.chdir(root)
    the_course = paths.course()
    assert the_course.root == root.resolve() and the_course.origin == paths.FROM_CHECKOUT
    return Course(root)


@pytest.fixture
def course_with_examples(course_copy):
    """course_copy plus the example class's variants and expectation (no generated submissions)."""
    shutil.copytree(ROOT / "examples", course_copy.root / "examples",
                    ignore=shutil.ignore_patterns("submitted"))
    return course_copy


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(exit status, printed output, output folder) of `grader demo` on the committed class, run
    once per test run (shared by the xdist workers: the tests only read it)."""
    def run(folder: Path) -> dict:
        out = folder / "demo-output"
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            status = main(["demo", "--skip-release", "--out", str(out)])
        return {"status": status, "printed": printed.getvalue(), "out": str(out)}

    made = once_per_run(tmp_path_factory, "demo", run)
    return made["status"], made["printed"], Path(made["out"])


def once_per_run(tmp_path_factory, name: str, make) -> dict:
    """`make(folder)` (a JSON-able dict) computed once per pytest run, not once per xdist
    worker: the first worker to ask makes it in a folder every worker can read, under a lock
    the others wait on, and they read the stored dict. For fixtures whose product the tests only
    read (they must copy before writing)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent   # the run's folder, above each worker's own
    done = base / f"once-{name}.json"
    with open(base / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # released when the file closes
        if not done.is_file():
            folder = base / f"once-{name}"
            shutil.rmtree(folder, ignore_errors=True)   # a worker that failed half-way
            folder.mkdir()
            made = make(folder)
            done.write_text(json.dumps(made))
        return json.loads(done.read_text())
