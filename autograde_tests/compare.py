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

from autograde_tests.messages import Text, message
from nnkit_contract.values import Unrepresentable

if TYPE_CHECKING:
    from autograde_tests.diagnosis import Diagnosis

#: Tolerances for float64 results. Forward values are compared almost exactly; gradients at the
#: CS231n-style level, relative 1e-7 (they are computed in the same float64 arithmetic, so a
#: correct but differently ordered computation lands around 1e-12 to 1e-15).
RTOL = 1e-7
ATOL = 1e-9


class Fail(Exception):
    """A check failed, with a message (a declared message's `Text`, autograde_tests.messages).
    `cause` is the confirmed diagnosis (autograde_tests.diagnosis), if any; `Fail.of(diagnosis,
    **values)` fails with its message."""

    def __init__(self, message: Text | str, cause: Diagnosis | None = None,
                 values: dict[str, Any] | None = None):
        super().__init__(str(message))
        #: The message by id and values: rendered in any language (docs/translating.md); None
        #: for a bare text (the tests refuse those in the hidden tests).
        self.text = message if isinstance(message, Text) else None
        self.message = str(message)
        self.cause = cause
        #: The placeholder values (a diagnosis's: `cause.render(lang, **values)`).
        self.values = values or (dict(self.text.values) if self.text else {})

    @classmethod
    def of(cls, diagnosis: Diagnosis, **values: Any) -> Fail:
        """The failure a confirmed diagnosis states, its message filled with `values`."""
        diagnosis.render(**values)   # every placeholder given (KeyError naming a missing one)
        return cls(Text(diagnosis.message_id, diagnosis.message, values), diagnosis, values)

    def render(self, lang: str) -> str:
        """The message in `lang` (its English text when it has no id)."""
        return self.text.render(lang) if self.text is not None else self.message

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


# The helpers' messages (docs/translating.md): ids `compare.<what>`.
SIDE_BY_SIDE = message("compare.side-by-side", "your {name}: {got}\n  expected:  {expected}")
NONFINITE = message(
    "compare.nonfinite",
    "{name} holds {count} inf/NaN value(s) where the expected values are finite, first at "
    "{index}: yours {got}, expected {expected:.6g}\n  {side_by_side}")
DIFFERS = message(
    "compare.differs",
    "{name} differs at {count} of {size} entries; the largest difference is at {index}: yours "
    "{got:.6g}, expected {expected:.6g} (relative error {rel:.1e})\n  {side_by_side}")
NOT_ARRAY_OBJECT = message("compare.not-array-object",
                           "{name} must be a NumPy array, got an object of type {type_name}")
ARRAY_SUBCLASS = message("compare.array-subclass",
                         "{name} must be a plain np.ndarray, got {type_name}")
NOT_ARRAY = message("compare.not-array",
                    "{name} must be a NumPy array (np.ndarray), got {kind}: {value}")
NOT_NUMBERS = message("compare.not-numbers", "{name} must hold numbers, got dtype {dtype}")
WRONG_SHAPE = message("compare.wrong-shape", "{name} has shape {shape}, expected {expected}")
NOT_FLOAT = message("compare.not-float", "{name} must be a float, got {kind}: {value}")
NOT_FINITE = message("compare.not-finite",
                     "{name} is {got}, expected the finite value {expected:.10g}")
FLOAT_DIFFERS = message("compare.float-differs",
                        "{name} is {got:.10g}, expected {expected:.10g} (relative error {rel:.1e})")
HINT_RETURN_NEW = message("compare.hint-return-new",
                          "return new arrays instead of changing the ones you are given")
HINT_ONLY_READ = message("compare.hint-only-read", "only read it")
#: A failure with one more line of explanation (probes.with_note).
WITH_NOTE = message("compare.with-note", "{message}\n  {note}")


def side_by_side(name: str, got: Any, expected: Any) -> Text:
    return SIDE_BY_SIDE(name=name, got=excerpt(got), expected=excerpt(expected))


def _index(flat: int, shape: tuple) -> str:
    return str([int(i) for i in np.unravel_index(flat, shape)]) if shape else "[]"


def nonfinite_where_finite(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Mask of the entries where `got` is inf/NaN and `expected` finite (same shapes)."""
    with np.errstate(all="ignore"):
        return ~np.isfinite(got.astype(float)) & np.isfinite(expected.astype(float))


def what_differs(got: np.ndarray, expected: np.ndarray, name: str, rtol: float = RTOL,
                 atol: float = ATOL) -> Text:
    """Which entries of `got` (same shape as `expected`) differ, where the largest difference is
    and by how much, with both arrays side by side."""
    g, e = got.astype(float), expected.astype(float)
    if g.shape == ():   # one value: no position to name, nothing to show side by side
        rel = float(abs(g - e) / max(1e-8, abs(g) + abs(e)))
        if nonfinite_where_finite(g, e):
            return NOT_FINITE(name=name, got=float(g), expected=float(e))
        return FLOAT_DIFFERS(name=name, got=float(g), expected=float(e), rel=rel)
    bad = nonfinite_where_finite(g, e)
    if bad.any():
        first = int(np.flatnonzero(bad.ravel())[0])
        return NONFINITE(name=name, count=int(bad.sum()), index=_index(first, g.shape),
                         got=g.ravel()[first], expected=e.ravel()[first],
                         side_by_side=side_by_side(name, got, expected))
    with np.errstate(all="ignore"):
        wrong = ~np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        gap = np.where(wrong, np.abs(g - e), -1.0)
    worst = int(np.nanargmax(gap.ravel())) if gap.size else 0
    rel = float(gap.ravel()[worst] / max(1e-8, abs(g.ravel()[worst]) + abs(e.ravel()[worst])))
    return DIFFERS(name=name, count=int(wrong.sum()), size=g.size, index=_index(worst, g.shape),
                   got=g.ravel()[worst], expected=e.ravel()[worst], rel=rel,
                   side_by_side=side_by_side(name, got, expected))


def expect_array(got: Any, expected: np.ndarray, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, type_name: str | None = None) -> np.ndarray:
    """Check type (plain ndarray), exact shape, finiteness and closeness; returns `got` (as a
    0-d array when it was a number: see `as_0d`)."""
    got = as_0d(got, expected)
    if isinstance(got, Unrepresentable):
        raise Fail(NOT_ARRAY_OBJECT(name=name, type_name=got.type_name))
    if type_name and type_name.endswith("(ndarray subclass)"):
        raise Fail(ARRAY_SUBCLASS(name=name, type_name=type_name))
    if not isinstance(got, np.ndarray):
        raise Fail(NOT_ARRAY(name=name, kind=type(got).__name__, value=excerpt(got)))
    if got.dtype.kind not in "fiub":
        raise Fail(NOT_NUMBERS(name=name, dtype=got.dtype))
    if got.shape != expected.shape:
        raise Fail(WRONG_SHAPE(name=name, shape=got.shape, expected=expected.shape))
    with np.errstate(all="ignore"):
        agree = bool(np.allclose(got.astype(float), expected.astype(float), rtol=rtol, atol=atol,
                                 equal_nan=True)) if got.size else True
    if not agree or nonfinite_where_finite(got, expected).any():
        raise Fail(what_differs(got, expected, name, rtol, atol))
    return got


def as_0d(got: Any, expected: np.ndarray) -> Any:
    """`got` as a 0-d float64 array when `expected` has shape () and `got` is a number (a Python
    int or float, which is also what every path makes of a NumPy scalar: nnkit_contract.values
    .normalize); `got` unchanged otherwise.

    The one place of the rule "a number is a correct answer where a 0-d array is expected":
    NumPy's own reductions return NumPy scalars, not 0-d arrays (`g.sum()`, `np.sum(g, axis=0)`
    of a 1-d g), and the released check cells accept them (`np.shape(out) == ()`). Only shape ()
    is widened: a number where an array of shape (n,) is expected still fails, and so does a
    bool, a string or None."""
    if expected.shape == () and type(got) in (int, float):
        try:
            return np.array(got, dtype=float)
        except OverflowError:    # an int beyond every float: refused as the int it is
            return got
    return got


def expect_float(got: Any, expected: float, name: str, *, rtol: float = RTOL,
                 atol: float = ATOL, type_name: str | None = None) -> float:
    """A Python (or numpy) float scalar close to `expected`; a 0-d/1-element array is refused."""
    if isinstance(got, bool) or not isinstance(got, (float, int)):
        shown = type_name or type(got).__name__
        raise Fail(NOT_FLOAT(name=name, kind=shown, value=excerpt(got)))
    if np.isfinite(expected) and not np.isfinite(got):
        raise Fail(NOT_FINITE(name=name, got=got, expected=expected))
    if not np.isclose(got, expected, rtol=rtol, atol=atol):
        rel = abs(got - expected) / max(1e-8, abs(got) + abs(expected))
        raise Fail(FLOAT_DIFFERS(name=name, got=got, expected=expected, rel=rel))
    return float(got)


def expect_unchanged(before: tuple, after: tuple | None, names: tuple[str, ...],
                     hint: Text | str | Mapping[str, Text | str] | None = None,
                     function: str = "the function") -> None:
    """Inputs after the call must equal the inputs before it (no in-place modification).

    `hint` says what to do instead, in the words of the function under test: one text, or one per
    argument name (the failure names the argument that changed and gives its hint). A change is an
    observed diagnosis (`common.input-changed`)."""
    from autograde_tests.diagnosis import SHARED

    if after is None:       # the arguments after the call were not asked for
        return
    hint = HINT_RETURN_NEW() if hint is None else hint
    hints = hint if isinstance(hint, Mapping) else dict.fromkeys(names, hint)
    if len(after) < len(before):   # `after` may hold more arguments than are compared
        raise Fail.of(SHARED["input-changed"], function=function, argument=", ".join(names),
                      hint=next(iter(hints.values())))
    for name, b, a in zip(names, before, after):
        if not _same(b, a):
            raise Fail.of(SHARED["input-changed"], function=function, argument=name,
                          hint=hints.get(name, HINT_ONLY_READ()))


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
