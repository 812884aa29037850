"""The LMS importers' rules, written down as validators the tests read the kit's files with.

Moodle (Grades > Import > CSV file; grade/import/csv/classes/load_data.php):
- the first row names the columns; the instructor maps one column to a user field (username,
  email address, ID number) and each grade column to a grade item;
- a row whose user value is empty, or names a user Moodle does not know, stops the whole import
  ("No data was imported");
- a grade cell that is empty or "-" means "no grade": it replaces a grade the item already
  holds with none;
- a value that is not a number stops the import ("badgrade");
- a value above the site's grade maximum (100 unless "unlimitedgrades" is on) stops the whole
  import; a value above the grade item's own maximum is clamped to it when committed;
- the decimal separator may be a point on every site.

Canvas (Grades > Import; its gradebook importer):
- the header starts Student, ID, then optional SIS User ID and SIS Login ID, and the student
  columns end with Section; every later column is an assignment, "Title (id)" updating the
  assignment with that id, else the assignment of exactly that title, else a new one;
- an optional row starting "Points Possible": a value that differs from the assignment's points
  changes the assignment;
- a student is matched by ID, then SIS User ID, then SIS Login ID, then name; anyone else is an
  unknown student the instructor must resolve by hand;
- a blank cell where Canvas holds a score is a change that removes the score;
- a number may use "." or "," as decimal mark.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path


class ImportRefused(Exception):
    """The LMS would refuse the whole file (the message says why, as the LMS would)."""


def _rows(path: Path) -> list[list[str]]:
    with Path(path).open(newline="", encoding="utf-8") as fh:
        return [row for row in csv.reader(fh)]


def _number(text: str) -> float | None:
    text = text.strip()
    return float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None


@dataclass
class MoodleSite:
    """What a Moodle course knows: its users by field, its grade items' maxima and grades."""

    users: dict[str, set[str]]                      # "username" / "email" / "idnumber" -> values
    item_max: dict[str, float]                      # grade item -> its maximum
    grades: dict[tuple[str, str], float] = field(default_factory=dict)  # (user, item) -> grade
    gradepointmax: float = 100.0                    # the site's maximum (unlimitedgrades off)


def moodle_import(path: Path, site: MoodleSite, map_from: str, map_to: str,
                  items: dict[str, str]) -> dict[tuple[str, str], float]:
    """Import `path` into `site` as Moodle would: `map_from` is the file's identity column,
    `map_to` the user field it matches, `items` maps grade columns to grade items. Returns the
    grades after the import; raises ImportRefused where Moodle refuses the file, and
    AssertionError where the import would go through but lose a grade (clear or clamp it)."""
    head, *lines = _rows(path)
    if map_from not in head:
        raise ImportRefused(f"no column {map_from!r} to map users from")
    who = head.index(map_from)
    after = dict(site.grades)
    for number, line in enumerate(lines, 2):
        if len(line) <= 1:
            continue
        user = line[who].strip()
        if not user or user not in site.users[map_to]:
            raise ImportRefused(f"line {number}: user {user!r} not found: No data was imported")
        for column, item in items.items():
            value = line[head.index(column)].strip()
            if value in ("", "-"):
                raise AssertionError(f"line {number}: an empty {column!r} would clear {user}'s "
                                     f"grade in {item}")
            grade = _number(value)
            if grade is None:
                raise ImportRefused(f"line {number}: {value!r} is not a grade (badgrade)")
            if grade > site.gradepointmax:
                raise ImportRefused(f"line {number}: {grade:g} is larger than the allowed grade "
                                    f"maximum of {site.gradepointmax:g}: No data was imported")
            if grade > site.item_max[item]:
                raise AssertionError(f"line {number}: {grade:g} would be clamped to {item}'s "
                                     f"maximum {site.item_max[item]:g}")
            after[(user, item)] = grade
    return after


@dataclass
class CanvasCourse:
    """What a Canvas course knows: its students and its assignments (id -> points possible)."""

    students: list[dict[str, str]]                  # each: id, sis_user_id, sis_login_id, name
    assignments: dict[str, float]                   # id -> points possible
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (student id, asg id)
    titles: dict[str, str] = field(default_factory=dict)                # title -> id


def canvas_import(path: Path, course: CanvasCourse) -> dict[tuple[str, str], float]:
    """Import `path` as Canvas would; returns the scores after it. Raises ImportRefused for a file
    Canvas rejects, AssertionError for an import that needs the instructor (unknown students, a
    new assignment) or would remove a score or change an assignment's points."""
    head, *lines = _rows(path)
    if not (len(head) > 3 and "Student" in head[0] and "ID" in head[1]):
        raise ImportRefused("Invalid header row")
    student_columns = 3
    if re.match(r"SIS\s+User\s+ID", head[2]) and re.match(r"SIS\s+Login\s+ID", head[3]):
        student_columns += 2
    elif re.match(r"SIS\s+Login\s+ID", head[2]):
        student_columns += 1
    if "Section" not in head[student_columns - 1]:
        raise ImportRefused("Invalid header row: the student columns must end with Section")
    columns = {}
    for index, title in enumerate(head[student_columns:], student_columns):
        match = re.fullmatch(r"(?P<title>.*) \((?P<id>\d+)\)", title)
        found = match["id"] if match and match["id"] in course.assignments \
            else course.titles.get(title)              # else by its exact title
        if found is None:
            raise AssertionError(f"column {title!r} names no existing assignment: Canvas would "
                                 "create a new one")
        columns[index] = found
    sis = head[2] == "SIS User ID"
    after = dict(course.scores)
    for line in lines:
        if line[0].startswith("Points Possible"):
            for index, asg in columns.items():
                if line[index] and float(line[index]) != course.assignments[asg]:
                    raise AssertionError(f"Points Possible {line[index]} would change assignment "
                                         f"{asg} (worth {course.assignments[asg]:g})")
            continue
        student = next((s for s in course.students if line[1] and s["id"] == line[1]), None)
        if student is None and sis and line[2]:
            student = next((s for s in course.students if s["sis_user_id"] == line[2]), None)
        login = line[3] if sis else line[2] if student_columns == 4 else ""
        if student is None and login:
            student = next((s for s in course.students if s["sis_login_id"] == login), None)
        if student is None:
            student = next((s for s in course.students if s["name"] == line[0]), None)
        if student is None:
            raise AssertionError(f"{line[0]!r} is no student of the course: Canvas would ask "
                                 "what to do with an unknown student")
        for index, asg in columns.items():
            value = line[index].strip()
            if not value or value == "-":
                if (student["id"], asg) in after:
                    raise AssertionError(f"an empty cell would remove {student['name']}'s score "
                                         f"in {asg}")
                continue
            grade = _number(value.replace(",", "."))
            if grade is None:
                raise ImportRefused(f"{value!r} is not a score")
            after[(student["id"], asg)] = grade
    return after
