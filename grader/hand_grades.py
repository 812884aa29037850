"""Written answers graded by hand, outside nbgrader: `grader collect --hand-grades FILE.csv`.

A course graded with `grader autograde` alone has no formgrader; its instructors grade the
written-answer cells (role "answer", see docs/cell-roles.md) in a spreadsheet instead:

    student_id,assignment,answer,points
    ada,nn_from_scratch,answer-learning-rate,3

Each row moves one answer of one result from "awaiting manual grading" to graded, exactly as a
manual score in nbgrader's gradebook does (grader/course_book.py counts both the same way).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from grader.errors import UsageError

COLUMNS = ("student_id", "assignment", "answer", "points")


def load(path: Path) -> dict[tuple[str, str, str], float]:
    """(student, assignment, answer id) -> points; UsageError (one line) when malformed."""
    path = Path(path)
    grades: dict[tuple[str, str, str], float] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            if sorted(header) != sorted(COLUMNS):
                raise UsageError(f"{path}: the hand grades need exactly the columns "
                                 f"{', '.join(COLUMNS)} (found: {', '.join(header) or 'no header'})")
            for line, raw in enumerate(reader, start=2):
                row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
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
    except OSError as exc:
        raise UsageError(f"cannot read the hand grades {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: not a CSV file ({exc})") from None
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
