"""Comparisons that fail with a message a student can act on.

Every `expect_*` helper raises `Fail` with a short message showing the student's value and the
expected one side by side (small excerpts only: never the inputs' origin or any test code).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograde_tests.contract import Unrepresentable

#: Tolerances for float64 results. Forward values are compared almost exactly; gradients at the
#: CS231n-style level, relative 1e-7 (they are computed in the same float64 arithmetic, so a
#: correct but differently ordered computation lands around 1e-12 to 1e-15).
RTOL = 1e-7
ATOL = 1e-9


class Fail(Exception):
    """A check failed. `diagnosis` names the likely cause when a known mistake was recognised."""

    def __init__(self, message: str, diagnosis: str | None = None):
        super().__init__(message)
        self.message = message
        self.diagnosis = diagnosis


def excerpt(a: Any, limit: int = 6) -> str:
    """A short one-line rendering of a value: the first `limit` entries of an array."""
    if isinstance(a, np.ndarray):
        flat = a.ravel()
        body = np.array2string(flat[:limit], precision=6, separator=", ", max_line_width=10**6)
        more = f" … ({a.size} values)" if a.size > limit else ""
        return f"{body[:-1]}{more}]" if more else body
    text = repr(a)
    return text if len(text) < 120 else text[:117] + "..."


def side_by_side(name: str, got: Any, expected: Any) -> str:
    return f"your {name}: {excerpt(got)}\n  expected:  {excerpt(expected)}"


def expect_array(got: Any, expected: np.ndarray, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, type_name: str | None = None) -> np.ndarray:
    """Check type (plain ndarray), exact shape, finiteness and closeness; returns `got`."""
    if isinstance(got, Unrepresentable):
        raise Fail(f"{name} must be a NumPy array, got an object of type {got.type_name}")
    if type_name and type_name.endswith("(ndarray subclass)"):
        raise Fail(f"{name} must be a plain np.ndarray, got {type_name}")
    if not isinstance(got, np.ndarray):
        kind = type(got).__name__
        raise Fail(f"{name} must be a NumPy array (np.ndarray), got {kind}: {excerpt(got)}")
    if got.dtype.kind not in "fiub":
        raise Fail(f"{name} must hold numbers, got dtype {got.dtype}")
    if got.shape != expected.shape:
        raise Fail(f"{name} has shape {got.shape}, expected {expected.shape}")
    if np.all(np.isfinite(expected)) and not np.all(np.isfinite(got)):
        bad = int(np.sum(~np.isfinite(got)))
        raise Fail(f"{name} contains {bad} NaN/inf values (expected all finite)\n  "
                   + side_by_side(name, got, expected), "overflow")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        err = float(np.max(np.abs(got - expected) / np.maximum(1e-8, np.abs(got) + np.abs(expected))))
        raise Fail(f"{name} has wrong values (max. relative error {err:.1e})\n  "
                   + side_by_side(name, got, expected))
    return got


def expect_float(got: Any, expected: float, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, type_name: str | None = None) -> float:
    """A Python (or numpy) float scalar close to `expected`; a 0-d/1-element array is refused."""
    if isinstance(got, bool) or not isinstance(got, (float, int)):
        shown = type_name or type(got).__name__
        raise Fail(f"{name} must be a float, got {shown}: {excerpt(got)}")
    if np.isfinite(expected) and not np.isfinite(got):
        raise Fail(f"{name} is {got} (expected the finite value {expected:.8g})", "overflow")
    if not np.isclose(got, expected, rtol=rtol, atol=atol):
        raise Fail(f"{name} is {got:.10g}, expected {expected:.10g}")
    return float(got)


def expect_unchanged(before: tuple, after: tuple | None, names: tuple[str, ...],
                     hint: str = "return new arrays instead of changing the ones you are given"
                     ) -> None:
    """Inputs after the call must equal the inputs before it (no in-place modification).
    `hint` says what to do instead, in the words of the function under test."""
    if after is None:       # the arguments after the call were not asked for
        return
    if len(after) < len(before):   # `after` may hold more arguments than are compared
        raise Fail(f"the function changed its inputs ({', '.join(names)}): {hint}",
                   "input mutated in place")
    for name, b, a in zip(names, before, after):
        if not _same(b, a):
            raise Fail(f"the function changed its input `{name}` in place: {hint}",
                       "input mutated in place")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(
            np.array_equal(a, b, equal_nan=True))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def close(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Safe allclose used by diagnosis probes (False for any shape/type mismatch)."""
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a-b| / max(1e-8, |a|+|b|): the gradient-check error measure."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def norm_rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||) over all entries (0 when both are 0).

    Entry by entry, a gradient entry of 1e-13 (a saturated sigmoid) next to entries of 0.2 gets
    a relative error of order 1 from the finite differences' rounding alone; over the whole
    array, it does not count more than its size."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = float(np.linalg.norm(a) + np.linalg.norm(b))
    return float(np.linalg.norm(a - b)) / scale if scale > 0 else 0.0
