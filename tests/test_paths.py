"""Which course a command serves: --course, the checkout at or above the working directory, the
course installed with the kit; `grader course` and `grader --version` say which and from where,
and every way to get it wrong is one line that says what to do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import paths
from grader.cli import main

ROOT = Path(__file__).resolve().parent.parent
GRADER = [sys.executable, "-m", "grader"]


def _tiny_course(folder: Path, names=("nn_from_scratch",)) -> Path:
    for name in names:
        shutil.copytree(ROOT / "solutions" / name, folder / "solutions" / name)
    return folder


def test_a_subfolder_of_the_checkout_finds_the_checkout(monkeypatch):
    monkeypatch.chdir(ROOT / "docs" / "assignments")
    found = paths.course()
    assert found.root == ROOT and found.origin == paths.FROM_CHECKOUT


def test_outside_any_checkout_the_installed_course_is_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    found = paths.course()
    assert found.origin == paths.FROM_SOURCE      # an editable install serves its checkout
    assert found.assignment_names() == paths.Course(ROOT).assignment_names()
    # The hidden tests and datasets are the installed packages, whatever folder holds the course.
    assert (found.autograde_tests / "engine.py").is_file()
    assert (found.datasets / "manifest.json").is_file()


def test_what_makes_a_folder_a_course(tmp_path):
    assert not paths.is_course(tmp_path)
    (tmp_path / "solutions").mkdir()
    assert not paths.is_course(tmp_path)                     # an empty solutions/ is not one
    (tmp_path / "solutions" / "course.json").write_text("{}")
    assert paths.is_course(tmp_path)
    other = _tiny_course(tmp_path / "other")                 # an assignment folder is enough
    assert paths.is_course(other)
    assert paths.checkout_above(other / "solutions" / "nn_from_scratch") == other.resolve()


def test_the_option_wins_over_the_checkout(tmp_path, monkeypatch, capsys):
    mine = _tiny_course(tmp_path / "mine")
    monkeypatch.chdir(ROOT)
    for argv in (["--course", str(mine), "course"], ["course", "--course", str(mine)]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0] == f"course: {mine.resolve()} ({paths.FROM_OPTION})"
        assert "assignments (1):" in out and "nn_from_scratch: " in out
    assert paths.course().root == ROOT   # the choice lasts as long as the command


def test_the_environment_variable_is_only_an_override(tmp_path, monkeypatch, capsys):
    mine = _tiny_course(tmp_path / "mine")
    monkeypatch.setenv(paths.ROOT_ENV, str(mine))
    assert paths.course().root == mine.resolve() and paths.course().origin == paths.FROM_ENV
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path / "nowhere"))
    assert main(["course"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"fix or unset {paths.ROOT_ENV}" in err


@pytest.mark.parametrize("make", [lambda t: t / "missing", lambda t: t])
def test_a_wrong_course_option_is_one_line(tmp_path, capsys, make):
    assert main(["--course", str(make(tmp_path)), "autograde", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("grader: error: --course ")
    assert "solutions/" in err


def test_the_version_names_the_course(tmp_path):
    done = subprocess.run([*GRADER, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0
    version, where = done.stdout.splitlines()
    assert version.startswith("grader ") and where.startswith("course: ")
    assert where.endswith(f"({paths.FROM_SOURCE})")
    done = subprocess.run([*GRADER, "--version"], capture_output=True, text=True, cwd=ROOT / "grader")
    assert done.stdout.splitlines()[1] == f"course: {ROOT} ({paths.FROM_CHECKOUT})"


def test_collect_takes_the_course_file_as_course_file(tmp_path, capsys):
    assert main(["collect", str(tmp_path), "--course-file", "x.json"]) == 2
    assert "add --out" in capsys.readouterr().err


def test_an_assignment_without_installed_hidden_tests_is_one_line(tmp_path, monkeypatch, capsys):
    """The issue's 40-line traceback: a course folder whose assignment the installed hidden tests
    lack (a new assignment, the kit not installed again)."""
    mine = tmp_path / "mine"
    shutil.copytree(ROOT / "solutions" / "nn_from_scratch", mine / "solutions" / "newer")
    (mine / "solutions" / "newer" / "nn_from_scratch.ipynb").rename(
        mine / "solutions" / "newer" / "newer.ipynb")
    (tmp_path / "class").mkdir()
    monkeypatch.chdir(mine)
    assert main(["autograde", str(tmp_path / "class"), "--assignment", "newer"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no hidden tests for 'newer'" in err
    assert "install the kit again" in err


def test_commands_that_write_never_change_an_installed_course(tmp_path, capsys):
    installed = paths.Course(_tiny_course(tmp_path / "site" / "nnkit_course"), paths.FROM_INSTALLED)
    with pytest.raises(paths.UsageError, match="installed with the kit: run it in a checkout"):
        paths.writable(installed, "grader release")
    assert paths.writable(paths.course(), "grader release").root == ROOT
