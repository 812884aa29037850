"""Run the public checks of your notebook and print one line per exercise.

Usage, from the assignment folder (next to the notebook, toy2d.py and hyperparameters.json):

    python check.py                      # the one .ipynb notebook of this folder
    python check.py nn_from_scratch.ipynb
    python check.py -v                   # every hint in full

What runs: the notebook's setup cells (imports, settings), your solution cells and any cells you
added, in notebook order (as when your notebook is graded); then every check of the assignment
as it was released, each on its own (this file carries the released check cells, so a check cell
you edited or deleted by mistake still runs as released, and you are told about the change).
Demo cells (training and plots) and the grade cells do not run, here or when your notebook is
graded, and lines starting with % or ! are skipped. A check either passes, is not implemented yet,
fails (with the message of the failed assertion as a hint), or times out. When a check fails
because a function it uses fails its own check, the hint says which one to fix first.

Passing these checks is a good sign, not a guarantee: the grader runs more tests (random inputs,
edge cases, gradient checks, and training accuracy where the assignment trains). The exit code is
0 when every check passes and your check cells are as released.

This file needs only Python and NumPy (matplotlib when your notebook imports it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nnkit_contract.cells import (  # check.py: inline
    RUN_WHEN_GRADED,
    Role,
    cell_role,
    cell_source,
    functions_of,
    grade_id,
    graded_role,
    neutralize_magics,
)
from nnkit_contract.check_texts import CHECK_TEXTS  # check.py: inline
from nnkit_contract.i18n import DEFAULT_LANGUAGE, template, use_catalog  # check.py: inline
from nnkit_contract.outcomes import STATUS_WORDS, Status, not_implemented_message  # check.py: inline

#: The assignment's released checks: {"assignment": name, "checks": [[grade_id, source], ...],
#: "calls": {function: [graded functions it calls]}, "check_uses": {function: [graded functions
#: its check cell reaches]}, "kinds": the summary's message id of the grader's further tests}.
#: Written into the released check.py; None here, where `grader check` passes them in.
RELEASED: dict | None = None  # check.py: released checks

#: Seconds one cell may run before it is stopped and reported as timed out.
CELL_TIME_LIMIT = 20.0
#: Longest hint printed in the table (the rest is cut; `-v` shows it whole).
HINT_WIDTH = 110

#: The language this check.py speaks, and the translations of its messages into it (id ->
#: {language: template}): written into the released check.py by grader/release/check_script.py
#: for the release's language (docs/translating.md); English and no catalog here.
LANGUAGE: str = DEFAULT_LANGUAGE  # check.py: language
CATALOG: dict | None = None  # check.py: catalog
if CATALOG is not None:
    use_catalog(CATALOG)

#: The statuses of the table: the contract's words (outcomes.STATUS_WORDS).
_STATUSES = (Status.PASSED, Status.FAILED, Status.NOT_IMPLEMENTED, Status.TIMEOUT, Status.NOT_RUN)

#: check.py's own messages, id -> English template (the contract's words for the statuses and an
#: unimplemented function, nnkit_contract/check_texts.py for the rest): the source of their
#: catalog entries (grader/release/catalogs.py); `say(id, **values)` renders one in LANGUAGE.
MESSAGES: dict[str, str] = {
    **{f"check.status-{s.value}": STATUS_WORDS[s] for s in _STATUSES},
    "check.not-implemented": not_implemented_message("{function}"),
    **CHECK_TEXTS,
}


def say(message_id: str, /, **values) -> str:
    """Message `message_id` of MESSAGES in LANGUAGE, its placeholders filled with `values`."""
    return template(message_id, LANGUAGE, MESSAGES[message_id]).format(**values)


#: The words of the table, in LANGUAGE.
PASSED, FAILED, NOT_IMPLEMENTED, TIMED_OUT, NOT_RUN = (say(f"check.status-{s.value}")
                                                       for s in _STATUSES)
_CELL_NAME = "<notebook cell {}>"
#: The comment of a magic or shell line check.py skips.
_SKIPPED = "skipped by check.py: {line}"


class CheckTimeout(BaseException):
    """Raised inside a cell that runs longer than its limit (a BaseException, so that an
    `except Exception` in student code cannot swallow it)."""


@dataclass
class CellCode:
    label: str   # grade id of the cell, or "cell N" (its position) for a cell without one
    kind: str    # a contract Role value: "setup", "solution", "added", "check"
    source: str


@dataclass
class CheckResult:
    exercise: str
    status: str
    hint: str = ""
    functions: list[str] = field(default_factory=list)
    detail: str = ""     # the check's own message, when the hint names a function to fix first
    notes: list[str] = field(default_factory=list)   # NumPy warnings your code raised (no effect)


@dataclass
class Report:
    results: list[CheckResult]
    notes: list[str]                   # cells of the notebook that raised while running
    changed: list[tuple[str, str]]     # (check cell, "edited" | "removed") against the release
    released: bool                     # the released checks ran (else the notebook's own)
    numpy: str = ""                    # one line when this NumPy is not the course's
    kinds: str = "check.kinds-untrained"   # the summary's further tests (RELEASED["kinds"])


# ---------------------------------------------------------------------------------------------
# Reading the notebook.
# ---------------------------------------------------------------------------------------------

def read_cells(path: Path, roles: dict | None = None) -> list[CellCode]:
    """The code cells of the notebook at `path` that check.py cares about, in notebook order.

    roles: grade_id -> Role of the released cells; with them a cell's role is the released
    cell's, as when the notebook is graded (contract.graded_role), whatever its own metadata
    says. Without them, the cell's own metadata tells."""
    notebook = json.loads(path.read_text(encoding="utf-8-sig"))   # a BOM is harmless
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{path.name} is not a Jupyter notebook (no list of cells)")
    if notebook.get("nbformat") != 4:
        raise ValueError(f"{path.name} is not a version-4 notebook (nbformat "
                         f"{str(notebook.get('nbformat'))[:10]}): open it in Jupyter and save it")
    cells = []
    for number, cell in enumerate(notebook["cells"], start=1):
        role = cell_role(cell) if roles is None else graded_role(cell, roles)
        source = cell_source(cell)
        if isinstance(cell, dict) and cell.get("cell_type") != "code":
            continue  # only code runs, whatever role its id gives it
        if (role not in RUN_WHEN_GRADED and role is not Role.CHECK) or source is None:
            continue  # demo and grade cells (and any other locked cell) do not run
        label = grade_id(cell) if role is not Role.ADDED else f"cell {number}"
        cells.append(CellCode(label, role.value, neutralize_magics(source, _SKIPPED)))
    return cells


def _changed(released: list[CellCode], own: dict[str, CellCode]) -> list[tuple[str, str]]:
    """(grade_id, "removed" or "edited") for every released cell the notebook lost or changed."""
    changed = []
    for cell in released:
        mine = own.get(cell.label)
        if mine is None:
            changed.append((cell.label, "removed"))
        elif not _same_source(mine.source, cell.source):
            changed.append((cell.label, "edited"))
    return changed


def exercise_name(check_id: str) -> str:
    return ", ".join(functions_of(check_id))


def _same_source(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.strip().splitlines()] == \
        [line.rstrip() for line in b.strip().splitlines()]


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


def run_code(cell: CellCode, namespace: dict, limit: float,
             notes: list[str] | None = None) -> BaseException | None:
    """Execute one cell in `namespace`, its printed output hidden; the exception it raised, if
    any (CheckTimeout when it ran out of time). `notes` receives one line per NumPy warning
    (overflow, invalid value, division by zero) that a line of the student's own cells raised
    meanwhile: as when graded, a warning decides nothing (the checks judge what the functions
    return), but the student is told where it came from."""
    sink = io.StringIO()
    caught: list = []
    try:
        code = compile(cell.source, _CELL_NAME.format(cell.label), "exec")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(record=True) as recorded, time_limit(limit):
            caught = recorded
            warnings.simplefilter("ignore")
            warnings.simplefilter("always", RuntimeWarning)
            exec(code, namespace)
    except (Exception, CheckTimeout, SystemExit) as exc:  # noqa: BLE001 - student code may raise anything
        return exc
    finally:
        if notes is not None:
            notes.extend(_warning_notes(caught, cell.label))
    return None


def _warning_notes(caught: list, running: str) -> list[str]:
    """One line per distinct RuntimeWarning raised in a notebook cell other than `running` (the
    check itself): "overflow encountered in exp (your cell solution-softmax, line 3)"."""
    found = []
    for w in caught:
        where = str(getattr(w, "filename", ""))
        if not issubclass(w.category, RuntimeWarning) or not where.startswith("<notebook cell "):
            continue
        label = where[len("<notebook cell "):-1]
        if label != running:
            found.append(say("check.numpy-warned", warning=w.message, cell=label, line=w.lineno))
    return list(dict.fromkeys(found))


def _raised_in(exc: BaseException) -> str | None:
    """Name of the innermost notebook function the exception came from, if any."""
    name = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<notebook cell") and frame.name != "<module>":
            name = frame.name
    return name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def judge(exercise: str, exc: BaseException | None, limit: float,
          in_check: bool = True) -> CheckResult:
    if exc is None:
        return CheckResult(exercise, PASSED)
    where = _raised_in(exc)
    if isinstance(exc, CheckTimeout):
        inside = say("check.stopped-inside", function=where) if where else ""
        return CheckResult(exercise, TIMED_OUT, say("check.timed-out", limit=f"{limit:g}",
                                                    inside=inside))
    if isinstance(exc, NotImplementedError):
        return CheckResult(exercise, NOT_IMPLEMENTED,
                           say("check.not-implemented", function=where) if where else "")
    if isinstance(exc, AssertionError):
        return CheckResult(exercise, FAILED, _one_line(str(exc)) or say("check.assertion-failed"))
    if in_check and isinstance(exc, NameError) and getattr(exc, "name", None) in exercise.split(", "):
        return CheckResult(exercise, FAILED, say("check.not-defined", name=exc.name))
    if isinstance(exc, SystemExit):
        inside = say("check.exit-inside", function=where) if where else ""
        return CheckResult(exercise, FAILED, _one_line(say("check.sys-exit", code=repr(exc.code),
                                                           inside=inside)))
    if where:
        return CheckResult(exercise, FAILED, _one_line(say(
            "check.raised-in", error=type(exc).__name__, function=where, detail=str(exc))))
    if not in_check:
        return CheckResult(exercise, FAILED, _one_line(say(
            "check.raised", error=type(exc).__name__, detail=str(exc))))
    return CheckResult(exercise, FAILED, _one_line(say(
        "check.raised-in-check", error=type(exc).__name__, exercise=exercise, detail=str(exc))))


def closure(calls: Mapping[str, Iterable[str]], functions: list[str]) -> set[str]:
    """Every name that `functions` use, directly or not (themselves excluded); `calls` maps a
    name to the names it uses (a name without an entry uses nothing)."""
    seen: set[str] = set()
    todo = [g for f in functions for g in calls.get(f, [])]
    while todo:
        g = todo.pop()
        if g not in seen:
            seen.add(g)
            todo.extend(calls.get(g, []))
    return seen - set(functions)


def blame_dependencies(results: list[CheckResult], calls: dict[str, list[str]],
                       check_uses: Mapping[str, Iterable[str]] | None = None) -> None:
    """A failing check whose exercise uses a function that fails its own check says to fix that
    one first (its own message is kept in `detail`). It uses what its functions call, directly or
    not, and what its check cell reaches (`check_uses`: already followed to the end, e.g. a
    graph's backward and every local backward the graph recorded)."""
    check_uses = check_uses or {}
    failing = {f for r in results if r.status != PASSED for f in r.functions}
    for r in results:
        if r.status not in (FAILED, TIMED_OUT):
            continue
        reached = closure(calls, r.functions).union(
            *(check_uses.get(f, ()) for f in r.functions)) - set(r.functions)
        first = sorted(reached & failing)
        if first:
            which = "check.fix-first-one" if len(first) == 1 else "check.fix-first-many"
            r.detail, r.hint = r.hint, say(which, exercise=r.exercise, names=", ".join(first))


def run_checks(notebook: Path, limit: float = CELL_TIME_LIMIT, folder: Path | None = None,
               released: dict | None = None) -> Report:
    """Run the checks of `notebook` (see the module docstring).

    released: the assignment's released checks (default: the ones this file carries). Without
    any, the notebook's own check cells run, as they are.

    The cells run in `folder` (default: the notebook's folder), with that folder first on
    sys.path, so that toy2d and hyperparameters.json are found the way the notebook finds them.
    No bytecode files are written there.
    """
    released = released if released is not None else RELEASED
    notebook = Path(notebook).resolve()
    roles = {gid: Role(role) for gid, role in released["roles"].items()} \
        if released and "roles" in released else None
    cells = read_cells(notebook, roles)
    own_checks = {c.label: c for c in cells if c.kind == Role.CHECK.value}
    changed: list[tuple[str, str]] = []
    if released:
        checks = [CellCode(gid, Role.CHECK.value, neutralize_magics(source, _SKIPPED))
                  for gid, source in released["checks"]]
        changed += _changed(checks, own_checks)
    else:
        checks = list(own_checks.values())
    if released and "setup" in released:
        # As when graded: the released setup cells run first, as released; the student's own
        # setup cells never run (an edit there is reported, like an edited check).
        setup = [CellCode(gid, Role.SETUP.value, neutralize_magics(source, _SKIPPED))
                 for gid, source in released["setup"]]
        changed += _changed(setup, {c.label: c for c in cells if c.kind == Role.SETUP.value})
        cells = setup + [c for c in cells if c.kind != Role.SETUP.value]
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
        for cell in (c for c in cells if c.kind != Role.CHECK.value):
            exc = run_code(cell, namespace, limit)
            if exc is not None:
                verdict = judge(cell.label, exc, limit, in_check=False)
                notes.append(say("check.cell-failed-hint" if verdict.hint else "check.cell-failed",
                                 cell=cell.label, kind=cell.kind, status=verdict.status,
                                 hint=verdict.hint))
                if cell.kind == Role.SETUP.value:
                    setup_failed = True
                    break
        for cell in checks:
            if setup_failed:
                result = CheckResult(exercise_name(cell.label), NOT_RUN,
                                     say("check.setup-failed"))
            else:
                # Every check runs on its own copy of the names: no check disturbs another.
                warned: list[str] = []
                exc = run_code(cell, dict(namespace), limit, warned)
                result = judge(exercise_name(cell.label), exc, limit)
                result.notes = warned
            result.functions = functions_of(cell.label)
            results.append(result)
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        sys.dont_write_bytecode = old_bytecode
    if released:
        blame_dependencies(results, released.get("calls", {}), released.get("check_uses"))
    kinds = (released or {}).get("kinds")
    return Report(results, notes, changed, bool(released), numpy_note(released),
                  kinds if kinds in ("check.kinds-trained", "check.kinds-untrained")
                  else "check.kinds-untrained")


def numpy_note(released: dict | None) -> str:
    """One line when the NumPy running here is not the minor version the course grades with (the
    release names it; grader/grading/numpy_version.py), else ""."""
    wanted = (released or {}).get("numpy")
    import numpy

    have = numpy.__version__
    if not wanted or ".".join(have.split(".")[:2]) == wanted:
        return ""
    return say("check.numpy-version", have=have, wanted=wanted)


# ---------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------

def _cut(text: str) -> str:
    return text if len(text) <= HINT_WIDTH else text[: HINT_WIDTH - 3] + "..."


def format_table(results: list[CheckResult], verbose: bool = False) -> str:
    rows = [(say("check.column-exercise"), say("check.column-status"), say("check.column-hint"))] + [
        (r.exercise, r.status, r.hint if verbose else _cut(r.hint)) for r in results]
    width0 = max(len(row[0]) for row in rows)
    width1 = max(len(row[1]) for row in rows)
    lines = [f"{a:<{width0}} | {b:<{width1}} | {c}".rstrip() for a, b, c in rows]
    lines.insert(1, f"{'-' * width0}-+-{'-' * width1}-+-{'-' * 4}")
    return "\n".join(lines)


def report(result: Report, seconds: float, verbose: bool = False) -> str:
    results = result.results
    passed = sum(r.status == PASSED for r in results)
    parts = [format_table(results, verbose), ""]
    if verbose:
        details = ["  " + say("check.own-check-said", exercise=r.exercise, detail=r.detail)
                   for r in results if r.detail]
        if details:
            parts += [say("check.heading-dependencies")] + details + [""]
    warned = [(r.exercise, note) for r in results for note in r.notes]
    if warned:
        parts += [say("check.heading-warnings")]
        parts += [f"  {exercise}: {note}" for exercise, note in warned] + [""]
    if result.notes:
        parts += [say("check.heading-cell-errors")]
        parts += [f"  {note}" for note in result.notes] + [""]
    if result.changed:
        parts += [say("check.heading-changed")]
        parts += [f"  {gid}: {say('check.cell-' + what)}" for gid, what in result.changed] + [""]
    if not result.released:
        parts += [say("check.no-released"), ""]
    if result.numpy:
        parts += [result.numpy, ""]
    parts.append(say("check.demo-cells"))
    if result.changed:
        parts.append(say("check.summary-changed", passed=passed, total=len(results),
                         changed=len(result.changed), seconds=f"{seconds:.1f}"))
    else:
        kinds = say(result.kinds)
        parts.append(say("check.summary", passed=passed, total=len(results),
                         seconds=f"{seconds:.1f}", kinds=kinds))
    return "\n".join(parts)


def ok(result: Report) -> bool:
    """Every check passed and the check cells are as released."""
    return bool(result.results) and all(r.status == PASSED for r in result.results) \
        and not result.changed


def find_notebook(argument: str | None) -> Path:
    """The notebook named on the command line, else the one .ipynb in the current folder (or,
    when there is none, in the folder of this file)."""
    if argument:
        path = Path(argument)
        if not path.is_file():
            raise SystemExit(say("check.no-such-notebook", name=argument))
        return path
    for folder in dict.fromkeys([Path.cwd(), Path(__file__).resolve().parent]):
        found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise SystemExit(say("check.several-notebooks", names=names))
    raise SystemExit(say("check.no-notebook"))


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", help="the notebook (default: the one .ipynb here)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every hint in full")
    parser.add_argument("--time-limit", type=float, default=CELL_TIME_LIMIT,
                        help=f"seconds per cell (default {CELL_TIME_LIMIT:g})")
    args = parser.parse_args(argv)
    notebook = find_notebook(args.notebook)
    start = time.perf_counter()
    try:
        result = run_checks(notebook, args.time_limit)
    except (OSError, ValueError) as exc:
        print(say("check.cannot-read", notebook=notebook, error=exc), file=sys.stderr)
        return 2
    except RecursionError:
        print(say("check.too-deep", notebook=notebook), file=sys.stderr)
        return 2
    print(report(result, time.perf_counter() - start, args.verbose), file=out)
    return 0 if ok(result) else 1


if __name__ == "__main__":
    sys.exit(main())
