"""Set up an nbgrader course for the kit, and thin conveniences over nbgrader's own commands.

`setup` prepares an existing course (one made by `nbgrader quickstart`, or any folder with an
nbgrader_config.py) so that the plain commands are the whole workflow:

    nbgrader generate_assignment <a>     # the release: the same files as assignments/<a>/
    nbgrader autograde <a>               # grading through the kit's sandbox (grader.nbgrader_plugin)
    nbgrader export                      # totals; `grader nbgrader export` adds a column per cell
    nbgrader generate_feedback <a>       # the reports, without hidden-test source

What setup writes:
- COURSE/nnkit_config.py, the kit's settings (autograde preprocessors, the recorded run seed of
  each assignment, the time limit, feedback without hidden tests). It is rewritten by every
  setup, keeping the seeds of the other assignments.
- A marked block at the end of COURSE/nbgrader_config.py that includes nnkit_config.py, added
  once. No line of the instructor's file is changed or removed.
- COURSE/source/<a>/: the complete assignment source (the source notebook, hyperparameters.json,
  toy2d.py, data/, check.py). An existing source/<a>/ is replaced only with `force`.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from autograde_tests.contract import Role, cell_role, grade_id
from grader.errors import UsageError
from grader.leaks import is_allowed
from grader.paths import Course
from grader.release import check_assignment, require_nbgrader, support_files
from grader.run_seed import new_seed

CONFIG_FILE = "nbgrader_config.py"
KIT_CONFIG_FILE = "nnkit_config.py"
#: First line of the block that setup appends to the instructor's nbgrader_config.py.
INCLUDE_MARK = "# ---- added by `grader nbgrader setup` (the course kit)"


@dataclass
class SetupReport:
    course: Path
    assignment: str
    seed: int
    seed_was_recorded: bool
    included: bool                     # the include block was added now (False: already there)
    source_files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        seed = f"seed {self.seed} ({'kept' if self.seed_was_recorded else 'recorded'})"
        include = "added to" if self.included else "already in"
        return [f"{self.assignment}: {len(self.source_files)} files -> "
                f"{self.course / 'source' / self.assignment}",
                f"{KIT_CONFIG_FILE} written ({seed}); the include block is {include} {CONFIG_FILE}",
                "next, in the course folder:",
                f"  nbgrader generate_assignment {self.assignment}",
                f"  nbgrader autograde {self.assignment}",
                "  nbgrader export",
                f"  nbgrader generate_feedback {self.assignment}"]


def kit_config_text(seeds: dict[str, int], timeout: float | None) -> str:
    """The content of nnkit_config.py."""
    from grader.nbgrader_plugin import AUTOGRADE_PREPROCESSORS, PRE_CONVERT_HOOK, SANITIZE_PREPROCESSORS

    steps = "".join(f"    {name!r},\n" for name in AUTOGRADE_PREPROCESSORS)
    sanitize = "".join(f"    {name!r},\n" for name in SANITIZE_PREPROCESSORS)
    seeds_text = json.dumps(dict(sorted(seeds.items())), indent=4).replace("\n}", ",\n}") \
        if seeds else "{}"
    return (
        "# The course kit's nbgrader settings, written by `grader nbgrader setup` and included from\n"
        "# nbgrader_config.py. Every setup rewrites this file (keeping the recorded seeds): change\n"
        "# the settings with `grader nbgrader setup`, not here.\n"
        "c = get_config()  # noqa: F821\n\n"
        "# Autograde through the kit's sandbox: SandboxGrade takes the place of nbgrader's Execute\n"
        "# (no kernel runs student code); FlagUngraded marks a submission that could not be\n"
        "# graded as needing manual grading. Assignments without a seed below are executed by\n"
        "# nbgrader's own Execute, as before.\n"
        f"c.Autograde.autograde_preprocessors = [\n{steps}]\n\n"
        "# One verdict on a notebook's form on both paths: before nbgrader's own sanitizing, the\n"
        "# kit puts a submission's grading cells in their released form (copied, added or altered\n"
        "# grade cells never flag a notebook or abort the run), and refuses a renamed or unreadable\n"
        "# notebook with the reason `grader autograde` gives (the hook replaces any other).\n"
        f"c.Autograde.sanitize_preprocessors = [\n{sanitize}]\n"
        f"c.Autograde.pre_convert_hook = {PRE_CONVERT_HOOK!r}\n\n"
        "# The run seed of each of the kit's assignments: the same hidden inputs as\n"
        "# `grader autograde --seed <seed>`.\n"
        f"c.SandboxGrade.seeds = {seeds_text}\n"
        "# Time limit per call of a student function, in seconds (None: the kit's default).\n"
        f"c.SandboxGrade.timeout = {timeout!r}\n\n"
        "# Feedback without the hidden-test cells' source.\n"
        "c.GenerateFeedback.preprocessors = [\n"
        "    'nbgrader.preprocessors.GetGrades',\n"
        "    'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor',\n"
        "    'nbgrader.preprocessors.ClearHiddenTests',\n"
        "]\n")


INCLUDE_BLOCK = (
    f"\n\n{INCLUDE_MARK}: its settings live in {KIT_CONFIG_FILE} ----\n"
    "import os as _nnkit_os  # noqa: E402\n\n"
    f"_nnkit_config = _nnkit_os.path.join(_nnkit_os.path.dirname(_nnkit_os.path.abspath(__file__)),\n"
    f"                                    {KIT_CONFIG_FILE!r})\n"
    "if not _nnkit_os.path.isfile(_nnkit_config):\n"
    "    raise FileNotFoundError(f\"{_nnkit_config} is missing: run `grader nbgrader setup`\")\n"
    "load_subconfig(_nnkit_config)  # noqa: F821\n"
    "# ---- end of the block added by `grader nbgrader setup` ----\n")


def recorded_settings(course_dir: Path) -> tuple[dict[str, int], float | None]:
    """(seeds, timeout) recorded in COURSE/nnkit_config.py; ({}, None) when there is none."""
    path = course_dir / KIT_CONFIG_FILE
    if not path.is_file():
        return {}, None
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader(KIT_CONFIG_FILE, path=str(course_dir)).load_config()
    except Exception as exc:  # noqa: BLE001 - any error in the file: say which file
        raise UsageError(f"cannot read {path}: {exc}") from None
    section = config.get("SandboxGrade", {})
    seeds = {str(k): int(v) for k, v in dict(section.get("seeds", {})).items()}
    timeout = section.get("timeout")
    return seeds, (float(timeout) if timeout is not None else None)


def _source_files(kit: Course, assignment: str) -> dict[str, bytes]:
    """Every file source/<a>/ gets: the assignment's solutions/ folder and the support files."""
    src = kit.solutions / assignment
    files = {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted(src.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts}
    refused = sorted(rel for rel in files if not is_allowed(rel))
    if refused:
        raise UsageError(f"solutions/{assignment}/ holds files nbgrader would release to students: "
                         f"{', '.join(refused)}")
    for rel, data in support_files(kit, assignment).items():
        if rel in files:
            raise UsageError(f"solutions/{assignment}/{rel} clashes with a support file")
        files[rel] = data
    return files


def require_course(course_dir: Path) -> Path:
    """The resolved folder of an nbgrader course; UsageError (one line) when it is none."""
    course_dir = Path(course_dir).resolve()
    require_nbgrader()
    if not course_dir.is_dir():
        raise UsageError(f"course folder not found: {course_dir} (create the course with "
                         "`nbgrader quickstart <course_id>` first)")
    if not (course_dir / CONFIG_FILE).is_file():
        raise UsageError(f"{course_dir} is not an nbgrader course: it has no {CONFIG_FILE} "
                         "(create one with `nbgrader quickstart <course_id>`)")
    return course_dir


def setup(kit: Course, course_dir: Path, assignment: str, *, seed: int | None = None,
          force: bool = False, timeout: float | None = None) -> SetupReport:
    """Prepare the nbgrader course in `course_dir` for `assignment` (see the module docstring)."""
    course_dir = require_course(course_dir)
    config = course_dir / CONFIG_FILE
    check_assignment(kit, assignment)
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be positive")
    dest = course_dir / "source" / assignment
    files = _source_files(kit, assignment)
    if dest.exists() and not force and not _holds_exactly(dest, files):
        raise UsageError(f"{dest} exists and differs from the kit's source: add --force to "
                         "replace it")
    seeds, recorded_timeout = recorded_settings(course_dir)
    was_recorded = seed is None and assignment in seeds
    if seed is None:
        seed = seeds.get(assignment, new_seed())
    seeds[assignment] = int(seed)
    timeout = timeout if timeout is not None else recorded_timeout

    if dest.exists():
        shutil.rmtree(dest)
    for rel, data in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    (course_dir / KIT_CONFIG_FILE).write_text(kit_config_text(seeds, timeout), encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    included = INCLUDE_MARK not in text
    if included:
        with config.open("a", encoding="utf-8") as fh:
            fh.write(INCLUDE_BLOCK)
    return SetupReport(course_dir, assignment, int(seed), was_recorded, included, sorted(files))


def _holds_exactly(folder: Path, files: dict[str, bytes]) -> bool:
    """True when `folder` holds these files (relative path -> bytes) and nothing else: running
    setup again then only changes the recorded settings (seed, timeout)."""
    found = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    return found == set(files) and all((folder / rel).read_bytes() == data
                                       for rel, data in files.items())


# ------------------------------------------------------------------ conveniences over the CLI

def _environment() -> dict[str, str]:
    """The environment for nbgrader: this Python's scripts first on PATH (nbgrader runs
    `alembic` by name), the course kit importable (it is, being installed here)."""
    env = dict(os.environ)
    scripts = sysconfig.get_path("scripts")
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")])
    return env


def run_nbgrader(course_dir: Path, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    """Run `nbgrader ARGS` in the course folder with this Python; UsageError when it fails."""
    require_nbgrader()
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir,
                          env=_environment(), text=True, stdin=subprocess.DEVNULL,
                          capture_output=capture)
    if proc.returncode != 0:
        detail = ""
        if capture:
            lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
            detail = ": " + " | ".join(lines[-3:])
        raise UsageError(f"nbgrader {args[0]} failed (exit {proc.returncode}){detail}")
    return proc


def copy_submissions(course_dir: Path, assignment: str, submitted: Path) -> list[str]:
    """Copy SUBMITTED/<student>/<assignment>/*.ipynb into COURSE/submitted/; return the ids."""
    if not submitted.is_dir():
        raise UsageError(f"submissions folder not found: {submitted}")
    students = sorted(d.name for d in submitted.iterdir()
                      if d.is_dir() and list((d / assignment).glob("*.ipynb")))
    if not students:
        raise UsageError(f"no notebooks in {submitted}/<student>/{assignment}/")
    for student in students:
        dest = course_dir / "submitted" / student / assignment
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for nb in sorted((submitted / student / assignment).glob("*.ipynb")):
            shutil.copyfile(nb, dest / nb.name)
    return students


# ------------------------------------------------------------------ reading the gradebook

def gradebook_course_id(db: Path) -> str | None:
    """The course id stored in an nbgrader gradebook (None when it holds no assignment)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        ids = [row[0] for row in conn.execute("SELECT DISTINCT course_id FROM assignment")]
    if len(ids) > 1:
        raise UsageError(f"{db} holds several courses ({', '.join(sorted(ids))})")
    return ids[0] if ids else None


def gradebook_results(db: Path, assignment: str | None = None) -> list[dict]:
    """Every submission in the gradebook as a result dict in grader.results' shape: one test per
    autograded grade cell (id = the cell's grade_id, e.g. test-linear_forward), in notebook
    order, the written answers not yet graded by hand under `manual` and those graded under
    `manual_done` (with their points). `score` and `max_score` are the autograded cells' (as in
    the grader's results). A submission with an autograded cell
    that needs manual grading (it could not be graded) has status 'needs_manual_grading'."""
    if not Path(db).is_file():
        raise UsageError(f"gradebook not found: {db}")
    from nbgrader.api import Gradebook

    rows = []
    course_id = gradebook_course_id(Path(db))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy warnings while reading
        with Gradebook(f"sqlite:///{Path(db).resolve()}", course_id or "") as gb:
            for a in gb.assignments:
                if assignment is not None and a.name != assignment:
                    continue
                order = _cell_order(Path(db).parent / "source" / a.name)
                for sub in a.submissions:
                    tests, answers = [], []
                    for nb in sub.notebooks:
                        for g in sorted(nb.grades, key=lambda g: (order.get(g.name, 1 << 30), g.name)):
                            if g.cell_type != "code":   # a written answer, graded by hand
                                answers.append({"id": g.name, "max_points": float(g.max_score),
                                                "points": None if g.manual_score is None
                                                else float(g.manual_score),
                                                "status": "awaiting_manual_grading"
                                                if g.manual_score is None else "graded",
                                                "answered": True})
                                continue
                            tests.append({"id": g.name, "function": g.name.removeprefix("test-"),
                                          "points": float(g.score), "max_points": float(g.max_score),
                                          "status": "passed" if g.score == g.max_score else "failed",
                                          "needs_manual_grade": bool(g.needs_manual_grade)})
                    flagged = any(t["needs_manual_grade"] for t in tests)
                    auto = sum(t["points"] for t in tests), sum(t["max_points"] for t in tests)
                    rows.append({"student": sub.student.id, "assignment": a.name,
                                 "score": float(auto[0]), "max_score": float(auto[1]),
                                 "status": "needs_manual_grading" if flagged else "graded",
                                 "tests": tests, "source": "nbgrader",
                                 "manual": [m for m in answers if m["status"] != "graded"],
                                 "manual_done": [m for m in answers if m["status"] == "graded"]})
    return sorted(rows, key=lambda r: (r["student"], r["assignment"]))


def _cell_order(source: Path) -> dict[str, int]:
    """grade_id -> position of the test cells in the course's source notebooks (empty when the
    source is not there: cells are then ordered by name)."""
    order: dict[str, int] = {}
    for notebook in sorted(source.glob("*.ipynb")) if source.is_dir() else []:
        for gid in source_grade_ids(notebook):
            order.setdefault(gid, len(order))
    return order


def export(course_dir: Path, out_csv: Path, assignment: str | None = None) -> tuple[list[dict], Path]:
    """grades.csv (the grader's format, one column per grade cell) from the course's gradebook."""
    from grader.results import write_csv_file

    rows = gradebook_results(gradebook_path(course_dir), assignment)
    return rows, write_csv_file(out_csv, rows)


def gradebook_path(course_dir: Path) -> Path:
    """The course's gradebook.db (nbgrader's default place)."""
    return Path(course_dir) / "gradebook.db"


def source_grade_ids(notebook: Path) -> list[str]:
    """The grade ids of the test cells of a source notebook, in notebook order."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return [grade_id(c) for c in nb.cells if cell_role(c) is Role.TEST]
