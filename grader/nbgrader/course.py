"""Set up an nbgrader course for the kit, and thin conveniences over nbgrader's own commands.

`setup` prepares an existing course (one made by `nbgrader quickstart`, or any folder with an
nbgrader_config.py) so that the plain commands are the whole workflow:

    nbgrader generate_assignment <a>     # the release: the same files as assignments/<a>/
    nbgrader autograde <a>               # grading through the kit's sandbox (grader.nbgrader.plugin)
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

from grader.errors import UsageError
from grader.grading import answers
from grader.grading.run_seed import new_seed
from grader.paths import Course
from grader.release.build import check_assignment, require_nbgrader, support_files
from grader.release.leaks import is_allowed
from nnkit_contract.cells import Role, cell_role, function_of, grade_id
from nnkit_contract.i18n import DEFAULT_LANGUAGE

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
    timeout: float | None = None       # the time limit per call recorded (None: the kit's)
    release_outdated: bool = False     # the time limit changed after the release was generated
    lang: str = "en"                   # the language of the release (solutions/course.json)

    def lines(self) -> list[str]:
        from grader.grading.limits import grading_limits

        seed = f"seed {self.seed} ({'kept' if self.seed_was_recorded else 'recorded'})"
        include = "added to" if self.included else "already in"
        limit = f"{grading_limits(self.timeout).call_cpu:g} s of CPU per call"
        lines = [f"{self.assignment}: {len(self.source_files)} files -> "
                 f"{self.course / 'source' / self.assignment} (language {self.lang}; the notebook "
                 f"and README.md say {limit})",
                 f"{KIT_CONFIG_FILE} written ({seed}, {limit}); the include block is {include} "
                 f"{CONFIG_FILE}"]
        if self.release_outdated:
            lines.append(f"the time limit changed: release the assignment again (nbgrader "
                         f"generate_assignment {self.assignment} --force) so that students read it")
        return lines + ["next, in the course folder:",
                        f"  nbgrader generate_assignment {self.assignment}",
                        f"  nbgrader autograde {self.assignment}",
                        "  nbgrader export",
                        f"  nbgrader generate_feedback {self.assignment}"]


def kit_config_text(seeds: dict[str, int], timeout: float | None,
                    languages: dict[str, str] | None = None) -> str:
    """The content of nnkit_config.py (`languages`: assignment -> the language of its release
    and feedback, for those not in English)."""
    from grader.nbgrader.plugin import AUTOGRADE_PREPROCESSORS, PRE_CONVERT_HOOK, SANITIZE_PREPROCESSORS

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
        f"c.SandboxGrade.timeout = {timeout!r}\n"
        + (f"# The language of each assignment's release and feedback (`grader nbgrader setup --lang`).\n"
           f"c.SandboxGrade.languages = {json.dumps(dict(sorted(languages.items())))}\n"
           if languages else "")
        + "\n"
        "# Feedback without the hidden-test cells' source.\n"
        "c.GenerateFeedback.preprocessors = [\n"
        "    'nbgrader.preprocessors.GetGrades',\n"
        "    'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor',\n"
        "    'nbgrader.preprocessors.ClearHiddenTests',\n"
        "]\n")


#: Last line of that block.
INCLUDE_END = "# ---- end of the block added by `grader nbgrader setup` ----"
#: The kit's grading step, without which nbgrader would execute the kit's notebooks in a kernel.
SANDBOX_STEP = "grader.nbgrader.plugin.SandboxGrade"

INCLUDE_BLOCK = (
    f"\n\n{INCLUDE_MARK}: its settings live in {KIT_CONFIG_FILE} ----\n"
    "# When they are missing or broken, nbgrader refuses to grade (each submission is flagged\n"
    "# for manual grading and nbgrader exits non-zero) instead of scoring the notebooks 0.\n"
    "import os as _nnkit_os  # noqa: E402\n\n"
    f"_nnkit_config = _nnkit_os.path.join(_nnkit_os.path.dirname(_nnkit_os.path.abspath(__file__)),\n"
    f"                                    {KIT_CONFIG_FILE!r})\n"
    "try:\n"
    "    if not _nnkit_os.path.isfile(_nnkit_config):\n"
    "        raise FileNotFoundError(f\"{_nnkit_config} is missing\")\n"
    "    load_subconfig(_nnkit_config)  # noqa: F821\n"
    "    _nnkit_steps = c.Autograde.get('autograde_preprocessors')  # noqa: F821\n"
    f"    if not isinstance(_nnkit_steps, list) or {SANDBOX_STEP!r} not in _nnkit_steps:\n"
    "        raise ValueError(f\"{_nnkit_config} does not set the kit's autograde steps\")\n"
    "except Exception as _nnkit_error:  # noqa: BLE001\n"
    f"    c.Autograde.autograde_preprocessors = [{SANDBOX_STEP!r}]  # noqa: F821\n"
    "    c.SandboxGrade.settings_error = f\"{type(_nnkit_error).__name__}: {_nnkit_error}\"  # noqa: F821\n"
    f"{INCLUDE_END}\n")


def with_include_block(text: str) -> tuple[str, bool]:
    """The instructor's nbgrader_config.py `text` with the kit's block at its end: added when it
    is not there (True), else the block (and only the block) replaced by the current one, so a
    course set up by an older kit gets the current guard. No other line changes."""
    if INCLUDE_MARK not in text:
        return text + INCLUDE_BLOCK, True
    start = text.rfind("\n", 0, text.index(INCLUDE_MARK)) + 1
    end = text.find(INCLUDE_END, start)
    end = len(text) if end < 0 else text.find("\n", end) + 1 or len(text)
    return text[:start] + INCLUDE_BLOCK.lstrip("\n") + text[end:], False


def recorded_settings(course_dir: Path) -> tuple[dict[str, int], float | None]:
    """(seeds, timeout) recorded in COURSE/nnkit_config.py; ({}, None) when there is none."""
    path = course_dir / KIT_CONFIG_FILE
    if not path.is_file():
        return {}, None
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader(KIT_CONFIG_FILE, path=str(course_dir)).load_config()
    except Exception as exc:  # noqa: BLE001 - any error in the file: say which file
        raise UsageError(f"cannot read {path}: {exc}: fix it, or delete it and run `grader "
                         "nbgrader setup` again (the seeds of graded assignments are kept in "
                         "their results)") from None
    section = config.get("SandboxGrade", {})
    seeds = {str(k): int(v) for k, v in dict(section.get("seeds", {})).items()}
    timeout = section.get("timeout")
    return seeds, (float(timeout) if timeout is not None else None)


def _source_files(kit: Course, assignment: str, timeout: float | None = None,
                  lang: str | None = None) -> dict[str, bytes]:
    """Every file source/<a>/ gets: the assignment's solutions/ folder, its notebook in `lang`
    (default: the source's language; grader/release/languages.py: only that language's cells,
    so another language's model answers never reach nbgrader), and the support files in `lang`.
    The notebook and README.md state the time limit per call the course grades with (`timeout`,
    default the kit's), so what students read is what grading applies."""
    from grader.grading.limits import grading_limits
    from grader.release.build import language_source
    from grader.release.student_readme import state_call_limit

    files = language_source(kit, assignment, lang)
    refused = sorted(rel for rel in files if not is_allowed(rel))
    if refused:
        raise UsageError(f"solutions/{assignment}/ holds files nbgrader would release to students: "
                         f"{', '.join(refused)}")
    if timeout is not None:
        seconds = grading_limits(timeout).call_cpu
        for rel in [r for r in files if r.endswith(".ipynb")]:
            files[rel] = state_call_limit(files[rel].decode("utf-8"), seconds)[0].encode("utf-8")
    for rel, data in support_files(kit, assignment, timeout, lang).items():
        if rel in files:
            raise UsageError(f"solutions/{assignment}/{rel} clashes with a support file")
        files[rel] = data
    return files


def recorded_languages(course_dir: Path) -> dict[str, str]:
    """assignment -> language recorded in COURSE/nnkit_config.py (only those not in English)."""
    path = course_dir / KIT_CONFIG_FILE
    if not path.is_file():
        return {}
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader(KIT_CONFIG_FILE, path=str(course_dir)).load_config()
    except Exception:  # noqa: BLE001 - recorded_settings says what is wrong with the file
        return {}
    return {str(k): str(v) for k, v in dict(config.get("SandboxGrade", {}).get("languages", {})).items()}


def graded_settings(course_dir: Path, assignment: str) -> tuple[int | None, float | None]:
    """(run seed, time limit per call) the course's kit results of `assignment` were graded with
    (nnkit-results/<a>/run.json, written by every grading); (None, None) without results. Setup
    falls back on them when nnkit_config.py is gone."""
    from grader.grading.results import RUN_FILE, read_json
    from grader.nbgrader.plugin import RESULTS_DIR

    run = read_json(Path(course_dir) / RESULTS_DIR / assignment / RUN_FILE)
    if not isinstance(run, dict):
        return None, None
    seed, limit = run.get("seed"), run.get("call_cpu")
    return (seed if isinstance(seed, int) else None,
            float(limit) if isinstance(limit, int | float) else None)


def has_grades(course_dir: Path, assignment: str) -> bool:
    """True when the course has graded submissions of `assignment`: in its gradebook, or as the
    kit's results."""
    from grader.grading.results import result_files
    from grader.nbgrader.plugin import RESULTS_DIR

    if result_files(Path(course_dir) / RESULTS_DIR / assignment):
        return True
    db = gradebook_path(course_dir)
    if not db.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT COUNT(*) FROM submitted_assignment JOIN assignment ON "
                               "submitted_assignment.assignment_id = assignment.id WHERE "
                               "assignment.name = ?", (assignment,)).fetchone()
    except sqlite3.Error:
        return False
    return bool(row and row[0])


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
          force: bool = False, timeout: float | None = None,
          lang: str | None = None) -> SetupReport:
    """Prepare the nbgrader course in `course_dir` for `assignment` (see the module docstring),
    with its release in `lang` (default: the kit course's default language, solutions/course.json).

    `force` replaces a source/<a>/ the instructor changed, and records a new run seed for an
    assignment the course already has grades of (they were made with the old one)."""
    course_dir = require_course(course_dir)
    config = course_dir / CONFIG_FILE
    check_assignment(kit, assignment)
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be positive")
    seeds, recorded_timeout = recorded_settings(course_dir)
    graded_with, graded_limit = graded_settings(course_dir, assignment)
    if not (course_dir / KIT_CONFIG_FILE).is_file():
        recorded_timeout = graded_limit     # nnkit_config.py is gone: what grading last used
    effective_timeout = timeout if timeout is not None else recorded_timeout
    lang = _language(kit, lang)
    dest = course_dir / "source" / assignment
    files = _source_files(kit, assignment, effective_timeout, lang)
    if dest.exists() and not force and not _holds_exactly(dest, files) \
            and not _holds_exactly(dest, _source_files(kit, assignment, recorded_timeout, lang)):
        raise UsageError(f"{dest} exists and differs from the kit's source: add --force to "
                         "replace it")
    recorded = seeds.get(assignment, graded_with)
    graded = has_grades(course_dir, assignment)
    if seed is not None and recorded is not None and seed != recorded and graded and not force:
        raise UsageError(f"{assignment} already has grades made with seed {recorded}; seed {seed} "
                         "gives every student new hidden inputs, so regrading would change their "
                         "grades: add --force to record it anyway")
    if seed is None and recorded is None and graded and not force:
        raise UsageError(f"{assignment} already has grades, but no recorded run seed "
                         f"({KIT_CONFIG_FILE} and {assignment}'s results lack it): pass the seed "
                         "it was graded with (--seed K), or add --force to draw a new one")
    was_recorded = seed is None and recorded is not None
    if seed is None:
        seed = recorded if recorded is not None else new_seed()
    seeds[assignment] = int(seed)

    if dest.exists():
        shutil.rmtree(dest)
    for rel, data in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    languages = recorded_languages(course_dir)
    languages.pop(assignment, None)
    if lang != DEFAULT_LANGUAGE:
        languages[assignment] = lang
    (course_dir / KIT_CONFIG_FILE).write_text(kit_config_text(seeds, effective_timeout, languages),
                                              encoding="utf-8")
    text, included = with_include_block(config.read_text(encoding="utf-8"))
    if text != config.read_text(encoding="utf-8"):
        config.write_text(text, encoding="utf-8")
    released = (course_dir / "release" / assignment).is_dir()
    return SetupReport(course_dir, assignment, int(seed), was_recorded, included, sorted(files),
                       effective_timeout, timeout is not None and timeout != recorded_timeout
                       and released, lang)


def _language(kit: Course, lang: str | None) -> str:
    """`lang`, checked against the kit course's languages; default its first (its default)."""
    from grader.course import course_file

    languages = course_file.load(kit).languages
    if lang is None:
        return languages[0]
    if lang not in languages:
        raise UsageError(f"--lang {lang}: the course is released in {', '.join(languages)} "
                         "(solutions/course.json `languages`)")
    return lang


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
    """Every submission in the gradebook as a result dict in grader.grading.results' shape: one test per
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
                    tests, written = [], []
                    for nb in sub.notebooks:
                        for g in sorted(nb.grades, key=lambda g: (order.get(g.name, 1 << 30), g.name)):
                            if g.cell_type != "code":   # a written answer, graded by hand
                                written.append(answers.from_gradebook(
                                    g.name, g.max_score, g.manual_score, g.auto_score,
                                    bool(g.needs_manual_grade)))
                                continue
                            tests.append({"id": g.name, "function": function_of(g.name),
                                          "points": float(g.score), "max_points": float(g.max_score),
                                          "status": "passed" if g.score == g.max_score else "failed",
                                          "needs_manual_grade": bool(g.needs_manual_grade)})
                    flagged = any(t["needs_manual_grade"] for t in tests)
                    auto = sum(t["points"] for t in tests), sum(t["max_points"] for t in tests)
                    rows.append({"student": sub.student.id, "assignment": a.name,
                                 "score": float(auto[0]), "max_score": float(auto[1]),
                                 "status": "needs_manual_grading" if flagged else "graded",
                                 "tests": tests, "source": "nbgrader",
                                 "manual": [m for m in written if m["status"] != answers.GRADED],
                                 "manual_done": [m for m in written
                                                 if m["status"] == answers.GRADED]})
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
    from grader.grading.results import write_csv_file

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
