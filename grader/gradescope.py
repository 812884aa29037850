"""Gradescope: the autograder zip (`grader gradescope build`) and the grading of one submission
inside Gradescope's container (`grader gradescope run`, which the zip's run_autograder calls).

The zip (Gradescope's layout: setup.sh and run_autograder at its root; Gradescope unpacks it to
$AUTOGRADER_ROOT/source, copies run_autograder to $AUTOGRADER_ROOT/run_autograder, puts the
student's files in $AUTOGRADER_ROOT/submission and reads $AUTOGRADER_ROOT/results/results.json):

    setup.sh                   installs Python >= 3.11, bubblewrap, and the kit into a venv
    run_autograder             `exec grader gradescope run` (grader from PATH)
    nnkit-gradescope.json      the assignment, the run seed, the visibility of the checks, the kit
    requirements.txt           the kit's requirements, NumPy pinned to the version that built it
    wheels/nnkit-*.whl         the kit: grader, hidden tests (package data), datasets
    course/solutions/...       the course's reference of the assignment (and course.json)
    course/assignments/<a>/    its release (setup cells, files next to the notebook)

Grading is `grader.grading.autograde.grade`, the function every path uses, in the kit's sandbox. The
results file is written by this (trusted) process only, after the sandbox's template is closed,
so no student process is left that could change it; whatever a submission left at its place is
replaced (see `write_results`).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from autograde_tests import engine
from grader import __version__, sandbox
from grader.course import course_file
from grader.errors import UsageError
from grader.grading import answers, autograde, results, texts
from grader.grading import grade as grading
from grader.grading.limits import grading_limits
from grader.grading.submission import locate_notebook
from grader.paths import Course

#: Where Gradescope puts everything, unless $AUTOGRADER_ROOT says otherwise (a test tree).
ROOT_ENV = "AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")
#: The zip's record of what it grades.
CONFIG = "nnkit-gradescope.json"
#: The student id of the one submission a Gradescope run grades (its files are Gradescope's).
STUDENT = "submission"
#: Text shown on Gradescope when the sandbox could not use namespaces in the container.
WEAK_ISOLATION = ("Note: this autograder's container does not allow the sandbox's namespaces, so "
                  "your code ran with the sandbox's resource limits only (no filesystem or network "
                  "isolation). Grades are computed the same way.")
#: Folders of a submission never searched for a notebook.
SKIPPED_DIRS = {".ipynb_checkpoints", "__MACOSX"}


# --- build -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Built:
    zip: Path
    seed: int
    wheel: str


def build(course: Course, name: str, out: Path, seed: int, wheel: Path | None = None,
          lang: str | None = None) -> Built:
    """Write OUT/autograder.zip for assignment `name` of `course`, graded with run seed `seed`,
    for its release in `lang` (default: the course's default language): that release is the
    zip's course/assignments/<name>/, so the container grades against it."""
    from grader.release.build import release_folder

    engine.all_checks(name)                     # hidden tests the kit lacks: one clear error
    course_settings = course_file.load(course)
    lang = lang or course_settings.languages[0]
    if lang not in course_settings.languages:
        raise UsageError(f"--lang {lang}: the course is released in "
                         f"{', '.join(course_settings.languages)} (solutions/course.json `languages`)")
    released = release_folder(course, name, lang, course_settings.languages)
    if not released.is_dir():
        raise UsageError(f"no release of {name} in {released}: run `grader release`")
    assignment = autograde.Assignment.from_folders(released, course.solution_notebook(name))
    assignment.load_reference()                 # a broken reference: one clear error, now
    settings = course_settings.assignment(name)
    checks = engine.all_checks(name)
    known = {c.id for c in checks} | {c.function for c in checks}
    unknown = sorted(set(settings.gradescope_visible) - known)
    if unknown:
        raise UsageError(f"course.json: assignments.{name}.gradescope_visible: {unknown[0]!r} is no "
                         f"check id or graded function of {name}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nnkit-gradescope-") as tmp:
        wheel = Path(wheel) if wheel is not None else _build_wheel(Path(tmp))
        if not wheel.is_file() or not wheel.name.endswith(".whl"):
            raise UsageError(f"--wheel {wheel}: not a wheel file")
        config = {"assignment": name, "seed": seed, "grader_version": __version__,
                  "visible": list(settings.gradescope_visible), "hidden": settings.gradescope_hidden,
                  "wheel": wheel.name, "lang": lang}
        target = out / "autograder.zip"
        partial = out / ".autograder.zip.partial"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            _add(zf, "setup.sh", _template("gradescope_setup.sh").replace("@WHEEL@", wheel.name),
                 executable=True)
            _add(zf, "run_autograder", _template("gradescope_run_autograder"), executable=True)
            _add(zf, CONFIG, json.dumps(config, indent=2, sort_keys=True) + "\n")
            _add(zf, "requirements.txt", _requirements())
            zf.write(wheel, f"wheels/{wheel.name}")
            for folder, inside in ((course.solutions / name, f"solutions/{name}"),
                                   (released, f"assignments/{name}")):
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and "__pycache__" not in path.parts:
                        zf.write(path, f"course/{inside}/{path.relative_to(folder).as_posix()}")
            if course_file.course_file(course).is_file():
                zf.write(course_file.course_file(course), f"course/solutions/{course_file.COURSE_FILE}")
        partial.replace(target)
    return Built(target, seed, wheel.name)


def _add(zf: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def _template(name: str) -> str:
    return resources.files("grader").joinpath("templates", name).read_text(encoding="utf-8")


def _requirements() -> str:
    """The kit's requirements, NumPy pinned to the exact version grading here uses (grades depend
    on it); the kit itself comes from the wheel."""
    import numpy

    return f"numpy=={numpy.__version__}\n"


def source_tree() -> Path | None:
    """The source tree this kit runs from (an editable install or a checkout: the folder of
    pyproject.toml and setup.py above grader/), or None for a kit installed from a wheel."""
    source = Path(__file__).resolve().parent.parent   # grader/gradescope.py -> the tree
    return source if (source / "pyproject.toml").is_file() and (source / "setup.py").is_file() else None


def _build_wheel(tmp: Path) -> Path:
    """The kit's wheel, built from the source tree this kit runs from (an editable install or a
    checkout); UsageError when the kit is installed from a wheel (then pass --wheel)."""
    source = source_tree()
    if source is None:
        raise UsageError("this kit is installed from a wheel, not a checkout: pass --wheel FILE "
                         "(the wheel it was installed from)")
    copy = tmp / "source"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".ipynb_checkpoints",
        "grading-output", "demo-output", ".pytest_cache", ".ruff_cache"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp / "dist"), str(copy)], capture_output=True, text=True)
    wheels = sorted((tmp / "dist").glob("nnkit-*.whl"))
    if proc.returncode != 0 or not wheels:
        said = [line.strip() for line in proc.stderr.splitlines() if "error" in line.lower()]
        last = (said or ["no wheel was written"])[0]
        raise UsageError(f"could not build the kit's wheel from {source}: {last}")
    return wheels[0]


# --- run -------------------------------------------------------------------------------------

def autograder_root(option: Path | None = None) -> Path:
    """--root, else $AUTOGRADER_ROOT, else /autograder."""
    if option is not None:
        return Path(option)
    return Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def read_config(root: Path) -> dict:
    path = root / "source" / CONFIG
    data = results.read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("seed"), int) \
            or not isinstance(data.get("assignment"), str):
        raise UsageError(f"{path} is missing or broken: build the autograder again "
                         "(grader gradescope build)")
    return data


def find_notebook(submission: Path, notebook_name: str) -> autograde.Task:
    """The task of the one notebook in `submission` (any file name, at any depth; checkpoints and
    hidden files are not submissions): no notebook is a missing submission, several are refused
    with a reason naming them, a symbolic link is refused as on every path."""
    found = sorted(p for p in submission.rglob("*.ipynb") if not p.name.startswith(".")
                   and not SKIPPED_DIRS & set(p.relative_to(submission).parts[:-1])) \
        if submission.is_dir() else []
    if not found:
        return autograde.Task(STUDENT, None)
    if len(found) > 1:
        names = ", ".join(p.relative_to(submission).as_posix() for p in found[:4])
        return autograde.Task(STUDENT, found[0], f"{len(found)} notebooks were submitted ({names}"
                              f"{' ...' if len(found) > 4 else ''}): submit exactly one notebook "
                              f"(the completed {notebook_name})")
    located = locate_notebook(found[0].parent, found[0].name)
    return autograde.Task(STUDENT, found[0], located.problem)


def run(root: Path) -> dict:
    """Grade $ROOT/submission with the zip's assignment and seed; write and return results.json."""
    _not_dumpable()
    config = read_config(root)
    course = Course((root / "source" / "course").resolve())
    name = config["assignment"]
    assignment = autograde.course_assignment(course, name)
    settings = autograde.Settings(Path(tempfile.mkdtemp(prefix="nnkit-")), assignment,
                                  int(config["seed"]), grading_limits())
    task = find_notebook(root / "submission", assignment.notebook_name)
    mode = sandbox.isolation_mode()
    try:
        result = autograde.grade(task, settings)
    finally:
        grading.close_templates()   # no process of the submission outlives its grading
    data = gradescope_results(result, config, mode)
    write_results(root, data)
    # a refused submission (several notebooks, a link) names no notebook as graded
    graded = "no notebook" if task.notebook is None or task.note else task.notebook.name
    print(f"graded {graded} with {name} (run seed {settings.seed}, grader {__version__}, {mode}): "
          f"{result['status']}, {result['score']:g}/{result['max_score']:g}"
          + (f" ({task.note})" if task.note else ""))
    return data


def _not_dumpable() -> None:
    """No other process of our user may read or write this process's memory (/proc/<pid>/mem):
    in the rlimits-only mode, student code runs as the grader's user."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)   # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def gradescope_results(r: dict, config: dict, mode: str) -> dict:
    """Gradescope's results.json of one kit result `r` (its autograder specification: a total
    `score`, `execution_time`, `output`, and `tests` with name, number, score, max_score, status,
    output and visibility)."""
    visible = set(config.get("visible") or [])
    hidden = config.get("hidden") or "after_published"
    lang = config.get("lang") or "en"     # the release's language (build --lang)
    summary = results.feedback_summary(r, lang)
    if mode != "bubblewrap":
        summary += [WEAK_ISOLATION, ""]
    tests = []
    functions = list(dict.fromkeys(t["function"] for t in r["tests"]))
    counts: dict[str, int] = {}
    for t in r["tests"]:
        counts[t["function"]] = counts.get(t["function"], 0) + 1
        lines = texts.test_message(t, lang).splitlines() \
            if (t["status"] != "passed" or t.get("message")) else []
        if t.get("diagnosis"):
            lines.append(texts.say("feedback.gradescope-cause", lang,
                                   label=texts.cause_label(t, r["assignment"], lang)))
        if t["status"] not in ("passed", "failed"):
            lines.insert(0, f"({t['status'].replace('_', ' ')})")
        tests.append({
            "name": f"{t['function']}: {t['id']}",
            "number": f"{functions.index(t['function']) + 1}.{counts[t['function']]}",
            "score": t["points"], "max_score": t["max_points"],
            "status": "passed" if t["status"] == "passed" else "failed",
            "output": "\n".join(lines),
            "visibility": "visible" if {t["id"], t["function"]} & visible else hidden,
        })
    for i, m in enumerate(r.get("manual") or [], 1):
        tests.append({
            "name": f"Written answer {m['id']} ({m['max_points']:g} points, graded by hand)",
            "number": f"{len(functions) + 1}.{i}",
            "output": "No answer written: 0 points." if answers.blank(m) else
                      "Graded by hand on Gradescope; not part of the autograder's score.",
            "visibility": "visible", "tags": ["manual"],
        })
    return {"score": r["score"], "execution_time": max(0, round(r.get("duration") or 0)),
            "output": "\n".join(summary).strip() + "\n", "output_format": "md",
            "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"status": r["status"], "max_score": r["max_score"],
                           "grader_version": r.get("grader_version"), "isolation": mode}}


def write_results(root: Path, data: dict) -> Path:
    """Write $ROOT/results/results.json. Called once the sandbox is gone; whatever stands at that
    place (a file a submission wrote in the rlimits-only mode, a folder, a symbolic link in place
    of results/) is replaced, never followed."""
    folder = root / "results"
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        folder.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "results.json"
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    results.write_json_atomic(target, data)   # a rename: replaces a file or a link, never follows
    return target
