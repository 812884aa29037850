"""The contract every grading path shares: call markers, the value normalizer, the failure
taxonomy and the cell roles.

One module, standard library + NumPy only, imported by the hidden tests, the grader and the
nbgrader preprocessor, loaded by path inside the sandbox worker (as `_nnkit_contract`), and
bundled into the students' check.py. It holds no test, input, threshold or reference code: it is
public on purpose, so it may be seen by student code.

- Markers (`RngSeed`, `Callback`): arguments that are not plain data; the side that runs student
  code builds them.
- `normalize(value)`: what a student function returned, as plain data (the only conversion any
  path applies; the grader compares nothing else).
- Failures: `CallFailed` and its subclasses, each with a `kind` from `CHECK_STATUSES`, raised by
  whatever runs the student call; submission-level statuses in `SUBMISSION_STATUSES`.
- Cell roles: `cell_role(cell)` tells setup / solution / check / test / demo / answer / added cells
  apart from nbgrader's cell metadata and the `grade_id` prefix (documented in
  docs/cell-roles.md).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------- markers


@dataclass(frozen=True)
class RngSeed:
    """Reaches the student function as `np.random.default_rng(seed)`."""

    seed: int


@dataclass(frozen=True)
class Callback:
    """Reaches the student function as a callable; each call runs `substitute[name]` in the
    grader (trusted reference code), never in the student's process."""

    name: str


@dataclass(frozen=True)
class Unrepresentable:
    """Stands for a returned value that is not plain data (a custom class, a set, a complex or
    object array, ...). `type_name` says what it was."""

    type_name: str

    def __repr__(self) -> str:
        return f"<unrepresentable {self.type_name}>"


# ---------------------------------------------------------------------------------- values

#: Containers nested deeper than this are not plain data.
MAX_DEPTH = 16
#: Longest type name reported.
MAX_TYPE_NAME = 200
#: Array dtypes that are plain data: (kind, item size).
ARRAY_DTYPES = frozenset({("b", 1), ("i", 1), ("i", 2), ("i", 4), ("i", 8), ("u", 1), ("u", 2),
                          ("u", 4), ("u", 8), ("f", 2), ("f", 4), ("f", 8)})
#: Integers longer than this many bits are not plain data (they overflow every float).
MAX_INT_BITS = 10_000


def type_name(obj: Any) -> str:
    """A short, human name for the type of `obj` ("ndarray", "numpy.float64", "tuple",
    "Liar(ndarray subclass)", "__main__.Point"); never raises."""
    try:
        t = type(obj)
        if t is np.ndarray:
            return "ndarray"
        if isinstance(obj, np.ndarray):
            return f"{t.__name__}(ndarray subclass)"[:MAX_TYPE_NAME]
        if isinstance(obj, np.generic):
            return f"numpy.{t.__name__}"[:MAX_TYPE_NAME]
        module, name = t.__module__, t.__qualname__
        if not isinstance(module, str) or not isinstance(name, str):
            return "?"
        return (name if module == "builtins" else f"{module}.{name}")[:MAX_TYPE_NAME]
    except Exception:  # a hostile metaclass can make any attribute access raise
        return "?"


def normalize(obj: Any, keep: tuple[type, ...] = (), _depth: int = 0) -> Any:
    """`obj` as plain data, the one conversion every grading path applies to a returned value.

    Plain data is: None, bool, int, float, str, an exact `np.ndarray` of a dtype in ARRAY_DTYPES
    (a fresh copy, writable, native byte order), and list / tuple / dict (str keys) of plain data.

    - NumPy scalars become Python numbers; ndarray subclasses become plain arrays of their data;
      float arrays wider than 64 bits become float64;
    - subclasses of tuple, list, dict, int, float and str (namedtuple, IntEnum, OrderedDict, ...)
      become the built-in type, read through the built-in's own methods (so overridden
      `__iter__` or `__eq__` are never called);
    - anything else, an integer longer than MAX_INT_BITS, or nesting deeper than MAX_DEPTH
      becomes `Unrepresentable(type name)`;
    - objects whose exact type is in `keep` are left as they are (the sandbox keeps random
      generators in the arguments of a callback: they travel as their state).
    """
    if obj is None or obj is True or obj is False:
        return obj
    t = type(obj)
    if t in keep:
        return obj
    if t is float or t is str:
        return obj
    if t is int:
        return obj if obj.bit_length() <= MAX_INT_BITS else Unrepresentable("int (too large)")
    if isinstance(obj, np.ndarray):
        return _array(obj)
    if isinstance(obj, np.generic):
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return float(obj)
        return Unrepresentable(f"{type_name(obj)} (dtype {obj.dtype})")
    if isinstance(obj, (list, tuple, dict)) and _depth >= MAX_DEPTH:
        return Unrepresentable(f"{type_name(obj)} (nested too deeply)")
    if isinstance(obj, tuple):
        return tuple(normalize(x, keep, _depth + 1) for x in tuple.__iter__(obj))
    if isinstance(obj, list):
        return [normalize(x, keep, _depth + 1) for x in list.__iter__(obj)]
    if isinstance(obj, dict):
        out = {}
        for key, value in dict.items(obj):
            if type(key) is not str:
                return Unrepresentable(f"{type_name(obj)} (keys must be str)")
            out[key] = normalize(value, keep, _depth + 1)
        return out
    if isinstance(obj, int):
        return normalize(int.__index__(obj))
    if isinstance(obj, float):
        return float.__float__(obj)
    if isinstance(obj, str):
        return str.__str__(obj)
    return Unrepresentable(type_name(obj))


def _array(obj: np.ndarray) -> Any:
    arr = np.ndarray.view(obj, np.ndarray)
    dt = arr.dtype
    if dt.fields is not None or dt.subdtype is not None:
        return Unrepresentable(f"{type_name(obj)} (dtype {dt})")
    if dt.kind == "f" and dt.itemsize > 8:
        return arr.astype(np.float64)
    if (dt.kind, dt.itemsize) not in ARRAY_DTYPES:
        return Unrepresentable(f"{type_name(obj)} (dtype {dt})")
    return np.array(arr, dtype=dt.newbyteorder("="), copy=True, order="C")


# ---------------------------------------------------------------------------------- failures

class Status(str, enum.Enum):  # noqa: UP042 - check.py includes this file: Python < 3.11 too
    """Outcome of one check. Every status but PASSED scores 0."""

    PASSED = "passed"
    FAILED = "failed"                     # ran, wrong answer (message + diagnosis)
    NOT_IMPLEMENTED = "not_implemented"   # still the stub (NotImplementedError)
    MISSING = "missing"                   # the function is not defined
    ERROR = "error"                       # the student's code raised
    TIMEOUT = "timeout"                   # a time limit (CPU, or the wall-clock backstop)
    MEMORY = "memory"                     # the memory limit
    CRASH = "crash"                       # the process died or exited (sys.exit, a signal)
    BAD_ANSWER = "bad_answer"             # an answer that could not be read

    def __str__(self) -> str:
        return self.value


#: Statuses of one check, in the order reports list them.
CHECK_STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
#: Check statuses that mean running the code went wrong, rather than the answer being wrong.
RUN_PROBLEM_STATUSES: tuple[str, ...] = tuple(s.value for s in (
    Status.TIMEOUT, Status.MEMORY, Status.ERROR, Status.CRASH, Status.BAD_ANSWER))


class SubmissionStatus(str, enum.Enum):  # noqa: UP042
    """Outcome of one submission as a whole."""

    GRADED = "graded"     # the checks ran (each has its own status)
    ERROR = "error"       # the notebook's code could not run, or grading itself failed
    TIMEOUT = "timeout"   # the notebook's code did not finish loading in time
    MEMORY = "memory"     # loading the notebook's code ran out of memory
    INVALID = "invalid"   # the file is not a readable notebook
    MISSING = "missing"   # nothing was submitted

    def __str__(self) -> str:
        return self.value


SUBMISSION_STATUSES: tuple[str, ...] = tuple(s.value for s in SubmissionStatus)


class CallFailed(Exception):
    """A call of a student function produced no usable answer.

    `kind` (a Status) becomes the check's status; `feedback` is the line a student reads;
    `output` holds what the student's code printed during the call (capped).
    """

    kind: Status = Status.ERROR
    #: Put before the message in the student's feedback.
    prefix: str = ""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.output = ""

    @property
    def feedback(self) -> str:
        return f"{self.prefix}{self.message}"


class NotImplementedYet(CallFailed):
    """The function still raises NotImplementedError (the released stub)."""

    kind = Status.NOT_IMPLEMENTED


class Missing(CallFailed):
    """The function is not defined, or the name is bound to something that is not callable."""

    kind = Status.MISSING


class StudentRaised(CallFailed):
    """The student's code raised `exc_type`; `where` names the notebook cell, line and function."""

    kind = Status.ERROR

    def __init__(self, exc_type: str, message: str, where: str = ""):
        text = f"{exc_type}: {message}" if message else exc_type
        if len(text) > 300:
            text = text[:297] + "..."
        super().__init__(f"{text} ({where})" if where else text)
        self.exc_type = exc_type
        self.detail = message
        self.where = where


class CallTimedOut(CallFailed):
    """The call used up its CPU time, or reached the wall-clock backstop."""

    kind = Status.TIMEOUT
    prefix = "timed out: "


class OutOfMemory(CallFailed):
    """The call went over the memory limit."""

    kind = Status.MEMORY
    prefix = "out of memory: "


class Crashed(CallFailed):
    """The process running the student's code died or exited (sys.exit, os._exit, a signal).

    `status` is the exit status (None when killed by a signal), `signal` the signal number.
    """

    kind = Status.CRASH
    prefix = "crash: "

    def __init__(self, reason: str, *, status: int | None = None, signal: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.signal = signal


class BadAnswer(CallFailed):
    """What came back could not be accepted: malformed, forged, stale, too large."""

    kind = Status.BAD_ANSWER
    prefix = "unusable answer: "


# ---------------------------------------------------------------------------------- cell roles

class Role(str, enum.Enum):  # noqa: UP042
    """What a notebook cell is for. See docs/cell-roles.md."""

    SETUP = "setup"         # locked code the notebook needs (imports, settings); runs when graded
    SOLUTION = "solution"   # the student's answer to an exercise; runs when graded
    CHECK = "check"         # locked public check of an exercise; run by check.py, not when graded
    TEST = "test"           # locked grade cell: the hidden tests' result appears here
    DEMO = "demo"           # locked demo (training, plots); never run when graded
    ANSWER = "answer"       # a written answer, graded by hand
    ADDED = "added"         # a code cell the student added; runs when graded
    TEXT = "text"           # a markdown or raw cell without a grading role
    LOCKED = "locked"       # any other locked cell; never runs

    def __str__(self) -> str:
        return self.value


#: The grade_id prefix each role's cells carry (lint checks it; locked code cells are told apart
#: by it).
ROLE_PREFIXES: dict[Role, str] = {
    Role.SETUP: "setup-", Role.SOLUTION: "solution-", Role.CHECK: "check-", Role.TEST: "test-",
    Role.DEMO: "demo-", Role.ANSWER: "answer-",
}
#: Roles whose code runs when a notebook is graded (setup in its released form).
RUN_WHEN_GRADED = frozenset({Role.SETUP, Role.SOLUTION, Role.ADDED})


def nbgrader_meta(cell: Any) -> dict:
    """The cell's `metadata.nbgrader` dict, or {} when it is missing or malformed."""
    if not isinstance(cell, Mapping):
        return {}
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, Mapping) else None
    return dict(meta) if isinstance(meta, Mapping) else {}


def grade_id(cell: Any) -> str | None:
    """The cell's nbgrader grade_id, or None."""
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) and gid else None


def cell_role(cell: Any) -> Role:
    """The role of one notebook cell (a dict as in the .ipynb JSON, or an nbformat node).

    Rules, first match wins:
    1. no nbgrader metadata or no grade_id: a code cell is ADDED, anything else TEXT;
    2. `solution: true`: a code cell is SOLUTION, a markdown cell ANSWER;
    3. `grade: true`: a code cell is TEST, a markdown cell ANSWER;
    4. `task: true`: LOCKED;
    5. a code cell whose grade_id starts with setup- / check- / demo- is SETUP / CHECK / DEMO;
    6. anything else: LOCKED for code, TEXT for markdown.
    Malformed metadata never raises: it counts as missing.
    """
    kind = cell.get("cell_type") if isinstance(cell, Mapping) else None
    code = kind == "code"
    meta = nbgrader_meta(cell)
    gid = grade_id(cell)
    if gid is None:
        return Role.ADDED if code else Role.TEXT
    if meta.get("solution") is True:
        return Role.SOLUTION if code else Role.ANSWER
    if meta.get("grade") is True:
        return Role.TEST if code else Role.ANSWER
    if meta.get("task") is True:
        return Role.LOCKED
    if code:
        for role in (Role.SETUP, Role.CHECK, Role.DEMO):
            if gid.startswith(ROLE_PREFIXES[role]):
                return role
        return Role.LOCKED
    return Role.TEXT


def graded_role(cell: Any, released: Mapping[str, Role]) -> Role:
    """The role a submitted cell has when it is graded (and in check.py): the role of the
    released cell with its grade_id, whatever the submitted cell's own metadata says; a cell
    whose grade_id the release does not have (or that has none) is one the student added (code)
    or text. `released`: grade_id -> role of every released cell that has one."""
    gid = grade_id(cell)
    if gid is not None and gid in released:
        return released[gid]
    kind = cell.get("cell_type") if isinstance(cell, Mapping) else None
    return Role.ADDED if kind == "code" else Role.TEXT


def cell_source(cell: Any) -> str | None:
    """The cell's source as one string (the .ipynb format allows a list of lines), or None when
    it is malformed."""
    source = cell.get("source") if isinstance(cell, Mapping) else None
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return None


def function_of(test_grade_id: str) -> str:
    """The graded function of a test cell: "test-linear_forward" -> "linear_forward"."""
    return test_grade_id.removeprefix(ROLE_PREFIXES[Role.TEST])
