"""The course gradebook: every student's result in every assignment, one table.

Built from the results of `grader autograde` runs (any assignments, one output folder each) and
from an nbgrader gradebook (every assignment in it); where both hold a (student, assignment),
the grader's own result wins for the auto-graded checks, and the written answers graded by hand
in the gradebook are taken from it (so are hand grades from a CSV, grader/course/hand_grades.py).
Weights and titles come from the course file (grader/course/course_file.py), the LMS identities from a
roster (grader/course/roster.py).

One entry per student and assignment tells apart

    graded                 a score (a real zero is a graded 0)
    needs_manual_grading   nbgrader could not grade a cell: a provisional score
    missing                nothing was submitted (no result, or the grader found no notebook)
    error/timeout/memory/invalid   a submission the grader could not run: scored 0, said so

and written answers that are not graded by hand yet (their points count as 0 until they are; an
answer the student left empty counts 0 at once: there is nothing to grade).

The weighted total of a student is sum(w_a * points_a / max_a) / sum(w_a) over the assignments
that have been graded for anyone (an assignment nobody has a result for yet is "not graded yet"
and left out), in percent; a missing or failed submission counts 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.course.course_file import CourseSettings
from grader.course.roster import Roster
from grader.errors import UsageError
from grader.grading import answers, results
from nnkit_contract.outcomes import SubmissionStatus

#: Statuses of a submission that was handed in but could not be run (scored 0, told apart).
FAILED = frozenset({SubmissionStatus.ERROR.value, SubmissionStatus.TIMEOUT.value,
                    SubmissionStatus.MEMORY.value, SubmissionStatus.INVALID.value})
MISSING = SubmissionStatus.MISSING.value
NEEDS_MANUAL = "needs_manual_grading"
TABLE_FILE = "course-grades.csv"
DATA_FILE = "course-grades.json"


@dataclass
class Entry:
    """One student's result in one assignment.

    points / max_points: auto-graded points plus the written answers graded by hand so far
    (None when missing); awaiting: points of written answers not graded yet (in max_points)."""

    status: str
    points: float | None
    max_points: float
    awaiting: float = 0.0
    source: str = "grader"

    @property
    def counts_as(self) -> float:
        return self.points or 0.0


@dataclass
class Column:
    """One assignment of the course table."""

    name: str
    title: str
    weight: float
    max_points: float
    graded: bool   # someone has a result: it counts in the total
    canvas_id: str | None = None
    lms_max: float = 100.0   # the LMS grade item's maximum (course file), see grader/course/lms_export.py


@dataclass
class CourseBook:
    title: str
    columns: list[Column]
    entries: dict[str, dict[str, Entry]]   # student -> assignment -> entry
    roster: Roster
    behind_below_percent: float
    not_in_roster: list[str] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted(self.entries)

    def entry(self, student: str, assignment: str) -> Entry:
        column = next(c for c in self.columns if c.name == assignment)
        return self.entries.get(student, {}).get(assignment) or Entry(MISSING, None, column.max_points)

    def total(self, student: str) -> float:
        """The weighted total in percent (0 to 100)."""
        counted = [c for c in self.columns if c.graded and c.weight > 0 and c.max_points > 0]
        weights = sum(c.weight for c in counted)
        if not weights:
            return 0.0
        return 100.0 * sum(c.weight * self.entry(student, c.name).counts_as / c.max_points
                           for c in counted) / weights

    def provisional(self, student: str) -> bool:
        """True while written answers await grading or a cell needs manual grading."""
        return any(self.entry(student, c.name).awaiting > 0
                   or self.entry(student, c.name).status == NEEDS_MANUAL for c in self.columns)

    def behind(self) -> list[tuple[str, list[str]]]:
        """(student, reasons) for everyone with a missing or failed graded assignment or a
        weighted total below the course's bar, by total."""
        found = []
        for student in self.students:
            reasons = []
            for c in self.columns:
                e = self.entry(student, c.name)
                if c.graded and e.status == MISSING:
                    reasons.append(f"{c.title}: missing")
                elif c.graded and e.status in FAILED:
                    reasons.append(f"{c.title}: {e.status}")
            total = self.total(student)
            if total < self.behind_below_percent:
                reasons.append(f"total {total:.1f}% < {self.behind_below_percent:g}%")
            if reasons:
                found.append((student, reasons))
        return sorted(found, key=lambda item: (self.total(item[0]), item[0]))


def _entry(r: dict) -> Entry:
    """A result (grader.grading.results' shape, or nbgrader_course.gradebook_results') as an entry."""
    blank = [dict(m, points=0.0) for m in r.get("manual") or [] if answers.blank(m)]
    done = [*(r.get("manual_done") or []), *blank]
    awaiting = answers.awaiting_points(r)
    max_points = float(r["max_score"]) + sum(m["max_points"] for m in done) + awaiting
    if r["status"] == MISSING:
        return Entry(MISSING, None, max_points, awaiting, r.get("source", "grader"))
    points = float(r["score"]) + sum(m["points"] for m in done)
    return Entry(r["status"], points, max_points, awaiting, r.get("source", "grader"))


def gather(folders: Iterable[Path], gradebook: list[dict] | None = None) -> list[dict]:
    """Every result of the output folders, then the gradebook's rows for what they lack."""
    found: dict[tuple[str, str], dict] = {}
    for folder in folders:
        if not Path(folder).is_dir():
            raise UsageError(f"results folder not found: {folder}")
        rows = results.load_results(Path(folder))
        if not rows:
            raise UsageError(f"no result files in {folder}")
        for r in rows:
            key = (r["student"], r["assignment"])
            if key in found:
                raise UsageError(f"{r['student']} has two results for {r['assignment']} "
                                 f"(in {folder} and another folder): give each run once")
            found[key] = r
    for r in gradebook or []:
        mine = found.get((r["student"], r["assignment"]))
        if mine is None:
            found[(r["student"], r["assignment"])] = dict(r, source="nbgrader")
        elif r.get("manual_done") or any(answers.blank(m) for m in r.get("manual") or []):
            # Hand grades live only in the gradebook: keep them. So does nbgrader's word that an
            # answer is unchanged from the course's release (blank), which a grader run of the
            # files outside the course may not know.
            done = {m["id"] for m in r.get("manual_done") or []}
            blank = {m["id"]: m for m in r.get("manual") or [] if answers.blank(m)}
            found[(r["student"], r["assignment"])] = dict(
                mine, manual=[blank.get(m["id"], m) for m in mine.get("manual") or []
                              if m["id"] not in done],
                manual_done=[*(mine.get("manual_done") or []), *(r.get("manual_done") or [])])
    return list(found.values())


def build(found: list[dict], settings: CourseSettings, roster: Roster,
          assignments: Iterable[str] = ()) -> CourseBook:
    """The course table of the results `found`; `assignments` (e.g. every assignment of the
    course) get a column even when nobody has a result yet."""
    names = settings.order({r["assignment"] for r in found} | set(assignments))
    entries: dict[str, dict[str, Entry]] = {s: {} for s in roster.students()}
    maxima: dict[str, float] = {}
    for r in found:
        e = _entry(r)
        entries.setdefault(r["student"], {})[r["assignment"]] = e
        if e.status != MISSING:
            maxima[r["assignment"]] = max(maxima.get(r["assignment"], 0.0), e.max_points)
    columns = []
    for name in names:
        a = settings.assignment(name)
        columns.append(Column(name, a.title, a.weight, maxima.get(name, 0.0), name in maxima,
                              a.canvas_id, a.lms_max))
    outside = sorted(s for s in entries if roster.students() and not roster.has(s))
    return CourseBook(settings.title, columns, entries, roster, settings.behind_below_percent, outside)


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def table_rows(book: CourseBook) -> tuple[list[str], list[list[str]]]:
    """The course table: a row per student, per assignment its points and status, then the
    weighted total and whether it is provisional."""
    head = ["student_id", "name"]
    for c in book.columns:
        head += [c.name, f"{c.name}_status"]
    head += ["total_percent", "provisional", "in_roster"]
    rows = []
    for s in book.students:
        row = [results.csv_text(s), results.csv_text(book.roster.name(s))]
        for c in book.columns:
            e = book.entry(s, c.name)
            row += [_num(e.points), _status(e, c)]
        row += [f"{book.total(s):.2f}", "yes" if book.provisional(s) else "no",
                "yes" if book.roster.has(s) or not book.roster.students() else "no"]
        rows.append(row)
    return head, rows


def _status(e: Entry, c: Column) -> str:
    """The status shown for an entry: an assignment nobody has a result for is "not graded yet"."""
    return e.status if c.graded or e.status != MISSING else "not graded yet"


def _entry_json(e: Entry, c: Column) -> dict:
    return dict(asdict(e), status=_status(e, c))


def to_json(book: CourseBook) -> dict:
    return {"title": book.title, "behind_below_percent": book.behind_below_percent,
            "assignments": [asdict(c) for c in book.columns],
            "students": {s: {"total_percent": round(book.total(s), 4),
                             "provisional": book.provisional(s),
                             "assignments": {c.name: _entry_json(book.entry(s, c.name), c)
                                             for c in book.columns}}
                         for s in book.students},
            "behind": [{"student": s, "reasons": r} for s, r in book.behind()],
            "not_in_roster": book.not_in_roster}


def write(book: CourseBook, out: Path) -> list[Path]:
    """course-grades.csv and course-grades.json into `out`; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    head, rows = table_rows(book)
    paths = [results.write_rows(out / TABLE_FILE, head, rows)]
    data = out / DATA_FILE
    results.write_json_atomic(data, to_json(book))
    return [*paths, data]


def load(out: Path) -> dict:
    """The course-grades.json of a course folder written by `grader collect --out`."""
    path = Path(out) / DATA_FILE
    if not path.is_file():
        raise UsageError(f"no course table in {out}: run `grader collect ... --out {out}` first")
    return json.loads(path.read_text(encoding="utf-8"))
