"""The roster: who is in the course, and how each student is known to the LMS.

A CSV file with a header row. `student_id` is required: the id the kit knows the student by (the
folder name under submitted/, i.e. the JupyterHub or nbgrader student id). The other columns are
optional and used by the LMS exports (grader/course/lms_export.py):

    name           shown in the course table and the Canvas export
    email          Moodle: "Email address"
    username       Moodle: "Username" (default: student_id)
    id_number      Moodle: "ID number"
    canvas_id      Canvas: "ID" (the Canvas user id)
    sis_user_id    Canvas: "SIS User ID"
    sis_login_id   Canvas: "SIS Login ID" (default: student_id)
    section        Canvas: "Section"

A student on the roster without any result is "missing" in every assignment; a student with
results who is not on the roster is listed as such (and still gets a row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.course.csv_input import read_rows
from grader.errors import UsageError

COLUMNS = ("student_id", "name", "email", "username", "id_number", "canvas_id", "sis_user_id",
           "sis_login_id", "section")


@dataclass(frozen=True)
class Roster:
    """student_id -> that student's roster columns (empty when there is no roster)."""

    rows: dict[str, dict[str, str]] = field(default_factory=dict)

    def students(self) -> list[str]:
        return sorted(self.rows)

    def has(self, student: str) -> bool:
        return student in self.rows

    def get(self, student: str, column: str, default: str = "") -> str:
        return self.rows.get(student, {}).get(column) or default

    def name(self, student: str) -> str:
        return self.get(student, "name")


def load(path: Path | None) -> Roster:
    """The roster in `path` (an empty one for None); UsageError (one line) when malformed."""
    if path is None:
        return Roster()
    header, lines = read_rows(path, "the roster")
    if "student_id" not in header:
        raise UsageError(f"{path}: the roster needs a student_id column (found: "
                         f"{', '.join(header) or 'no header'})")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise UsageError(f"{path}: unknown roster column {unknown[0]!r} (known: {', '.join(COLUMNS)})")
    rows: dict[str, dict[str, str]] = {}
    for line, row in lines:
        student = row.get("student_id", "")
        if not student:
            raise UsageError(f"{path}:{line}: empty student_id")
        if student in rows:
            raise UsageError(f"{path}:{line}: student_id {student!r} is listed twice")
        rows[student] = row
    return Roster(rows)
