"""The example classes in examples/<assignment>/: typical submissions, generated from the release.

    examples/<a>/variants/<student>.py   how one student's notebook differs from the reference
    examples/<a>/submitted/<student>/<a>/<notebook>.ipynb    the generated submissions
    examples/<a>/expected.json           the grading everyone should get (demo and tests check it)

expected.json holds the run seed and time limit, and per student the status and the checks lost
(with their statuses); the expected score follows from the check registry (the total minus the
points of the checks lost), so it is never typed.

A variant file is Python source split into sections by `# %% ...` lines. The comment lines before
the first section describe the student. A section is one of

    # %% <grade_id>          the code below is added to that solution cell (after the reference
                             answer, so a function defined there replaces the reference one)
    # %% stub <grade_id>     that solution cell keeps the released stub
    # %% all stubs           every solution cell keeps its stub (the notebook as released)
    # %% new cell            the code below goes into a new cell at the end of the notebook

Submissions are rebuilt from the current release by `grader release` (so they never drift from
it) or alone by `grader examples`; the bytes are reproducible, and a test compares them with the
committed ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.errors import UsageError
from grader.paths import Course
from grader.release.classgen import make_submission, reference_answers

VARIANTS_DIR = "variants"
SUBMITTED_DIR = "submitted"
EXPECTED_FILE = "expected.json"

_SECTION = re.compile(r"^# %%[ \t]*(?P<head>.*?)\s*$")


@dataclass
class Variant:
    """One example student: a description and the changes to the reference answers.

    changes: grade_id -> code added to that solution cell, "stub:<grade_id>" -> "" for a cell
    left as a stub, "cell:append" -> code of a new last cell (grader.release.classgen's variant format).
    """

    student: str
    description: str
    changes: dict[str, str] = field(default_factory=dict)
    all_stubs: bool = False


def parse_variant(student: str, text: str) -> Variant:
    """Read a variant file (format in the module docstring); raise UsageError when malformed."""
    description: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            sections.append((match["head"], []))
        elif sections:
            sections[-1][1].append(line)
        elif line.startswith("#"):
            description.append(line.lstrip("#").strip())
        elif line.strip():
            raise UsageError(f"examples variant {student}: code before the first '# %%' line")
    variant = Variant(student, " ".join(description))
    for head, lines in sections:
        code = "\n".join(lines).strip("\n")
        words = head.split()
        if words == ["all", "stubs"]:
            variant.all_stubs = True
        elif len(words) == 2 and words[0] == "stub":
            variant.changes[f"stub:{words[1]}"] = ""
        elif words == ["new", "cell"]:
            variant.changes["cell:append"] = code
        elif len(words) == 1 and words[0] not in ("stub", "all", "new"):
            variant.changes[words[0]] = variant.changes.get(words[0], "") + code
        else:
            raise UsageError(f"examples variant {student}: cannot read section '# %% {head}'")
    return variant


def examples_root(course: Course) -> Path:
    return course.root / "examples"


def examples_dir(course: Course, assignment: str) -> Path:
    return examples_root(course) / assignment


def classes(course: Course) -> list[str]:
    """The assignments that have an example class."""
    root = examples_root(course)
    return sorted(p.name for p in root.iterdir() if (p / EXPECTED_FILE).is_file()) \
        if root.is_dir() else []


def chosen_classes(course: Course, assignment: str | None) -> list[str]:
    """The example classes a command works on: the one named (UsageError, one line, when it has
    none), else every one."""
    names = classes(course)
    if assignment:
        if assignment not in names:
            raise UsageError(f"no example class for {assignment!r} (there are: "
                             f"{', '.join(names) or 'none'})")
        return [assignment]
    return names


def load_variants(course: Course, assignment: str) -> list[Variant]:
    """Every examples/<assignment>/variants/*.py, sorted by student id."""
    folder = examples_dir(course, assignment) / VARIANTS_DIR
    if not folder.is_dir():
        raise UsageError(f"no example class: {folder} does not exist")
    return [parse_variant(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.py"))]


def load_expected(course: Course, assignment: str) -> dict:
    """examples/<assignment>/expected.json: {"seed", "timeout", "students": {id: {"status",
    "lost": {check id: status}}}}, with "assignment" added."""
    path = examples_dir(course, assignment) / EXPECTED_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    return {**data, "assignment": assignment}


def expected_score(want: dict, points: dict[str, float]) -> float:
    """The score an expectation implies: the total minus the points of the checks it lists as
    lost (0 when the submission is not graded)."""
    if want["status"] != "graded":
        return 0.0
    lost = expected_lost(want, list(points))
    unknown = sorted(set(lost) - set(points))
    if unknown:
        raise UsageError(f"{EXPECTED_FILE}: no check {unknown[0]!r} in the hidden tests (a "
                         "renamed or removed check: update the expectation)")
    return float(sum(points.values()) - sum(points[t] for t in lost))


def submission_files(course: Course, assignment: str) -> dict[str, bytes]:
    """Every file of examples/<a>/submitted/: path relative to it -> bytes, built from the
    release."""
    release_nb = course.assignments / assignment / course.solution_notebook(assignment).name
    if not release_nb.is_file():
        raise UsageError(f"no release of {assignment}: run `grader release` first")
    answers = reference_answers(course.solution_notebook(assignment))
    files = {}
    for variant in load_variants(course, assignment):
        unknown = sorted(k for k in variant.changes
                         if k != "cell:append" and k.removeprefix("stub:") not in answers)
        if unknown:
            raise UsageError(f"examples variant {variant.student}: no solution cell {unknown[0]}")
        nb = make_submission(release_nb, answers, variant.changes, all_stubs=variant.all_stubs)
        rel = f"{variant.student}/{assignment}/{release_nb.name}"
        files[rel] = nbformat.writes(nb).encode("utf-8") + b"\n"
    return files


def regenerate(course: Course, assignment: str):
    """Rewrite examples/<a>/submitted/ from the variants and the current release (only changed
    files are written). Returns a grader.release.build.ReleaseReport."""
    from grader.release.build import sync_folder

    return sync_folder(submission_files(course, assignment),
                       examples_dir(course, assignment) / SUBMITTED_DIR)


def expected_lost(want: dict, test_ids: list[str]) -> dict[str, str]:
    """The expectation's lost tests (id -> status) spelled out: "*" stands for every test that
    the expectation does not list by name."""
    lost = dict(want.get("lost", {}))
    default = lost.pop("*", None)
    if default is not None:
        lost.update({t: default for t in test_ids if t not in lost})
    return lost


def mismatches(expected: dict, found: list[dict]) -> list[str]:
    """One line per difference between an expected.json and the grading results `found`
    (status, score, or the set of tests lost with their statuses); empty when all match."""
    from autograde_tests import engine

    points = {c.id: c.points for c in engine.all_checks(expected["assignment"])}
    by_student = {r["student"]: r for r in found if r["assignment"] == expected["assignment"]}
    problems = [f"{s}: graded but not in {EXPECTED_FILE}" for s in sorted(set(by_student) -
                                                                       set(expected["students"]))]
    for student, want in sorted(expected["students"].items()):
        got = by_student.get(student)
        if got is None:
            problems.append(f"{student}: no result")
            continue
        if got["status"] != want["status"]:
            problems.append(f"{student}: status {got['status']}, expected {want['status']}")
        if got["score"] != expected_score(want, points):
            problems.append(f"{student}: score {got['score']:g}, expected "
                            f"{expected_score(want, points):g}")
        lost = {t["id"]: t["status"] for t in got["tests"] if t["status"] != "passed"}
        wanted = expected_lost(want, [t["id"] for t in got["tests"]])
        for test in sorted(set(lost) | set(wanted)):
            if lost.get(test) != wanted.get(test):
                problems.append(f"{student}: {test} {lost.get(test, 'passed')}, "
                                f"expected {wanted.get(test, 'passed')}")
    return problems
