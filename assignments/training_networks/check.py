"""Run the public checks of your notebook and print one line per exercise.

Usage, from the assignment folder (next to the notebook, toy2d.py and hyperparameters.json):

    python check.py                      # the one .ipynb notebook of this folder
    python check.py nn_from_scratch.ipynb
    python check.py -v                   # every hint in full

What runs: the notebook's setup cells (imports, settings), your solution cells and any cells you
added, in notebook order (as when your notebook is graded); then every check of the assignment
as it was released, each on its own (this file carries the released check cells, so a check cell
you edited or deleted by mistake still runs as released, and you are told about the change).
Demo cells (training and plots) and the grade cells do not run, here or when your notebook is
graded, and lines starting with % or ! are skipped. A check either passes, is not implemented yet,
fails (with the message of the failed assertion as a hint), or times out. When a check fails
because a function it uses fails its own check, the hint says which one to fix first.

Passing these checks is a good sign, not a guarantee: the grader runs more tests (random inputs,
edge cases, gradient checks, and training accuracy where the assignment trains). The exit code is
0 when every check passes and your check cells are as released.

This file needs only Python and NumPy (matplotlib when your notebook imports it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# ---- the kit's public contract, cells (included so that this file needs nothing but NumPy) ----
import enum
import re
from collections.abc import Mapping
from typing import Any

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
#: Roles whose code runs when a notebook is graded, in notebook order (setup in its released
#: form): the one rule the grader, check.py and the reference solution follow.
RUN_WHEN_GRADED = frozenset({Role.SETUP, Role.SOLUTION, Role.ADDED})
#: What a line of a code cell that is not Python starts with: an IPython magic or a shell escape.
_MAGIC_LINE = re.compile(r"^(?P<indent>\s*)[%!]")
#: The comment a neutralized line carries when graded.
GRADER_NOTE = "magic or shell line removed by the grader"


def neutralize_magics(source: str, note: str = GRADER_NOTE) -> str:
    """`source` as it runs when graded (and in check.py, and in the reference): IPython magics
    and shell escapes (`%...`, `!...`) become `pass` at their indentation, followed by `# note`
    (`{line}` in it stands for the line removed); a cell that starts with a cell magic (`%%...`)
    becomes empty. Shell escapes would run outside Python, and magics need a kernel the grader
    does not start."""
    if source.lstrip().startswith("%%"):
        return ""
    out = []
    for line in source.splitlines():
        found = _MAGIC_LINE.match(line)
        out.append(f"{found['indent']}pass  # {note.format(line=line.strip())}" if found else line)
    return "\n".join(out)


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


def role_of_grade_id(gid: str) -> Role | None:
    """The role whose prefix `gid` carries ("check-relu" -> Role.CHECK), or None."""
    for role, prefix in ROLE_PREFIXES.items():
        if gid.startswith(prefix):
            return role
    return None


def functions_of(gid: str) -> list[str]:
    """The graded functions a grade id names after its role prefix: "solution-relu" -> ["relu"],
    "test-linear_forward" -> ["linear_forward"], "check-predict-accuracy" -> ["predict",
    "accuracy"] (one check cell may check several functions; function names have no "-"). An id
    without a role prefix names none."""
    role = role_of_grade_id(gid)
    if role is None:
        return []
    return [name for name in gid.removeprefix(ROLE_PREFIXES[role]).split("-") if name]


def function_of(gid: str) -> str:
    """The one graded function of a solution or test cell: "test-linear_forward" ->
    "linear_forward" ("" when the id names none)."""
    names = functions_of(gid)
    return names[0] if len(names) == 1 else ""
# ---- end of cells ----
# ---- the kit's public contract, check_texts (included so that this file needs nothing but NumPy) ----
CHECK_TEXTS: dict[str, str] = {
    "check.column-exercise": "exercise",
    "check.column-status": "status",
    "check.column-hint": "hint",
    "check.timed-out": "still running after {limit} s{inside}: an endless loop?",
    "check.stopped-inside": " (stopped inside {function})",
    "check.assertion-failed": "an assertion failed",
    "check.not-defined": "{name} is not defined: no solution cell of your notebook defines it "
                         "(deleted, or its cell's id changed)",
    "check.sys-exit": "sys.exit({code}) was called{inside}: a notebook must never exit",
    "check.exit-inside": " in {function}",
    "check.raised-in": "{error} in {function}: {detail}",
    "check.raised": "{error}: {detail}",
    "check.raised-in-check": "{error} in the check of {exercise}, after your function returned: "
                             "{detail} (is its result of the shape and type the docstring asks "
                             "for?)",
    "check.fix-first-one": "{exercise} uses your {names}, which fails its check: fix that first",
    "check.fix-first-many": "{exercise} uses your {names}, which fail their check: fix that first",
    "check.numpy-warned": "NumPy warned '{warning}' (your cell {cell}, line {line})",
    "check.cell-failed": "{cell} ({kind} cell): {status}",
    "check.cell-failed-hint": "{cell} ({kind} cell): {status}: {hint}",
    "check.setup-failed": "the setup cell failed (see below)",
    "check.numpy-version": "Your NumPy is {have}, but your notebook is graded with NumPy {wanted}: "
                           "install the course's (python -m pip install -r requirements.txt), or "
                           "code that runs here may fail when graded.",
    "check.own-check-said": "{exercise}: its own check said: {detail}",
    "check.heading-dependencies": "Checks that failed because of a function they use:",
    "check.heading-warnings": "NumPy warnings your code raised during the checks (notes: a check "
                              "judges what your function returns, so they cost nothing, but a "
                              "line of yours computed inf or NaN there):",
    "check.heading-cell-errors": "Cells of your notebook that raised an error while running:",
    "check.heading-changed": "Locked cells (setup and checks) of your notebook that differ from "
                             "the released ones (check.py ran the released ones, as the grader "
                             "does; restore yours):",
    "check.cell-edited": "edited",
    "check.cell-removed": "removed",
    "check.no-released": "No released checks are known here: your notebook's own check cells ran.",
    "check.demo-cells": "Demo cells (training and plots) do not run here, nor when your notebook "
                        "is graded.",
    "check.summary-changed": "{passed}/{total} released checks passed, but {changed} locked "
                             "cell(s) of your notebook were edited or removed: restore them "
                             "({seconds} s).",
    "check.summary": "{passed}/{total} checks passed ({seconds} s). The grader runs more tests "
                     "than these checks ({kinds}).",
    # What the summary's {kinds} lists: with training accuracy only where the assignment has a
    # graded `train` (RELEASED["trains"]).
    "check.kinds-trained": "random inputs, edge cases, gradient checks, training accuracy",
    "check.kinds-untrained": "random inputs, edge cases, gradient checks",
    "check.no-such-notebook": "check.py: no notebook {name}",
    "check.several-notebooks": "check.py: several notebooks here ({names}); name one: python "
                               "check.py NOTEBOOK",
    "check.no-notebook": "check.py: no notebook found; run it in the assignment folder or name "
                         "one: python check.py NOTEBOOK",
    "check.cannot-read": "check.py: cannot read {notebook}: {error}",
    "check.too-deep": "check.py: cannot read {notebook}: it is nested too deeply to be a notebook",
}
# ---- end of check_texts ----
# ---- the kit's public contract, i18n (included so that this file needs nothing but NumPy) ----
import json
import os
import string
from typing import Any

#: The language of every message's source text and of a course that declares none.
DEFAULT_LANGUAGE = "en"
#: Where `grader release` writes the compiled catalog (next to this module).
CATALOG_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale", "messages.json")

#: id -> language -> template; loaded on first use (or handed in by check.py).
_catalog: dict[str, dict[str, str]] | None = None


def use_catalog(catalog: dict[str, dict[str, str]] | None) -> None:
    """Use `catalog` (id -> language -> template) instead of the compiled file; None: the file
    again. check.py calls it with the entries it carries."""
    global _catalog
    _catalog = catalog


def catalog() -> dict[str, dict[str, str]]:
    """The catalog in use: the one handed to `use_catalog`, else the compiled file (an empty
    catalog when there is none: every message is then rendered from its English source)."""
    global _catalog
    if _catalog is None:
        try:
            with open(CATALOG_FILE, encoding="utf-8") as f:
                _catalog = json.load(f)
        except FileNotFoundError:
            _catalog = {}
    return _catalog


def placeholders(template: str) -> set[str]:
    """The names of the `{placeholders}` of `template` ("{a} of {b:.3g}" -> {"a", "b"})."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def template(message_id: str, lang: str, english: str | None = None) -> str:
    """The template of `message_id` in `lang`.

    `english`: the source text the caller declares (a diagnosis's own template), returned as is
    for the default language, so English output never depends on the catalog. A language the
    catalog has no entry for falls back to English: a student never meets a crash for a missing
    translation (tests/test_i18n.py makes sure none is missing). KeyError for an id that is
    neither in the catalog nor given with its English."""
    if lang == DEFAULT_LANGUAGE and english is not None:
        return english
    entry = catalog().get(message_id)
    if entry is None:
        if english is None:
            raise KeyError(f"no message with id {message_id!r}")
        return english
    return entry.get(lang) or (english if english is not None else entry[DEFAULT_LANGUAGE])


def translate(message_id: str, lang: str = DEFAULT_LANGUAGE, /, **values: Any) -> str:
    """Message `message_id` in language `lang`, its placeholders filled with `values`
    (KeyError naming the missing placeholder when one is not given)."""
    return template(message_id, lang).format(**values)
# ---- end of i18n ----
# ---- the kit's public contract, outcomes (included so that this file needs nothing but NumPy) ----
import enum

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
    NOT_RUN = "not_run"                   # never ran: the notebook was not graded (or, in
                                          # check.py, a setup cell before it failed)

    def __str__(self) -> str:
        return self.value


#: Statuses of one check, in the order reports list them.
CHECK_STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
#: Check statuses that mean running the code went wrong, rather than the answer being wrong.
RUN_PROBLEM_STATUSES: tuple[str, ...] = tuple(s.value for s in (
    Status.TIMEOUT, Status.MEMORY, Status.ERROR, Status.CRASH, Status.BAD_ANSWER))


#: How a status reads in a table a student sees (check.py's one line per exercise).
STATUS_WORDS: dict[Status, str] = {
    Status.PASSED: "passed", Status.FAILED: "FAILED", Status.NOT_IMPLEMENTED: "not implemented",
    Status.MISSING: "missing", Status.ERROR: "error", Status.TIMEOUT: "timed out",
    Status.MEMORY: "out of memory", Status.CRASH: "crashed", Status.BAD_ANSWER: "unusable answer",
    Status.NOT_RUN: "not run",
}


def not_implemented_message(function: str) -> str:
    """What a check of a function that is still the released stub says."""
    return f"`{function}` is not implemented yet"


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
#: The status every check of a submission that was not graded gets (each scores 0): the problem
#: that stopped its code, where it is one a check can have too, else NOT_RUN (an unreadable or
#: absent notebook ran nothing; a check is `missing` only when its function is not defined).
CHECK_STATUS_WHEN_UNGRADED: dict[SubmissionStatus, Status] = {
    SubmissionStatus.ERROR: Status.ERROR, SubmissionStatus.TIMEOUT: Status.TIMEOUT,
    SubmissionStatus.MEMORY: Status.MEMORY, SubmissionStatus.INVALID: Status.NOT_RUN,
    SubmissionStatus.MISSING: Status.NOT_RUN,
}


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
# ---- end of outcomes ----

#: The assignment's released checks: {"assignment": name, "checks": [[grade_id, source], ...],
#: "calls": {function: [graded functions it calls]}, "check_uses": {function: [graded functions
#: its check cell reaches]}, "kinds": the summary's message id of the grader's further tests}.
#: Written into the released check.py; None here, where `grader check` passes them in.
RELEASED: dict | None = {
 "assignment": "training_networks",
 "checks": [
  [
   "check-tanh_forward",
   "Z_check = np.array([[-1.0, 0.0, 2.0], [0.5, -3.0, 20.0]])\nZ_before = Z_check.copy()\nA = tanh_forward(Z_check)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    \"tanh_forward changed `Z` in place: np.tanh(Z) gives a new array: never write into Z (no out=Z, no clipping \"\n    \"in place)\")\nassert type(A) is np.ndarray and np.issubdtype(A.dtype, np.floating), (\n    f\"tanh_forward must return a float np.ndarray, got {type(A).__name__} of dtype {getattr(A, 'dtype', '-')}\")\nassert np.shape(A) == (2, 3), f\"A keeps the shape of Z, (2, 3), got {np.shape(A)}\"\nassert np.allclose(A, [[-0.76159416, 0.0, 0.96402758], [0.46211716, -0.99505475, 1.0]]), (\n    f\"wrong values: tanh of [[-1, 0, 2], [0.5, -3, 20]] is [[-0.76159416, 0, 0.96402758], \"\n    f\"[0.46211716, -0.99505475, 1]], got {A}\")\nZ_big = np.array([-1000.0, 1000.0])\nA_big = tanh_forward(Z_big)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_big, [-1000.0, 1000.0]), (\n    \"tanh_forward changed `Z` in place: np.tanh(Z) gives a new array: never write into Z (no out=Z, no clipping \"\n    \"in place)\")\n# diagnosis: tanh_forward.exp-formula\nassert not np.allclose(A_big, [np.nan, np.nan], equal_nan=True), (\n    \"tanh_forward gives NaN for |Z| ~ 1e3, exactly what (exp(Z) - exp(-Z)) / (exp(Z) + exp(-Z)) gives there \"\n    \"(inf / inf): use np.tanh(Z), which never overflows\")\nassert np.allclose(A_big, [-1.0, 1.0]), f\"tanh(-1000) is -1 and tanh(1000) is 1, got {A_big}\"\nprint(\"tanh_forward: all checks passed\")"
  ],
  [
   "check-tanh_backward",
   "dA_check = np.array([[1.0, -2.0, 0.5, 3.0]])\nZ_check = np.array([[0.0, 1.0, -2.0, 0.5]])\ndA_before, Z_before = dA_check.copy(), Z_check.copy()\ndZ = tanh_backward(dA_check, Z_check)\n# diagnosis: common.input-changed\nassert np.array_equal(dA_check, dA_before), (\n    \"tanh_backward changed `dA` in place: compute dA * (1 - np.tanh(Z) ** 2) as a new array\")\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    \"tanh_backward changed `Z` in place: compute np.tanh(Z) as a new array, without writing to Z (no clipping in \"\n    \"place)\")\nassert type(dZ) is np.ndarray and np.issubdtype(dZ.dtype, np.floating), (\n    f\"tanh_backward must return a float np.ndarray, got {type(dZ).__name__} of dtype {getattr(dZ, 'dtype', '-')}\")\nassert np.shape(dZ) == (1, 4), f\"dZ has the shape of dA, (1, 4), got {np.shape(dZ)}\"\n# diagnosis: tanh_backward.uses-tanh\nassert not np.allclose(dZ, [[0.0, -1.52318831, -0.48201379, 1.38635147]]), (\n    \"dZ equals dA * tanh(Z), the function itself: the derivative of tanh is 1 - tanh(Z)**2\")\n# diagnosis: tanh_backward.uses-z\nassert not np.allclose(dZ, [[1.0, 0.0, -1.5, 2.25]]), (\n    \"dZ equals dA * (1 - Z**2): the derivative is 1 - tanh(Z)**2, with the tanh of the input Z\")\n# diagnosis: tanh_backward.not-squared\nassert not np.allclose(dZ, [[1.0, -0.47681169, 0.98201379, 1.61364853]]), (\n    \"dZ equals dA * (1 - tanh(Z)): the derivative squares tanh, 1 - tanh(Z)**2\")\n# diagnosis: tanh_backward.no-upstream\nassert not np.allclose(dZ, [[1.0, 0.41997434, 0.07065082, 0.78644773]]), (\n    \"dZ equals the slope 1 - tanh(Z)**2 alone: multiply it by the upstream gradient dA (chain rule)\")\nassert np.allclose(dZ, [[1.0, -0.83994868, 0.03532541, 2.3593432]]), (\n    f\"expected dA * (1 - tanh(Z)**2) = [[1, -0.83994868, 0.03532541, 2.3593432]], got {dZ}\")\ndA_big, Z_big = np.array([1.0, 1.0]), np.array([-1000.0, 1000.0])\ndZ_big = tanh_backward(dA_big, Z_big)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_big, [-1000.0, 1000.0]) and np.array_equal(dA_big, [1.0, 1.0]), (\n    \"tanh_backward changed `Z` in place: compute np.tanh(Z) as a new array, without writing to Z (no clipping in \"\n    \"place)\")\nassert np.allclose(dZ_big, [0.0, 0.0]), f\"tanh is flat at Z = +-1000: expected the gradient [0, 0], got {dZ_big}\"\nprint(\"tanh_backward: all checks passed\")"
  ],
  [
   "check-leaky_relu_forward",
   "Z_check = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])\nZ_before = Z_check.copy()\nA_alpha = leaky_relu_forward(Z_check, alpha=0.2)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    \"leaky_relu_forward changed `Z` in place: compute the result into a new array (np.where gives one), never write \"\n    \"into Z\")\nassert type(A_alpha) is np.ndarray and np.issubdtype(A_alpha.dtype, np.floating), (\n    f\"leaky_relu_forward must return a float np.ndarray, got {type(A_alpha).__name__} of dtype \"\n    f\"{getattr(A_alpha, 'dtype', '-')}\")\nassert np.shape(A_alpha) == (2, 3), f\"A keeps the shape of Z, (2, 3), got {np.shape(A_alpha)}\"\n# diagnosis: leaky_relu_forward.is-relu\nassert not np.allclose(A_alpha, [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]]), (\n    \"negative entries came out as 0, as in ReLU: leaky ReLU keeps alpha * Z there\")\n# diagnosis: leaky_relu_forward.fixed-alpha\nassert not np.allclose(A_alpha, [[-0.02, 0.0, 3.0], [1.5, -0.005, 0.0]]), (\n    \"leaky_relu_forward(Z, alpha=0.2) used alpha = 0.01: use the argument alpha\")\nassert np.allclose(A_alpha, [[-0.4, 0.0, 3.0], [1.5, -0.1, 0.0]]), (\n    f\"leaky_relu_forward(Z, alpha=0.2) should be [[-0.4, 0, 3], [1.5, -0.1, 0]], got {A_alpha}\")\nA_steep = leaky_relu_forward(Z_check, alpha=2.0)\n# diagnosis: leaky_relu_forward.maximum-form\nassert not np.allclose(A_steep, [[-2.0, 0.0, 6.0], [3.0, -0.5, 0.0]]), (\n    \"leaky_relu_forward(Z, alpha=2) equals np.maximum(Z, alpha * Z), which is leaky ReLU only while alpha <= 1 \"\n    \"(alpha may be any slope): use np.where(Z > 0, Z, alpha * Z)\")\nassert np.allclose(A_steep, [[-4.0, 0.0, 3.0], [1.5, -1.0, 0.0]]), (\n    f\"leaky_relu_forward(Z, alpha=2.0) should be [[-4, 0, 3], [1.5, -1, 0]], got {A_steep}\")\nA = leaky_relu_forward(Z_check)\nif not np.allclose(A, [[-0.02, 0.0, 3.0], [1.5, -0.005, 0.0]]):\n    # diagnosis: leaky_relu_forward.default-alpha\n    assert not np.allclose(leaky_relu_forward(Z_check, 0.01), [[-0.02, 0.0, 3.0], [1.5, -0.005, 0.0]]), (\n        \"leaky_relu_forward(...) without alpha is wrong while every call with alpha given is right: keep the \"\n        \"default of the signature, alpha=0.01\")\n    raise AssertionError(f\"with the default alpha = 0.01 expected [[-0.02, 0, 3], [1.5, -0.005, 0]], got {A}\")\nprint(\"leaky_relu_forward: all checks passed\")"
  ],
  [
   "check-leaky_relu_backward",
   "dA_check = np.array([[1.0, 2.0, 3.0, -4.0]])\nZ_check = np.array([[-1.0, 0.0, 2.0, 5.0]])\ndA_before, Z_before = dA_check.copy(), Z_check.copy()\ndZ = leaky_relu_backward(dA_check, Z_check, alpha=0.1)\n# diagnosis: common.input-changed\nassert np.array_equal(dA_check, dA_before), (\n    \"leaky_relu_backward changed `dA` in place: multiply dA by the slopes (1 or alpha) into a new array\")\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    \"leaky_relu_backward changed `Z` in place: build the slopes as a new array, without writing to Z\")\nassert type(dZ) is np.ndarray and np.issubdtype(dZ.dtype, np.floating), (\n    f\"leaky_relu_backward must return a float np.ndarray, got {type(dZ).__name__} of dtype {getattr(dZ, 'dtype', '-')}\")\nassert np.shape(dZ) == (1, 4), f\"dZ has the shape of dA, (1, 4), got {np.shape(dZ)}\"\n# diagnosis: leaky_relu_backward.ge-zero\nassert not np.allclose(dZ, [[0.1, 2.0, 3.0, -4.0]]), (\n    \"at Z == 0 the slope came out as 1; it is alpha (the Z <= 0 branch owns the kink, as ReLU'(0) = 0): \"\n    \"the mask of slope 1 is Z > 0, not Z >= 0\")\n# diagnosis: leaky_relu_backward.is-relu\nassert not np.allclose(dZ, [[0.0, 0.0, 3.0, -4.0]]), (\n    \"where Z < 0 the gradient came out as 0, as in ReLU: leaky ReLU passes alpha * dA there\")\n# diagnosis: leaky_relu_backward.fixed-alpha\nassert not np.allclose(dZ, [[0.01, 0.02, 3.0, -4.0]]), (\n    \"leaky_relu_backward(dA, Z, alpha=0.1) used alpha = 0.01: use the argument alpha\")\n# diagnosis: leaky_relu_backward.uses-activation\nassert not np.allclose(dZ, [[-0.1, 0.0, 6.0, -20.0]]), (\n    \"dZ equals dA times the activation's output (Z or alpha * Z): multiply dA by the slope, 1 where Z > 0 and \"\n    \"alpha elsewhere\")\n# diagnosis: leaky_relu_backward.no-upstream\nassert not np.allclose(dZ, [[0.1, 0.1, 1.0, 1.0]]), (\n    \"dZ equals the slope (1 or alpha) alone: multiply it by the upstream gradient dA\")\nassert np.allclose(dZ, [[0.1, 0.2, 3.0, -4.0]]), (\n    f\"with alpha = 0.1 expected [[0.1, 0.2, 3, -4]] (dA where Z > 0, alpha * dA elsewhere), got {dZ}\")\ndZ_default = leaky_relu_backward(dA_check, Z_check)\nif not np.allclose(dZ_default, [[0.01, 0.02, 3.0, -4.0]]):\n    # diagnosis: leaky_relu_backward.default-alpha\n    assert not np.allclose(leaky_relu_backward(dA_check, Z_check, 0.01), [[0.01, 0.02, 3.0, -4.0]]), (\n        \"leaky_relu_backward(...) without alpha is wrong while every call with alpha given is right: keep the \"\n        \"default of the signature, alpha=0.01\")\n    raise AssertionError(f\"with the default alpha = 0.01 expected [[0.01, 0.02, 3, -4]], got {dZ_default}\")\nprint(\"leaky_relu_backward: all checks passed\")"
  ],
  [
   "check-elu_forward",
   "Z_check = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])\nZ_before = Z_check.copy()\nA_alpha = elu_forward(Z_check, alpha=2.0)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    \"elu_forward changed `Z` in place: compute the result as a new array\")\nassert type(A_alpha) is np.ndarray and np.issubdtype(A_alpha.dtype, np.floating), (\n    f\"elu_forward must return a float np.ndarray, got {type(A_alpha).__name__} of dtype \"\n    f\"{getattr(A_alpha, 'dtype', '-')}\")\nassert np.shape(A_alpha) == (2, 3), f\"A keeps the shape of Z, (2, 3), got {np.shape(A_alpha)}\"\n# diagnosis: elu_forward.is-relu\nassert not np.allclose(A_alpha, [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]]), (\n    \"negative entries came out as 0, as in ReLU: for Z <= 0, ELU is alpha * (exp(Z) - 1)\")\n# diagnosis: elu_forward.minus-one-missing\nassert not np.allclose(A_alpha, [[0.27067057, 2.0, 3.0], [1.5, 1.21306132, 2.0]]), (\n    \"for Z <= 0 the output equals alpha * exp(Z): ELU is alpha * (exp(Z) - 1) there (the - 1 makes ELU(0) = 0)\")\n# diagnosis: elu_forward.fixed-alpha\nassert not np.allclose(A_alpha, [[-0.86466472, 0.0, 3.0], [1.5, -0.39346934, 0.0]]), (\n    \"elu_forward(Z, alpha=2) used alpha = 1: use the argument alpha\")\nassert np.allclose(A_alpha, [[-1.72932943, 0.0, 3.0], [1.5, -0.78693868, 0.0]]), (\n    f\"elu_forward(Z, alpha=2.0) should be [[-1.72932943, 0, 3], [1.5, -0.78693868, 0]], got {A_alpha}\")\nA = elu_forward(Z_check)\nif not np.allclose(A, [[-0.86466472, 0.0, 3.0], [1.5, -0.39346934, 0.0]]):\n    # diagnosis: elu_forward.default-alpha\n    assert not np.allclose(elu_forward(Z_check, 1.0), [[-0.86466472, 0.0, 3.0], [1.5, -0.39346934, 0.0]]), (\n        \"elu_forward(...) without alpha is wrong while every call with alpha given is right: keep the default of \"\n        \"the signature, alpha=1\")\n    raise AssertionError(f\"with the default alpha = 1 expected [[-0.86466472, 0, 3], [1.5, -0.39346934, 0]], got {A}\")\nZ_big = np.array([-1000.0, 1.0, 1000.0])\nA_big = elu_forward(Z_big)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_big, [-1000.0, 1.0, 1000.0]), (\n    \"elu_forward changed `Z` in place: compute the result as a new array\")\n# diagnosis: elu_forward.masks-times-exp\nassert not np.allclose(A_big, [-1.0, 1.0, np.nan], equal_nan=True), (\n    \"elu_forward gives NaN for large positive Z, exactly what Z * (Z > 0) + alpha * (np.exp(Z) - 1) * (Z <= 0) \"\n    \"gives there (inf * 0 = NaN): take the exponential of np.minimum(Z, 0), which is never large\")\nassert np.allclose(A_big, [-1.0, 1.0, 1000.0]), f\"elu of [-1000, 1, 1000] is [-1, 1, 1000], got {A_big}\"\nprint(\"elu_forward: all checks passed\")"
  ],
  [
   "check-elu_backward",
   "dA_check = np.array([[1.0, 2.0, 3.0, -4.0]])\nZ_check = np.array([[-1.0, 0.0, 2.0, 5.0]])\ndA_before, Z_before = dA_check.copy(), Z_check.copy()\ndZ = elu_backward(dA_check, Z_check, alpha=0.5)\n# diagnosis: common.input-changed\nassert np.array_equal(dA_check, dA_before), (\n    \"elu_backward changed `dA` in place: build the gradient as a new array\")\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    \"elu_backward changed `Z` in place: compute the slopes as a new array, without writing to Z\")\nassert type(dZ) is np.ndarray and np.issubdtype(dZ.dtype, np.floating), (\n    f\"elu_backward must return a float np.ndarray, got {type(dZ).__name__} of dtype {getattr(dZ, 'dtype', '-')}\")\nassert np.shape(dZ) == (1, 4), f\"dZ has the shape of dA, (1, 4), got {np.shape(dZ)}\"\n# diagnosis: elu_backward.ge-zero\nassert not np.allclose(dZ, [[0.18393972, 2.0, 3.0, -4.0]]), (\n    \"at Z == 0 the gradient came out as dA; with alpha = 0.5 it is alpha * dA (the Z <= 0 branch, alpha * exp(0)): \"\n    \"the mask of slope 1 is Z > 0, not Z >= 0\")\n# diagnosis: elu_backward.fixed-alpha\nassert not np.allclose(dZ, [[0.36787944, 2.0, 3.0, -4.0]]), (\n    \"elu_backward(dA, Z, alpha=0.5) used alpha = 1: the slope for Z <= 0 is alpha * exp(Z)\")\n# diagnosis: elu_backward.no-upstream\nassert not np.allclose(dZ, [[0.18393972, 0.5, 3.0, -4.0]]), (\n    \"for Z <= 0 the gradient equals alpha * exp(Z) without dA: it is dA * alpha * exp(Z)\")\nassert np.allclose(dZ, [[0.18393972, 1.0, 3.0, -4.0]]), (\n    f\"with alpha = 0.5 expected [[0.18393972, 1, 3, -4]] (dA where Z > 0, dA * alpha * exp(Z) elsewhere), got {dZ}\")\ndZ_default = elu_backward(dA_check, Z_check)\nif not np.allclose(dZ_default, [[0.36787944, 2.0, 3.0, -4.0]]):\n    # diagnosis: elu_backward.default-alpha\n    assert not np.allclose(elu_backward(dA_check, Z_check, 1.0), [[0.36787944, 2.0, 3.0, -4.0]]), (\n        \"elu_backward(...) without alpha is wrong while every call with alpha given is right: keep the default of \"\n        \"the signature, alpha=1\")\n    raise AssertionError(f\"with the default alpha = 1 expected [[0.36787944, 2, 3, -4]], got {dZ_default}\")\ndA_big, Z_big = np.ones(3), np.array([-1000.0, 0.5, 1000.0])\ndZ_big = elu_backward(dA_big, Z_big)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_big, [-1000.0, 0.5, 1000.0]) and np.array_equal(dA_big, np.ones(3)), (\n    \"elu_backward changed `Z` in place: compute the slopes as a new array, without writing to Z\")\nassert np.allclose(dZ_big, [0.0, 1.0, 1.0]), f\"for Z = [-1000, 0.5, 1000] and dA = 1 expected [0, 1, 1], got {dZ_big}\"\nprint(\"elu_backward: all checks passed\")"
  ],
  [
   "check-bce_with_logits",
   "z_check = np.array([2.0, -1.0, 0.5, 0.0])\ny_check = np.array([1, 0, 0, 1])\nz_before, y_before = z_check.copy(), y_check.copy()\nloss = bce_with_logits(z_check, y_check)\n# diagnosis: common.input-changed\nassert np.array_equal(z_check, z_before), (\n    \"bce_with_logits changed `z` in place: compute every term as a new array (never clip or shift z in place)\")\n# diagnosis: common.input-changed\nassert np.array_equal(y_check, y_before), \"bce_with_logits changed `y` in place: only read the labels\"\nassert isinstance(loss, float), f\"return a Python float (use float(...)), got {type(loss).__name__}\"\n# diagnosis: bce_with_logits.summed\nassert not np.isclose(loss, 2.10741386), \"the loss equals the sum over the batch: return the mean\"\n# diagnosis: bce_with_logits.wrong-sign\nassert not np.isclose(loss, -0.52685347), (\n    \"the loss has the wrong sign: BCE is the mean of -log p(correct label), a positive number\")\n# diagnosis: bce_with_logits.labels-swapped\nassert not np.isclose(loss, 1.15185347), (\n    \"the loss equals the one with the labels swapped: y = 1 goes with log sigmoid(z), y = 0 with log(1 - sigmoid(z))\")\nassert np.isclose(loss, 0.52685347), (\n    f\"expected the mean of max(z, 0) - z * y + log(1 + exp(-|z|)), 0.52685347, got {loss}\")\nloss_float = bce_with_logits(z_check, y_check.astype(float))\nassert np.isclose(loss_float, 0.52685347), f\"labels given as floats 0.0 / 1.0 must work too: got {loss_float}\"\nz_big, y_big = np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([1, 0, 0, 1])\nloss_big = bce_with_logits(z_big, y_big)\n# diagnosis: common.input-changed\nassert np.array_equal(z_big, [1000.0, -1000.0, 1000.0, -1000.0]), (\n    \"bce_with_logits changed `z` in place: compute every term as a new array (never clip or shift z in place)\")\n# diagnosis: bce_with_logits.sigmoid-then-log\nassert not np.allclose(loss_big, np.nan, equal_nan=True), (\n    f\"for logits of +-1e3 the loss is {loss_big}, exactly what -mean(y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z))) \"\n    \"gives there: sigmoid(z) rounds to 0 or 1 and the log of it is -inf; compute max(z, 0) - z * y + \"\n    \"log1p(exp(-|z|)) instead\")\nassert np.isfinite(loss_big), f\"bce_with_logits gives {loss_big} for logits +-1000: it must stay finite\"\nassert np.isclose(loss_big, 500.0), (\n    f\"for logits [1000, -1000, 1000, -1000] and labels [1, 0, 0, 1] the loss is (0 + 0 + 1000 + 1000) / 4 = 500, \"\n    f\"got {loss_big}\")\nloss_tiny = bce_with_logits(np.array([40.0, -40.0]), np.array([1, 0]))\nassert np.isclose(loss_tiny, 4.248354255291589e-18, rtol=0, atol=1e-12), (\n    f\"for z = 40, y = 1 and z = -40, y = 0 the loss is log(1 + e^-40) = 4.2e-18, essentially 0, got {loss_tiny}\")\nprint(\"bce_with_logits: all checks passed\")"
  ],
  [
   "check-bce_with_logits_backward",
   "z_check = np.array([2.0, -1.0, 0.5, 0.0])\ny_check = np.array([1, 0, 0, 1])\nz_before, y_before = z_check.copy(), y_check.copy()\ndz = bce_with_logits_backward(z_check, y_check)\n# diagnosis: common.input-changed\nassert np.array_equal(z_check, z_before), (\n    \"bce_with_logits_backward changed `z` in place: compute every term as a new array (never clip or shift z in place)\")\n# diagnosis: common.input-changed\nassert np.array_equal(y_check, y_before), \"bce_with_logits_backward changed `y` in place: only read the labels\"\nassert type(dz) is np.ndarray and np.issubdtype(dz.dtype, np.floating), (\n    f\"dz must be a float np.ndarray, got {type(dz).__name__} of dtype {getattr(dz, 'dtype', '-')}\")\nassert np.shape(dz) == (4,), f\"dz has the shape of z, (4,), got {np.shape(dz)}\"\nexpected = np.array([-0.02980073, 0.06723536, 0.15561483, -0.125])\n# diagnosis: bce_with_logits_backward.wrong-sign\nassert not np.allclose(dz, -expected), (\n    \"dz has the wrong sign: it is (sigmoid(z) - y) / N, the predicted probability minus the label\")\n# diagnosis: bce_with_logits_backward.missing-1-over-n\nassert not np.allclose(dz, 4 * expected), (\n    \"dz is N times too large: the loss is a mean, so divide by the batch size N\")\nassert np.allclose(dz, expected), f\"expected (sigmoid(z) - y) / N = {expected}, got {dz}\"\nz_big = np.array([1000.0, -1000.0])\ndz_big = bce_with_logits_backward(z_big, np.array([1, 0]))\n# diagnosis: common.input-changed\nassert np.array_equal(z_big, [1000.0, -1000.0]), (\n    \"bce_with_logits_backward changed `z` in place: compute every term as a new array (never clip or shift z in place)\")\nassert np.allclose(dz_big, [0.0, 0.0]), f\"for logits [1000, -1000] and labels [1, 0] expected [0, 0], got {dz_big}\"\nprint(\"bce_with_logits_backward: all checks passed\")"
  ],
  [
   "check-mse",
   "y_pred_check = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]])\ny_target = np.array([[0.0, 2.0], [1.0, 5.0], [0.0, 1.0]])\ninputs_before = (y_pred_check.copy(), y_target.copy())\nloss = mse(y_pred_check, y_target)\n# diagnosis: common.input-changed\nassert np.array_equal(y_pred_check, inputs_before[0]), (\n    \"mse changed `y_pred` in place: compute (y_pred - y) ** 2 as a new array\")\n# diagnosis: common.input-changed\nassert np.array_equal(y_target, inputs_before[1]), \"mse changed `y` in place: compute (y_pred - y) ** 2 as a new array\"\nassert isinstance(loss, float), f\"return a Python float (use float(...)), got {type(loss).__name__}\"\n# diagnosis: mse.summed\nassert not np.isclose(loss, 10.0), \"the loss equals the sum of the squared errors: return their mean\"\n# diagnosis: mse.mean-over-rows\nassert not np.isclose(loss, 3.33333333), (\n    \"the squared errors are divided by the number of rows N only; the mean is over every entry (N * D, y_pred.size)\")\n# diagnosis: mse.half\nassert not np.isclose(loss, 0.83333333), (\n    \"the loss equals half the mean of the squared errors: here MSE is their plain mean, without 1/2\")\nassert np.isclose(loss, 1.66666667), (\n    f\"the squared errors sum to 10 over 6 entries: expected 10 / 6 = 1.66666667, got {loss}\")\nloss_1d = mse(np.array([1.0, -1.0, 2.0]), np.array([0.0, 1.0, 2.0]))\nassert isinstance(loss_1d, float) and np.isclose(loss_1d, 1.66666667), (\n    f\"for shape (N,): mse([1, -1, 2], [0, 1, 2]) = (1 + 4 + 0) / 3 = 1.66666667, got {loss_1d!r}\")\nprint(\"mse: all checks passed\")"
  ],
  [
   "check-mse_backward",
   "y_pred_check = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, -1.0]])\ny_target = np.array([[0.0, 2.0, 0.0], [1.0, 5.0, 1.0]])\ninputs_before = (y_pred_check.copy(), y_target.copy())\nd = mse_backward(y_pred_check, y_target)\n# diagnosis: common.input-changed\nassert np.array_equal(y_pred_check, inputs_before[0]), (\n    \"mse_backward changed `y_pred` in place: compute 2 * (y_pred - y) / size as a new array\")\n# diagnosis: common.input-changed\nassert np.array_equal(y_target, inputs_before[1]), (\n    \"mse_backward changed `y` in place: compute 2 * (y_pred - y) / size as a new array\")\nassert type(d) is np.ndarray and np.issubdtype(d.dtype, np.floating), (\n    f\"mse_backward must return a float np.ndarray, got {type(d).__name__} of dtype {getattr(d, 'dtype', '-')}\")\nassert np.shape(d) == (2, 3), f\"the gradient has the shape of y_pred, (2, 3), got {np.shape(d)}\"\nexpected = np.array([[0.33333333, 0.0, 0.0], [0.66666667, -0.33333333, -0.66666667]])\n# diagnosis: mse_backward.wrong-sign\nassert not np.allclose(d, -expected), \"the gradient has the wrong sign: it is 2 * (y_pred - y) / size\"\n# diagnosis: mse_backward.no-factor-2\nassert not np.allclose(d, expected / 2), (\n    \"the gradient lacks the factor 2: the derivative of (y_pred - y)**2 is 2 * (y_pred - y)\")\n# diagnosis: mse_backward.mean-over-rows\nassert not np.allclose(d, 3 * expected), (\n    \"the gradient is divided by the number of rows N = len(y_pred): the loss is a mean over every entry, so divide \"\n    \"by y_pred.size\")\n# diagnosis: mse_backward.not-averaged\nassert not np.allclose(d, 6 * expected), (\n    \"the gradient is not divided by the number of entries: it is 2 * (y_pred - y) / y_pred.size\")\nassert np.allclose(d, expected), f\"expected 2 * (y_pred - y) / 6 = {expected}, got {d}\"\nd_1d = mse_backward(np.array([1.0, -1.0, 2.0]), np.array([0.0, 1.0, 2.0]))\nassert np.shape(d_1d) == (3,) and np.allclose(d_1d, [0.66666667, -1.33333333, 0.0]), (\n    f\"for shape (N,): mse_backward([1, -1, 2], [0, 1, 2]) = 2 * [1, -2, 0] / 3, got {d_1d}\")\nprint(\"mse_backward: all checks passed\")"
  ],
  [
   "check-init_params",
   "sizes_check = [4, 3, 2]\nparams_check = init_params(sizes_check, np.random.default_rng(0))\n# diagnosis: common.input-changed\nassert sizes_check == [4, 3, 2], (\n    \"init_params changed `layer_sizes` in place: only read layer_sizes (e.g. zip(layer_sizes[:-1], layer_sizes[1:])); \"\n    \"never pop, append to or sort it\")\nassert isinstance(params_check, (list, tuple)) and len(params_check) == 2, (\n    f\"[4, 3, 2] has two linear layers: return a list of 2 (W, b) tuples, got {len(params_check)} entries\")\nshapes = [(np.shape(W), np.shape(b)) for W, b in params_check]\n# diagnosis: init_params.w-transposed\nassert np.shape(params_check[0][0]) != (3, 4), (\n    f\"W_1 has shape {np.shape(params_check[0][0])}; with x W + b it is (c_in, c_out) = (4, 3)\")\nassert shapes == [((4, 3), (3,)), ((3, 2), (2,))], f\"wrong shapes {shapes}: W is (c_in, c_out), b is (c_out,)\"\nassert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for layer in params_check for a in layer), (\n    \"every W and b must be a float np.ndarray\")\n# diagnosis: init_params.zero-bias\nassert not np.all(params_check[0][1] == 0), \"b_1 is all zeros; every bias entry starts at 0.1\"\nassert all(np.all(b == 0.1) for _, b in params_check), \"every bias entry starts at 0.1: b = np.full(c_out, 0.1)\"\nrng_expected = np.random.default_rng(0)\ndraw_1 = rng_expected.standard_normal((4, 3))\ndraw_2 = rng_expected.standard_normal((3, 2))\nassert np.allclose(params_check[0][0], draw_1), (\n    \"the default scheme 'standard' keeps W ~ N(0, 1), scale 1 as in Assignment 1: draw W_1 first with \"\n    \"rng.standard_normal((c_in, c_out))\")\nassert np.allclose(params_check[1][0], draw_2), (\n    \"draw W_2 right after W_1, from the same rng, with rng.standard_normal((c_in, c_out)) (no other draws between)\")\nfor scheme, gain in ((\"lecun\", 1.0), (\"he\", 2.0)):\n    params_scheme = init_params(sizes_check, np.random.default_rng(0), scheme)\n    assert [(np.shape(W), np.shape(b)) for W, b in params_scheme] == [((4, 3), (3,)), ((3, 2), (2,))], (\n        f\"wrong shapes with scheme={scheme!r}: W is (c_in, c_out), b is (c_out,)\")\n    assert all(np.all(b == 0.1) for _, b in params_scheme), (\n        f\"with scheme={scheme!r} every bias entry still starts at 0.1 (only W is scaled)\")\n    W_1, W_2 = params_scheme[0][0], params_scheme[1][0]\n    # diagnosis: init_params.scheme-ignored\n    assert not (np.allclose(W_1, draw_1) and np.allclose(W_2, draw_2)), (\n        f\"W_1 for scheme {scheme!r} is the plain N(0, 1) draw: scale it by the scheme's sqrt(gain / c_in)\")\n    # diagnosis: init_params.fan-out\n    assert not (np.allclose(W_1, draw_1 * np.sqrt(gain / 3)) and np.allclose(W_2, draw_2 * np.sqrt(gain / 2))), (\n        f\"W_1 for scheme {scheme!r} equals the draw scaled by the fan-out c_out; the scale uses the fan-in, \"\n        \"sqrt(gain / c_in) with c_in = W.shape[0]\")\n    # diagnosis: init_params.no-sqrt\n    assert not (np.allclose(W_1, draw_1 * gain / 4) and np.allclose(W_2, draw_2 * gain / 3)), (\n        f\"W_1 for scheme {scheme!r} equals the draw times the variance gain / c_in: multiply by the standard \"\n        \"deviation, its square root sqrt(gain / c_in)\")\n    assert np.allclose(W_1, draw_1 * np.sqrt(gain / 4)) and np.allclose(W_2, draw_2 * np.sqrt(gain / 3)), (\n        f\"with scheme={scheme!r}, W_i = rng.standard_normal((c_in, c_out)) * sqrt({gain:g} / c_in), \"\n        \"drawn layer by layer\")\ntry:\n    init_params(sizes_check, np.random.default_rng(0), \"no_such_scheme\")\nexcept ValueError:\n    pass\nexcept Exception as exc:\n    raise AssertionError(f\"an unknown scheme raised {type(exc).__name__}; raise ValueError naming the scheme\") from None\nelse:\n    # diagnosis: init_params.unknown-scheme-accepted\n    raise AssertionError(\"init_params(..., scheme='no_such_scheme') returned parameters; an unknown scheme must \"\n                         \"raise ValueError (a typo would otherwise train with the wrong scale)\")\nprint(\"init_params: all checks passed\")"
  ],
  [
   "check-dropout_forward",
   "A_check = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])\nA_before = A_check.copy()\nrng_check = np.random.default_rng(0)\nresult = dropout_forward(A_check, 0.8, rng_check)\n# diagnosis: common.input-changed\nassert np.array_equal(A_check, A_before), (\n    \"dropout_forward changed `A` in place: return A * mask as a new array, never scale A in place\")\nassert isinstance(result, tuple) and len(result) == 2, \"dropout_forward returns a tuple (out, mask)\"\nout, mask = result\nassert type(out) is np.ndarray and np.issubdtype(out.dtype, np.floating), (\n    f\"out must be a float np.ndarray, got {type(out).__name__} of dtype {getattr(out, 'dtype', '-')}\")\nassert type(mask) is np.ndarray, f\"while training, mask is a np.ndarray, got {type(mask).__name__}\"\nassert np.shape(out) == (2, 4) and np.shape(mask) == (2, 4), (\n    f\"out and mask have the shape of A, (2, 4), got {np.shape(out)} and {np.shape(mask)}\")\n# diagnosis: dropout_forward.not-applied\nassert not np.allclose(out, A_check), \"in train mode nothing was dropped: out equals A\"\nkept = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0]])   # where rng.random(A.shape) < 0.8 for this rng\n# diagnosis: dropout_forward.not-rescaled\nassert not (np.allclose(mask, kept) and np.allclose(out, A_check * kept)), (\n    \"the kept activations are not rescaled: divide the mask by keep_prob (it holds 0 or 1 / keep_prob), so that the \"\n    \"expected output equals A (inverted dropout)\")\n# diagnosis: dropout_forward.keep-drop-swapped\nassert not (np.allclose(mask, (1 - kept) * 1.25) and np.allclose(out, A_check * (1 - kept) * 1.25)), (\n    \"the mask drops each entry with probability keep_prob; keep_prob is the chance to KEEP an entry: \"\n    \"keep the entries where rng.random(A.shape) < keep_prob\")\n# diagnosis: dropout_forward.keep-drop-swapped\nassert not (np.allclose(mask, [[0.0, 0.0, 1.25, 1.25], [0.0, 0.0, 0.0, 0.0]])\n            and np.allclose(out, [[0.0, 0.0, 3.75, 5.0], [0.0, 0.0, 0.0, 0.0]])), (\n    \"the mask drops each entry with probability keep_prob; keep_prob is the chance to KEEP an entry: \"\n    \"keep the entries where rng.random(A.shape) < keep_prob\")\nassert np.issubdtype(mask.dtype, np.floating), (\n    f\"mask must be a float array, (rng.random(A.shape) < keep_prob) / keep_prob, got dtype {mask.dtype}\")\nassert np.allclose(mask, kept * 1.25), (\n    f\"with np.random.default_rng(0) and keep_prob = 0.8 the mask is {(kept * 1.25).tolist()}, got {mask.tolist()}: \"\n    \"it is drawn with one call, rng.random(A.shape) < keep_prob (not rng.binomial, rng.choice or a loop)\")\nassert np.allclose(out, [[1.25, 2.5, 3.75, 5.0], [0.0, 0.0, 8.75, 10.0]]), f\"out is A * mask, got {out}\"\nassert np.isclose(rng_check.random(), 0.5436249914654229), (\n    \"dropout_forward must draw from rng exactly once, rng.random(A.shape): the generator is in another state after \"\n    \"it (train uses the same generator for the next permutations and masks)\")\nresult_test = dropout_forward(A_check, 0.8, np.random.default_rng(1), train=False)\nassert isinstance(result_test, tuple) and len(result_test) == 2, (\n    \"dropout_forward returns a tuple (out, mask), also at test time\")\nout_test, mask_test = result_test\n# diagnosis: dropout_forward.test-divided\nassert not np.allclose(out_test, A_check / 0.8), (\n    \"in test mode the output equals A / keep_prob; with inverted dropout the test-time output is A itself\")\n# diagnosis: dropout_forward.test-multiplied\nassert not np.allclose(out_test, A_check * 0.8), (\n    \"in test mode the output equals A * keep_prob; with inverted dropout the test-time output is A itself\")\n# diagnosis: dropout_forward.on-at-test\nassert not np.allclose(out_test, [[1.25, 0.0, 3.75, 0.0], [6.25, 7.5, 0.0, 10.0]]), (\n    \"in test mode (train=False) the output is the train-mode output, with entries dropped: dropout is only for \"\n    \"training, return A (a copy) and no mask\")\nassert mask_test is None and np.array_equal(out_test, A_check), (\n    f\"with train=False return (A, None) (A or a copy of it): no mask and no scaling, got mask {mask_test!r}\")\ntry:\n    out_none, mask_none = dropout_forward(A_check, 0.8, None, train=False)\nexcept Exception as exc:\n    raise AssertionError(f\"dropout_forward(A, keep_prob, None, train=False) raised {type(exc).__name__}: at test time \"\n                         \"it must not use rng, which may be None\") from None\nassert mask_none is None and np.array_equal(out_none, A_check), \"with train=False and rng=None return (A, None)\"\n# diagnosis: common.input-changed\nassert np.array_equal(A_check, A_before), (\n    \"dropout_forward changed `A` in place: return A * mask as a new array, never scale A in place\")\nprint(\"dropout_forward: all checks passed\")"
  ],
  [
   "check-dropout_backward",
   "dOut_check = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])\nmask_check = np.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]])\ndOut_before, mask_before = dOut_check.copy(), mask_check.copy()\ndA = dropout_backward(dOut_check, mask_check)\n# diagnosis: common.input-changed\nassert np.array_equal(dOut_check, dOut_before), (\n    \"dropout_backward changed `dOut` in place: multiply into a new array (dOut * mask gives one), never write into \"\n    \"dOut\")\n# diagnosis: common.input-changed\nassert np.array_equal(mask_check, mask_before), \"dropout_backward changed `mask` in place: only read it\"\nassert type(dA) is np.ndarray and np.issubdtype(dA.dtype, np.floating), (\n    f\"dropout_backward must return a float np.ndarray, got {type(dA).__name__} of dtype {getattr(dA, 'dtype', '-')}\")\nassert np.shape(dA) == (2, 3), f\"dA has the shape of dOut, (2, 3), got {np.shape(dA)}\"\n# diagnosis: dropout_backward.not-rescaled\nassert not np.allclose(dA, [[1.0, 0.0, 3.0], [0.0, 4.0, -1.0]]), (\n    \"dA equals dOut * (mask > 0), without the 1 / keep_prob: multiply by the mask itself, which already holds it\")\nassert np.allclose(dA, [[2.0, 0.0, 6.0], [0.0, 8.0, -2.0]]), f\"expected dOut * mask = [[2, 0, 6], [0, 8, -2]], got {dA}\"\nprint(\"dropout_backward: all checks passed\")"
  ],
  [
   "check-l2_penalty",
   "params_check = [(np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([1.0, 1.0])),\n                (np.array([[2.0], [-1.0]]), np.array([5.0]))]\nparams_before = [(W.copy(), b.copy()) for W, b in params_check]\npenalty = l2_penalty(params_check, 0.1)\n# diagnosis: common.input-changed\nassert all(np.array_equal(W, W0) and np.array_equal(b, b0)\n           for (W, b), (W0, b0) in zip(params_check, params_before)), (\n    \"l2_penalty changed `params` in place: compute W ** 2 as a new array, only read the weights\")\nassert isinstance(penalty, float), f\"return a Python float (use float(...)), got {type(penalty).__name__}\"\n# diagnosis: l2_penalty.biases\nassert not np.isclose(penalty, 2.3), \"the penalty includes the biases; L2 regularization applies to the weights W only\"\n# diagnosis: l2_penalty.no-half\nassert not np.isclose(penalty, 1.9), (\n    \"the penalty lacks the factor 1/2: it is lam / 2 * (sum of W ** 2 over all layers), so that its gradient is \"\n    \"lam * W\")\n# diagnosis: l2_penalty.biases-no-half\nassert not np.isclose(penalty, 4.6), (\n    \"the penalty includes the biases and lacks the 1/2: it is lam / 2 * (sum of W ** 2), weights only\")\n# diagnosis: l2_penalty.norms\nassert not np.isclose(penalty, 0.29888627), (\n    \"the penalty uses the norms of the weights: it is the sum of their squared entries, np.sum(W ** 2)\")\nassert np.isclose(penalty, 0.95), (\n    f\"the squared weights sum to 14 + 5 = 19: expected 0.1 / 2 * 19 = 0.95, got {penalty}\")\nassert np.isclose(l2_penalty(params_check, 1.0), 9.5), \"l2_penalty(params, lam=1.0) should be 19 / 2 = 9.5: use lam\"\nassert l2_penalty(params_check, 0.0) == 0.0, \"with lam = 0 the penalty is 0\"\nprint(\"l2_penalty: all checks passed\")"
  ],
  [
   "check-l2_gradient",
   "params_check = [(np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([1.0, 1.0])),\n                (np.array([[2.0], [-1.0]]), np.array([5.0]))]\nparams_before = [(W.copy(), b.copy()) for W, b in params_check]\ngrads = l2_gradient(params_check, 0.1)\n# diagnosis: common.input-changed\nassert all(np.array_equal(W, W0) and np.array_equal(b, b0)\n           for (W, b), (W0, b0) in zip(params_check, params_before)), (\n    \"l2_gradient changed `params` in place: build new arrays lam * W and np.zeros_like(b)\")\nassert isinstance(grads, (list, tuple)) and len(grads) == 2, \"l2_gradient returns one (dW, db) tuple per layer\"\nassert all(isinstance(g, (list, tuple)) and len(g) == 2 for g in grads), (\n    \"every entry of the gradient is a tuple (dW, db)\")\nassert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for g in grads for a in g), (\n    \"every dW and db must be a float np.ndarray\")\nassert [(np.shape(dW), np.shape(db)) for dW, db in grads] == [((2, 2), (2,)), ((2, 1), (1,))], (\n    \"the gradient has the shapes of params: dW like W, db like b\")\n# diagnosis: l2_gradient.biases\nassert not (np.allclose(grads[0][1], [0.1, 0.1]) and np.allclose(grads[1][1], [0.5])\n            and np.allclose(grads[0][0], [[0.1, -0.2], [0.0, 0.3]]) and np.allclose(grads[1][0], [[0.2], [-0.1]])), (\n    \"the bias gradient is lam * b: L2 regularization applies to the weights only, so the gradient of every bias is \"\n    \"np.zeros_like(b)\")\nassert np.allclose(grads[0][1], 0.0) and np.allclose(grads[1][1], 0.0), \"the gradient of every bias is zeros\"\n# diagnosis: l2_gradient.doubled\nassert not (np.allclose(grads[0][0], [[0.2, -0.4], [0.0, 0.6]]) and np.allclose(grads[1][0], [[0.4], [-0.2]])), (\n    \"dW is 2 lam W: the derivative of lam / 2 * W ** 2 is lam * W (the 2 cancels the 1/2)\")\n# diagnosis: l2_gradient.halved\nassert not (np.allclose(grads[0][0], [[0.05, -0.1], [0.0, 0.15]]) and np.allclose(grads[1][0], [[0.1], [-0.05]])), (\n    \"dW is lam / 2 * W: the derivative of lam / 2 * W ** 2 is lam * W\")\nassert np.allclose(grads[0][0], [[0.1, -0.2], [0.0, 0.3]]) and np.allclose(grads[1][0], [[0.2], [-0.1]]), (\n    f\"expected dW = lam * W: [[0.1, -0.2], [0, 0.3]] and [[0.2], [-0.1]], got {grads[0][0]} and {grads[1][0]}\")\nprint(\"l2_gradient: all checks passed\")"
  ],
  [
   "check-momentum_step",
   "params_check = [(np.array([[1.0, 2.0]]), np.array([0.5]))]\ngrads_check = [(np.array([[10.0, -10.0]]), np.array([1.0]))]\nvelocity_check = [(np.array([[1.0, 0.0]]), np.array([-1.0]))]\nbefore = [[(a.copy(), c.copy()) for a, c in group] for group in (params_check, grads_check, velocity_check)]\nresult = momentum_step(params_check, grads_check, velocity_check, lr=0.05, beta=0.9)\nhints = {\"params\": \"build new arrays p + v_new, never W += ...\", \"grads\": \"only read the gradients\",\n         \"velocity\": \"build the new velocity beta * v - lr * g as new arrays, never v *= beta\"}\nfor name, group, saved in zip((\"params\", \"grads\", \"velocity\"), (params_check, grads_check, velocity_check), before):\n    # diagnosis: common.input-changed\n    assert all(np.array_equal(a, a0) and np.array_equal(c, c0) for (a, c), (a0, c0) in zip(group, saved)), (\n        f\"momentum_step changed `{name}` in place: {hints[name]}\")\nassert isinstance(result, tuple) and len(result) == 2, \"momentum_step returns a tuple (new_params, new_velocity)\"\nnew_params, new_velocity = result\nfor name, group in ((\"new_params\", new_params), (\"new_velocity\", new_velocity)):\n    assert isinstance(group, (list, tuple)) and len(group) == 1, f\"{name} is a list with one (W, b) tuple per layer\"\n    assert all(isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in group), (\n        f\"every layer of {name} is a tuple (W, b)\")\n    assert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for layer in group for a in layer), (\n        f\"every array of {name} must be a float np.ndarray\")\n\n\ndef _step_is(step, W, b, vW, vb):\n    \"\"\"The step's (W_new, b_new) and (vW_new, vb_new) are these values.\"\"\"\n    (W_new, b_new), (vW_new, vb_new) = step[0][0], step[1][0]\n    return all(np.allclose(x, y) for x, y in ((W_new, W), (b_new, b), (vW_new, vW), (vb_new, vb)))\n\n\nagain = momentum_step(params_check, grads_check, velocity_check, lr=0.05, beta=0.9)\n# diagnosis: common.hidden-state\nassert _step_is(again, *result[0][0], *result[1][0]), (\n    \"momentum_step answered the same call (the same arguments) differently the second time: it keeps state outside \"\n    \"its arguments (a global variable, a mutable default argument); everything it needs must come in through its \"\n    \"arguments and go out through its return value\")\n# diagnosis: momentum_step.ascends\nassert not _step_is(result, [[2.4, 1.5]], [-0.35], [[1.4, -0.5]], [-0.85]), (\n    \"the step goes up the gradient: it equals v_new = beta * v + lr * g, p + v_new; here v_new = beta * v - lr * g \"\n    \"(minus: against the gradient), then p_new = p + v_new\")\n# diagnosis: momentum_step.velocity-subtracted\nassert not _step_is(result, [[0.6, 1.5]], [1.45], [[0.4, 0.5]], [-0.95]), (\n    \"new_params equal p - v_new: with v_new = beta * v - lr * g the update is p + v_new\")\n# diagnosis: momentum_step.no-velocity\nassert not _step_is(result, [[0.5, 2.5]], [0.45], [[1.0, 0.0]], [-1.0]), (\n    \"the step is a plain SGD step and the velocity comes back as it was given: v_new = beta * v - lr * g, \"\n    \"p_new = p + v_new, and return v_new\")\n# diagnosis: momentum_step.ignores-velocity\nassert not _step_is(result, [[0.5, 2.5]], [0.45], [[-0.5, 0.5]], [-0.05]), (\n    \"the incoming velocity is ignored: the step equals v_new = -lr * g; it is v_new = beta * v - lr * g, with v the \"\n    \"velocity passed in\")\n# diagnosis: momentum_step.old-velocity\nassert not _step_is(result, [[2.0, 2.0]], [-0.5], [[0.4, 0.5]], [-0.95]), (\n    \"new_params equal p + v with the velocity passed in: update with the new one, p_new = p + v_new, \"\n    \"v_new = beta * v - lr * g\")\n# diagnosis: momentum_step.stale-velocity\nassert not _step_is(result, [[1.4, 2.5]], [-0.45], [[1.0, 0.0]], [-1.0]), (\n    \"new_params are right, but the returned velocity is the one passed in: return v_new = beta * v - lr * g\")\n# diagnosis: momentum_step.classic-form\nassert not _step_is(result, [[0.455, 2.5]], [0.495], [[10.9, -10.0]], [0.1]), (\n    \"the step follows another convention, v = beta * v + g, p - lr * v; this notebook's is v_new = beta * v - lr * g \"\n    \"and p_new = p + v_new\")\n# diagnosis: momentum_step.ema-form\nassert not _step_is(result, [[0.905, 2.05]], [0.54], [[1.9, -1.0]], [-0.8]), (\n    \"the step follows the averaging form v = beta * v + (1 - beta) * g, p - lr * v; this notebook's momentum is \"\n    \"v_new = beta * v - lr * g and p_new = p + v_new\")\nassert _step_is(result, [[1.4, 2.5]], [-0.45], [[0.4, 0.5]], [-0.95]), (\n    f\"with lr = 0.05 and beta = 0.9: v_new = beta * v - lr * g should be [[0.4, 0.5]] and [-0.95], and \"\n    f\"p_new = p + v_new [[1.4, 2.5]] and [-0.45]; got velocity {new_velocity[0][0]} and {new_velocity[0][1]}, \"\n    f\"params {new_params[0][0]} and {new_params[0][1]}\")\nresult_half = momentum_step(params_check, grads_check, velocity_check, lr=0.05, beta=0.5)\n# diagnosis: momentum_step.fixed-beta\nassert not _step_is(result_half, [[1.4, 2.5]], [-0.45], [[0.4, 0.5]], [-0.95]), (\n    \"momentum_step(..., beta=0.5) used beta = 0.9: use the argument beta\")\nassert _step_is(result_half, [[1.0, 2.5]], [-0.05], [[0.0, 0.5]], [-0.55]), (\n    f\"with beta = 0.5 expected v_new = [[0, 0.5]] and [-0.55], W_new = [[1, 2.5]] and [-0.05], got velocity \"\n    f\"{result_half[1][0]} and params {result_half[0][0]}\")\nresult_default = momentum_step(params_check, grads_check, velocity_check, lr=0.05)\nif not _step_is(result_default, [[1.4, 2.5]], [-0.45], [[0.4, 0.5]], [-0.95]):\n    # diagnosis: momentum_step.default-beta\n    assert not _step_is(momentum_step(params_check, grads_check, velocity_check, 0.05, 0.9),\n                        [[1.4, 2.5]], [-0.45], [[0.4, 0.5]], [-0.95]), (\n        \"momentum_step(params, grads, velocity, lr) without beta is wrong, while the same call with beta=0.9 is \"\n        \"right: keep the default of the signature, beta=0.9\")\n    raise AssertionError(f\"with the default beta = 0.9 expected W_new = [[1.4, 2.5]], got {result_default[0][0]}\")\nprint(\"momentum_step: all checks passed\")"
  ],
  [
   "check-adam_step",
   "params_check = [(np.array([[1.0, -2.0, 0.5]]), np.array([0.0]))]\ngrads_check = [(np.array([[0.5, -3.0, 1e-5]]), np.array([2.0]))]\nstate_check = {\"t\": 0, \"m\": [(np.zeros((1, 3)), np.zeros(1))], \"v\": [(np.zeros((1, 3)), np.zeros(1))]}\nhints = {\"params\": \"build new arrays p - lr * m_hat / (np.sqrt(v_hat) + eps), never W -= ...\",\n         \"grads\": \"only read the gradients\",\n         \"state\": \"return a new dict {'t': ..., 'm': [...], 'v': [...]} with new arrays; leave the given state \"\n                  \"(its t, m and v) as it is\"}\n\n\ndef _unchanged(params, grads, state, saved):\n    \"\"\"Which of params, grads, state the call changed (compared with the copies in saved).\"\"\"\n    now = {\"params\": params, \"grads\": grads, \"m\": state.get(\"m\"), \"v\": state.get(\"v\")}\n    changed = [name for name in (\"params\", \"grads\") if not all(\n        np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(now[name], saved[name]))]\n    same_state = set(state) == {\"t\", \"m\", \"v\"} and state[\"t\"] == saved[\"t\"] and all(\n        isinstance(now[k], list) and len(now[k]) == len(saved[k]) and all(\n            np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(now[k], saved[k]))\n        for k in (\"m\", \"v\"))\n    return changed + ([] if same_state else [\"state\"])\n\n\ndef _saved(params, grads, state):\n    return {\"params\": [(W.copy(), b.copy()) for W, b in params], \"grads\": [(W.copy(), b.copy()) for W, b in grads],\n            \"t\": state[\"t\"], \"m\": [(W.copy(), b.copy()) for W, b in state[\"m\"]],\n            \"v\": [(W.copy(), b.copy()) for W, b in state[\"v\"]]}\n\n\nsaved = _saved(params_check, grads_check, state_check)\nwith np.errstate(divide=\"ignore\", invalid=\"ignore\"):\n    result = adam_step(params_check, grads_check, state_check, lr=0.1)\nfor name in _unchanged(params_check, grads_check, state_check, saved):\n    # diagnosis: common.input-changed\n    raise AssertionError(f\"adam_step changed `{name}` in place: {hints[name]}\")\nassert isinstance(result, tuple) and len(result) == 2, \"adam_step returns a tuple (new_params, new_state)\"\nnew_params, new_state = result\nassert isinstance(new_params, (list, tuple)) and len(new_params) == 1 and all(\n    isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in new_params), (\n    \"new_params is a list with one (W, b) tuple per layer\")\nassert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for layer in new_params for a in layer), (\n    \"every array of new_params must be a float np.ndarray\")\nassert isinstance(new_state, dict) and set(new_state) >= {\"t\", \"m\", \"v\"}, (\n    \"new_state is a dict {'t': t, 'm': [...], 'v': [...]}\")\nW_new, b_new = new_params[0]\nwith np.errstate(divide=\"ignore\", invalid=\"ignore\"):\n    again = adam_step(params_check, grads_check, state_check, lr=0.1)\n# diagnosis: common.hidden-state\nassert np.allclose(again[0][0][0], W_new, equal_nan=True) and again[1][\"t\"] == new_state[\"t\"], (\n    \"adam_step answered the same call (the same arguments) differently the second time: it keeps state outside its \"\n    \"arguments (a global variable, a mutable default argument); everything it needs must come in through its \"\n    \"arguments and go out through its return value\")\n# diagnosis: adam_step.t-not-advanced\nassert new_state[\"t\"] != 0, \"new_state['t'] is 0, the t it was given: return t = state['t'] + 1\"\nassert new_state[\"t\"] == 1, f\"t is incremented before the step: t = state['t'] + 1 = 1, got {new_state['t']!r}\"\n# diagnosis: adam_step.old-t\nassert not np.allclose(W_new, [[np.nan, np.nan, np.nan]], equal_nan=True), (\n    \"the bias correction uses the t it was given: first t = state['t'] + 1, then correct with that t\")\n# diagnosis: adam_step.no-bias-correction\nassert not np.allclose(W_new, [[0.68377243, -1.68377227, 0.1934657]]), (\n    \"the step has no bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t)\")\n# diagnosis: adam_step.eps-inside-sqrt\nassert not np.allclose(W_new, [[0.9, -1.9, 0.49004963]]), (\n    \"eps is inside the square root: the update divides by np.sqrt(v_hat) + eps\")\n# diagnosis: adam_step.eps-before-correction\nassert not np.allclose(W_new, [[0.90000006, -1.90000001, 0.40306534]]), (\n    \"the bias correction is folded into the step size, so eps is added to the uncorrected sqrt(v) (the paper's faster \"\n    \"form); this notebook's step adds eps after the correction: p - lr * m_hat / (np.sqrt(v_hat) + eps)\")\nassert np.allclose(W_new, [[0.9, -1.9, 0.4000999]]) and np.allclose(b_new, [-0.1]), (\n    f\"the first step from a zero state moves every entry by about lr = 0.1 against its gradient: expected \"\n    f\"[[0.9, -1.9, 0.4000999]] and [-0.1], got {W_new} and {b_new}\")\n(mW, mb), (vW, vb) = new_state[\"m\"][0], new_state[\"v\"][0]\n# diagnosis: adam_step.hat-stored\nassert not (np.allclose(mW, [[0.5, -3.0, 1e-5]]) and np.allclose(vW, [[0.25, 9.0, 1e-10]])), (\n    \"new_state holds m_hat and v_hat: store the uncorrected moments m and v (the running averages before the \"\n    \"division by 1 - beta**t)\")\nassert np.allclose(mW, [[0.05, -0.3, 1e-6]]) and np.allclose(mb, [0.2]), (\n    f\"m = beta1 * m + (1 - beta1) * g should be [[0.05, -0.3, 1e-6]] and [0.2], got {mW} and {mb}\")\nassert np.allclose(vW, [[2.5e-4, 9e-3, 1e-13]], rtol=1e-6, atol=0) and np.allclose(vb, [4e-3]), (\n    f\"v = beta2 * v + (1 - beta2) * g ** 2 should be [[2.5e-4, 9e-3, 1e-13]] and [4e-3], got {vW} and {vb}\")\nstate_later = {\"t\": 2, \"m\": [(np.array([[0.1, -0.2, 0.0]]), np.array([0.3]))],\n               \"v\": [(np.array([[0.01, 0.04, 0.0]]), np.array([0.02]))]}\nsaved = _saved(params_check, grads_check, state_later)\nwith np.errstate(divide=\"ignore\", invalid=\"ignore\"):\n    params_later, state_after = adam_step(params_check, grads_check, state_later, lr=0.1)\nfor name in _unchanged(params_check, grads_check, state_later, saved):\n    # diagnosis: common.input-changed\n    raise AssertionError(f\"adam_step changed `{name}` in place: {hints[name]}\")\n# diagnosis: adam_step.t-not-advanced\nassert state_after[\"t\"] != 2, \"new_state['t'] is 2, the t it was given: return t = state['t'] + 1\"\nassert state_after[\"t\"] == 3, f\"from state['t'] = 2 the new state has t = 3, got {state_after['t']!r}\"\nW_later = params_later[0][0]\n# diagnosis: adam_step.old-t\nassert not np.allclose(W_later, [[0.96744401, -1.94895264, 0.42569138]]), (\n    \"the bias correction uses the t it was given: first t = state['t'] + 1, then correct with that t\")\n# diagnosis: adam_step.one-minus-beta\nassert not np.allclose(W_later, [[0.95625, -1.93140057, 0.4000999]]), (\n    \"the bias correction divides by 1 - beta1 and 1 - beta2, right only at t = 1: divide by 1 - beta1**t and \"\n    \"1 - beta2**t\")\n# diagnosis: adam_step.v-from-m\nassert not np.allclose(W_later, [[0.99106331, np.nan, 0.43622904]], equal_nan=True), (\n    \"the step equals one that reads the old second moment from state['m'] (the square root of a negative m is NaN): \"\n    \"v = beta2 * state['v'] + (1 - beta2) * g ** 2\")\nassert np.allclose(W_later, [[0.97205191, -1.95617775, 0.43622904]]) and np.allclose(\n    params_later[0][1], [-0.06131227]), (\n    f\"from state t = 2 expected W = [[0.97205191, -1.95617775, 0.43622904]] and b = [-0.06131227], got \"\n    f\"{W_later} and {params_later[0][1]}\")\nparams_custom, _ = adam_step(params_check, grads_check, state_later, lr=0.1, beta1=0.5, beta2=0.9, eps=1e-3)\nassert np.allclose(params_custom[0][0], [[0.90347629, -1.90166117, 0.49943202]]), (\n    f\"with beta1=0.5, beta2=0.9, eps=1e-3 expected W = [[0.90347629, -1.90166117, 0.49943202]], got \"\n    f\"{params_custom[0][0]}: use the arguments beta1, beta2 and eps\")\nprint(\"adam_step: all checks passed\")"
  ],
  [
   "check-train",
   "X_six = np.array([[0.0, 1.0], [1.0, -1.0], [-1.0, 0.5], [2.0, 0.0], [-0.5, -2.0], [1.5, 1.5]])\ny_six = np.array([0, 1, 1, 0, 1, 0])\nX_six_before, y_six_before = X_six.copy(), y_six.copy()\noptimizers_check = {\"sgd\": {\"name\": \"sgd\", \"lr\": 0.1}, \"momentum\": {\"name\": \"momentum\", \"lr\": 0.05, \"beta\": 0.9},\n                    \"adam\": {\"name\": \"adam\", \"lr\": 0.01}}\nhint = (\"shuffle by indexing, X[batch] and y[batch] with the permutation; never shuffle or scale the arrays you are \"\n        \"given\")\nruns = {}\nfor name, optimizer in optimizers_check.items():\n    result = train(X_six, y_six, [2, 4, 2], optimizer, epochs=2, batch_size=4, seed=0)\n    # diagnosis: common.input-changed\n    assert np.array_equal(X_six, X_six_before), f\"train changed `X` in place: {hint}\"\n    # diagnosis: common.input-changed\n    assert np.array_equal(y_six, y_six_before), f\"train changed `y` in place: {hint}\"\n    assert isinstance(result, tuple) and len(result) == 2, f\"train returns a tuple (params, history) (optimizer {name})\"\n    params_run, history_run = result\n    assert isinstance(history_run, dict) and len(history_run.get(\"loss\", [])) == 2, (\n        f\"return history = {{'loss': [...]}} with one value per epoch (2 here), optimizer {name}\")\n    assert all(isinstance(v, float) for v in history_run[\"loss\"]), (\n        \"append one Python float per epoch to history['loss']\")\n    assert isinstance(params_run, (list, tuple)) and len(params_run) == 2 and all(\n        isinstance(layer, (list, tuple)) and len(layer) == 2 and all(type(a) is np.ndarray for a in layer)\n        for layer in params_run), \"return params as a list of (W, b) tuples of np.ndarrays\"\n    assert [(W.shape, b.shape) for W, b in params_run] == [((2, 4), (4,)), ((4, 2), (2,))], (\n        \"params has the shapes of layer_sizes [2, 4, 2]\")\n    runs[name] = result\nparams_again, history_again = train(X_six, y_six, [2, 4, 2], optimizers_check[\"adam\"], epochs=2, batch_size=4, seed=0)\n# diagnosis: common.hidden-state\nassert history_again[\"loss\"] == runs[\"adam\"][1][\"loss\"] and all(\n    np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(params_again, runs[\"adam\"][0])), (\n    \"train answered the same call (the same arguments) differently the second time: it keeps state outside its \"\n    \"arguments (a global variable, a mutable default argument); everything it needs must come in through its \"\n    \"arguments and go out through its return value\")\nstart = init_params([2, 4, 2], np.random.default_rng(0), \"he\")\n# diagnosis: train.no-update\nassert not all(np.allclose(W, W0) for (W, _), (W0, _) in zip(runs[\"sgd\"][0], start)), (\n    \"with sgd the parameters did not change: train takes no step\")\nW2_sgd = runs[\"sgd\"][0][1][0][:, 0]\n# diagnosis: train.no-shuffle\nassert not np.allclose(W2_sgd, [-0.56952007, -0.39681993, -1.29892522, -0.68469026]), (\n    \"the trained parameters equal a run that never shuffles: draw rng.permutation(N) at the start of every epoch\")\n# diagnosis: train.init-ignored\nassert not np.allclose(W2_sgd, [-0.77299379, -0.58716461, -2.06152652, -1.09906856]), (\n    \"the trained parameters equal a run that initializes with init_params's default scheme, 'standard': pass \"\n    \"`init` to init_params\")\nassert np.allclose(W2_sgd, [-0.56422539, -0.40622833, -1.37830916, -0.73923327]), (\n    f\"with {{'name': 'sgd', 'lr': 0.1}}, 2 epochs, batch_size 4 and seed 0 the first column of W_2 should be \"\n    f\"[-0.56422539, -0.40622833, -1.37830916, -0.73923327], got {W2_sgd}\")\n# diagnosis: train.loss-after-epoch\nassert not np.allclose(runs[\"sgd\"][1][\"loss\"], [1.56861073, 1.18797153]), (\n    \"history['loss'] holds the loss on all of X after each epoch; it is the mean of the batch losses, each taken \"\n    \"before its batch's step and weighted by the batch size\")\nassert np.allclose(runs[\"sgd\"][1][\"loss\"], [2.10791792, 1.51227648]), (\n    f\"with {{'name': 'sgd', 'lr': 0.1}}, 2 epochs, batch_size 4 and seed 0, history['loss'] should be \"\n    f\"[2.10791792, 1.51227648], got {runs['sgd'][1]['loss']}\")\nparams_frozen, history_frozen = train(X_six, y_six, [2, 4, 2], {\"name\": \"sgd\", \"lr\": 0.0}, epochs=2, batch_size=4,\n                                      seed=0, lam=0.1)\nassert all(np.allclose(W, W0) for (W, _), (W0, _) in zip(params_frozen, start)), (\n    \"with lr = 0 train returns the network it starts from, which is init_params(layer_sizes, rng, init) with \"\n    \"the generator np.random.default_rng(seed) and the default init 'he'; yours differs from it\")\nlosses = np.array(history_frozen[\"loss\"])\n# diagnosis: train.no-l2-in-loss\nassert not np.allclose(losses, 2.07977168), (\n    \"history['loss'] leaves out the L2 penalty: record the data loss plus l2_penalty(params, lam)\")\nassert np.allclose(losses, 2.50396701), (\n    f\"with lr = 0 and lam = 0.1 every epoch's loss is the data loss 2.07977168 plus the penalty 0.42419533, \"\n    f\"2.50396701: weight the batch losses by batch size, sum over all batches (the last one is smaller), \"\n    f\"divide by N; got {losses}\")\nW2_adam = runs[\"adam\"][0][1][0][:, 0]\n# diagnosis: train.optimizer-ignored\nassert not np.allclose(W2_adam, [-0.50438999, -0.43650023, -1.61379561, -0.86537226]), (\n    \"the trained parameters equal plain SGD steps with the optimizer's lr: get the state with \"\n    \"init_state(optimizer, params) and step with optimizer_step(optimizer, params, grads, state)\")\n# diagnosis: train.state-not-carried\nassert not np.allclose(W2_adam, [-0.53761595, -0.4207216, -1.62404502, -0.86099208]), (\n    \"the trained parameters equal a run whose optimizer state starts afresh at every step: keep the state that \"\n    \"optimizer_step returns and pass it to the next step\")\nexpected_W2 = {\"momentum\": [-0.56292583, -0.40183297, -1.30758411, -0.71207619],\n               \"adam\": [-0.53354515, -0.41616804, -1.6115133, -0.8504105]}\nfor name in (\"momentum\", \"adam\"):\n    assert np.allclose(runs[name][0][1][0][:, 0], expected_W2[name]), (\n        f\"with {optimizers_check[name]} the first column of W_2 should be {expected_W2[name]}, got \"\n        f\"{runs[name][0][1][0][:, 0]}\")\nparams_l2, history_l2 = train(X_six, y_six, [2, 4, 2], optimizers_check[\"sgd\"], epochs=2, batch_size=4, seed=0,\n                              lam=0.1)\n# diagnosis: train.no-l2-gradient\nassert not np.allclose(params_l2[1][0][:, 0], [-0.56422539, -0.40622833, -1.37830916, -0.73923327]), (\n    \"the trained parameters equal a run without the L2 gradient: add l2_gradient(params, lam) to the gradients of \"\n    \"every layer before the optimizer step\")\nassert np.allclose(params_l2[1][0][:, 0], [-0.54246903, -0.39019701, -1.32290594, -0.70962395]), (\n    f\"with lam = 0.1 the first column of W_2 should be [-0.54246903, -0.39019701, -1.32290594, -0.70962395], got \"\n    f\"{params_l2[1][0][:, 0]}\")\nassert np.allclose(history_l2[\"loss\"], [2.51474505, 1.82153241]), (\n    f\"with lam = 0.1 history['loss'] should be [2.51474505, 1.82153241], got {history_l2['loss']}\")\nparams_tanh, _ = train(X_six, y_six, [2, 4, 2], optimizers_check[\"sgd\"], epochs=2, batch_size=4, seed=0,\n                       init=\"lecun\", activation=\"tanh\")\n# diagnosis: train.activation-ignored\nassert not np.allclose(params_tanh[1][0][:, 0], [-0.39790644, -0.2896372, -0.991143, -0.53248199]), (\n    \"the trained parameters equal a run with ReLU: pass `activation` to forward and backward\")\nassert np.allclose(params_tanh[1][0][:, 0], [-0.42412893, -0.26809152, -0.98847703, -0.48750031]), (\n    f\"with init='lecun' and activation='tanh' the first column of W_2 should be [-0.42412893, -0.26809152, \"\n    f\"-0.98847703, -0.48750031], got {params_tanh[1][0][:, 0]}\")\nparams_drop, _ = train(X_six, y_six, [2, 4, 2], optimizers_check[\"sgd\"], epochs=2, batch_size=4, seed=0,\n                       keep_prob=0.5)\n# diagnosis: train.dropout-off\nassert not np.allclose(params_drop[1][0][:, 0], [-0.56422539, -0.40622833, -1.37830916, -0.73923327]), (\n    \"the trained parameters equal a run without dropout: pass keep_prob and the run's generator rng to forward (the \"\n    \"dropout masks are drawn from it)\")\nassert np.allclose(params_drop[1][0][:, 0], [-0.61106667, -0.42380381, -1.42357072, -0.79660297]), (\n    f\"with keep_prob = 0.5 the first column of W_2 should be [-0.61106667, -0.42380381, -1.42357072, \"\n    f\"-0.79660297], got {params_drop[1][0][:, 0]}\")\nX_tiny = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]) * 2 - 1\ny_tiny = np.array([0, 1, 1, 0])\nfor name, optimizer in ((\"sgd\", {\"name\": \"sgd\", \"lr\": 0.1}), (\"momentum\", {\"name\": \"momentum\", \"lr\": 0.05}),\n                        (\"adam\", {\"name\": \"adam\", \"lr\": 0.05})):\n    params_tiny, history_tiny = train(X_tiny, y_tiny, [2, 8, 2], optimizer, epochs=100, batch_size=2, seed=0)\n    assert len(history_tiny[\"loss\"]) == 100, \"history['loss'] needs one value per epoch\"\n    assert history_tiny[\"loss\"][-1] < history_tiny[\"loss\"][0], f\"the loss should go down while training ({name})\"\n    assert accuracy(predict(params_tiny, X_tiny), y_tiny) == 1.0, (\n        f\"a small network trained with {name} should learn the 4 XOR points\")\nprint(\"train: all checks passed\")"
  ]
 ],
 "calls": {
  "adam_step": [],
  "bce_with_logits": [],
  "bce_with_logits_backward": [],
  "dropout_backward": [],
  "dropout_forward": [],
  "elu_backward": [],
  "elu_forward": [],
  "init_params": [],
  "l2_gradient": [],
  "l2_penalty": [],
  "leaky_relu_backward": [],
  "leaky_relu_forward": [],
  "momentum_step": [],
  "mse": [],
  "mse_backward": [],
  "tanh_backward": [],
  "tanh_forward": [],
  "train": [
   "adam_step",
   "dropout_backward",
   "dropout_forward",
   "elu_backward",
   "elu_forward",
   "init_params",
   "l2_gradient",
   "l2_penalty",
   "leaky_relu_backward",
   "leaky_relu_forward",
   "momentum_step",
   "tanh_backward",
   "tanh_forward"
  ]
 },
 "check_uses": {
  "adam_step": [],
  "bce_with_logits": [],
  "bce_with_logits_backward": [],
  "dropout_backward": [],
  "dropout_forward": [],
  "elu_backward": [],
  "elu_forward": [],
  "init_params": [],
  "l2_gradient": [],
  "l2_penalty": [],
  "leaky_relu_backward": [],
  "leaky_relu_forward": [],
  "momentum_step": [],
  "mse": [],
  "mse_backward": [],
  "tanh_backward": [],
  "tanh_forward": [],
  "train": [
   "adam_step",
   "dropout_backward",
   "dropout_forward",
   "elu_backward",
   "elu_forward",
   "init_params",
   "l2_gradient",
   "l2_penalty",
   "leaky_relu_backward",
   "leaky_relu_forward",
   "momentum_step",
   "tanh_backward",
   "tanh_forward"
  ]
 },
 "kinds": "check.kinds-trained",
 "roles": {
  "setup-imports": "setup",
  "setup-network": "setup",
  "solution-tanh_forward": "solution",
  "check-tanh_forward": "check",
  "test-tanh_forward": "test",
  "solution-tanh_backward": "solution",
  "check-tanh_backward": "check",
  "test-tanh_backward": "test",
  "solution-leaky_relu_forward": "solution",
  "check-leaky_relu_forward": "check",
  "test-leaky_relu_forward": "test",
  "solution-leaky_relu_backward": "solution",
  "check-leaky_relu_backward": "check",
  "test-leaky_relu_backward": "test",
  "solution-elu_forward": "solution",
  "check-elu_forward": "check",
  "test-elu_forward": "test",
  "solution-elu_backward": "solution",
  "check-elu_backward": "check",
  "test-elu_backward": "test",
  "solution-bce_with_logits": "solution",
  "check-bce_with_logits": "check",
  "test-bce_with_logits": "test",
  "solution-bce_with_logits_backward": "solution",
  "check-bce_with_logits_backward": "check",
  "test-bce_with_logits_backward": "test",
  "solution-mse": "solution",
  "check-mse": "check",
  "test-mse": "test",
  "solution-mse_backward": "solution",
  "check-mse_backward": "check",
  "test-mse_backward": "test",
  "solution-init_params": "solution",
  "check-init_params": "check",
  "test-init_params": "test",
  "solution-dropout_forward": "solution",
  "check-dropout_forward": "check",
  "test-dropout_forward": "test",
  "solution-dropout_backward": "solution",
  "check-dropout_backward": "check",
  "test-dropout_backward": "test",
  "answer-inverted-dropout": "answer",
  "solution-l2_penalty": "solution",
  "check-l2_penalty": "check",
  "test-l2_penalty": "test",
  "solution-l2_gradient": "solution",
  "check-l2_gradient": "check",
  "test-l2_gradient": "test",
  "answer-l2-biases": "answer",
  "solution-momentum_step": "solution",
  "check-momentum_step": "check",
  "test-momentum_step": "test",
  "solution-adam_step": "solution",
  "check-adam_step": "check",
  "test-adam_step": "test",
  "answer-adam-bias-correction": "answer",
  "solution-train": "solution",
  "check-train": "check",
  "test-train": "test",
  "demo-optimizers": "demo",
  "demo-initialization": "demo",
  "demo-vanishing-gradients": "demo",
  "demo-regularization": "demo",
  "demo-regression": "demo",
  "demo-binary-classification": "demo"
 },
 "setup": [
  [
   "setup-imports",
   "import json\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\nimport numpy as np\n\nfrom toy2d import DATASETS, load_dataset, plot_dataset, plot_decision_regions\n\n# Training settings for every dataset (also used when your notebook is graded).\nHYPERPARAMETERS = json.loads(Path(\"hyperparameters.json\").read_text())\n\n\ndef rel_error(a, b):\n    \"\"\"Largest relative difference between two arrays (0 means identical).\"\"\"\n    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))"
  ],
  [
   "setup-network",
   "# ---------------------------------------------------------------------------------------------\n# Assignment 1's reference answers (released after its deadline). predict is replaced below.\n# ---------------------------------------------------------------------------------------------\n\ndef standardize(X, mean=None, std=None):\n    \"\"\"(X - mean) / std per column, with X's own mean and std unless given; returns (X_std, mean, std).\"\"\"\n    if mean is None:\n        mean = X.mean(axis=0)\n    if std is None:\n        std = X.std(axis=0)\n    return (X - mean) / std, mean, std\n\n\ndef linear_forward(X, W, b):\n    \"\"\"Z = X @ W + b for a batch X (N, c_in), W (c_in, c_out), b (c_out,): Z (N, c_out).\"\"\"\n    return X @ W + b\n\n\ndef relu_forward(Z):\n    \"\"\"Element-wise ReLU, max(0, Z).\"\"\"\n    return np.maximum(Z, 0.0)\n\n\ndef sigmoid(Z):\n    \"\"\"Element-wise logistic sigmoid 1 / (1 + exp(-Z)), without overflow.\"\"\"\n    Z = np.asarray(Z, dtype=float)\n    S = np.empty_like(Z)\n    positive = Z >= 0\n    S[positive] = 1.0 / (1.0 + np.exp(-Z[positive]))\n    exp_z = np.exp(Z[~positive])\n    S[~positive] = exp_z / (1.0 + exp_z)\n    return S\n\n\ndef softmax(logits):\n    \"\"\"Row-wise softmax of logits (N, K), numerically stable: P (N, K).\"\"\"\n    shifted = logits - logits.max(axis=1, keepdims=True)\n    exp = np.exp(shifted)\n    return exp / exp.sum(axis=1, keepdims=True)\n\n\ndef softmax_cross_entropy(logits, y):\n    \"\"\"Mean softmax cross-entropy of logits (N, K) and int labels y (N,), a Python float.\"\"\"\n    shifted = logits - logits.max(axis=1, keepdims=True)\n    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n    return float(-log_probs[np.arange(len(y)), y].mean())\n\n\ndef accuracy(y_pred, y):\n    \"\"\"Fraction of correct predictions, a Python float.\"\"\"\n    return float(np.mean(np.asarray(y_pred) == np.asarray(y)))\n\n\ndef linear_backward(dZ, X, W):\n    \"\"\"Backward pass of Z = X @ W + b: (dX (N, c_in), dW (c_in, c_out), db (c_out,)).\"\"\"\n    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)\n\n\ndef relu_backward(dA, Z):\n    \"\"\"Backward pass of ReLU: dA where Z > 0, 0 elsewhere.\"\"\"\n    return dA * (Z > 0)\n\n\ndef softmax_cross_entropy_backward(logits, y):\n    \"\"\"Gradient of the mean softmax cross-entropy: (softmax(logits) - onehot(y)) / N, shape (N, K).\"\"\"\n    dlogits = softmax(logits)\n    dlogits[np.arange(len(y)), y] -= 1.0\n    return dlogits / len(y)\n\n\ndef sgd_step(params, grads, lr):\n    \"\"\"One SGD step: a new list [(W - lr * dW, b - lr * db), ...].\"\"\"\n    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]\n\n\n# ---------------------------------------------------------------------------------------------\n# New given helpers. They call your functions of this notebook (tanh_forward, dropout_forward,\n# momentum_step, ...), looked up when they run: they work once you have written them.\n# ---------------------------------------------------------------------------------------------\n\ndef sigmoid_backward(dA, Z):\n    \"\"\"\n    Backward pass of the sigmoid A = sigmoid(Z): dZ = dA * s * (1 - s) with s = sigmoid(Z).\n\n    Inputs:\n    - dA: array of any shape, gradient of the loss with respect to A.\n    - Z: array of the same shape, the sigmoid's input in the forward pass.\n\n    Returns:\n    - dZ: array of the same shape as Z.\n    \"\"\"\n    s = sigmoid(Z)\n    return dA * s * (1 - s)\n\n\n#: The activations a network can use between its layers.\nACTIVATIONS = (\"relu\", \"sigmoid\", \"tanh\", \"leaky_relu\", \"elu\")\n\n\ndef _check_activation(name):\n    if name not in ACTIVATIONS:\n        raise ValueError(f\"unknown activation {name!r}: use one of {', '.join(ACTIVATIONS)}\")\n\n\ndef activation_forward(name, Z):\n    \"\"\"\n    The activation called `name` applied to Z (leaky_relu and elu with their default alpha).\n\n    Inputs:\n    - name: one of ACTIVATIONS.\n    - Z: array of any shape.\n\n    Returns:\n    - A: array of the same shape as Z.\n    \"\"\"\n    _check_activation(name)\n    functions = {\"relu\": relu_forward, \"sigmoid\": sigmoid, \"tanh\": tanh_forward,\n                 \"leaky_relu\": leaky_relu_forward, \"elu\": elu_forward}\n    return functions[name](Z)\n\n\ndef activation_backward(name, dA, Z):\n    \"\"\"\n    Backward pass of the activation called `name`.\n\n    Inputs:\n    - name: one of ACTIVATIONS.\n    - dA: array of any shape, gradient of the loss with respect to the activation's output.\n    - Z: array of the same shape, the activation's input in the forward pass.\n\n    Returns:\n    - dZ: array of the same shape as Z.\n    \"\"\"\n    _check_activation(name)\n    functions = {\"relu\": relu_backward, \"sigmoid\": sigmoid_backward, \"tanh\": tanh_backward,\n                 \"leaky_relu\": leaky_relu_backward, \"elu\": elu_backward}\n    return functions[name](dA, Z)\n\n\ndef forward(params, X, activation=\"relu\", keep_prob=1.0, rng=None):\n    \"\"\"\n    Forward pass of the MLP: every hidden layer is Z = A_prev @ W + b, A = activation(Z),\n    followed by dropout when keep_prob < 1; the last layer is linear only (no activation, no\n    dropout).\n\n    Inputs:\n    - params: list of n tuples (W, b).\n    - X: array of shape (N, c_0).\n    - activation: one of ACTIVATIONS, used after every hidden layer.\n    - keep_prob: float in (0, 1]; below 1, dropout_forward(A, keep_prob, rng, train=rng is not None)\n      follows every hidden activation.\n    - rng: np.random.Generator drawing the dropout masks (training); None means test mode, where\n      dropout_forward returns A unchanged.\n\n    Returns a tuple of:\n    - logits: array of shape (N, c_n).\n    - cache: list of n tuples (A_prev, Z, mask), one per layer in order: the layer's input\n      (X for the first layer), its output Z before the activation, and the dropout mask applied\n      after its activation (None when there is no dropout, and always None for the last layer).\n    \"\"\"\n    cache = []\n    A = X\n    last = len(params) - 1\n    for i, (W, b) in enumerate(params):\n        Z = linear_forward(A, W, b)\n        mask = None\n        if i < last:\n            A_out = activation_forward(activation, Z)\n            if keep_prob < 1.0:\n                A_out, mask = dropout_forward(A_out, keep_prob, rng, train=rng is not None)\n        else:\n            A_out = Z\n        cache.append((A, Z, mask))\n        A = A_out\n    return A, cache\n\n\ndef backward(params, cache, dlogits, activation=\"relu\"):\n    \"\"\"\n    Backpropagation through the MLP built by forward (with the same activation).\n\n    Inputs:\n    - params: list of n tuples (W, b).\n    - cache: the list of n tuples (A_prev, Z, mask) returned by forward.\n    - dlogits: array of shape (N, c_n), gradient of the loss with respect to the logits.\n    - activation: the activation forward used.\n\n    Returns:\n    - grads: list of n tuples (dW, db) in layer order, shaped like params.\n    \"\"\"\n    grads = [None] * len(params)\n    dZ = dlogits\n    for i in reversed(range(len(params))):\n        W, _ = params[i]\n        A_prev, _, _ = cache[i]\n        dA_prev, dW, db = linear_backward(dZ, A_prev, W)\n        grads[i] = (dW, db)\n        if i > 0:\n            _, Z_prev, mask_prev = cache[i - 1]\n            if mask_prev is not None:\n                dA_prev = dropout_backward(dA_prev, mask_prev)\n            dZ = activation_backward(activation, dA_prev, Z_prev)\n    return grads\n\n\ndef predict(params, X, activation=\"relu\"):\n    \"\"\"Predicted class of every example, int array (N,): the index of its largest logit (test mode, no dropout).\"\"\"\n    logits, _ = forward(params, X, activation)\n    return np.argmax(logits, axis=1)\n\n\ndef zeros_like_params(params):\n    \"\"\"A list of (W, b)-shaped tuples of zeros, one per layer of params.\"\"\"\n    return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]\n\n\n#: The optimizers optimizer_step knows.\nOPTIMIZERS = (\"sgd\", \"momentum\", \"adam\")\n\n\ndef _optimizer_name(optimizer):\n    name = optimizer if isinstance(optimizer, str) else optimizer[\"name\"]\n    if name not in OPTIMIZERS:\n        raise ValueError(f\"unknown optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}\")\n    return name\n\n\ndef init_state(optimizer, params):\n    \"\"\"\n    The starting state of an optimizer.\n\n    Inputs:\n    - optimizer: a dict such as {\"name\": \"adam\", \"lr\": 0.01}; its \"name\" is one of OPTIMIZERS.\n    - params: list of n tuples (W, b), the network the optimizer will update.\n\n    Returns:\n    - state: None for \"sgd\"; zeros_like_params(params) (the velocity) for \"momentum\";\n      {\"t\": 0, \"m\": zeros_like_params(params), \"v\": zeros_like_params(params)} for \"adam\".\n    \"\"\"\n    name = _optimizer_name(optimizer)\n    if name == \"sgd\":\n        return None\n    if name == \"momentum\":\n        return zeros_like_params(params)\n    return {\"t\": 0, \"m\": zeros_like_params(params), \"v\": zeros_like_params(params)}\n\n\ndef optimizer_step(optimizer, params, grads, state):\n    \"\"\"\n    One update of params by the optimizer, with its hyperparameters from the dict.\n\n    Inputs:\n    - optimizer: a dict with \"name\" (\"sgd\", \"momentum\" or \"adam\") and the keyword arguments of\n      the step function: {\"name\": \"sgd\", \"lr\": 0.1}, {\"name\": \"momentum\", \"lr\": 0.05, \"beta\": 0.9},\n      {\"name\": \"adam\", \"lr\": 0.01} (beta1, beta2 and eps are optional).\n    - params: list of n tuples (W, b).\n    - grads: list of n tuples (dW, db) shaped like params.\n    - state: the optimizer's state (from init_state or the previous step).\n\n    Returns a tuple of:\n    - new_params: list of n tuples (W, b) after the step.\n    - new_state: the optimizer's state after the step (None for \"sgd\").\n    \"\"\"\n    name = _optimizer_name(optimizer)\n    settings = {key: value for key, value in optimizer.items() if key != \"name\"}\n    if name == \"sgd\":\n        return sgd_step(params, grads, **settings), state\n    if name == \"momentum\":\n        return momentum_step(params, grads, state, **settings)\n    return adam_step(params, grads, state, **settings)"
  ]
 ],
 "numpy": "2.4"
}

#: Seconds one cell may run before it is stopped and reported as timed out.
CELL_TIME_LIMIT = 20.0
#: Longest hint printed in the table (the rest is cut; `-v` shows it whole).
HINT_WIDTH = 110

#: The language this check.py speaks, and the translations of its messages into it (id ->
#: {language: template}): written into the released check.py by grader/release/check_script.py
#: for the release's language (docs/translating.md); English and no catalog here.
LANGUAGE: str = DEFAULT_LANGUAGE  # check.py: language
CATALOG: dict | None = None  # check.py: catalog
if CATALOG is not None:
    use_catalog(CATALOG)

#: The statuses of the table: the contract's words (outcomes.STATUS_WORDS).
_STATUSES = (Status.PASSED, Status.FAILED, Status.NOT_IMPLEMENTED, Status.TIMEOUT, Status.NOT_RUN)

#: check.py's own messages, id -> English template (the contract's words for the statuses and an
#: unimplemented function, nnkit_contract/check_texts.py for the rest): the source of their
#: catalog entries (grader/release/catalogs.py); `say(id, **values)` renders one in LANGUAGE.
MESSAGES: dict[str, str] = {
    **{f"check.status-{s.value}": STATUS_WORDS[s] for s in _STATUSES},
    "check.not-implemented": not_implemented_message("{function}"),
    **CHECK_TEXTS,
}


def say(message_id: str, /, **values) -> str:
    """Message `message_id` of MESSAGES in LANGUAGE, its placeholders filled with `values`."""
    return template(message_id, LANGUAGE, MESSAGES[message_id]).format(**values)


#: The words of the table, in LANGUAGE.
PASSED, FAILED, NOT_IMPLEMENTED, TIMED_OUT, NOT_RUN = (say(f"check.status-{s.value}")
                                                       for s in _STATUSES)
_CELL_NAME = "<notebook cell {}>"
#: The comment of a magic or shell line check.py skips.
_SKIPPED = "skipped by check.py: {line}"


class CheckTimeout(BaseException):
    """Raised inside a cell that runs longer than its limit (a BaseException, so that an
    `except Exception` in student code cannot swallow it)."""


@dataclass
class CellCode:
    label: str   # grade id of the cell, or "cell N" (its position) for a cell without one
    kind: str    # a contract Role value: "setup", "solution", "added", "check"
    source: str


@dataclass
class CheckResult:
    exercise: str
    status: str
    hint: str = ""
    functions: list[str] = field(default_factory=list)
    detail: str = ""     # the check's own message, when the hint names a function to fix first
    notes: list[str] = field(default_factory=list)   # NumPy warnings your code raised (no effect)


@dataclass
class Report:
    results: list[CheckResult]
    notes: list[str]                   # cells of the notebook that raised while running
    changed: list[tuple[str, str]]     # (check cell, "edited" | "removed") against the release
    released: bool                     # the released checks ran (else the notebook's own)
    numpy: str = ""                    # one line when this NumPy is not the course's
    kinds: str = "check.kinds-untrained"   # the summary's further tests (RELEASED["kinds"])


# ---------------------------------------------------------------------------------------------
# Reading the notebook.
# ---------------------------------------------------------------------------------------------

def read_cells(path: Path, roles: dict | None = None) -> list[CellCode]:
    """The code cells of the notebook at `path` that check.py cares about, in notebook order.

    roles: grade_id -> Role of the released cells; with them a cell's role is the released
    cell's, as when the notebook is graded (contract.graded_role), whatever its own metadata
    says. Without them, the cell's own metadata tells."""
    notebook = json.loads(path.read_text(encoding="utf-8-sig"))   # a BOM is harmless
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ValueError(f"{path.name} is not a Jupyter notebook (no list of cells)")
    if notebook.get("nbformat") != 4:
        raise ValueError(f"{path.name} is not a version-4 notebook (nbformat "
                         f"{str(notebook.get('nbformat'))[:10]}): open it in Jupyter and save it")
    cells = []
    for number, cell in enumerate(notebook["cells"], start=1):
        role = cell_role(cell) if roles is None else graded_role(cell, roles)
        source = cell_source(cell)
        if isinstance(cell, dict) and cell.get("cell_type") != "code":
            continue  # only code runs, whatever role its id gives it
        if (role not in RUN_WHEN_GRADED and role is not Role.CHECK) or source is None:
            continue  # demo and grade cells (and any other locked cell) do not run
        label = grade_id(cell) if role is not Role.ADDED else f"cell {number}"
        cells.append(CellCode(label, role.value, neutralize_magics(source, _SKIPPED)))
    return cells


def _changed(released: list[CellCode], own: dict[str, CellCode]) -> list[tuple[str, str]]:
    """(grade_id, "removed" or "edited") for every released cell the notebook lost or changed."""
    changed = []
    for cell in released:
        mine = own.get(cell.label)
        if mine is None:
            changed.append((cell.label, "removed"))
        elif not _same_source(mine.source, cell.source):
            changed.append((cell.label, "edited"))
    return changed


def exercise_name(check_id: str) -> str:
    return ", ".join(functions_of(check_id))


def _same_source(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.strip().splitlines()] == \
        [line.rstrip() for line in b.strip().splitlines()]


# ---------------------------------------------------------------------------------------------
# Running cells.
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise CheckTimeout in the running code after `seconds` (where SIGALRM exists)."""
    if not hasattr(signal, "SIGALRM") or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_code(cell: CellCode, namespace: dict, limit: float,
             notes: list[str] | None = None) -> BaseException | None:
    """Execute one cell in `namespace`, its printed output hidden; the exception it raised, if
    any (CheckTimeout when it ran out of time). `notes` receives one line per NumPy warning
    (overflow, invalid value, division by zero) that a line of the student's own cells raised
    meanwhile: as when graded, a warning decides nothing (the checks judge what the functions
    return), but the student is told where it came from."""
    sink = io.StringIO()
    caught: list = []
    try:
        code = compile(cell.source, _CELL_NAME.format(cell.label), "exec")
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings(record=True) as recorded, time_limit(limit):
            caught = recorded
            warnings.simplefilter("ignore")
            warnings.simplefilter("always", RuntimeWarning)
            exec(code, namespace)
    except (Exception, CheckTimeout, SystemExit) as exc:  # noqa: BLE001 - student code may raise anything
        return exc
    finally:
        if notes is not None:
            notes.extend(_warning_notes(caught, cell.label))
    return None


def _warning_notes(caught: list, running: str) -> list[str]:
    """One line per distinct RuntimeWarning raised in a notebook cell other than `running` (the
    check itself): "overflow encountered in exp (your cell solution-softmax, line 3)"."""
    found = []
    for w in caught:
        where = str(getattr(w, "filename", ""))
        if not issubclass(w.category, RuntimeWarning) or not where.startswith("<notebook cell "):
            continue
        label = where[len("<notebook cell "):-1]
        if label != running:
            found.append(say("check.numpy-warned", warning=w.message, cell=label, line=w.lineno))
    return list(dict.fromkeys(found))


def _raised_in(exc: BaseException) -> str | None:
    """Name of the innermost notebook function the exception came from, if any."""
    name = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<notebook cell") and frame.name != "<module>":
            name = frame.name
    return name


def _one_line(text: str) -> str:
    return " ".join(text.split())


def judge(exercise: str, exc: BaseException | None, limit: float,
          in_check: bool = True) -> CheckResult:
    if exc is None:
        return CheckResult(exercise, PASSED)
    where = _raised_in(exc)
    if isinstance(exc, CheckTimeout):
        inside = say("check.stopped-inside", function=where) if where else ""
        return CheckResult(exercise, TIMED_OUT, say("check.timed-out", limit=f"{limit:g}",
                                                    inside=inside))
    if isinstance(exc, NotImplementedError):
        return CheckResult(exercise, NOT_IMPLEMENTED,
                           say("check.not-implemented", function=where) if where else "")
    if isinstance(exc, AssertionError):
        return CheckResult(exercise, FAILED, _one_line(str(exc)) or say("check.assertion-failed"))
    if in_check and isinstance(exc, NameError) and getattr(exc, "name", None) in exercise.split(", "):
        return CheckResult(exercise, FAILED, say("check.not-defined", name=exc.name))
    if isinstance(exc, SystemExit):
        inside = say("check.exit-inside", function=where) if where else ""
        return CheckResult(exercise, FAILED, _one_line(say("check.sys-exit", code=repr(exc.code),
                                                           inside=inside)))
    if where:
        return CheckResult(exercise, FAILED, _one_line(say(
            "check.raised-in", error=type(exc).__name__, function=where, detail=str(exc))))
    if not in_check:
        return CheckResult(exercise, FAILED, _one_line(say(
            "check.raised", error=type(exc).__name__, detail=str(exc))))
    return CheckResult(exercise, FAILED, _one_line(say(
        "check.raised-in-check", error=type(exc).__name__, exercise=exercise, detail=str(exc))))


def closure(calls: Mapping[str, Iterable[str]], functions: list[str]) -> set[str]:
    """Every name that `functions` use, directly or not (themselves excluded); `calls` maps a
    name to the names it uses (a name without an entry uses nothing)."""
    seen: set[str] = set()
    todo = [g for f in functions for g in calls.get(f, [])]
    while todo:
        g = todo.pop()
        if g not in seen:
            seen.add(g)
            todo.extend(calls.get(g, []))
    return seen - set(functions)


def blame_dependencies(results: list[CheckResult], calls: dict[str, list[str]],
                       check_uses: Mapping[str, Iterable[str]] | None = None) -> None:
    """A failing check whose exercise uses a function that fails its own check says to fix that
    one first (its own message is kept in `detail`). It uses what its functions call, directly or
    not, and what its check cell reaches (`check_uses`: already followed to the end, e.g. a
    graph's backward and every local backward the graph recorded)."""
    check_uses = check_uses or {}
    failing = {f for r in results if r.status != PASSED for f in r.functions}
    for r in results:
        if r.status not in (FAILED, TIMED_OUT):
            continue
        reached = closure(calls, r.functions).union(
            *(check_uses.get(f, ()) for f in r.functions)) - set(r.functions)
        first = sorted(reached & failing)
        if first:
            which = "check.fix-first-one" if len(first) == 1 else "check.fix-first-many"
            r.detail, r.hint = r.hint, say(which, exercise=r.exercise, names=", ".join(first))


def run_checks(notebook: Path, limit: float = CELL_TIME_LIMIT, folder: Path | None = None,
               released: dict | None = None) -> Report:
    """Run the checks of `notebook` (see the module docstring).

    released: the assignment's released checks (default: the ones this file carries). Without
    any, the notebook's own check cells run, as they are.

    The cells run in `folder` (default: the notebook's folder), with that folder first on
    sys.path, so that toy2d and hyperparameters.json are found the way the notebook finds them.
    No bytecode files are written there.
    """
    released = released if released is not None else RELEASED
    notebook = Path(notebook).resolve()
    roles = {gid: Role(role) for gid, role in released["roles"].items()} \
        if released and "roles" in released else None
    cells = read_cells(notebook, roles)
    own_checks = {c.label: c for c in cells if c.kind == Role.CHECK.value}
    changed: list[tuple[str, str]] = []
    if released:
        checks = [CellCode(gid, Role.CHECK.value, neutralize_magics(source, _SKIPPED))
                  for gid, source in released["checks"]]
        changed += _changed(checks, own_checks)
    else:
        checks = list(own_checks.values())
    if released and "setup" in released:
        # As when graded: the released setup cells run first, as released; the student's own
        # setup cells never run (an edit there is reported, like an edited check).
        setup = [CellCode(gid, Role.SETUP.value, neutralize_magics(source, _SKIPPED))
                 for gid, source in released["setup"]]
        changed += _changed(setup, {c.label: c for c in cells if c.kind == Role.SETUP.value})
        cells = setup + [c for c in cells if c.kind != Role.SETUP.value]
    folder = str(Path(folder).resolve() if folder else notebook.parent)
    os.environ.setdefault("MPLBACKEND", "Agg")  # plots are never shown
    old_cwd, old_path, old_bytecode = os.getcwd(), list(sys.path), sys.dont_write_bytecode
    os.chdir(folder)
    sys.path.insert(0, folder)
    sys.dont_write_bytecode = True
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    results: list[CheckResult] = []
    notes: list[str] = []
    setup_failed = False
    try:
        for cell in (c for c in cells if c.kind != Role.CHECK.value):
            exc = run_code(cell, namespace, limit)
            if exc is not None:
                verdict = judge(cell.label, exc, limit, in_check=False)
                notes.append(say("check.cell-failed-hint" if verdict.hint else "check.cell-failed",
                                 cell=cell.label, kind=cell.kind, status=verdict.status,
                                 hint=verdict.hint))
                if cell.kind == Role.SETUP.value:
                    setup_failed = True
                    break
        for cell in checks:
            if setup_failed:
                result = CheckResult(exercise_name(cell.label), NOT_RUN,
                                     say("check.setup-failed"))
            else:
                # Every check runs on its own copy of the names: no check disturbs another.
                warned: list[str] = []
                exc = run_code(cell, dict(namespace), limit, warned)
                result = judge(exercise_name(cell.label), exc, limit)
                result.notes = warned
            result.functions = functions_of(cell.label)
            results.append(result)
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        sys.dont_write_bytecode = old_bytecode
    if released:
        blame_dependencies(results, released.get("calls", {}), released.get("check_uses"))
    kinds = (released or {}).get("kinds")
    return Report(results, notes, changed, bool(released), numpy_note(released),
                  kinds if kinds in ("check.kinds-trained", "check.kinds-untrained")
                  else "check.kinds-untrained")


def numpy_note(released: dict | None) -> str:
    """One line when the NumPy running here is not the minor version the course grades with (the
    release names it; grader/grading/numpy_version.py), else ""."""
    wanted = (released or {}).get("numpy")
    import numpy

    have = numpy.__version__
    if not wanted or ".".join(have.split(".")[:2]) == wanted:
        return ""
    return say("check.numpy-version", have=have, wanted=wanted)


# ---------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------

def _cut(text: str) -> str:
    return text if len(text) <= HINT_WIDTH else text[: HINT_WIDTH - 3] + "..."


def format_table(results: list[CheckResult], verbose: bool = False) -> str:
    rows = [(say("check.column-exercise"), say("check.column-status"), say("check.column-hint"))] + [
        (r.exercise, r.status, r.hint if verbose else _cut(r.hint)) for r in results]
    width0 = max(len(row[0]) for row in rows)
    width1 = max(len(row[1]) for row in rows)
    lines = [f"{a:<{width0}} | {b:<{width1}} | {c}".rstrip() for a, b, c in rows]
    lines.insert(1, f"{'-' * width0}-+-{'-' * width1}-+-{'-' * 4}")
    return "\n".join(lines)


def report(result: Report, seconds: float, verbose: bool = False) -> str:
    results = result.results
    passed = sum(r.status == PASSED for r in results)
    parts = [format_table(results, verbose), ""]
    if verbose:
        details = ["  " + say("check.own-check-said", exercise=r.exercise, detail=r.detail)
                   for r in results if r.detail]
        if details:
            parts += [say("check.heading-dependencies")] + details + [""]
    warned = [(r.exercise, note) for r in results for note in r.notes]
    if warned:
        parts += [say("check.heading-warnings")]
        parts += [f"  {exercise}: {note}" for exercise, note in warned] + [""]
    if result.notes:
        parts += [say("check.heading-cell-errors")]
        parts += [f"  {note}" for note in result.notes] + [""]
    if result.changed:
        parts += [say("check.heading-changed")]
        parts += [f"  {gid}: {say('check.cell-' + what)}" for gid, what in result.changed] + [""]
    if not result.released:
        parts += [say("check.no-released"), ""]
    if result.numpy:
        parts += [result.numpy, ""]
    parts.append(say("check.demo-cells"))
    if result.changed:
        parts.append(say("check.summary-changed", passed=passed, total=len(results),
                         changed=len(result.changed), seconds=f"{seconds:.1f}"))
    else:
        kinds = say(result.kinds)
        parts.append(say("check.summary", passed=passed, total=len(results),
                         seconds=f"{seconds:.1f}", kinds=kinds))
    return "\n".join(parts)


def ok(result: Report) -> bool:
    """Every check passed and the check cells are as released."""
    return bool(result.results) and all(r.status == PASSED for r in result.results) \
        and not result.changed


def find_notebook(argument: str | None) -> Path:
    """The notebook named on the command line, else the one .ipynb in the current folder (or,
    when there is none, in the folder of this file)."""
    if argument:
        path = Path(argument)
        if not path.is_file():
            raise SystemExit(say("check.no-such-notebook", name=argument))
        return path
    for folder in dict.fromkeys([Path.cwd(), Path(__file__).resolve().parent]):
        found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise SystemExit(say("check.several-notebooks", names=names))
    raise SystemExit(say("check.no-notebook"))


def main(argv: list[str] | None = None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="check.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", nargs="?", help="the notebook (default: the one .ipynb here)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every hint in full")
    parser.add_argument("--time-limit", type=float, default=CELL_TIME_LIMIT,
                        help=f"seconds per cell (default {CELL_TIME_LIMIT:g})")
    args = parser.parse_args(argv)
    notebook = find_notebook(args.notebook)
    start = time.perf_counter()
    try:
        result = run_checks(notebook, args.time_limit)
    except (OSError, ValueError) as exc:
        print(say("check.cannot-read", notebook=notebook, error=exc), file=sys.stderr)
        return 2
    except RecursionError:
        print(say("check.too-deep", notebook=notebook), file=sys.stderr)
        return 2
    print(report(result, time.perf_counter() - start, args.verbose), file=out)
    return 0 if ok(result) else 1


if __name__ == "__main__":
    sys.exit(main())
