"""Feedback that tells a wrong backward from a wrong forward (diagnosis only, no points)."""

from __future__ import annotations

import numpy as np
from inprocess import InProcessStudent

from autograde_tests import engine, reference
from grader.paths import course

NOTEBOOK = course().solution_notebook("nn_from_scratch")


def _student(extra: str) -> InProcessStudent:
    ns: dict = {"np": np}
    for src in reference.solution_sources(NOTEBOOK):
        exec(src, ns)
    exec(extra, ns)
    return InProcessStudent(ns)


def _failure(student: InProcessStudent, check_id: str):
    check = next(c for c in engine.all_checks() if c.id == check_id)
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
    assert "probably wrong as well" in result.message
    # ...and the wrong forward costs only linear_forward's own points in its own check.
    fwd = _failure(student, "linear_forward.values")
    assert fwd.points == 0 and fwd.max_points == 5
