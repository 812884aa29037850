"""Written answers graded by hand, outside nbgrader: `grader collect --hand-grades FILE.csv`.

A course graded with `grader autograde` alone has no formgrader; its instructors grade the
written-answer cells (role "answer", see docs/cell-roles.md) in a spreadsheet instead:

    student_id,assignment,answer,points
    ada,nn_from_scratch,answer-learning-rate,3

Each row moves one answer of one result from "awaiting manual grading" to graded, exactly as a
manual score in nbgrader's gradebook does (grader/course/gradebook.py counts both the same way).
"""

from __future__ import annotations

import math
from pathlib import Path

from grader.course.csv_input import read_rows
from grader.errors import UsageError

COLUMNS = ("student_id", "assignment", "answer", "points")


def load(path: Path) -> dict[tuple[str, str, str], float]:
    """(student, assignment, answer id) -> points; UsageError (one line) when malformed."""
    header, lines = read_rows(path, "the hand grades")
    if sorted(header) != sorted(COLUMNS):
        raise UsageError(f"{path}: the hand grades need exactly the columns {', '.join(COLUMNS)} "
                         f"(found: {', '.join(header) or 'no header'})")
    grades: dict[tuple[str, str, str], float] = {}
    for line, row in lines:
        key = (row["student_id"], row["assignment"], row["answer"])
        if not all(key):
            raise UsageError(f"{path}:{line}: student_id, assignment and answer are needed")
        try:
            points = float(row["points"])
        except ValueError:
            raise UsageError(f"{path}:{line}: points must be a number, got {row['points']!r}") from None
        if not math.isfinite(points) or points < 0:
            raise UsageError(f"{path}:{line}: points must be a number >= 0, got {row['points']!r}")
        if key in grades:
            raise UsageError(f"{path}:{line}: {key[0]} {key[1]} {key[2]} is graded twice")
        grades[key] = points
    return grades


def apply(found: list[dict], grades: dict[tuple[str, str, str], float], source: Path) -> None:
    """Record each hand grade on its result (in place): the answer leaves `manual` (awaiting) and
    joins `manual_done` with its points. A grade for an unknown student, assignment or answer, or
    above the answer's points, is a UsageError (one line): a typo must not vanish silently."""
    by_key = {(r["student"], r["assignment"]): r for r in found}
    for (student, assignment, answer), points in grades.items():
        r = by_key.get((student, assignment))
        if r is None:
            raise UsageError(f"{source}: no result of {student} for {assignment} to add the grade "
                             f"of {answer} to")
        awaiting = {m["id"]: m for m in r.get("manual") or []}
        if answer not in awaiting:
            known = sorted({m["id"] for m in [*(r.get("manual") or []), *(r.get("manual_done") or [])]})
            raise UsageError(f"{source}: {assignment} has no written answer {answer!r} awaiting a "
                             f"grade for {student} (answers: {', '.join(known) or 'none'})")
        cell = awaiting[answer]
        if points > cell["max_points"]:
            raise UsageError(f"{source}: {student} {assignment} {answer}: {points:g} points, but the "
                             f"answer is worth {cell['max_points']:g}")
        r["manual"] = [m for m in r["manual"] if m["id"] != answer]
        r["manual_done"] = [*(r.get("manual_done") or []),
                            dict(cell, points=points, status="graded")]
