"""The course file, solutions/course.json: what the instructor decides across assignments.

    {
      "title": "Neural networks from scratch",
      "behind_below_percent": 50,
      "assignments": {
        "nn_from_scratch":   {"title": "A1: A network from scratch", "weight": 1},
        "training_networks": {"title": "A2: Training better networks", "weight": 1,
                              "reveals": ["nn_from_scratch"], "canvas_id": "1234",
                              "lms_max": 100}
      }
    }

Per assignment (every key optional):
    title       its name in the course table, the report and the LMS exports (default: its name)
    weight      its share of the weighted total (default 1; 0 leaves it out of the total)
    reveals     assignments whose reference code its release may hold (default none): a release
                that holds another assignment's solution lines is refused unless that one is
                listed here, e.g. once its deadline has passed
    canvas_id   the Canvas assignment id, so the Canvas export updates that assignment
    lms_max     the maximum of its grade item in the LMS (default 100, what a default Moodle site
                accepts): the Moodle and Canvas files hold each student's points scaled to it
    similarity_threshold  pairs of submissions at or above this score (0 to 1) are flagged by
                `grader similarity` (default: the course's)
    gradescope_visible  checks (ids, or graded functions for all their checks) that students see on
                Gradescope at once (default none: see docs/gradescope.md)
    gradescope_hidden   when students see every other check on Gradescope: "after_published"
                (default), "after_due_date", "hidden" or "visible"
`languages` (default ["en"]): the languages the course is released in (docs/translating.md), the
first one the default: its release is in assignments/<a>/, each other language L's in
assignments/L/<a>/. Each must be a language with a message catalog in the kit
(nnkit_contract/locale/<L>.po) or "en".
`behind_below_percent` (default 50): the course page lists students whose weighted total is below
it (next to those with a missing or failed submission). `similarity_threshold` (default 0.5): the
same for every assignment that sets none (docs/similarity.md).

Without the file every assignment has weight 1, its name as title, and reveals nothing. The file
is read here only; every other module asks this one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import UsageError
from grader.paths import Course
from nnkit_contract.i18n import DEFAULT_LANGUAGE

COURSE_FILE = "course.json"
DEFAULT_BEHIND_BELOW = 50.0
#: The maximum of a grade item in the LMS unless the course file says otherwise: a default Moodle
#: site refuses any imported grade above 100 (grader/course/lms_export.py).
DEFAULT_LMS_MAX = 100.0
#: Pairs of submissions scoring at least this are flagged (grader/similarity, docs/similarity.md).
DEFAULT_SIMILARITY_THRESHOLD = 0.5
_ASSIGNMENT_KEYS = {"title", "weight", "reveals", "canvas_id", "lms_max", "similarity_threshold",
                    "gradescope_visible", "gradescope_hidden"}
#: Gradescope's visibility settings of a test (its autograder specification).
GRADESCOPE_VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_TOP_KEYS = {"title", "behind_below_percent", "assignments", "similarity_threshold", "languages"}


@dataclass(frozen=True)
class AssignmentSettings:
    name: str
    title: str
    weight: float = 1.0
    reveals: tuple[str, ...] = ()
    canvas_id: str | None = None
    lms_max: float = DEFAULT_LMS_MAX
    similarity_threshold: float | None = None   # None: the course's
    gradescope_visible: tuple[str, ...] = ()
    gradescope_hidden: str = "after_published"


@dataclass(frozen=True)
class CourseSettings:
    title: str = "Course"
    behind_below_percent: float = DEFAULT_BEHIND_BELOW
    assignments: dict[str, AssignmentSettings] = field(default_factory=dict)
    similarity_threshold: float = DEFAULT_SIMILARITY_THRESHOLD
    #: The course's languages, the default first (docs/translating.md).
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)

    def similarity_threshold_of(self, name: str) -> float:
        """The similarity threshold of assignment `name` (its own, else the course's)."""
        own = self.assignment(name).similarity_threshold
        return self.similarity_threshold if own is None else own

    def assignment(self, name: str) -> AssignmentSettings:
        """The settings of `name` (defaults when the file does not list it)."""
        return self.assignments.get(name) or AssignmentSettings(name, name)

    def order(self, names) -> list[str]:
        """`names` in the course file's order, the ones it does not list after them by name."""
        listed = [a for a in self.assignments if a in set(names)]
        return listed + sorted(set(names) - set(listed))


def course_file(course: Course) -> Path:
    return course.solutions / COURSE_FILE


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise UsageError(f"{where} must be a number >= 0, got {value!r}")
    return float(value)


def _share(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise UsageError(f"{where} must be a number from 0 to 1, got {value!r}")
    return float(value)


def parse(data, where: str = COURSE_FILE, known: list[str] | None = None) -> CourseSettings:
    """The settings in `data` (the file's JSON); UsageError (one line) when malformed. `known`:
    the course's assignments, which every name in the file must be one of."""
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a JSON object")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    entries = data.get("assignments", {})
    if not isinstance(entries, dict):
        raise UsageError(f"{where}: 'assignments' must be an object (name -> settings)")
    settings = {}
    for name, entry in entries.items():
        at = f"{where}: assignments.{name}"
        if known is not None and name not in known:
            raise UsageError(f"{at}: no such assignment (there are: {', '.join(known) or 'none'})")
        if not isinstance(entry, dict):
            raise UsageError(f"{at}: expected an object")
        bad = sorted(set(entry) - _ASSIGNMENT_KEYS)
        if bad:
            raise UsageError(f"{at}: unknown key {bad[0]!r} (known: {', '.join(sorted(_ASSIGNMENT_KEYS))})")
        reveals = entry.get("reveals", [])
        if not isinstance(reveals, list) or not all(isinstance(r, str) for r in reveals):
            raise UsageError(f"{at}.reveals must be a list of assignment names")
        for other in reveals:
            if other == name or (known is not None and other not in known):
                raise UsageError(f"{at}.reveals: {other!r} is not another assignment of the course")
        title = entry.get("title", name)
        canvas_id = entry.get("canvas_id")
        if not isinstance(title, str) or not title.strip():
            raise UsageError(f"{at}.title must be a non-empty string")
        if canvas_id is not None and not isinstance(canvas_id, str | int):
            raise UsageError(f"{at}.canvas_id must be a string or a number")
        lms_max = _number(entry.get("lms_max", DEFAULT_LMS_MAX), f"{at}.lms_max")
        if lms_max <= 0:
            raise UsageError(f"{at}.lms_max must be above 0 (the LMS grade item's maximum)")
        threshold = entry.get("similarity_threshold")
        visible = entry.get("gradescope_visible", [])
        if not isinstance(visible, list) or not all(isinstance(v, str) for v in visible):
            raise UsageError(f"{at}.gradescope_visible must be a list of check ids or function names")
        hidden = entry.get("gradescope_hidden", "after_published")
        if hidden not in GRADESCOPE_VISIBILITIES:
            raise UsageError(f"{at}.gradescope_hidden must be one of {', '.join(GRADESCOPE_VISIBILITIES)}")
        settings[name] = AssignmentSettings(
            name, title.strip(), _number(entry.get("weight", 1), f"{at}.weight"), tuple(reveals),
            None if canvas_id is None else str(canvas_id), lms_max,
            similarity_threshold=None if threshold is None else _share(threshold, f"{at}.similarity_threshold"),
            gradescope_visible=tuple(visible), gradescope_hidden=hidden)
    title = data.get("title", "Course")
    if not isinstance(title, str):
        raise UsageError(f"{where}: title must be a string")
    return CourseSettings(title, _number(data.get("behind_below_percent", DEFAULT_BEHIND_BELOW),
                                         f"{where}: behind_below_percent"), settings,
                          _share(data.get("similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD),
                                 f"{where}: similarity_threshold"),
                          _languages(data.get("languages", [DEFAULT_LANGUAGE]), where))


def available_languages() -> list[str]:
    """The languages the kit has a message catalog for, the default first."""
    from nnkit_contract import FOLDER

    locale = Path(FOLDER) / "locale"
    return [DEFAULT_LANGUAGE, *sorted(p.stem for p in locale.glob("*.po") if p.stem != DEFAULT_LANGUAGE)]


def _languages(value, where: str) -> tuple[str, ...]:
    known = available_languages()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where}: languages must be a non-empty list of language codes, e.g. "
                         '["en", "de"]')
    for lang in value:
        if lang not in known:
            raise UsageError(f"{where}: languages: no catalog for {lang!r} (the kit has: "
                             f"{', '.join(known)}; docs/translating.md adds one)")
    if len(set(value)) != len(value):
        raise UsageError(f"{where}: languages: {value!r} names a language twice")
    return tuple(value)


def load(course: Course, path: Path | None = None) -> CourseSettings:
    """The course's settings from `path` (default solutions/course.json; defaults when the
    default file does not exist)."""
    file = Path(path) if path is not None else course_file(course)
    if not file.is_file():
        if path is not None:
            raise UsageError(f"course file not found: {file}")
        return CourseSettings()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {file}: {exc}") from None
    return parse(data, str(file), course.assignment_names())
