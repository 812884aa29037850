"""The zip's run_autograder takes $AUTOGRADER_ROOT as given, absolute (Gradescope's /autograder)
or relative to where it was started (trying a tree locally, docs/gradescope.md): `grader` gets
the absolute root, whatever folder the script changed to. A stand-in `grader` on PATH records
its arguments and working folder; nothing is graded."""

from __future__ import annotations

import os
import subprocess
from importlib import resources
from pathlib import Path

import pytest

TEMPLATE = Path(str(resources.files("grader").joinpath("templates", "gradescope_run_autograder")))


@pytest.mark.parametrize("relative", [True, False])
def test_run_autograder_passes_an_absolute_root(tmp_path, relative):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "record.txt"
    fake = bin_dir / "grader"
    fake.write_text(f'#!/usr/bin/env bash\necho "$PWD" "$@" > {record}\n')
    fake.chmod(0o755)
    root = tmp_path / "trees" / "root"
    (root / "source").mkdir(parents=True)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "AUTOGRADER_ROOT": "trees/root" if relative else str(root)}
    proc = subprocess.run(["bash", str(TEMPLATE)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    cwd, *argv = record.read_text().split()
    assert Path(cwd) == root.resolve()
    assert argv == ["gradescope", "run", "--root", str(root.resolve())]
