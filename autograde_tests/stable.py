"""Calls on extreme inputs, judged by what the function returns.

A stability check (`<function>.stable`, or the extreme part of a `.values` check) passes when the
answer to extreme inputs (logits of 1e3 to 1e4, |Z| ~ 1e3) is finite where the reference's is and
agrees with it. NumPy's floating-point warnings never decide a check:

- `extreme_call` calls the function as the student's notebook runs it (NumPy warns, nothing
  raises), with its arguments read back, so an input changed in place fails as in every other
  check; then it repeats the call with overflow, invalid and divide-by-zero as errors, only to
  learn whether and where NumPy would have warned (the `FpEvent`, with the line of the student's
  code).
- The answer is judged (`judge_array`, `judge_float`): right, and a warning on a line whose result
  is not returned (or is discarded, like np.where's other branch) is a note in the feedback that
  costs nothing; inf/NaN where the reference is finite, with a warning on this very call, is the
  observed diagnosis of that event (`common.fp-error`, with NumPy's words: "overflow encountered in
  exp"), which names the line and prescribes nothing; a wrong answer without one says what
  differs.

So a function that silences NumPy's errors inside itself gains nothing: its answer is what counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograde_tests.compare import Fail, expect_array, expect_float, expect_unchanged, nonfinite_where_finite
from autograde_tests.diagnosis import SHARED, Diagnosis
from autograde_tests.messages import Text, message
from autograde_tests.student import Answer
from nnkit_contract.outcomes import CallFailed, StudentRaised

IN_YOUR_CODE = message("stable.in-your-code", "in your code")
NOTE_FP_EVENT = message("stable.note-fp-event",
                        "NumPy reported '{event}' while {function} ran ({where}); the answer is "
                        "right, so this costs nothing, but a line of it computes inf or NaN that "
                        "is thrown away")


@dataclass(frozen=True)
class FpEvent:
    """A floating-point error NumPy reported during a call: its message ("overflow encountered in
    exp") and where in the student's code ("cell solution-softmax, line 3, in softmax")."""

    message: str
    where: str

    @property
    def diagnosis(self) -> Diagnosis:
        return SHARED["fp-error"]

    @property
    def place(self) -> str | Text:
        return self.where or IN_YOUR_CODE()


def extreme_call(ctx, fn: str, args: tuple, names: tuple[str, ...], hint, *,
                 substitute: dict | None = None) -> tuple[Answer, FpEvent | None]:
    """Call `fn(*args)` on extreme inputs; the arguments named in `names` (the first ones) must
    come back unchanged (`hint`: what to do instead, one text or one per name). Returns the
    answer and the floating-point event NumPy reports when the call is repeated with its errors
    raised (None when there is none, or when the repeat does not get that far)."""
    answer = ctx.student.call(fn, args, return_args=True, substitute=substitute)
    expect_unchanged(args[:len(names)], answer.args_after[:len(names)], names, hint=hint,
                     function=fn)
    event = None
    try:
        ctx.student.call(fn, args, fp_errors="raise", substitute=substitute)
    except StudentRaised as exc:
        if exc.exc_type == "FloatingPointError":
            event = FpEvent(exc.detail.split("\n", 1)[0][:200], exc.where)
    except CallFailed:
        pass   # only a note was at stake: the answer above is what is judged
    return answer, event


def note_event(ctx, fn: str, event: FpEvent | None) -> None:
    """A right answer computed with a floating-point warning: a note, never a failure."""
    if event is not None:
        ctx.note(NOTE_FP_EVENT(event=event.message, function=fn, where=event.place))


def judge_array(ctx, fn: str, answer: Answer, event: FpEvent | None, expected: np.ndarray,
                name: str) -> np.ndarray:
    """`answer` must be an array equal to `expected`; inf/NaN where `expected` is finite, on a
    call where NumPy reported an event, is that event's diagnosis."""
    got = answer.value
    if (event is not None and isinstance(got, np.ndarray) and got.shape == expected.shape
            and got.dtype.kind in "fiub"):
        bad = nonfinite_where_finite(got, expected)
        if bad.any():
            raise Fail.of(event.diagnosis, name=name, count=int(bad.sum()), event=event.message,
                          where=event.place)
    expect_array(got, expected, name, type_name=answer.type_name)
    note_event(ctx, fn, event)
    return got


def judge_float(ctx, fn: str, answer: Answer, event: FpEvent | None, expected: float,
                name: str) -> float:
    """The float version of judge_array (a loss)."""
    got: Any = answer.value
    if (event is not None and isinstance(got, float) and not np.isfinite(got)
            and np.isfinite(expected)):
        raise Fail.of(event.diagnosis, name=name, count=1, event=event.message, where=event.place)
    value = expect_float(got, expected, name, type_name=answer.type_name)
    note_event(ctx, fn, event)
    return value
