"""The tables of the docs that are derived from the kit's data, never typed by hand.

A doc marks a generated region as

    <!-- generated: NAME ASSIGNMENT (grader docs) -->
    ...
    <!-- end generated -->

and `grader docs` rewrites every region of every docs/**/*.md from its source: the assignment's
check registry (checks and their points), its calibrated thresholds, its mutant corpus
tests/mutants/<assignment>/ (what each typical mistake loses, and the cause grading and check.py
name), its honest variants tests/variants/<assignment>/ (full marks, the notes they get), and its
example class (examples/<assignment>/expected.json and the variant files). `grader docs --check`
(run by the tests) lists every region that is out of date and says what to run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

from autograde_tests import engine
from grader.errors import UsageError
from grader.paths import Course

_REGION = re.compile(r"(<!-- generated: (?P<name>[\w-]+) (?P<assignment>\w+) \(grader docs\) -->\n)"
                     r"(?P<body>.*?)(<!-- end generated -->)", re.S)


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _num(x: float) -> str:
    return f"{x:g}"


def checks_table(course: Course, assignment: str) -> str:
    rows = [[f"`{c.id}`", _num(c.points), c.description.replace("|", "\\|")]
            for c in engine.all_checks(assignment)]
    return (f"Each check is pass/fail for its points; a function's grade cell is the sum of its "
            f"checks. Total: {_num(engine.total_points(assignment))} points.\n\n"
            + _table(["check id", "points", "what it checks"], rows))


def thresholds_table(course: Course, assignment: str) -> str | None:
    from autograde_tests import calibration

    path = calibration.thresholds_file(assignment)
    if not path.is_file():
        return None
    data = calibration.stored(assignment)
    rows = [[name, f"{row['min']:.3f}", f"{row['mean']:.3f}", f"{row['threshold']:.2f}"]
            for name, row in data["cases"].items()]
    return (f"The reference trained with seeds 0-{data['seeds'] - 1} on fresh draws; a threshold is "
            f"the worst accuracy minus {data['margin']:g}, rounded down to 0.01.\n\n"
            + _table(["case", f"worst of {data['seeds']}", "mean", "threshold"], rows))


def _expectation(path: Path) -> dict:
    """The EXPECT literal of a mutant file, read without running the file."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXPECT" for t in node.targets):
            return ast.literal_eval(node.value)
    raise UsageError(f"{path} has no EXPECT")


def _label(assignment: str, diagnosis_id: str | None) -> str:
    from autograde_tests import diagnosis

    if diagnosis_id is None:
        return "–"
    d = diagnosis.declared(assignment).get(diagnosis_id)
    return f"{d.label} (`{diagnosis_id}`)" if d else f"`{diagnosis_id}`"


def mutants_table(course: Course, assignment: str) -> str | None:
    folder = course.root / "tests" / "mutants" / assignment
    if not folder.is_dir():
        return None
    rows = []
    for path in sorted(folder.glob("*.py")):
        expect = _expectation(path)
        lost, maybe = expect["lost"], expect.get("maybe", {})
        failed = ", ".join(f"`{k}` {_num(v)}" for k, v in lost.items())
        if maybe:
            failed += "; on some run seeds also " + ", ".join(f"`{k}` {_num(v)}" for k, v in maybe.items())
        shown = [i for k, i in expect["diagnoses"].items() if k in lost]
        diagnoses = "; ".join(_label(assignment, i) for i in dict.fromkeys(shown)) or "–"
        local = expect["local"]
        local = (local if isinstance(local, dict) else {"": local}).values()
        rows.append([f"`{path.stem}`", _num(sum(lost.values())), failed, diagnoses,
                     "; ".join(_label(assignment, i) for i in dict.fromkeys(local))])
    return _table(["mutant", "points lost", "checks failed", "cause shown when graded",
                   "cause shown by check.py"], rows)


def variants_table(course: Course, assignment: str) -> str | None:
    folder = course.root / "tests" / "variants" / assignment
    if not folder.is_dir():
        return None
    rows = []
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        what = " ".join(line.lstrip("#").strip() for line in text.splitlines()
                        if line.startswith("#"))
        notes = "; ".join(f"`{k}`: {v}" for k, v in _expectation(path)["notes"].items()) or "–"
        rows.append([f"`{path.stem}`", what.replace("|", "\\|"), notes])
    return _table(["variant", "how it is written", "note in the feedback"], rows)


def example_class_table(course: Course, assignment: str) -> str | None:
    from grader.release.example_class import examples_dir, expected_score, load_expected, load_variants

    if not examples_dir(course, assignment).is_dir():
        return None
    expected = load_expected(course, assignment)["students"]
    points = {c.id: c.points for c in engine.all_checks(assignment)}
    rows = []
    for variant in load_variants(course, assignment):
        want = expected.get(variant.student, {})
        score = (_num(expected_score(want, points)) if want.get("status") == "graded"
                 else want.get("status", "?"))
        rows.append([f"`{variant.student}`", variant.description.replace("|", "\\|"), score])
    return _table(["student", "what the notebook does", "expected"], rows)


#: Region name -> how to render it for an assignment (None: its source is not in this checkout;
#: the region is left as it is).
REGIONS: dict[str, Callable[[Course, str], str | None]] = {
    "checks": checks_table,
    "thresholds": thresholds_table,
    "mutants": mutants_table,
    "variants": variants_table,
    "example-class": example_class_table,
}


def render(course: Course, text: str) -> str:
    def fill(match: re.Match) -> str:
        name, assignment = match["name"], match["assignment"]
        if name not in REGIONS:
            raise UsageError(f"unknown generated region {name!r}")
        try:
            body = REGIONS[name](course, assignment)
        except engine.UnknownAssignment as exc:
            raise UsageError(f"generated region {name} {assignment}: {exc}") from None
        return match.group(0) if body is None else match.group(1) + body + match.group(5)

    return _REGION.sub(fill, text)


def documents(course: Course) -> list[Path]:
    """The docs that may hold generated regions: every docs/**/*.md."""
    return sorted((course.root / "docs").rglob("*.md"))


def update(course: Course, check: bool = False) -> list[str]:
    """Rewrite the generated regions of the docs (or, with `check`, only list the stale ones)."""
    stale = []
    for path in documents(course):
        rel = path.relative_to(course.root).as_posix()
        text = path.read_text(encoding="utf-8")
        fresh = render(course, text)
        if fresh != text:
            stale.append(rel)
            if not check:
                path.write_text(fresh, encoding="utf-8")
    return stale
