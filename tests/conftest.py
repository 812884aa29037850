"""Fixtures shared by several test modules."""

from __future__ import annotations

import contextlib
import io
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
    """(exit status, printed output, output folder) of `grader demo` on the committed class."""
    out = tmp_path_factory.mktemp("demo") / "demo-output"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["demo", "--skip-release", "--out", str(out)])
    return status, printed.getvalue(), out
