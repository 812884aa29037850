"""Run the public checks of your notebook and print one line per exercise.

Usage, from the assignment folder (next to the notebook, toy2d.py and hyperparameters.json):

    python check.py                      # the one .ipynb notebook of this folder
    python check.py nn_from_scratch.ipynb

What runs: the notebook's setup cells (imports, settings), your solution cells and any cells you
added, in notebook order (as when your notebook is graded); then every check cell (the locked
cell after each exercise), each on its own. Demo cells (training and plots) and the hidden-test
cells do not run, and lines starting with % or ! are skipped. A check either passes, is not
implemented yet, fails (with the message of the failed assertion as a hint), or times out.

Passing these checks is a good sign, not a guarantee: the grader runs more tests (random inputs,
edge cases, gradient checks, training accuracy). The exit code is 0 when every check passes.

This file needs only Python and NumPy (matplotlib when your notebook imports it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import signal
import sys
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

from autograde_tests.contract import Role, cell_role, cell_source, grade_id  # check.py: inline

#: Seconds one cell may run before it is stopped and reported as timed out.
CELL_TIME_LIMIT = 20.0
#: Longest hint printed in the table (the rest is cut).
HINT_WIDTH = 110

PASSED, FAILED, NOT_IMPLEMENTED, TIMED_OUT = "passed", "FAILED", "not implemented", "timed out"
NOT_RUN = "not run"
_CELL_NAME = "<notebook cell {}>"
_SHELL_OR_MAGIC = re.compile(r"^(?P<indent>\s*)[%!]")


class CheckTimeout(BaseException):
    """Raised inside a cell that runs longer than its limit (a BaseException, so that an
    `except Exception` in student code cannot swallow it)."""


@dataclass
class CellCode:
    label: str   # grade id of the cell, or "cell N" for a cell without one
    kind: str    # a contract Role value: "setup", "solution", "added", "check"
    source: str


@dataclass
class CheckResult:
    exercise: str
    status: str
    hint: str = ""


# ---------------------------------------------------------------------------------------------
# Reading the notebook.
# ---------------------------------------------------------------------------------------------

def strip_magics(source: str) -> str:
    """`source` with IPython magics and shell lines (`%...`, `!...`) turned into `pass`; a cell
    that starts with a cell magic (`%%...`) becomes empty."""
    if source.lstrip().startswith("%%"):
        return ""
    out = []
    for line in source.splitlines():
        found = _SHELL_OR_MAGIC.match(line)
        out.append(f"{found['indent']}pass  # skipped by check.py: {line.strip()}" if found else line)
    return "\n".join(out)


def read_cells(path: Path) -> list[CellCode]:
    """The code cells of the notebook at `path` that check.py cares about, in notebook order."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{path.name} is not a Jupyter notebook (no list of cells)")
    cells = []
    for number, cell in enumerate(notebook["cells"], start=1):
        role = cell_role(cell)
        source = cell_source(cell)
        if role not in (Role.SETUP, Role.SOLUTION, Role.ADDED, Role.CHECK) or source is None:
            continue  # demo and test cells (and any other locked cell) do not run
        label = grade_id(cell) if role is not Role.ADDED else f"cell {number}"
        cells.append(CellCode(label, role.value, strip_magics(source)))
    return cells


def exercise_name(grade_id: str) -> str:
    """"check-init_params" -> "init_params"; "check-predict-accuracy" -> "predict, accuracy"."""
    return ", ".join(grade_id.removeprefix("check-").split("-"))


# ---------------------------------------------------------------------------------------------
# Running cells.
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise CheckTimeout in the running code after `seconds` (where SIGALRM exists)."""
    if not hasattr(signal, "SIGALRM") or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_code(cell: CellCode, namespace: dict, limit: float) -> BaseException | None:
    """Execute one cell in `namespace`, its printed output hidden; the exception it raised, if
    any (CheckTimeout when it ran out of time)."""
    sink = io.StringIO()
    try:
        code = compile(cell.source, _CELL_NAME.format(cell.label), "exec")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(), time_limit(limit):
            warnings.simplefilter("ignore")
            exec(code, namespace)
    except (Exception, CheckTimeout, SystemExit) as exc:  # noqa: BLE001 - student code may raise anything
        return exc
    return None


def _raised_in(exc: BaseException) -> str | None:
    """Name of the innermost notebook function the exception came from, if any."""
    name = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<notebook cell") and frame.name != "<module>":
            name = frame.name
    return name


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= HINT_WIDTH else text[: HINT_WIDTH - 3] + "..."


def judge(exercise: str, exc: BaseException | None, limit: float) -> CheckResult:
    if exc is None:
        return CheckResult(exercise, PASSED)
    where = _raised_in(exc)
    if isinstance(exc, CheckTimeout):
        inside = f" (stopped inside {where})" if where else ""
        return CheckResult(exercise, TIMED_OUT, f"still running after {limit:g} s{inside}: "
                                                "an endless loop?")
    if isinstance(exc, NotImplementedError):
        return CheckResult(exercise, NOT_IMPLEMENTED,
                           f"{where} is not implemented yet" if where else "")
    if isinstance(exc, AssertionError):
        return CheckResult(exercise, FAILED, _one_line(str(exc)) or "an assertion failed")
    if isinstance(exc, SystemExit):
        inside = f" in {where}" if where else ""
        return CheckResult(exercise, FAILED, _one_line(f"sys.exit({exc.code!r}) was called{inside}: "
                                                       "a notebook must never exit"))
    inside = f" in {where}" if where else ""
    return CheckResult(exercise, FAILED, _one_line(f"{type(exc).__name__}{inside}: {exc}"))


def run_checks(notebook: Path, limit: float = CELL_TIME_LIMIT,
               folder: Path | None = None) -> tuple[list[CheckResult], list[str]]:
    """(one result per check cell, notes about other cells that raised) for `notebook`.

    First the setup, solution and added cells run in notebook order (as when the notebook is
    graded: a function redefined further down counts), then every check cell on its own.

    The cells run in `folder` (default: the notebook's folder), with that folder first on
    sys.path, so that toy2d and hyperparameters.json are found the way the notebook finds them.
    No bytecode files are written there.
    """
    notebook = Path(notebook).resolve()
    cells = read_cells(notebook)
    folder = str(Path(folder).resolve() if folder else notebook.parent)
    os.environ.setdefault("MPLBACKEND", "Agg")  # plots are never shown
    old_cwd, old_path, old_bytecode = os.getcwd(), list(sys.path), sys.dont_write_bytecode
    os.chdir(folder)
    sys.path.insert(0, folder)
    sys.dont_write_bytecode = True
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    results: list[CheckResult] = []
    notes: list[str] = []
    setup_failed = False
    try:
        for cell in (c for c in cells if c.kind != "check"):
            exc = run_code(cell, namespace, limit)
            if exc is not None:
                verdict = judge(cell.label, exc, limit)
                notes.append(f"{cell.label} ({cell.kind} cell): {verdict.status}"
                             f"{': ' + verdict.hint if verdict.hint else ''}")
                if cell.kind == "setup":
                    setup_failed = True
                    break
        for cell in (c for c in cells if c.kind == "check"):
            if setup_failed:
                results.append(CheckResult(exercise_name(cell.label), NOT_RUN,
                                           "the setup cell failed (see below)"))
                continue
            # Every check runs on its own copy of the names: no check disturbs another.
            exc = run_code(cell, dict(namespace), limit)
            results.append(judge(exercise_name(cell.label), exc, limit))
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        sys.dont_write_bytecode = old_bytecode
    return results, notes


# ---------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------

def format_table(results: list[CheckResult]) -> str:
    rows = [("exercise", "status", "hint")] + [(r.exercise, r.status, r.hint) for r in results]
    width0 = max(len(row[0]) for row in rows)
    width1 = max(len(row[1]) for row in rows)
    lines = [f"{a:<{width0}} | {b:<{width1}} | {c}".rstrip() for a, b, c in rows]
    lines.insert(1, f"{'-' * width0}-+-{'-' * width1}-+-{'-' * 4}")
    return "\n".join(lines)


def report(results: list[CheckResult], notes: list[str], seconds: float) -> str:
    passed = sum(r.status == PASSED for r in results)
    parts = [format_table(results), ""]
    if notes:
        parts += ["Cells of your notebook that raised an error while running:"]
        parts += [f"  {note}" for note in notes] + [""]
    parts.append(f"{passed}/{len(results)} checks passed ({seconds:.1f} s). The grader runs more "
                 "tests than these checks (random inputs, edge cases, gradient checks, training "
                 "accuracy).")
    return "\n".join(parts)


def find_notebook(argument: str | None) -> Path:
    """The notebook named on the command line, else the one .ipynb in the current folder (or,
    when there is none, in the folder of this file)."""
    if argument:
        path = Path(argument)
        if not path.is_file():
            raise SystemExit(f"check.py: no notebook {argument}")
        return path
    for folder in dict.fromkeys([Path.cwd(), Path(__file__).resolve().parent]):
        found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise SystemExit(f"check.py: several notebooks here ({names}); name one: "
                             "python check.py NOTEBOOK")
    raise SystemExit("check.py: no notebook found; run it in the assignment folder or name one: "
                     "python check.py NOTEBOOK")


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", help="the notebook (default: the one .ipynb here)")
    parser.add_argument("--time-limit", type=float, default=CELL_TIME_LIMIT,
                        help=f"seconds per cell (default {CELL_TIME_LIMIT:g})")
    args = parser.parse_args(argv)
    notebook = find_notebook(args.notebook)
    start = time.perf_counter()
    try:
        results, notes = run_checks(notebook, args.time_limit)
    except (OSError, ValueError) as exc:
        print(f"check.py: cannot read {notebook}: {exc}", file=sys.stderr)
        return 2
    except RecursionError:
        print(f"check.py: cannot read {notebook}: it is nested too deeply to be a notebook",
              file=sys.stderr)
        return 2
    print(report(results, notes, time.perf_counter() - start), file=out)
    return 0 if results and all(r.status == PASSED for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
