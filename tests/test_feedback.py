"""Feedback that tells a wrong backward from a wrong forward (diagnosis only, no points)."""

from __future__ import annotations

import re

import corpus
import numpy as np
import pytest
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


# ---------------------------------------------------------------- computation_graphs' batch norm
CG_NOTEBOOK = course().solution_notebook("computation_graphs")
EPS_OUTSIDE_SQRT = '''
def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.9, eps=1e-5):
    if not train:
        x_hat = (x - running_mean) / (np.sqrt(running_var) + eps)
        return gamma * x_hat + beta, None, running_mean.copy(), running_var.copy()
    mean, var = x.mean(axis=0), x.var(axis=0)
    std = np.sqrt(var) + eps
    x_hat = (x - mean) / std
    return (gamma * x_hat + beta, (x_hat, gamma, std), momentum * running_mean + (1 - momentum) * mean,
            momentum * running_var + (1 - momentum) * var)
'''
#: The honest twin's mistake: the backward, with the forward right (dx twice too large).
BACKWARD_DOUBLED = '''
def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    N = dout.shape[0]
    dx_hat = dout * gamma
    dx = (N * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (N * std)
    return 2 * dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''


def _cg_failure(extra: str, check_id: str):
    student = InProcessStudent(corpus.namespace(
        [*corpus.reference_sources("computation_graphs"), extra], "computation_graphs"))
    check = next(c for c in engine.all_checks("computation_graphs") if c.id == check_id)
    result = engine.run_check(check, student, 5, reference.load(CG_NOTEBOOK))
    assert result.status == "failed", result
    return result


def test_a_batchnorm_backward_checked_with_a_wrong_forward_is_not_called_wrong():
    """eps outside the sqrt in the forward, the textbook backward: the backward fails with the
    forward's cache, and the note says to fix the forward, never that the backward formula is
    wrong (the gradient check against a wrong forward measures the forward's derivative)."""
    result = _cg_failure(EPS_OUTSIDE_SQRT, "batchnorm_backward.values")
    assert "fix `batchnorm_forward` first" in result.message, result.message
    assert "the backward formula is wrong" not in result.message, result.message
    assert _cg_failure(EPS_OUTSIDE_SQRT, "batchnorm_forward.train").points == 0


def test_a_wrong_batchnorm_backward_with_a_right_forward_keeps_its_note():
    """The honest twin: the forward is right, so the gradient check against it stands."""
    result = _cg_failure(BACKWARD_DOUBLED, "batchnorm_backward.values")
    assert "does not match the numerical gradient of your own `batchnorm_forward`" in result.message
    assert "the backward formula is wrong" in result.message, result.message
    assert "fix `batchnorm_forward` first" not in result.message


# ------------------------------------------------- computation_graphs: names a student can follow
def _cg_mutant(name: str) -> str:
    return corpus.mutant_source("computation_graphs", name)


def test_a_duplicated_node_is_named_by_its_operation_or_as_a_leaf():
    """"node 0 appears 4 times" named an index the student cannot map to anything: the node is
    named as a leaf with its shape, or by the Tensor operation that made it."""
    result = _cg_failure(_cg_mutant("topo_duplicates"), "topological_order.graphs")
    assert re.search(r"(leaf \d+|node `[^`]+`) \(shape \([\d, ]*\)\) appears \d+ times",
                     result.message), result.message
    assert not re.search(r"node \d+ appears", result.message)


def test_a_node_before_its_parent_is_named_too():
    from autograde_tests.compare import Fail
    from autograde_tests.computation_graphs.specs import p2_graphs as g

    ops = [("mul", 0, 1), ("sum", 2)]
    values = [np.ones((2, 3)), np.ones(3), np.ones((2, 3)), np.array(6.0)]
    with pytest.raises(Fail) as wrong:
        g.judge_order([0, 2, 1, 3], "list", g.parents(ops, 2), "a graph",
                      lambda i: g.node_name(ops, values, i))
    assert wrong.value.message.startswith(
        "node `a * b` (shape (2, 3)) comes before its parent leaf 1 (shape (3,))"), wrong.value.message


@pytest.mark.parametrize("forged", [[0, 1, 2, 3, 99], [0, 1, 2, 3, 3.0], [-2, 0, 1, 2, 3]])
def test_a_forged_order_index_is_unreadable_not_a_grader_error(forged):
    """The order comes from the sandbox as indices: one outside the graph (a hostile worker's)
    is an unreadable order, never an IndexError in the grader while naming the node."""
    from autograde_tests.compare import Fail
    from autograde_tests.computation_graphs.specs import p2_graphs as g

    ops = [("mul", 0, 1), ("sum", 2)]
    values = [np.ones((2, 3)), np.ones(3), np.ones((2, 3)), np.array(6.0)]
    with pytest.raises(Fail) as wrong:
        g.judge_order(forged, "list", g.parents(ops, 2), "a graph",
                      lambda i: g.node_name(ops, values, i))
    assert "could not be read" in wrong.value.message


def test_the_root_grad_reads_as_one_number():
    """A backward that never sets root.grad = 1: "root.grad (...) is 0, expected 1", not "your
    the root's grad ...: [0.]" nor "the largest difference is at []"."""
    result = _cg_failure(_cg_mutant("backward_no_seed"), "backward.shared")
    assert re.match(r"root\.grad \([^)]*\) is 0, expected 1 \(relative error", result.message), \
        result.message
    assert "your the" not in result.message and "at []" not in result.message


def test_the_mlp_loss_grad_hint_is_shown_only_where_it_applies():
    """ReLU after the last layer: the grads differ, with no hint about building layers from
    params; a first layer built from a copy of W_1 (no gradient reaches W_1): the hint, after the
    value's name and what differs, not inside the name."""
    relu = _cg_failure(_cg_mutant("mlp_loss_relu_after_last"), "mlp_loss.grads")
    assert re.match(r"W_1\.grad \(layer sizes \[[\d, ]+\]\) differs at", relu.message), relu.message
    assert "build every layer" not in relu.message
    copied = _cg_failure('''
def mlp_loss(params, X, y):
    h = Tensor(X)
    for k, (W, b) in enumerate(params):
        W = Tensor(W.data.copy()) if k == 0 else W
        h = h @ W + b
        if k < len(params) - 1:
            h = h.relu()
    return h.cross_entropy(y)
''', "mlp_loss.grads")
    assert re.match(r"W_1\.grad \(layer sizes \[[\d, ]+\]\) differs at", copied.message), copied.message
    assert "W_1 gets no gradient from your loss: build every layer from the Tensors in params" \
        in copied.message


def test_no_check_description_claims_new_arrays_it_cannot_see():
    """Whether an array that comes back is new or the one given cannot be seen across the sandbox
    boundary (values are copied), so no check description of computation_graphs may claim it."""
    for c in engine.all_checks("computation_graphs"):
        assert "new arrays" not in c.description, (c.id, c.description)
