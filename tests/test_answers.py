"""Written answers: one rule for "blank" (grader/grading/answers.py), the same on every path. A blank
answer counts 0 and never waits for a person; any other answer does."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.course import gradebook as course_book
from grader.grading import answers, results
from grader.grading.autograde import course_assignment
from grader.grading.submission import written_answers
from grader.paths import course
from grader.release.classgen import make_submission, reference_answers

COURSE = course()
ASSIGNMENT = "nn_from_scratch"
STUB = "Write your answer here, in a few sentences."


@pytest.mark.parametrize(("text", "blank"), [
    ("", True), ("   \n ", True), (None, True),
    ("YOUR ANSWER HERE", True), ("  YOUR   ANSWER\nHERE ", True),     # nbgrader's default stub
    (STUB, True), (f"\n{STUB}  ", True),                             # the course's own stub
    (f"{STUB} The gradient vanishes.", False), ("The gradient vanishes.", False),
    ("YOUR ANSWER HERE: it vanishes", False),
])
def test_what_is_blank(text, blank):
    assert answers.is_blank(text, [STUB]) is blank


def test_a_source_notebooks_model_answer_is_never_a_stub():
    assert answers.released_text("### BEGIN SOLUTION\nThe answer.\n### END SOLUTION") is None
    assert answers.released_text("Explain: YOUR ANSWER HERE") == "Explain: YOUR ANSWER HERE"
    assert answers.is_blank("Explain: YOUR ANSWER HERE", ["Explain: YOUR ANSWER HERE"])


def _submission(tmp_path, text_of):
    """A perfect notebook whose written answers are `text_of(released_text)`."""
    release = COURSE.assignments / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = make_submission(release, reference_answers(COURSE.solution_notebook(ASSIGNMENT)))
    released = {c.metadata["nbgrader"]["grade_id"]: c.source
                for c in nbformat.read(release, as_version=4).cells
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("answer-")}
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in released:
            cell.source = text_of(released[gid])
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    path.write_text(json.dumps(nb))
    return path


@pytest.mark.parametrize(("text_of", "stubs", "blank"), [
    (lambda released: released, (), True),                    # unchanged from the release
    (lambda released: f"\n\n{released}\n", (), True),         # ... with whitespace around
    (lambda released: STUB, (STUB,), True),                   # the course's configured stub
    (lambda released: STUB, (), False),                       # ... a course that has no such stub
    (lambda released: f"{STUB} Because.", (STUB,), False),    # the stub, then an answer
])
def test_grader_autograde_path(tmp_path, text_of, stubs, blank):
    assignment = course_assignment(COURSE, ASSIGNMENT)
    found = written_answers(_submission(tmp_path, text_of), assignment.release, stubs)
    assert found and {answers.blank(m) for m in found} == {blank}
    r = {"manual": found}
    assert (results.manual_points(r) == 0) is blank
    assert all(m.get("points") == 0 for m in found if blank)


def test_gradebook_path():
    """What nbgrader's gradebook holds, read with the same rule: nbgrader's own 0 for an
    unchanged answer (or the kit's for a blank one) is blank, not awaiting."""
    assert answers.from_gradebook("a", 2, None, 0.0, False)["status"] == answers.BLANK
    assert answers.from_gradebook("a", 2, None, None, True)["status"] == answers.AWAITING
    assert answers.from_gradebook("a", 2, 1.5, None, True) == {
        "id": "a", "max_points": 2.0, "points": 1.5, "status": answers.GRADED, "answered": True}


def test_course_table_is_provisional_only_while_someone_must_grade(tmp_path):
    blank = answers.entry("answer-x", 4, "YOUR ANSWER HERE", [])
    waiting = answers.entry("answer-y", 4, "an answer", [])
    base = {"student": "s", "assignment": ASSIGNMENT, "status": "graded", "score": 90.0,
            "max_score": 100.0, "tests": []}
    only_blank = course_book._entry(dict(base, manual=[blank]))
    assert (only_blank.points, only_blank.max_points, only_blank.awaiting) == (90, 104, 0)
    both = course_book._entry(dict(base, manual=[blank, waiting]))
    assert (both.points, both.max_points, both.awaiting) == (90, 108, 4)


def test_course_text_stub_is_read_from_an_nbgrader_course(tmp_path):
    assert answers.course_text_stub(tmp_path) is None
    (tmp_path / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.ClearSolutions.text_stub = "{STUB}"\n')
    assert answers.course_text_stub(tmp_path) == STUB
    (tmp_path / "nbgrader_config.py").write_text("c = get_config(\n")   # broken: defaults apply
    assert answers.course_text_stub(tmp_path) is None


def test_the_gradebooks_blank_wins_over_a_grader_run_that_did_not_know_the_stub(tmp_path):
    """A grader run of the files outside the nbgrader course did not know its stub; nbgrader's
    gradebook says the answer is unchanged from the release: blank, not provisional."""
    base = {"student": "s", "assignment": ASSIGNMENT, "status": "graded", "score": 90.0,
            "max_score": 100.0, "tests": [], "seed": 1}
    mine = dict(base, manual=[answers.entry("answer-x", 4, STUB, []),
                              answers.entry("answer-y", 4, "an answer", [])])
    out = tmp_path / "run"
    results.write_json_atomic(results.result_path(out, "s", ASSIGNMENT), dict(
        mine, grader_version="t", reason="", load_errors=[], duration=0.0))
    book = dict(base, source="nbgrader", manual=[
        answers.from_gradebook("answer-x", 4, None, 0.0, False),
        answers.from_gradebook("answer-y", 4, None, None, True)], manual_done=[])
    found = course_book.gather([out], [book])
    entry = course_book._entry(found[0])
    assert (entry.points, entry.max_points, entry.awaiting) == (90, 108, 4)
