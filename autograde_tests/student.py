"""How a check talks to a submission: the `Student` interface and its in-process implementation.

A check never touches student objects directly. It asks `student.call(...)` and gets back plain
data (ndarrays, floats, ints, lists, tuples, dicts) or one of the `CallFailed` exceptions. The
sandboxed implementation (grader.sandbox) ships the call to a child process; the in-process one
below is used under nbgrader (where student code shares the kernel anyway) and by fast tests.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from grader.sandbox.args import Callback, RngSeed
from grader.sandbox.wire import Unrepresentable

__all__ = ["Callback", "RngSeed", "Unrepresentable"]  # re-exported for the specs


class CallFailed(Exception):
    """The student call produced no usable answer. `kind` drives the test status and feedback."""

    kind = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotImplementedYet(CallFailed):
    kind = "not_implemented"


class Missing(CallFailed):
    kind = "missing"


class StudentRaised(CallFailed):
    kind = "error"

    def __init__(self, exc_type: str, message: str):
        super().__init__(f"{exc_type}: {message}")
        self.exc_type = exc_type


class CallTimedOut(CallFailed):
    kind = "timeout"


class Crashed(CallFailed):
    kind = "crash"


class BadAnswer(CallFailed):
    kind = "bad_answer"








@dataclass
class Answer:
    """What one call returned: the value as plain data, the original type name, args afterwards."""

    value: Any
    type_name: str
    args_after: tuple | None = None
    output: str = ""


class Student(Protocol):
    def call(self, fn: str, args: tuple, *, substitute: Mapping[str, Callable] | None = None,
             return_args: bool = False, fp_errors: str | None = None,
             timeout: float | None = None) -> Answer:
        """Call student function `fn(*args)`.

        - substitute: names in the student's namespace replaced by these (reference) callables for
          the duration of the call; `Callback(name)` arguments resolve here too.
        - return_args: also return the arguments as they are after the call (mutation checks).
        - fp_errors: "raise" runs the call with overflow/invalid/divide-by-zero as errors
          (underflow stays quiet), to check numerical stability.
        - timeout: wall-clock seconds for this call (the sandbox enforces it).
        Raises CallFailed (or a subclass).
        """
        ...


MAX_DEPTH = 8


def fp_errstate(fp_errors: str | None) -> dict:
    """np.errstate arguments for `fp_errors`; underflow to 0 is never an error."""
    if not fp_errors:
        return {}
    return {"over": fp_errors, "invalid": fp_errors, "divide": fp_errors, "under": "ignore"}


def to_plain(obj: Any, depth: int = 0) -> tuple[Any, str]:
    """Convert a returned object to plain data, as the sandbox wire does.

    Returns (value, type_name). ndarray subclasses become plain ndarrays, numpy scalars become
    Python numbers, containers are converted recursively, anything else is Unrepresentable.
    """
    name = type(obj).__name__
    if depth > MAX_DEPTH:
        return Unrepresentable("too deeply nested"), name
    if type(obj) in (bool, int, float, str) or obj is None:
        return obj, name
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
        return obj.item(), f"numpy.{name}"
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf" or obj.dtype.fields is not None:
            return Unrepresentable(f"ndarray of dtype {obj.dtype}"), name
        plain = np.array(obj, copy=True, subok=False)
        return plain, name if type(obj) is np.ndarray else f"{name}(ndarray subclass)"
    if type(obj) in (list, tuple):
        items = [to_plain(x, depth + 1)[0] for x in obj]
        return (items if type(obj) is list else tuple(items)), name
    if type(obj) is dict and all(type(k) is str for k in obj):
        return {k: to_plain(v, depth + 1)[0] for k, v in obj.items()}, name
    return Unrepresentable(name), name


@dataclass
class InProcessStudent:
    """Student code living in a namespace of this process (nbgrader kernel, trusted tests)."""

    namespace: dict
    _saved: dict = field(default_factory=dict)

    def _resolve(self, arg: Any, substitute: Mapping[str, Callable]) -> Any:
        if isinstance(arg, RngSeed):
            return np.random.default_rng(arg.seed)
        if isinstance(arg, Callback):
            return substitute[arg.name]
        return copy.deepcopy(arg)

    def call(self, fn: str, args: tuple, *, substitute: Mapping[str, Callable] | None = None,
             return_args: bool = False, fp_errors: str | None = None,
             timeout: float | None = None) -> Answer:
        substitute = dict(substitute or {})
        target = self.namespace.get(fn)
        if not callable(target):
            raise Missing(f"`{fn}` is not defined")
        real_args = tuple(self._resolve(a, substitute) for a in args)
        saved = {name: self.namespace.get(name) for name in substitute}
        out, err = io.StringIO(), io.StringIO()
        try:
            self.namespace.update(substitute)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                    warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with np.errstate(**fp_errstate(fp_errors)):
                    result = target(*real_args)
        except NotImplementedError as exc:
            raise NotImplementedYet(f"`{fn}` is not implemented yet") from exc
        except Exception as exc:  # noqa: BLE001 - any student error becomes feedback
            raise StudentRaised(type(exc).__name__, str(exc)[:300]) from exc
        finally:
            for name, value in saved.items():
                if value is None:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value
        value, type_name = to_plain(result)
        after = None
        if return_args:
            after = tuple(to_plain(a)[0] for a in real_args)
        return Answer(value, type_name, after, out.getvalue()[-2000:])
