"""Comparisons that fail with a message a student can act on.

Every `expect_*` helper raises `Fail` with a short message that says what differs: which output,
where (the index of the largest difference, or of the first inf/NaN), by how much, and the
student's value and the expected one side by side (small excerpts only: never the inputs' origin
or any test code). They never name a cause: only a confirmed diagnosis does
(autograde_tests.diagnosis).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from nnkit_contract.values import Unrepresentable

if TYPE_CHECKING:
    from autograde_tests.diagnosis import Diagnosis

#: Tolerances for float64 results. Forward values are compared almost exactly; gradients at the
#: CS231n-style level, relative 1e-7 (they are computed in the same float64 arithmetic, so a
#: correct but differently ordered computation lands around 1e-12 to 1e-15).
RTOL = 1e-7
ATOL = 1e-9


class Fail(Exception):
    """A check failed. `cause` is the confirmed diagnosis (autograde_tests.diagnosis), if any;
    `Fail.of(diagnosis, **values)` fails with its message."""

    def __init__(self, message: str, cause: Diagnosis | None = None,
                 values: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.cause = cause
        #: The cause's placeholder values: with `cause.render(lang, **values)` the message in
        #: another language (docs/translating.md).
        self.values = values or {}

    @classmethod
    def of(cls, diagnosis: Diagnosis, **values: Any) -> Fail:
        """The failure a confirmed diagnosis states, its message filled with `values`."""
        return cls(diagnosis.render(**values), diagnosis, values)

    @property
    def diagnosis(self) -> str | None:
        """The short label of the cause (reports count these)."""
        return getattr(self.cause, "label", self.cause)

    @property
    def diagnosis_id(self) -> str | None:
        """The cause's id; a cause given as bare text (not declared) shows as `undeclared:...`,
        which the tests refuse."""
        if isinstance(self.cause, str):
            return f"undeclared:{self.cause}"
        return getattr(self.cause, "id", None)


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


def _index(flat: int, shape: tuple) -> str:
    return str([int(i) for i in np.unravel_index(flat, shape)]) if shape else "[]"


def nonfinite_where_finite(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Mask of the entries where `got` is inf/NaN and `expected` finite (same shapes)."""
    with np.errstate(all="ignore"):
        return ~np.isfinite(got.astype(float)) & np.isfinite(expected.astype(float))


def what_differs(got: np.ndarray, expected: np.ndarray, name: str, rtol: float = RTOL,
                 atol: float = ATOL) -> str:
    """Which entries of `got` (same shape as `expected`) differ, where the largest difference is
    and by how much, with both arrays side by side."""
    g, e = got.astype(float), expected.astype(float)
    bad = nonfinite_where_finite(g, e)
    if bad.any():
        first = int(np.flatnonzero(bad.ravel())[0])
        return (f"{name} holds {int(bad.sum())} inf/NaN value(s) where the expected values are "
                f"finite, first at {_index(first, g.shape)}: yours {g.ravel()[first]}, expected "
                f"{e.ravel()[first]:.6g}\n  " + side_by_side(name, got, expected))
    with np.errstate(all="ignore"):
        wrong = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        gap = np.where(wrong, np.abs(g - e), -1.0)
    worst = int(np.nanargmax(gap.ravel())) if gap.size else 0
    rel = float(gap.ravel()[worst] / max(1e-8, abs(g.ravel()[worst]) + abs(e.ravel()[worst])))
    return (f"{name} differs at {int(wrong.sum())} of {g.size} entries; the largest difference is "
            f"at {_index(worst, g.shape)}: yours {g.ravel()[worst]:.6g}, expected "
            f"{e.ravel()[worst]:.6g} (relative error {rel:.1e})\n  "
            + side_by_side(name, got, expected))


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
    with np.errstate(all="ignore"):
        agree = bool(np.allclose(got.astype(float), expected.astype(float), rtol=rtol, atol=atol,
                                 equal_nan=True)) if got.size else True
    if not agree or nonfinite_where_finite(got, expected).any():
        raise Fail(what_differs(got, expected, name, rtol, atol))
    return got


def expect_float(got: Any, expected: float, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, type_name: str | None = None) -> float:
    """A Python (or numpy) float scalar close to `expected`; a 0-d/1-element array is refused."""
    if isinstance(got, bool) or not isinstance(got, (float, int)):
        shown = type_name or type(got).__name__
        raise Fail(f"{name} must be a float, got {shown}: {excerpt(got)}")
    if np.isfinite(expected) and not np.isfinite(got):
        raise Fail(f"{name} is {got}, expected the finite value {expected:.10g}")
    if not np.isclose(got, expected, rtol=rtol, atol=atol):
        rel = abs(got - expected) / max(1e-8, abs(got) + abs(expected))
        raise Fail(f"{name} is {got:.10g}, expected {expected:.10g} (relative error {rel:.1e})")
    return float(got)


def expect_unchanged(before: tuple, after: tuple | None, names: tuple[str, ...],
                     hint: str | Mapping[str, str] = "return new arrays instead of changing the "
                                                     "ones you are given",
                     function: str = "the function") -> None:
    """Inputs after the call must equal the inputs before it (no in-place modification).

    `hint` says what to do instead, in the words of the function under test: one text, or one per
    argument name (the failure names the argument that changed and gives its hint). A change is an
    observed diagnosis (`common.input-changed`)."""
    from autograde_tests.diagnosis import SHARED

    if after is None:       # the arguments after the call were not asked for
        return
    hints = hint if isinstance(hint, Mapping) else dict.fromkeys(names, hint)
    if len(after) < len(before):   # `after` may hold more arguments than are compared
        raise Fail.of(SHARED["input-changed"], function=function, argument=", ".join(names),
                      hint=next(iter(hints.values())))
    for name, b, a in zip(names, before, after):
        if not _same(b, a):
            raise Fail.of(SHARED["input-changed"], function=function, argument=name,
                          hint=hints.get(name, "only read it"))


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
