"""Inputs and probes that the spec modules of several assignments share: extreme rows that expose
unstable code, the wrong-axis softmax for diagnoses, and calls with overflow as an error.

Spec modules import these rather than each other: importing a spec module registers its checks.
"""

from __future__ import annotations

import numpy as np

from autograde_tests.compare import Fail
from autograde_tests.contract import StudentRaised


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


def overflow_guard(ctx, fn: str, args: tuple, hint: str, substitute: dict | None = None):
    """Call with floating-point overflow as an error; an overflow becomes a diagnosed failure."""
    try:
        return ctx.student.call(fn, args, fp_errors="raise", substitute=substitute)
    except StudentRaised as exc:
        if exc.exc_type == "FloatingPointError":
            raise Fail(f"{fn} overflows for large inputs ({exc.message.split(': ', 1)[-1]}): "
                       f"{hint}", "overflow") from None
        raise
