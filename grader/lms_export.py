"""CSV files that Moodle's and Canvas's gradebooks import, from the course table.

moodle-grades.csv (Moodle: Grades > Import > CSV file)

    Username,Email address,ID number,<title of assignment 1>,<title of assignment 2>,...

one row per student; "Username" is the roster's username (default: the kit's student id),
"Email address" and "ID number" come from the roster (columns left out when the roster has none).
On import, map one of them to the same user field, and each assignment column to its grade item.

canvas-grades.csv (Canvas: Grades > Import)

    Student,ID,SIS User ID,SIS Login ID,Section,<title> (<canvas_id>),...
    Points Possible,,,,,<max points>,...

the layout of Canvas's own gradebook export: Canvas matches students by ID, SIS User ID or SIS
Login ID (the roster's canvas_id, sis_user_id, sis_login_id; SIS Login ID defaults to the kit's
student id), and an assignment column by its title with the Canvas assignment id in parentheses
(course file: canvas_id); a title without an id makes Canvas create a new assignment.

A cell holds the assignment's points (auto-graded plus the written answers graded so far). A
missing submission is an empty cell (no grade: the LMS keeps what it has); a submission the
grader could not run is 0, like in the course table. Assignments nobody has a result for yet
are left out.
"""

from __future__ import annotations

from pathlib import Path

from grader import results
from grader.course_book import CourseBook

MOODLE_FILE = "moodle-grades.csv"
CANVAS_FILE = "canvas-grades.csv"


def _points(book: CourseBook, student: str, assignment: str) -> str:
    points = book.entry(student, assignment).points
    return "" if points is None else f"{points:g}"


def moodle(book: CourseBook) -> tuple[list[str], list[list[str]]]:
    columns = [c for c in book.columns if c.graded]
    roster = book.roster
    identity = [("Username", lambda s: roster.get(s, "username", s))]
    if any(roster.get(s, "email") for s in book.students):
        identity.append(("Email address", lambda s: roster.get(s, "email")))
    if any(roster.get(s, "id_number") for s in book.students):
        identity.append(("ID number", lambda s: roster.get(s, "id_number")))
    head = [label for label, _ in identity] + [c.title for c in columns]
    rows = [[results.csv_text(get(s)) for _, get in identity]
            + [_points(book, s, c.name) for c in columns] for s in book.students]
    return head, rows


def canvas(book: CourseBook) -> tuple[list[str], list[list[str]]]:
    columns = [c for c in book.columns if c.graded]
    roster = book.roster
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    head += [f"{c.title} ({c.canvas_id})" if c.canvas_id else c.title for c in columns]
    rows = [["Points Possible", "", "", "", ""] + [f"{c.max_points:g}" for c in columns]]
    for s in book.students:
        rows.append([results.csv_text(x) for x in (
            roster.name(s) or s, roster.get(s, "canvas_id"), roster.get(s, "sis_user_id"),
            roster.get(s, "sis_login_id", s), roster.get(s, "section"))]
            + [_points(book, s, c.name) for c in columns])
    return head, rows


def write(book: CourseBook, out: Path) -> list[Path]:
    return [results.write_rows(out / MOODLE_FILE, *moodle(book)),
            results.write_rows(out / CANVAS_FILE, *canvas(book))]
