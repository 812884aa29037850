"""`grader check NOTEBOOK`: the students' public checks (the release's check.py) on one notebook.

The same code as `python check.py` in the student release (grader/release/student_check.py, shipped as
check.py with the assignment's released checks), given the same released checks from the
assignment's source notebook, so instructors and TAs see exactly the table a student sees.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from grader.errors import UsageError
from grader.paths import course
from grader.release import student_check

HELP = "Run the public check cells of a notebook and print the students' check table."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("notebook", type=Path, metavar="NOTEBOOK", help="the notebook to check")
    parser.add_argument("--folder", type=Path, metavar="DIR",
                        help="folder the cells run in, holding toy2d.py and hyperparameters.json "
                        "(default: the notebook's folder when it holds hyperparameters.json, "
                        "else the release folder of the assignment with that notebook name)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every hint in full")
    parser.add_argument("--time-limit", type=float, default=student_check.CELL_TIME_LIMIT,
                        metavar="SECONDS", help="time limit per cell (default "
                        f"{student_check.CELL_TIME_LIMIT:g} s)")


def _released(notebook: Path) -> dict | None:
    """The released checks of the assignment whose notebook has this name, if there is one."""
    from grader.release.check_script import released_checks

    the_course = course()
    for name in the_course.assignment_names():
        source = the_course.solution_notebook(name)
        if source.name == notebook.name:
            return released_checks(source)
    return None


def _folder(notebook: Path, folder: Path | None) -> Path:
    if folder is not None:
        if not folder.is_dir():
            raise UsageError(f"--folder {folder} is not a folder")
        return folder
    if (notebook.parent / "hyperparameters.json").is_file():
        return notebook.parent
    the_course = course()
    for name in the_course.assignment_names():
        release = the_course.assignments / name
        if (release / notebook.name).is_file() and (release / "hyperparameters.json").is_file():
            return release
    raise UsageError(f"no hyperparameters.json next to {notebook} and no released assignment "
                     f"with a notebook called {notebook.name}; pass --folder DIR")


def run(args: argparse.Namespace) -> int:
    notebook: Path = args.notebook
    if not notebook.is_file():
        raise UsageError(f"no notebook {notebook}")
    folder = _folder(notebook, args.folder)
    start = time.perf_counter()
    try:
        result = student_check.run_checks(notebook, args.time_limit, folder, _released(notebook))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {notebook}: {exc}") from None
    except RecursionError:
        raise UsageError(f"cannot read {notebook}: it is nested too deeply to be a notebook") from None
    print(student_check.report(result, time.perf_counter() - start, args.verbose))
    sys.stdout.flush()
    return 0 if student_check.ok(result) else 1
