"""Drive real nbgrader on a course directory: generate, autograde, export, feedback.

The course directory is nbgrader's own layout (source/, release/, submitted/, autograded/,
feedback/, gradebook.db, nbgrader_config.py). Everything goes through nbgrader's Python API
(NbGraderAPI with a traitlets Config); the same settings are also written to the folder's
nbgrader_config.py so that the plain `nbgrader ...` commands, run inside the folder, behave alike.

Settings that matter for this assignment (see docs/nbgrader.md):
- deleted grade cells score 0: nbgrader's default leaves them out and counts them as "needs
  manual grading"; its `OverwriteCells.add_missing_cells = True` crashes on this notebook in
  nbgrader 0.9.6 (KeyError when the cell before the deleted one is a read-only cell, as every
  check cell is), and the whole submission is then not graded. So add_missing_cells stays off
  and, after autograde, every grade cell absent from the submission gets a manual score of 0
  in the gradebook, with a comment (`zero_deleted_grade_cells`).
- `Execute.timeout`: per-cell limit in seconds.
- the environment variable NNKIT_SEED is set to the run seed while nbgrader runs, so the hidden
  tests (autograde_tests.nbgrader_bridge) draw the same inputs as `grader autograde --seed`.
- feedback is generated with `ClearHiddenTests`, so the hidden test source is not shown.
"""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
import sqlite3
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.leaks import is_allowed
from grader.paths import Course
from grader.release import NBGRADER_COURSE_ID, _scripts_on_path, check_assignment, require_nbgrader

#: Default course directory (inside the usual output folder, which is not versioned).
DEFAULT_COURSE_DIR = Path("grading-output") / "nbgrader-course"
#: Per-cell execution limit in seconds (training cells need most of it).
DEFAULT_CELL_TIMEOUT = 300
SEED_ENV = "NNKIT_SEED"
#: Written by `autograde`: seed, per-student success, error and duration.
RUN_FILE = "nnkit-autograde.json"
CONFIG_FILE = "nbgrader_config.py"


@dataclass
class AutogradeOutcome:
    student: str
    success: bool
    seconds: float
    error: str = ""


def _config(root: Path, timeout: int = DEFAULT_CELL_TIMEOUT):
    _, Config = require_nbgrader()
    root = root.resolve()
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = NBGRADER_COURSE_ID
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.Exchange.root = str(root / "exchange")
    c.Execute.timeout = int(timeout)
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import ClearHiddenTests, GetGrades
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests]
    return c


def _write_config_file(root: Path, timeout: int) -> None:
    """The same settings for the plain command line (`cd ROOT && nbgrader autograde ...`)."""
    text = (
        "# Written by `grader nbgrader generate`; the same settings as grader/nbgrader_course.py.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {NBGRADER_COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(root.resolve())!r}\n"
        f"c.CourseDirectory.db_url = {'sqlite:///' + str(root.resolve() / 'gradebook.db')!r}\n"
        f"c.Exchange.root = {str(root.resolve() / 'exchange')!r}\n"
        "# OverwriteCells.add_missing_cells is left off: in nbgrader 0.9.6 it crashes on this\n"
        "# notebook (see docs/nbgrader.md); `grader nbgrader autograde` zeroes deleted cells.\n"
        f"c.Execute.timeout = {int(timeout)}\n"
        "c.GenerateFeedback.preprocessors = [\n"
        "    'nbgrader.preprocessors.GetGrades',\n"
        "    'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor',\n"
        "    'nbgrader.preprocessors.ClearHiddenTests',\n"
        "]\n"
        "# Set NNKIT_SEED=<seed> in the environment before `nbgrader autograde` to reproduce\n"
        "# a `grader autograde --seed <seed>` run.\n")
    (root / CONFIG_FILE).write_text(text, encoding="utf-8")


@contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _api(root: Path, timeout: int = DEFAULT_CELL_TIMEOUT):
    NbGraderAPI, _ = require_nbgrader()
    return NbGraderAPI(config=_config(root, timeout))


def _fail(what: str, result: dict) -> UsageError:
    log = (result.get("log") or "") + (result.get("error") or "")
    last = [line for line in log.splitlines() if line.strip()][-3:]
    return UsageError(f"nbgrader {what} failed: {' | '.join(last) or 'no log'}")


def generate(course: Course, root: Path, assignment: str,
             timeout: int = DEFAULT_CELL_TIMEOUT) -> Path:
    """Copy solutions/<assignment>/ into ROOT/source/ and run generate_assignment; return the
    release folder. Refuses files that are not on the release allow-list: nbgrader would copy
    every file of the source folder into the release."""
    check_assignment(course, assignment)
    src = course.solutions / assignment
    refused = sorted(p.relative_to(src).as_posix() for p in src.rglob("*")
                     if p.is_file() and not is_allowed(p.relative_to(src).as_posix()))
    if refused:
        raise UsageError(f"solutions/{assignment}/ holds files nbgrader would release to students: "
                         f"{', '.join(refused)}")
    root.mkdir(parents=True, exist_ok=True)
    _write_config_file(root, timeout)
    dest = root / "source" / assignment
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    with _scripts_on_path():
        result = _api(root, timeout).generate_assignment(assignment, force=True, create=True)
    if not result.get("success"):
        raise _fail("generate_assignment", result)
    return root / "release" / assignment


def _submitted_students(submitted: Path, assignment: str) -> list[str]:
    return sorted(d.name for d in submitted.iterdir()
                  if d.is_dir() and list((d / assignment).glob("*.ipynb")))


def autograde(course: Course, root: Path, assignment: str, submitted: Path,
              seed: int | None = None, timeout: int = DEFAULT_CELL_TIMEOUT,
              students: list[str] | None = None,
              progress=None) -> tuple[int, list[AutogradeOutcome]]:
    """Copy SUBMITTED/<student>/<assignment>/*.ipynb into ROOT/submitted/ and run nbgrader
    autograde for every student, with $NNKIT_SEED set to the run seed. Returns (seed, outcomes).
    Generates the assignment first when ROOT has no gradebook yet."""
    if not submitted.is_dir():
        raise UsageError(f"submissions folder not found: {submitted}")
    if not (root / "gradebook.db").is_file() or not (root / "source" / assignment).is_dir():
        generate(course, root, assignment, timeout)
    found = _submitted_students(submitted, assignment)
    if students is not None:
        found = [s for s in found if s in students]
    if not found:
        raise UsageError(f"no notebooks in {submitted}/<student>/{assignment}/")
    for student in found:
        dest = root / "submitted" / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for nb in sorted((submitted / student / assignment).glob("*.ipynb")):
            shutil.copyfile(nb, dest / nb.name)
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    outcomes = []
    with _scripts_on_path(), _env(SEED_ENV, str(seed)):
        api = _api(root, timeout)
        for student in found:
            start = time.perf_counter()
            result = api.autograde(assignment, student, force=True, create=True)
            error = "" if result.get("success") else _fail("autograde", result).args[0]
            if result.get("success"):
                zero_deleted_grade_cells(root, assignment, student)
            outcomes.append(AutogradeOutcome(student, bool(result.get("success")),
                                             time.perf_counter() - start, error))
            if progress:
                progress(outcomes[-1])
    run_file = root / RUN_FILE
    previous = json.loads(run_file.read_text()) if run_file.is_file() else {}
    record = previous.get(assignment, {}) if previous.get(assignment, {}).get("seed") == seed else {}
    record = {"seed": seed, "students": {**record.get("students", {}), **{
        o.student: {"success": o.success, "seconds": round(o.seconds, 3), "error": o.error}
        for o in outcomes}}}
    run_file.write_text(json.dumps({**previous, assignment: record}, indent=2, sort_keys=True) + "\n")
    return seed, outcomes


DELETED_COMMENT = "This grade cell was deleted from the submission: 0 points."


def _grade_ids_in(path: Path) -> set[str]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and "grade_id" in c.metadata["nbgrader"]}


def zero_deleted_grade_cells(root: Path, assignment: str, student: str) -> list[str]:
    """Give 0 points (manual score, no manual grading needed) to every grade cell of the source
    that the student's submitted notebook lacks; return their ids."""
    from nbgrader.api import Gradebook

    zeroed = []
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{(root / 'gradebook.db').resolve()}",
                                               NBGRADER_COURSE_ID) as gb:
        warnings.simplefilter("ignore")
        for source_nb in sorted((root / "source" / assignment).glob("*.ipynb")):
            submitted = root / "submitted" / student / assignment / source_nb.name
            if not submitted.is_file():
                continue
            present = _grade_ids_in(submitted)
            for cell in sorted(_grade_ids_in(source_nb) - present):
                grade = gb.find_grade(cell, source_nb.stem, assignment, student)
                grade.manual_score = 0.0
                grade.needs_manual_grade = False
                comment = gb.find_comment(cell, source_nb.stem, assignment, student) \
                    if _has_comment(gb, cell, source_nb.stem, assignment, student) else None
                if comment is not None:
                    comment.manual_comment = DELETED_COMMENT
                zeroed.append(cell)
            gb.db.commit()
    return zeroed


def _has_comment(gb, cell: str, notebook: str, assignment: str, student: str) -> bool:
    from nbgrader.api import MissingEntry

    try:
        gb.find_comment(cell, notebook, assignment, student)
    except MissingEntry:
        return False
    return True


def gradebook_course_id(db: Path) -> str:
    """The course id stored in an nbgrader gradebook (ours is 'nnkit'; a course made with the
    plain nbgrader commands may use another one)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        ids = [row[0] for row in conn.execute("SELECT DISTINCT course_id FROM assignment")]
    if len(ids) > 1:
        raise UsageError(f"{db} holds several courses ({', '.join(sorted(ids))})")
    return ids[0] if ids else NBGRADER_COURSE_ID


def gradebook_results(db: Path, assignment: str | None = None,
                      failed: dict[str, set[str]] | None = None) -> list[dict]:
    """Every submission in the gradebook as a result dict in grader.results' shape: one test per
    grade cell (id = the cell's grade_id, e.g. test-linear_forward), status 'graded' ('error'
    for the students in failed[assignment], whose autograde failed)."""
    if not Path(db).is_file():
        raise UsageError(f"gradebook not found: {db}")
    from nbgrader.api import Gradebook

    rows = []
    with _scripts_on_path(), warnings.catch_warnings(), Gradebook(f"sqlite:///{Path(db).resolve()}",
                                       gradebook_course_id(Path(db))) as gb:
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy warnings while reading
        for a in gb.assignments:
            if assignment is not None and a.name != assignment:
                continue
            for sub in a.submissions:
                tests = []
                for nb in sub.notebooks:
                    for g in sorted(nb.grades, key=lambda g: _cell_order(a.name, g.name)):
                        tests.append({"id": g.name, "function": g.name.removeprefix("test-"),
                                      "points": float(g.score), "max_points": float(g.max_score),
                                      "status": "passed" if g.score == g.max_score else "failed",
                                      "needs_manual_grade": bool(g.needs_manual_grade)})
                bad = sub.student.id in (failed or {}).get(a.name, set())
                rows.append({"student": sub.student.id, "assignment": a.name,
                             "score": float(sub.score), "max_score": float(sub.max_score),
                             "status": "error" if bad else "graded", "tests": tests,
                             "source": "nbgrader"})
    return sorted(rows, key=lambda r: (r["student"], r["assignment"]))


def _cell_order(assignment: str, name: str) -> tuple[int, str]:
    """Grade cells in the order of the source notebook when it is ours, else by name."""
    order = _grade_ids(assignment)
    return (order.index(name), name) if name in order else (len(order), name)


@functools.cache
def _grade_ids(assignment: str) -> list[str]:
    from grader.paths import course

    try:
        path = course().solution_notebook(assignment)
    except UsageError:
        return []
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")]


def failed_students(root: Path) -> dict[str, set[str]]:
    """assignment -> students whose last nbgrader autograde failed (from ROOT/nnkit-autograde.json)."""
    path = root / RUN_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text())
    return {a: {s for s, o in rec.get("students", {}).items() if not o.get("success")}
            for a, rec in data.items()}


def export(root: Path, out_csv: Path, assignment: str | None = None) -> tuple[list[dict], Path]:
    """grades.csv (grader's format, one column per grade cell) from ROOT's gradebook."""
    from grader.results import write_csv_file

    rows = gradebook_results(root / "gradebook.db", assignment, failed_students(root))
    return rows, write_csv_file(out_csv, rows)


def feedback(root: Path, assignment: str, students: list[str] | None = None) -> list[Path]:
    """generate_feedback (hidden test source cleared) for every autograded student; return the
    HTML files."""
    autograded = root / "autograded"
    found = sorted(d.name for d in autograded.iterdir() if (d / assignment).is_dir()) \
        if autograded.is_dir() else []
    if students is not None:
        found = [s for s in found if s in students]
    if not found:
        raise UsageError(f"nothing autograded for {assignment} in {root}")
    with _scripts_on_path():
        api = _api(root)
        for student in found:
            result = api.generate_feedback(assignment, student, force=True)
            if not result.get("success"):
                raise _fail(f"generate_feedback for {student}", result)
    return sorted((root / "feedback").glob(f"*/{assignment}/*.html"))
