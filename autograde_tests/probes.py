"""Inputs and probes that the spec modules of several assignments share: extreme rows that expose
unstable code, the wrong-axis softmax for diagnoses, and the gradient check of a student's
backward against the numerical gradient of their own forward.

Spec modules import these rather than each other: importing a spec module registers its checks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograde_tests.compare import Fail, close, expect_unchanged, norm_rel_error
from autograde_tests.contract import CallFailed
from autograde_tests.diagnosis import SHARED

#: Relative error below which a gradient agrees with a numerical gradient (float64, h = 1e-5).
GRADCHECK_RTOL = 1e-6
#: Step of the central differences of the gradient checks.
GRADCHECK_H = 1e-5


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = GRADCHECK_H
                       ) -> np.ndarray:
    """Central differences of the scalar function f at x (the grader's own, trusted code).

    Inputs:
    - f: function of an array of x's shape, returning a float
    - x: float array of any shape (changed during the call, restored before it returns)
    Returns: array of x's shape, (f(x + h e_i) - f(x - h e_i)) / 2h per entry.
    """
    grad = np.zeros(x.shape)
    for i in np.ndindex(*x.shape):
        saved = x[i]
        x[i] = saved + h
        up = f(x)
        x[i] = saved - h
        down = f(x)
        x[i] = saved
        grad[i] = (up - down) / (2 * h)
    return grad


def own_forward_note(ctx, got: np.ndarray, f: Callable[[np.ndarray], float], x: np.ndarray,
                     what: str, forward_name: str) -> str:
    """One sentence comparing the student's gradient with the numerical gradient of their own
    forward f (a gradient check that adds to a failure's message, never to its points)."""
    try:
        numeric = numerical_gradient(f, x.astype(float).copy())
    except (CallFailed, TypeError, ValueError, IndexError):
        return f"(your `{forward_name}` could not be used for a numerical check)"
    if not isinstance(got, np.ndarray) or got.shape != numeric.shape:
        return ""
    error = norm_rel_error(got, numeric)
    if error < GRADCHECK_RTOL:
        return (f"Your {what} matches the numerical gradient of your own `{forward_name}`, so "
                f"`{forward_name}` itself computes another function than the expected one.")
    return (f"Your {what} does not match the numerical gradient of your own `{forward_name}` either "
            f"(relative error {error:.1e}): the backward formula is wrong.")


def scalar(answer) -> float:
    """The float an Answer holds (a 1-element array counts)."""
    value = answer.value
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.ravel()[0])
    return float(value)


def with_note(fail: Fail, note: str) -> Fail:
    """`fail` with one more line of explanation."""
    return Fail(f"{fail.message}\n  {note}" if note else fail.message, fail.cause)


def plant_extreme_row(ctx, logits: np.ndarray) -> tuple[int, int]:
    """Make one random row of large logits certain to expose unstable code: its largest logit
    is above exp's overflow point (~709) and every other logit lies at least 1.5e3 below it, so
    that their probabilities underflow to exactly 0. Returns (row, column of the largest)."""
    n, k = logits.shape
    row, top = int(ctx.rng.integers(n)), int(ctx.rng.integers(k))
    big = ctx.rng.uniform(1e3, 1e4)
    logits[row] = -big * ctx.rng.uniform(0.5, 1.0, size=k)
    logits[row, top] = big
    return row, top


def column_softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the wrong axis (every column sums to 1), for diagnoses."""
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# ------------------------------------------------------------- the training checks' verdicts

def student_train(ctx, args: tuple, timeout: float, substitute: dict | None = None, *,
                  inputs_unchanged: bool = False) -> tuple[list, dict]:
    """Call the student's train(*args) and check the shape of what comes back.

    Inputs: args start with X, shape (N, D), and y, shape (N,). inputs_unchanged: also fail when
    train changed X or y in place (the exact loop checks, as the students' own check does).
    Returns params, a list of (W, b) array pairs, and history, a dict whose "loss" is a list;
    anything else is a Fail that says what train must return."""
    answer = ctx.student.call("train", args, substitute=substitute, timeout=timeout,
                              return_args=inputs_unchanged)
    if inputs_unchanged:
        expect_unchanged(args[:2], answer.args_after, ("X", "y"), function="train",
                         hint="shuffle by indexing, X[batch] and y[batch] with the permutation; "
                              "never shuffle or scale the arrays you are given")
    value = answer.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise Fail(f"train must return a tuple (params, history), got {type(value).__name__}")
    params, history = value
    if not isinstance(history, dict) or not isinstance(history.get("loss"), list | tuple):
        raise Fail("history must be a dict whose 'loss' entry is a list with one float per epoch")
    if not isinstance(params, list | tuple) or not all(
            isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(a, np.ndarray) for a in p)
            for p in params):
        raise Fail("train must return params as a list of (W, b) tuples of arrays")
    return list(params), history


def same_params(a: list, b: list) -> bool:
    """Two lists of (W, b) pairs agree entry by entry (the exact loop checks' tolerance)."""
    return len(a) == len(b) and all(close(x[0], y[0], 1e-9, 1e-12) and close(x[1], y[1], 1e-9, 1e-12)
                                    for x, y in zip(a, b))


def drawn_for_run(seed: int, items: tuple | list, k: int) -> list:
    """The k items (in their listed order) a training check uses in a run: drawn by the check's
    seed, so every run seed trains on its own selection and every grading path on the same one."""
    order = np.random.default_rng(seed).permutation(len(items))
    return [items[i] for i in sorted(order[:k])]


def expect_fits(params: list, sizes: list[int], where: str = "") -> None:
    """Fail unless params are [(W, b), ...] with W of shape (sizes[i], sizes[i+1]) and b of shape
    (sizes[i+1],): the shapes of a network with these layer sizes."""
    try:
        fits = len(params) == len(sizes) - 1 and all(
            np.shape(W) == (c_in, c_out) and np.shape(b) == (c_out,)
            for (W, b), c_in, c_out in zip(params, sizes[:-1], sizes[1:]))
    except (TypeError, ValueError):   # not a list of pairs of arrays
        fits = False
    if not fits:
        raise Fail(f"{where}the returned params do not have the shapes of a network with layer "
                   f"sizes {sizes}")


def expect_accuracy(acc: float, threshold: float, where: str, seed: int) -> None:
    """Fail when the test accuracy of a student-made training is below its calibrated threshold
    (NaN counts as below)."""
    if not acc >= threshold:
        raise Fail.of(SHARED["low-accuracy"], case=where, accuracy=f"{acc:.3f}",
                      threshold=f"{threshold:.2f}", seed=seed)


def turned(X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """X (N, 2) turned about the origin by an angle drawn from rng, at least 30 degrees away from
    every multiple of 90 (so away from the symmetries of the shipped datasets): for the short
    training of a loss-decrease check, whose bar does not depend on calibrated thresholds, so a
    network trained beforehand on the shipped data fits none of its draws."""
    angle = np.radians(rng.uniform(30.0, 60.0) + 90.0 * int(rng.integers(4)))
    return X @ np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])


def label_entropy(y: np.ndarray) -> float:
    """Cross-entropy of predicting every example's class by the class frequencies of y (N,)."""
    freq = np.bincount(np.asarray(y, dtype=np.int64)) / len(y)
    freq = freq[freq > 0]
    return float(-(freq * np.log(freq)).sum())


def expect_loss_decreased(before: float, after: float, losses: list, epochs: int,
                          y: np.ndarray) -> None:
    """Fail unless the loss of the returned parameters is below the loss at initialization and
    below the loss of predicting the class frequencies of y (N,) (the reference ends far below
    both, e.g. 0.03 against ln 2 on moons after 5 epochs), and the history holds one finite float
    per epoch. A loop that returns its start, a made-up history, or a network trained beforehand
    on other data (graded draws are turned and relabelled) earns nothing."""
    floor = label_entropy(y)
    if not np.isfinite(after) or after >= before:
        raise Fail.of(SHARED["loss-not-reduced"], before=f"{before:.4g}", after=f"{after:.4g}")
    if after >= floor:
        raise Fail.of(SHARED["no-better-than-frequencies"], after=f"{after:.4g}",
                      floor=f"{floor:.4g}")
    if len(losses) != epochs or not all(isinstance(v, int | float) and np.isfinite(v) for v in losses):
        raise Fail(f"history['loss'] must hold {epochs} finite floats, one per epoch")
