"""A regular install is the whole kit, as a course server runs it.

The wheel is built from a clean copy of this checkout, installed with its instructor extra into a
fresh environment outside the checkout, and used from another folder, for every assignment of
the checkout (discovered: an assignment the wheel misses fails here):

- `grader autograde` grades the example class from the installed course (in `make test` the
  students of the first assignment in name order that show every status, tests/lanes.py, and
  three students of each other assignment; the whole classes in `make test-full`); every
  status, score and lost check equals examples/<a>/expected.json;
- an `nbgrader quickstart` course with the instructor's own config lines (a time zone and a
  written-answer stub of its own) is set up with `grader nbgrader setup`, then plain nbgrader
  generates the release, autogrades, writes the feedback and exports; the grades equal
  expected.json. To keep the suite short, nbgrader grades three students (the perfect one, the
  first with a bug, the one who handed in the stubs) of the first assignment in name order in
  `make test`, of every assignment in `make test-full`, since tests/test_nbgrader.py already
  compares nbgrader with `grader autograde` student by student, on every assignment;
- `grader collect` makes the course gradebook of both paths, and its Moodle and Canvas files
  import under the importers' rules (tests/lms_rules.py).

No command finds the course through a variable: the installed kit serves the course it carries.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import lanes
import lms_rules
import pytest

from autograde_tests import engine
from grader import paths
from grader.grading import results
from grader.release import example_class

pytestmark = [pytest.mark.slow, pytest.mark.nbgrader]

CHECKOUT = Path(__file__).resolve().parent.parent
KIT = paths.Course(CHECKOUT)
ASSIGNMENTS = KIT.assignment_names()
#: The instructor's own lines in the quickstart course's nbgrader_config.py.
COURSE_STUB = "Your answer, please."
INSTRUCTOR_LINES = ['c.Exchange.timezone = "Europe/Berlin"',
                    f'c.ClearSolutions.text_stub = "{COURSE_STUB}"']
#: Students of each example class that nbgrader grades too (see the module docstring).
NBGRADER_STUDENTS = 3


def _nbgrader_students(expected: dict) -> list[str]:
    """The perfect student, the first one with a bug, and the one who handed in the stubs."""
    students = expected["students"]
    perfect = next(s for s, e in sorted(students.items()) if e["status"] == "graded" and not e["lost"])
    buggy = next(s for s, e in sorted(students.items()) if e["status"] == "graded"
                 and 0 < len(e["lost"]) <= 3)
    stubs = next(s for s, e in sorted(students.items()) if e["lost"] == {"*": "not_implemented"})
    return [perfect, buggy, stubs]


def _clean_copy(dest: Path) -> Path:
    """The checkout as a clean clone would have it: without what .gitignore keeps out."""
    ignored = [line.strip().rstrip("/") for line in (CHECKOUT / ".gitignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    shutil.copytree(CHECKOUT, dest, ignore=shutil.ignore_patterns(".git", *ignored))
    return dest


class Installed:
    """The fresh environment with the kit installed, and a folder outside the checkout."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.venv = tmp / "venv"
        self.work = tmp / "work"
        self.work.mkdir()
        # As on a course server, Python caches the bytecode of what it imports (a developer's
        # shell may turn that off), so the wheel is installed without compiling every module of
        # the instructor extra at once (`--no-compile`): each is compiled when first imported.
        self.env = {k: v for k, v in os.environ.items()
                    if k not in (paths.ROOT_ENV, "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME",
                                 "PYTHONDONTWRITEBYTECODE")}
        # nbgrader runs `alembic` by name: the environment's scripts come first.
        self.env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{self.env.get('PATH', '')}"
        self.timings: dict[str, float] = {}

    def run(self, *argv: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
        program = self.venv / "bin" / argv[0]
        proc = subprocess.run([str(program), *argv[1:]], cwd=cwd or self.work, env=self.env,
                              capture_output=True, text=True, timeout=1200, stdin=subprocess.DEVNULL)
        if check:
            assert proc.returncode == 0, (argv, proc.stdout[-3000:], proc.stderr[-3000:])
        return proc

    def timed(self, label: str, *argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        start = time.monotonic()
        proc = self.run(*argv, cwd=cwd)
        self.timings[label] = self.timings.get(label, 0.0) + time.monotonic() - start
        return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """Build the wheel from a clean copy of the checkout; install it with its instructor extra
    into a fresh venv."""
    kit = Installed(tmp_path_factory.mktemp("packaging"))
    start = time.monotonic()
    source = _clean_copy(kit.tmp / "clone")
    dist = kit.tmp / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                            str(source)], capture_output=True, text=True, env=kit.env, timeout=900)
    assert build.returncode == 0, build.stderr[-3000:]
    kit.wheel = next(dist.glob("nnkit-*.whl"))
    kit.timings["build the wheel"] = time.monotonic() - start
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(kit.venv)], check=True, env=kit.env)
    kit.run("python", "-m", "pip", "install", "-q", "--no-compile", f"{kit.wheel}[instructor]")
    kit.timings["install into a fresh venv"] = time.monotonic() - start
    course = kit.run("grader", "course").stdout
    kit.course = Path(course.splitlines()[0].removeprefix("course: ").rsplit(" (", 1)[0])
    kit.course_text = course
    return kit


def test_the_wheel_carries_every_assignment(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    for a in ASSIGNMENTS:
        # Every data and code file of the hidden tests (thresholds.json only where training is
        # graded: computation_graphs has none).
        hidden = sorted(p.relative_to(CHECKOUT).as_posix()
                        for p in (CHECKOUT / "autograde_tests" / a).rglob("*")
                        if p.suffix in (".py", ".json") and "__pycache__" not in p.parts)
        assert f"autograde_tests/{a}/specs/__init__.py" in hidden
        for part in (*hidden,
                     f"nnkit_course/solutions/{a}/{KIT.solution_notebook(a).name}",
                     f"nnkit_course/assignments/{a}/check.py",
                     f"nnkit_course/assignments/{a}/requirements.txt"):
            assert part in names, part
        specs = {p.name for p in (CHECKOUT / "autograde_tests" / a / "specs").glob("*.py")}
        assert specs == {Path(n).name for n in names if n.startswith(f"autograde_tests/{a}/specs/")}
    for rel in ("nnkit_course/solutions/course.json", "grader/templates/student-README.md",
                "toy2d/manifest.json", "nnkit_course/examples/roster.csv"):
        assert rel in names, rel
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_installed_kit_serves_its_own_course(installed):
    where = installed.run("python", "-c", "import grader, autograde_tests, toy2d\n"
                          "for m in (grader, autograde_tests, toy2d): print(m.__file__)").stdout
    assert all(line.startswith(str(installed.venv)) for line in where.split()), where
    first = installed.course_text.splitlines()[0]
    assert first.endswith(f"({paths.FROM_INSTALLED})") and str(installed.venv) in first
    listed = [line.split(":")[0].strip() for line in installed.course_text.splitlines()
              if line.startswith("  ")]
    assert listed == ASSIGNMENTS
    version = installed.run("grader", "--version").stdout
    assert f"course: {installed.course} ({paths.FROM_INSTALLED})" in version
    assert "pins numpy==" in installed.course_text
    refused = installed.run("grader", "release", check=False)   # the installed course is read-only
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "installed with the kit: run it in a checkout" in refused.stderr


def _autograded_students(assignment: str, expected: dict, full: bool) -> list[str]:
    """The students `grader autograde` grades from the installed course in this lane: in `make
    test-full` the whole class; in `make test` the students of the first assignment that show
    every status (tests/lanes.py: the limits, a crash, the stubs...), and those nbgrader grades
    of the others (the perfect one, whose every check needs the assignment's installed files, a
    bug, the stubs): how a status is reached is the kit's, not the assignment's."""
    if full:
        return sorted(expected["students"])
    if assignment == ASSIGNMENTS[0]:
        return lanes.covering_students(expected, _nbgrader_students(expected))
    return sorted(_nbgrader_students(expected))


def _nbgraded_assignments(full: bool) -> list[str]:
    """The assignments plain nbgrader grades from the installed kit in this lane: every one in
    `make test-full`, the first in `make test` (tests/test_nbgrader.py grades every assignment
    with nbgrader from the checkout, and `grader autograde` grades every one from the wheel)."""
    return ASSIGNMENTS if full else ASSIGNMENTS[:1]


@pytest.fixture(scope="module")
def autograded(installed, full) -> dict[str, Path]:
    """`grader autograde` on every assignment's example class (the lane's students), from the
    work folder."""
    outs = {}
    for a in ASSIGNMENTS:
        expected = example_class.load_expected(KIT, a)
        outs[a] = installed.work / f"graded-{a}"
        submitted = installed.course / "examples" / a / "submitted"
        if not full:   # a folder of the lane's students, copied from the installed course
            chosen = installed.work / f"submitted-{a}"
            for student in _autograded_students(a, expected, full):
                shutil.copytree(submitted / student, chosen / student)
            submitted = chosen
        installed.timed("grader autograde (all classes)", "grader", "autograde",
                        str(submitted), "--assignment", a,
                        "--out", str(outs[a]), "--seed", str(expected["seed"]),
                        "--timeout", str(expected["timeout"]), "--jobs", "2", "--no-progress")
    return outs


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grader_autograde_grades_every_class_as_expected(installed, autograded, assignment, full):
    expected = example_class.load_expected(KIT, assignment)
    installed_expected = json.loads((installed.course / "examples" / assignment /
                                     example_class.EXPECTED_FILE).read_text())
    assert installed_expected == {k: v for k, v in expected.items() if k != "assignment"}
    assert sorted(p.name for p in (installed.course / "examples" / assignment / "submitted").iterdir()) \
        == sorted(expected["students"]), "the installed course carries the whole class"
    students = _autograded_students(assignment, expected, full)
    found = results.load_results(autograded[assignment])
    assert len(found) == len(students)
    assert example_class.mismatches(lanes.restricted(expected, students), found) == []
    run = json.loads((autograded[assignment] / results.RUN_FILE).read_text())
    assert run["isolation"] and run["environment"]["numpy"]


@pytest.fixture(scope="module")
def nbgraded(installed, full) -> Path:
    """A quickstart course with the instructor's own config, set up for the lane's assignments
    (_nbgraded_assignments) and run by plain nbgrader."""
    installed.timed("nbgrader quickstart", "nbgrader", "quickstart", "course101")
    course = installed.work / "course101"
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\n" + "\n".join(INSTRUCTOR_LINES) + "\n")
    for a in _nbgraded_assignments(full):
        expected = example_class.load_expected(KIT, a)
        installed.timed("grader nbgrader setup", "grader", "nbgrader", "setup", "course101",
                        "--assignment", a, "--seed", str(expected["seed"]),
                        "--timeout", str(expected["timeout"]))
        installed.timed("nbgrader generate_assignment", "nbgrader", "generate_assignment", a,
                        cwd=course)
        for student in _nbgrader_students(expected):
            shutil.copytree(installed.course / "examples" / a / "submitted" / student / a,
                            course / "submitted" / student / a)
        installed.timed("nbgrader autograde", "nbgrader", "autograde", a, cwd=course)
        installed.timed("nbgrader generate_feedback", "nbgrader", "generate_feedback", a,
                        cwd=course)
    installed.timed("nbgrader export", "nbgrader", "export", cwd=course)
    return course


@pytest.mark.parametrize("assignment", [ASSIGNMENTS[0], *(pytest.param(a, marks=pytest.mark.full)
                                                          for a in ASSIGNMENTS[1:])])
def test_plain_nbgrader_grades_every_assignment_as_expected(installed, nbgraded, assignment):
    expected = example_class.load_expected(KIT, assignment)
    points = {c.id: c.points for c in engine.all_checks(assignment)}
    with (nbgraded / "grades.csv").open(newline="") as fh:   # a row per student and assignment
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)
                  if row["assignment"] == assignment
                  and (nbgraded / "submitted" / row["student_id"] / assignment).is_dir()}
    students = _nbgrader_students(expected)
    assert sorted(scores) == sorted(students)
    for student in students:
        assert scores[student] == example_class.expected_score(expected["students"][student], points)
        feedback = nbgraded / "feedback" / student / assignment
        assert len(list(feedback.glob("*.html"))) == 1, student
    release = nbgraded / "release" / assignment
    assert (release / "check.py").is_file() and (release / "requirements.txt").is_file()
    run = json.loads((nbgraded / "nnkit-results" / assignment / results.RUN_FILE).read_text())
    assert run["graded_by"] == "nbgrader" and run["isolation"]


@pytest.fixture(scope="module")
def collected(installed, autograded, nbgraded) -> Path:
    out = installed.work / "coursebook"
    installed.timed("grader collect", "grader", "collect", *(str(autograded[a]) for a in ASSIGNMENTS),
                    "--gradebook", str(nbgraded / "gradebook.db"), "--out", str(out),
                    "--roster", str(installed.course / "examples" / "roster.csv"))
    return out


def test_grader_collect_makes_lms_files_that_import(installed, collected):
    with (installed.course / "examples" / "roster.csv").open(newline="") as fh:
        roster = list(csv.DictReader(fh))
    data = json.loads((collected / "course-grades.json").read_text())
    assert set(data["students"]) == {r["student_id"] for r in roster}
    site = lms_rules.MoodleSite(users={"username": {r["student_id"] for r in roster}},
                                item_max={a: 100.0 for a in ASSIGNMENTS})
    settings = json.loads((installed.course / "solutions" / "course.json").read_text())
    titles = {a: settings["assignments"].get(a, {}).get("title", a) for a in ASSIGNMENTS}
    canvas = lms_rules.CanvasCourse(   # the Canvas course's assignments carry the same titles
        [{"id": r["canvas_id"], "sis_user_id": "", "sis_login_id": r["student_id"],
          "name": r["name"]} for r in roster],
        {str(900 + i): 100.0 for i, _ in enumerate(ASSIGNMENTS)},
        titles={titles[a]: str(900 + i) for i, a in enumerate(ASSIGNMENTS)})
    for a in ASSIGNMENTS:
        title = titles[a]
        head, *rows = list(csv.reader((collected / f"moodle-{a}.csv").open(newline="")))
        graded = {s for s, e in data["students"].items() if e["assignments"][a]["points"] is not None}
        assert {r[0] for r in rows} == graded
        after = lms_rules.moodle_import(collected / f"moodle-{a}.csv", site, "Username", "username",
                                        {title: a})
        assert max(after.values()) <= 100
        after = lms_rules.canvas_import(collected / f"canvas-{a}.csv", canvas)
        assert len(after) == len(graded) and max(after.values()) <= 100


def test_how_long_the_install_story_takes(installed, autograded, nbgraded, collected, capsys):
    """Not an assertion on time (a busy machine must not fail a test): the phases are printed
    for the record (`pytest -s`), and the total is what docs/jupyterhub.md reports."""
    with capsys.disabled():
        for label, seconds in installed.timings.items():
            print(f"\n  packaging: {label}: {seconds:.1f} s", end="")
        print()
    assert set(installed.timings) >= {"build the wheel", "install into a fresh venv",
                                      "grader autograde (all classes)", "nbgrader autograde"}
