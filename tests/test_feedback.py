"""Feedback that tells a wrong backward from a wrong forward (diagnosis only, no points)."""

from __future__ import annotations

import corpus
from inprocess import InProcessStudent

from autograde_tests import engine, reference
from grader.paths import course

NOTEBOOK = course().solution_notebook("nn_from_scratch")


def _student(extra: str) -> InProcessStudent:
    return InProcessStudent(corpus.namespace([*corpus.reference_sources("nn_from_scratch"), extra],
                                             "nn_from_scratch"))


def _failure(student: InProcessStudent, check_id: str):
    check = next(c for c in engine.all_checks("nn_from_scratch") if c.id == check_id)
    result = engine.run_check(check, student, 5, reference.load(NOTEBOOK))
    assert result.status == "failed"
    return result


def test_backward_wrong_forward_right():
    student = _student("def linear_backward(dZ, X, W):\n    return dZ @ W.T, 2 * X.T @ dZ, dZ.sum(axis=0)\n")
    result = _failure(student, "linear_backward.dW")
    assert "does not match the numerical gradient of your own `linear_forward`" in result.message
    assert "your dW:" in result.message and "expected:" in result.message


def test_backward_consistent_with_a_wrong_forward():
    student = _student(
        "def linear_forward(X, W, b):\n    return 2 * (X @ W) + b\n\n"
        "def linear_backward(dZ, X, W):\n    return 2 * dZ @ W.T, 2 * X.T @ dZ, dZ.sum(axis=0)\n")
    result = _failure(student, "linear_backward.dW")
    assert "matches the numerical gradient of your own `linear_forward`" in result.message
    assert "itself computes another function than the expected one" in result.message
    # ...and the wrong forward costs only linear_forward's own points in its own check.
    fwd = _failure(student, "linear_forward.values")
    assert fwd.points == 0 and fwd.max_points == 5


def test_a_diverging_loss_is_printed_readably():
    """A training that blows the loss up to ~1e300 is reported with a few digits, not 300."""
    student = _student("def sgd_step(params, grads, lr):\n"
                       "    return [(W + 1e3 * dW, b + 1e3 * db) for (W, b), (dW, db) in zip(params, grads)]\n")
    result = _failure(student, "train.loss-decreases")
    assert len(result.message) < 200, result.message


def test_added_cells_are_named_alike_by_check_py_and_the_grader(tmp_path):
    """An added cell is "cell N" (its position in the notebook) in check.py and in the feedback."""
    import nbformat

    from grader.grading.autograde import course_assignment
    from grader.grading.submission import code_to_run
    from grader.release import student_check
    from grader.release.classgen import make_submission, reference_answers

    assignment = course_assignment(course(), "nn_from_scratch")
    release_nb = course().assignments / "nn_from_scratch" / "nn_from_scratch.ipynb"
    nb = make_submission(release_nb, reference_answers(NOTEBOOK), {"cell:append": "x = 1\n"})
    path = tmp_path / "nn_from_scratch.ipynb"
    nbformat.write(nb, path)
    graded = [label for label, _ in code_to_run(path, assignment.release)]
    checked = [c.label for c in student_check.read_cells(path) if c.kind == "added"]
    assert checked == [f"cell {len(nb.cells)}"] and graded[-1] == str(len(nb.cells))


def test_the_own_forward_note_is_not_fooled_by_saturated_entries():
    """An exact gradient with saturated entries (1e-11, 1e-13 next to 0.2) matches the numerical
    gradient; entry by entry, rounding alone made it look wrong (relative error 3e-3)."""
    import numpy as np

    from autograde_tests.probes import own_forward_note

    x = np.array([0.3, -1.2, 25.0, -30.0])
    s = 1 / (1 + np.exp(-x))

    def f(v):
        return float(np.sum(1 / (1 + np.exp(-v))) + 3.0)

    # The notes are matched by their message ids (docs/translating.md), not by English words.
    assert own_forward_note(None, s * (1 - s), f, x, "dZ", "sigmoid").message_id == \
        "probes.note-own-forward-matches"
    assert own_forward_note(None, 1.01 * s * (1 - s), f, x, "dZ", "sigmoid").message_id == \
        "probes.note-own-forward-differs"


def test_only_a_text_cell_answers_a_written_question(tmp_path):
    """A code cell carrying a written answer's id is not an answer (it once marked the question
    answered for the TA)."""
    import nbformat

    from grader.grading.autograde import course_assignment
    from grader.grading.submission import written_answers
    from grader.release.classgen import make_submission, reference_answers

    assignment = course_assignment(course(), "nn_from_scratch")
    release_nb = course().assignments / "nn_from_scratch" / "nn_from_scratch.ipynb"
    nb = make_submission(release_nb, reference_answers(NOTEBOOK))
    first = assignment.release.answers[0][0]
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != first]
    fake = nbformat.v4.new_code_cell("print('an answer')")
    fake.metadata["nbgrader"] = {"grade_id": first, "solution": True, "grade": True, "points": 50}
    nb.cells.append(fake)
    path = tmp_path / "nn_from_scratch.ipynb"
    nbformat.write(nb, path)
    answers = {a["id"]: a for a in written_answers(path, assignment.release)}
    assert answers[first]["answered"] is False and answers[first]["max_points"] < 50


def test_a_wrong_answer_without_a_known_cause_says_what_differs():
    """No cause is guessed: the message names the output, the entry that differs most, both
    values and the relative error, and carries no diagnosis."""
    import numpy as np
    import pytest

    from autograde_tests.compare import Fail, expect_array

    expected = np.arange(6.0).reshape(2, 3)
    got = expected.copy()
    got[1, 2] = 7.5
    with pytest.raises(Fail) as caught:
        expect_array(got, expected, "dZ")
    assert caught.value.message.startswith(
        "dZ differs at 1 of 6 entries; the largest difference is at [1, 2]: yours 7.5, expected 5")
    assert caught.value.diagnosis_id is None
    got[0, 1] = np.nan
    with pytest.raises(Fail) as caught:
        expect_array(got, expected, "dZ")
    assert caught.value.message.startswith(
        "dZ holds 1 inf/NaN value(s) where the expected values are finite, first at [0, 1]: yours nan, "
        "expected 1")
    assert caught.value.diagnosis_id is None


def test_an_unconfirmed_wrong_backward_names_no_cause():
    """relu_backward that multiplies dA by 2 where Z > 0: no declared alternative gives that, so
    no cause is named, only what differs."""
    student = _student("def relu_backward(dA, Z):\n    return 2 * dA * (Z > 0)\n")
    result = _failure(student, "relu_backward.values")
    assert result.diagnosis is None and result.diagnosis_id is None
    assert result.message.startswith("dZ differs at ")
