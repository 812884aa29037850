"""Run `grader` from another commit next to the current code, in the same benchmark run.

A baseline is exported with `git archive` (no worktree, nothing of the checkout changes) into a
folder of its own, and run with this interpreter (so with the same NumPy, nbgrader, ...) with its
own packages first on PYTHONPATH: `grader` and `autograde_tests` then come from the export,
sandbox worker and course files included.

BASELINE is the commit before the isolation between students (issue 20): one sandbox zygote that
received every submission's cells, storage wiped file by file. Measure against it on the branch
that made the change or right after it was merged, so that the two sides differ by that change
only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "b53f5b5"


def export(rev: str, dest: Path) -> Path:
    """The tree of `rev` in dest/ (created); returns dest."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"git archive {rev} failed: {archive.stderr.decode(errors='replace')[-300:]}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    # `toy2d` is installed from datasets/ (pyproject's package-dir): the same on PYTHONPATH.
    shim = dest / ".pypath"
    shim.mkdir(exist_ok=True)
    if not (shim / "toy2d").exists():
        (shim / "toy2d").symlink_to(dest / "datasets")
    return dest


def short_hash(rev: str) -> str:
    """The commit `rev` names, as a short hash (HEAD moves on; a hash does not)."""
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True,
                         text=True)
    return out.stdout.strip() or rev


def side(root: Path | None) -> tuple[list[str], dict[str, str], Path]:
    """(argv prefix, environment, working folder) that run `grader` from the export at `root`,
    or from the current code when root is None."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NNKIT_COURSE_ROOT")}
    if root is None:
        return [sys.executable, "-m", "grader.cli"], env, ROOT
    env["PYTHONPATH"] = os.pathsep.join([str(root), str(root / ".pypath")])
    return [sys.executable, "-m", "grader.cli"], env, root


def check_import(root: Path) -> None:
    """Fail early unless the export's packages are the ones that import."""
    argv, env, cwd = side(root)
    out = subprocess.run([sys.executable, "-c", "import grader, autograde_tests, toy2d; "
                          "print(grader.__file__, autograde_tests.__file__, toy2d.__file__)"],
                         env=env, cwd=cwd, capture_output=True, text=True)
    if out.returncode != 0 or any(not p.startswith(str(root)) for p in out.stdout.split()):
        raise SystemExit(f"the baseline at {root} does not import from there: {out.stdout}{out.stderr}")
