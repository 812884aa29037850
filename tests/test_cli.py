"""The `grader` command line: help, unknown subcommands, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.cli import main

GRADER = [sys.executable, "-m", "grader.cli"]
ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("release", "datasets", "demo"):
        assert name in out


def test_unknown_subcommand_is_one_line_and_nonzero():
    proc = subprocess.run([*GRADER, "nonsense"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "nonsense" in lines[0]


def test_unknown_flag_is_one_line_and_nonzero():
    proc = subprocess.run([*GRADER, "datasets", "--no-such-flag"], capture_output=True, text=True)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1


def test_console_script_installed():
    script = Path(sys.executable).with_name("grader")
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "COMMAND" in proc.stdout


def test_python_dash_m_grader_is_the_grader_command():
    done = subprocess.run([sys.executable, "-m", "grader", "autograde", "--nope"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.startswith("grader: error") and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "grader", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip()


def test_stale_doc_tables_say_what_to_run(course_copy, capsys):
    import shutil

    for rel in ("docs", "tests/mutants", "examples"):
        shutil.copytree(ROOT / rel, course_copy.root / rel)
    page = course_copy.root / "docs" / "assignments" / "nn_from_scratch.md"
    page.write_text(page.read_text().replace("| `standardize.fit` | 3 |", "| `standardize.fit` | 4 |"))
    assert main(["docs", "--check"]) == 1
    assert ("docs/assignments/nn_from_scratch.md: generated tables are out of date: run `make release` "
            "(or `grader docs` for the docs alone)") in \
        capsys.readouterr().out
    assert main(["docs"]) == 0 and main(["docs", "--check"]) == 0


def test_a_reader_that_leaves_early_gets_no_traceback():
    """`grader lint | head -1`: the pipe closes before the grader has written everything."""
    proc = subprocess.Popen([sys.executable, "-m", "grader.cli", "lint"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 141 and "Traceback" not in err, err


def test_autograde_tells_the_assignment_from_the_class_folder(tmp_path, capsys):
    from grader.commands.autograde import _only_assignment_in
    from grader.paths import course

    for student in ("ada", "bob"):
        (tmp_path / student / "training_networks").mkdir(parents=True)
    assert _only_assignment_in(tmp_path, course()) == "training_networks"
    (tmp_path / "cy" / "nn_from_scratch").mkdir(parents=True)   # now the folder holds two
    assert _only_assignment_in(tmp_path, course()) is None
    assert main(["autograde", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "choose one with --assignment" in capsys.readouterr().err
