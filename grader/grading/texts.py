"""The words of what the grader writes for people (feedback, the nbgrader cell report, report.html,
the course page) in every language of the catalog: `feedback.<what>` and `report.<what>` ids,
declared here once with their English (the catalogs' source, grader/release/catalogs.py), and
the language a run writes in (docs/translating.md).

English is always the template written here, so an English course's files never depend on the
catalog. Grades never depend on the language: results store each failed check's message by id
and values (autograde_tests.engine.TestResult.text), and only the writing of feedback and pages
renders them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nnkit_contract import i18n
from nnkit_contract.i18n import DEFAULT_LANGUAGE
from nnkit_contract.outcomes import CHECK_STATUSES, SUBMISSION_STATUSES

#: id -> English template.
MESSAGES: dict[str, str] = {
    **{f"feedback.check-status-{s}": s.replace("_", " ") for s in CHECK_STATUSES},
    **{f"feedback.submission-status-{s}": s for s in SUBMISSION_STATUSES},
    "feedback.title": "# {assignment}: feedback for {student}",
    "feedback.score": "**Score: {score} / {max_score}** (status: {status})",
    "feedback.load-errors": "Errors while running your notebook's code:",
    "feedback.notes-heading": "What the grader ignored in your notebook (the released cells "
                              "decide what runs and what counts)",
    "feedback.cause": "*Cause (confirmed): {label}.*",
    "feedback.written-answers": "## Written answers",
    "feedback.graded-by-hand": "Graded by hand, not part of the score above ({points} points "
                               "still to grade):",
    "feedback.manual-item": "- **{id}** — {points} points — {state}",
    "feedback.no-answer": "no answer written: 0 points",
    "feedback.awaiting": "awaiting manual grading",
    "feedback.demo-cells": "Demo cells (training and plots) are not run when your notebook is "
                           "graded.",
    "feedback.grader": "Grader {version}.",
    "feedback.cell-score": "{function}: {score} / {total} points",
    "feedback.cell-not-graded": "not graded ({status}): {reason}",
    "feedback.see-log": "see the grader log",
    "feedback.cell-cause": "cause (confirmed): {label}",
    "feedback.gradescope-cause": "Cause (confirmed): {label}.",
    # report.html (grader/report/page.py)
    "report.title": "{assignment}: grading report",
    "report.meta-submissions": "{count} submissions",
    "report.meta-seed": "run seed {seed}",
    "report.meta-grader": "grader {version}",
    "report.meta-isolation": "isolation: {mode}",
    "report.card-submissions": "submissions",
    "report.card-mean": "mean score / {max_score}",
    "report.card-median": "median score",
    "report.card-full": "full marks",
    "report.card-not-graded": "not graded (errors, timeouts)",
    "report.scores": "Scores",
    "report.scores-alt": "histogram of the scores",
    "report.scores-caption": "Scores in percent of the maximum, in bins of {bin} points.",
    "report.exercises": "Exercises",
    "report.exercises-alt": "pass rate per exercise",
    "report.exercises-caption": "Share of the {graded} graded submissions that passed every test "
                                "of each function, in notebook order. Green ≥ {good}, amber ≥ "
                                "{fair}.",
    "report.exercises-axis": "graded submissions with every test passed (%)",
    "report.tests-alt": "pass rate per test",
    "report.tests-caption": "Share of the graded submissions that passed each hidden test.",
    "report.tests-axis": "graded submissions that passed the test (%)",
    "report.not-everyone": "Tests not everyone passed",
    "report.column-test": "test",
    "report.column-points": "points",
    "report.column-passed": "passed",
    "report.column-others": "the others",
    "report.everyone-passed": "every graded submission passed every test",
    "report.diagnoses": "Most frequent diagnoses",
    "report.column-cause": "cause (confirmed)",
    "report.column-students": "students",
    "report.column-tests": "tests",
    "report.column-who": "who",
    "report.no-diagnosis": "no known mistake was recognised",
    "report.problems": "Timeouts and errors",
    "report.column-student": "student",
    "report.column-where": "where",
    "report.column-status": "status",
    "report.column-message": "message",
    "report.no-problems": "no submission timed out or crashed",
    "report.awaiting": "Awaiting manual grading",
    "report.awaiting-text": "{count} submissions have written answers to grade by hand ({ids}; "
                            "{points} points in all, not part of the scores above); {blank} "
                            "answers were left blank and count 0. Grade them in nbgrader's "
                            "formgrader or, for a course graded with grader autograde, list "
                            "their points in a CSV for grader collect --hand-grades "
                            "(docs/course.md).",
    "report.students": "Students",
    "report.column-score": "score",
    "report.column-lost": "tests lost",
    "report.column-to-grade": "answers to grade",
    "report.column-file": "file",
    "report.to-grade": "{count} ({points} points)",
    "report.feedback-link": "feedback",
    "report.feedback": "Feedback",
    # the course page (grader/report/course_page.py)
    "course.title": "{title}: course report",
    "course.card-students": "students",
    "course.card-mean": "mean weighted total",
    "course.card-median": "median",
    "course.card-behind": "fell behind",
    "course.card-provisional": "provisional (manual grading)",
    "course.nothing-graded": "nothing graded yet",
    "course.divided-by": " (divided by {weight})",
    "course.weighted-total": "Weighted total = {formula}{divided}, each in percent of its maximum; "
                             "a missing or failed submission counts 0.",
    "course.assignments": "Assignments",
    "course.not-graded-yet": "not graded yet",
    "course.column-assignment": "assignment",
    "course.column-folder": "folder",
    "course.column-weight": "weight",
    "course.column-max": "max points",
    "course.column-mean": "mean (handed in)",
    "course.column-submissions": "submissions",
    "course.figure-alt": "score distribution per assignment",
    "course.figure-caption": "Scores of the handed-in submissions in percent of each assignment's "
                             "maximum, and every student's weighted total.",
    "course.behind": "Students who fell behind",
    "course.behind-text": "A missing or failed submission in a graded assignment, or a weighted "
                          "total below {percent}%.",
    "course.column-student": "student",
    "course.column-total": "total",
    "course.column-why": "why",
    "course.nobody": "nobody",
    "course.not-in-roster": "Not on the roster",
    "course.not-in-roster-text": "{ids}: results without a roster row (check the student ids; the "
                                 "LMS exports cannot match them).",
    "course.everyone": "Everyone",
    "course.to-grade": "(+{points} to grade by hand)",
    "course.provisional": "* provisional: written answers still to be graded by hand.",
}

#: The key of a run's language in run.json (results.run_record's settings).
RUN_KEY = "lang"


def say(message_id: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """Message `message_id` of MESSAGES in `lang`, its placeholders filled with `values` (a
    value is never a template: "{x}" in a student's text stays those characters)."""
    return i18n.template(message_id, lang, MESSAGES[message_id]).format(**values)


def check_status(status: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A check's status as words ("not implemented")."""
    key = f"feedback.check-status-{status}"
    return say(key, lang) if key in MESSAGES else status.replace("_", " ")


def submission_status(status: str, lang: str = DEFAULT_LANGUAGE) -> str:
    key = f"feedback.submission-status-{status}"
    return say(key, lang) if key in MESSAGES else status


def test_message(t: dict, lang: str = DEFAULT_LANGUAGE) -> str:
    """The message of one check of a result in `lang`: its stored English as it is, any other
    language rendered from its message id and values (the stored English when it has none)."""
    if lang == DEFAULT_LANGUAGE:
        return t.get("message", "")
    from autograde_tests.engine import message_in

    return message_in(t, lang)


def cause_label(t: dict, assignment: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of the confirmed cause of one check of a result (`t["diagnosis"]`, stored in
    English) in `lang`, from the catalog entry of its diagnosis's label
    (autograde_tests.diagnosis.label_in); "" when the check names no cause."""
    label = t.get("diagnosis") or ""
    if lang == DEFAULT_LANGUAGE or not label:
        return label
    from autograde_tests.diagnosis import label_in

    return label_in(label, t.get("diagnosis_id"), assignment, lang) or label


def run_language(out: Path) -> str:
    """The language a grading run in `out` writes its feedback in (run.json), English when it
    names none."""
    try:
        run = json.loads((Path(out) / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DEFAULT_LANGUAGE
    lang = run.get(RUN_KEY) if isinstance(run, dict) else None
    return lang if isinstance(lang, str) and lang else DEFAULT_LANGUAGE
