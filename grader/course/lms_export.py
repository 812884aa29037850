"""CSV files that Moodle's and Canvas's gradebooks import, from the course table: one file per
assignment and LMS, written so that the import goes through on a default site and never erases
a grade the LMS already holds.

The importers' rules this follows (from their documentation and source: Moodle's
grade/import/csv/classes/load_data.php, Canvas's gradebook importer; tests/lms_rules.py writes
them down as validators):

- Moodle refuses the whole import when one value is above 100 (the site-wide grade maximum,
  unless an administrator enabled "unlimitedgrades"), and clamps a value above the grade item's
  own maximum; Canvas takes the points as given and a "Points Possible" row that differs from the
  assignment's changes the assignment. So a cell holds the student's points scaled to the
  assignment's `lms_max` (course file, default 100): round(points / max_points * lms_max, 2).
  Set the LMS grade item's (Canvas assignment's) maximum to the same number.
- An empty cell clears a grade the LMS holds (Moodle reads it as "no grade"; Canvas as a
  removed score). A student without a grade in an assignment (nothing submitted) is therefore
  left out of that assignment's file, which is why there is one file per assignment.
- A row for a user Moodle does not know stops the whole Moodle import; Canvas asks what to do
  with each unknown student. With a roster, students who are not on it are left out of every
  LMS file (and named in `warnings`); the course table still lists them.
- Plain decimal points, UTF-8, text cells that cannot run as spreadsheet formulas.

moodle-<assignment>.csv (Moodle: Grades > Import > CSV file)

    Username,Email address,ID number,<title>

"Username" is the roster's username (default: the kit's student id), "Email address" and "ID
number" come from the roster (columns left out when the roster has none). On import, map one of
them to the same user field ("Map from" / "Map to") and the grade column to the grade item.

canvas-<assignment>.csv (Canvas: Grades > Import)

    Student,ID,SIS User ID,SIS Login ID,Section,<title> (<canvas_id>)
    Points Possible,,,,,<lms_max>

the layout of Canvas's own gradebook export: Canvas matches students by ID, SIS User ID or SIS
Login ID (the roster's canvas_id, sis_user_id, sis_login_id; SIS Login ID defaults to the kit's
student id), and the column by the Canvas assignment id in parentheses (course file:
canvas_id); a title without an id makes Canvas create a new assignment.

A cell holds the assignment's points so far (auto-graded plus the written answers graded by hand
so far, provisional while answers await grading: `grader collect` names those students); a
submission the grader could not run counts 0, like in the course table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.course.gradebook import MISSING, Column, CourseBook
from grader.grading import results

MOODLE_FILE = "moodle-{assignment}.csv"
CANVAS_FILE = "canvas-{assignment}.csv"
#: The largest grade a default Moodle site imports (its gradepointmax, with unlimitedgrades off).
MOODLE_SITE_MAX = 100.0


def lms_points(points: float, max_points: float, lms_max: float) -> float:
    """`points` of `max_points` on the LMS grade item's scale 0..lms_max, to 2 decimals (the
    precision both gradebooks show), never above lms_max."""
    if max_points <= 0:
        return 0.0
    return min(lms_max, round(points / max_points * lms_max, 2))


def _text(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


@dataclass
class Export:
    """What the LMS files hold, before they are written."""

    files: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _exported(book: CourseBook) -> list[str]:
    """The students the LMS files may name: everyone with a roster row when there is a roster
    (the LMS knows no one else), else everyone."""
    left_out = set(book.not_in_roster)
    return [s for s in book.students if s not in left_out]


def _graded(book: CourseBook, column: Column, students: list[str]) -> list[tuple[str, float]]:
    """(student, grade on the LMS scale) of everyone with a grade in `column`."""
    found = []
    for s in students:
        entry = book.entry(s, column.name)
        if entry.status != MISSING and entry.points is not None:
            found.append((s, lms_points(entry.points, column.max_points, column.lms_max)))
    return found


def moodle(book: CourseBook, column: Column) -> tuple[list[str], list[list[str]]]:
    """The Moodle file of one assignment: identity columns, then the grade."""
    roster = book.roster
    students = _exported(book)
    identity = [("Username", lambda s: roster.get(s, "username", s))]
    if any(roster.get(s, "email") for s in students):
        identity.append(("Email address", lambda s: roster.get(s, "email")))
    if any(roster.get(s, "id_number") for s in students):
        identity.append(("ID number", lambda s: roster.get(s, "id_number")))
    head = [label for label, _ in identity] + [column.title]
    rows = [[results.csv_text(get(s)) for _, get in identity] + [_text(grade)]
            for s, grade in _graded(book, column, students)]
    return head, rows


def canvas(book: CourseBook, column: Column) -> tuple[list[str], list[list[str]]]:
    """The Canvas file of one assignment, in the layout of Canvas's own export."""
    roster = book.roster
    head = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
            f"{column.title} ({column.canvas_id})" if column.canvas_id else column.title]
    rows = [["Points Possible", "", "", "", "", _text(column.lms_max)]]
    for s, grade in _graded(book, column, _exported(book)):
        rows.append([results.csv_text(x) for x in (
            roster.name(s) or s, roster.get(s, "canvas_id"), roster.get(s, "sis_user_id"),
            roster.get(s, "sis_login_id", s), roster.get(s, "section"))] + [_text(grade)])
    return head, rows


def export(book: CourseBook) -> Export:
    """Every LMS file of the course book (by file name) and what the instructor must know."""
    done = Export()
    for column in book.columns:
        if not column.graded:
            continue
        done.files[MOODLE_FILE.format(assignment=column.name)] = moodle(book, column)
        done.files[CANVAS_FILE.format(assignment=column.name)] = canvas(book, column)
        if column.lms_max > MOODLE_SITE_MAX:
            done.warnings.append(f"{column.name}: lms_max {column.lms_max:g} is above "
                                 f"{MOODLE_SITE_MAX:g}: a default Moodle site refuses the import "
                                 "(its administrator must allow grades above 100)")
    if book.not_in_roster and done.files:
        done.warnings.append(f"not on the roster, left out of the Moodle and Canvas files: "
                             f"{', '.join(book.not_in_roster)}")
    return done


def write(book: CourseBook, out: Path) -> tuple[list[Path], list[str]]:
    """Write the LMS files into `out`; returns their paths and the warnings."""
    done = export(book)
    paths = [results.write_rows(Path(out) / name, head, rows)
             for name, (head, rows) in done.files.items()]
    return paths, done.warnings
