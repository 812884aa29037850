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
 "assignment": "computation_graphs",
 "checks": [
  [
   "check-unbroadcast",
   "grad_check = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])\ngrad_before = grad_check.copy()\nout_row = unbroadcast(grad_check, (3,))\n# diagnosis: common.input-changed\nassert np.array_equal(grad_check, grad_before), \"unbroadcast changed `grad` in place: return a new array\"\nassert isinstance(out_row, np.ndarray) and out_row.shape == (3,), (\n    f\"unbroadcast(grad (2, 3), (3,)) must have shape (3,), got {getattr(out_row, 'shape', type(out_row))}\")\nassert np.allclose(out_row, [5.0, 7.0, 9.0]), (\n    f\"a bias (3,) added to 2 rows gets the sum over the rows [5, 7, 9], got {out_row}\")\nout_keep = unbroadcast(grad_check, (1, 3))\nassert np.shape(out_keep) == (1, 3) and np.allclose(out_keep, [[5.0, 7.0, 9.0]]), (\n    f\"shape (1, 3): sum over axis 0 keeping it, [[5, 7, 9]]; got {out_keep}\")\nout_col = unbroadcast(grad_check, (2, 1))\nassert np.shape(out_col) == (2, 1) and np.allclose(out_col, [[6.0], [15.0]]), (\n    f\"shape (2, 1): sum over axis 1 keeping it, [[6], [15]]; got {out_col}\")\nout_scalar = unbroadcast(grad_check, ())\nassert np.shape(out_scalar) == () and np.isclose(out_scalar, 21.0), (\n    f\"shape (): a scalar used for every entry gets the sum of all, 21; got {out_scalar}\")\nsame = unbroadcast(grad_check, (2, 3))\nassert np.allclose(same, grad_check) and same is not grad_check, (\n    \"without broadcasting the gradient comes back as a new array with the same values\")\n\nprint(\"unbroadcast: all checks passed\")"
  ],
  [
   "check-add_backward",
   "dout_check = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0]])\na_check = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])\nb_check = np.array([0.5, 2.0, -1.0])\nbefore = [v.copy() for v in (dout_check, a_check, b_check)]\nresult = add_backward(dout_check, a_check, b_check)\nassert all(np.array_equal(v, w) for v, w in zip((dout_check, a_check, b_check), before)), (\n    \"add_backward changed an input in place: return new arrays\")\nassert isinstance(result, tuple) and len(result) == 2, \"add_backward returns a tuple (da, db)\"\nda_check, db_check = result\nassert np.shape(da_check) == (2, 3) and np.allclose(da_check, [[1.0, 2.0, -1.0], [0.5, -0.5, 3.0]]), (\n    f\"da should be dout itself, got {da_check}\")\nassert np.shape(db_check) == (3,), f\"db must have b's shape (3,) (unbroadcast), got shape {np.shape(db_check)}\"\nassert np.allclose(db_check, [1.5, 1.5, 2.0]), f\"db is dout summed over the rows [1.5, 1.5, 2.0], got {db_check}\"\nprint(\"add_backward: all checks passed\")"
  ],
  [
   "check-mul_backward",
   "dout_check = np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0]])\na_check = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])\nb_check = np.array([0.5, 2.0, -1.0])\nbefore = [v.copy() for v in (dout_check, a_check, b_check)]\nda_check, db_check = mul_backward(dout_check, a_check, b_check)\nassert all(np.array_equal(v, w) for v, w in zip((dout_check, a_check, b_check), before)), (\n    \"mul_backward changed an input in place: return new arrays\")\nassert np.shape(da_check) == (2, 3) and np.shape(db_check) == (3,), (\n    f\"da has a's shape (2, 3) and db b's shape (3,), got {np.shape(da_check)} and {np.shape(db_check)}\")\nassert not np.allclose(da_check, [[1.0, -4.0, -0.5], [1.5, -0.0, -3.0]]), (\n    \"da equals dout * a: a's gradient is dout times the OTHER factor, dout * b\")\nassert np.allclose(da_check, [[0.5, 4.0, 1.0], [0.25, -1.0, -3.0]]), (\n    f\"da = dout * b should be [[0.5, 4.0, 1.0], [0.25, -1.0, -3.0]], got {da_check}\")\nassert np.allclose(db_check, [2.5, -4.0, -3.5]), (\n    f\"db = (dout * a) summed over the rows should be [2.5, -4.0, -3.5], got {db_check}\")\nprint(\"mul_backward: all checks passed\")"
  ],
  [
   "check-matmul_backward",
   "dout_check = np.array([[1.0, 0.0, -1.0, 2.0], [0.5, 1.0, 1.0, -1.0], [0.0, 2.0, -0.5, 1.0]])\na_check = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])\nb_check = np.array([[2.0, -1.0, 0.0, 1.0], [0.5, 1.0, -2.0, 3.0]])\nbefore = [v.copy() for v in (dout_check, a_check, b_check)]\nda_check, db_check = matmul_backward(dout_check, a_check, b_check)\nassert all(np.array_equal(v, w) for v, w in zip((dout_check, a_check, b_check), before)), (\n    \"matmul_backward changed an input in place: return new arrays\")\nassert np.shape(da_check) == (3, 2) and np.shape(db_check) == (2, 4), (\n    f\"da has a's shape (3, 2) and db b's shape (2, 4), got {np.shape(da_check)} and {np.shape(db_check)}\")\nassert np.allclose(da_check, [[4.0, 8.5], [-1.0, -3.75], [-1.0, 6.0]]), (\n    f\"da = dout @ b.T should be [[4.0, 8.5], [-1.0, -3.75], [-1.0, 6.0]], got {da_check}\")\nassert np.allclose(db_check, [[1.0, 6.0, -2.5, 5.0], [1.5, 0.0, -3.25, 5.5]]), (\n    f\"db = a.T @ dout should be [[1.0, 6.0, -2.5, 5.0], [1.5, 0.0, -3.25, 5.5]], got {db_check}\")\nprint(\"matmul_backward: all checks passed\")"
  ],
  [
   "check-sum_backward",
   "a_check = np.array([[1.0, -2.0, 0.0], [3.0, 0.5, -1.0]])\na_before = a_check.copy()\nda_check = sum_backward(2.5, a_check)\n# diagnosis: common.input-changed\nassert np.array_equal(a_check, a_before), \"sum_backward changed `a` in place: return a new array\"\nassert np.shape(da_check) == (2, 3), f\"da has a's shape (2, 3), got {np.shape(da_check)}\"\nassert np.allclose(da_check, 2.5), f\"every entry of a gets dout = 2.5, got {da_check}\"\nassert np.allclose(sum_backward(np.array(-1.0), a_check), -1.0), \"dout may come as a 0-d array: np.array(-1.0)\"\nprint(\"sum_backward: all checks passed\")"
  ],
  [
   "check-mean_backward",
   "a_check = np.array([[1.0, -2.0, 0.0], [3.0, 0.5, -1.0]])\na_before = a_check.copy()\nda_check = mean_backward(3.0, a_check)\n# diagnosis: common.input-changed\nassert np.array_equal(a_check, a_before), \"mean_backward changed `a` in place: return a new array\"\nassert np.shape(da_check) == (2, 3), f\"da has a's shape (2, 3), got {np.shape(da_check)}\"\n# diagnosis: mean_backward.sum\nassert not np.allclose(da_check, 3.0), (\n    \"da equals dout everywhere, the gradient of a.sum(): the mean divides by the number of entries, da = dout \"\n    \"/ a.size\")\nassert np.allclose(da_check, 0.5), f\"every entry gets dout / a.size = 3 / 6 = 0.5, got {da_check}\"\nprint(\"mean_backward: all checks passed\")"
  ],
  [
   "check-relu_backward",
   "dout_check = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, 4.0]])\na_check = np.array([[1.0, -2.0, 0.0], [3.0, 0.5, -1.0]])\nbefore = [dout_check.copy(), a_check.copy()]\nda_check = relu_backward(dout_check, a_check)\nassert np.array_equal(dout_check, before[0]) and np.array_equal(a_check, before[1]), (\n    \"relu_backward changed an input in place: return a new array\")\nassert np.shape(da_check) == (2, 3), f\"da has a's shape (2, 3), got {np.shape(da_check)}\"\nassert da_check[0, 2] == 0.0, \"at a == 0 the gradient is 0 (ReLU'(0) = 0, as in Assignment 1)\"\nassert np.allclose(da_check, [[1.0, 0.0, 0.0], [-1.0, -2.0, 0.0]]), f\"da is dout where a > 0, else 0: got {da_check}\"\nprint(\"relu_backward: all checks passed\")"
  ],
  [
   "check-exp_backward",
   "dout_check = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, 4.0]])\nout_check = np.array([[1.0, 2.71828183, 0.36787944], [7.3890561, 0.60653066, 1.34985881]])\nbefore = [dout_check.copy(), out_check.copy()]\nda_check = exp_backward(dout_check, out_check)\nassert np.array_equal(dout_check, before[0]) and np.array_equal(out_check, before[1]), (\n    \"exp_backward changed an input in place: return a new array\")\n# diagnosis: exp_backward.exp-again\nassert not np.allclose(da_check, [[2.71828183, 30.30852448, 4.33400358], [-1618.17799191, -3.66811476,\n        15.42752372]]), (\n    \"da equals dout * exp(out): out is already exp(a), so da = dout * out\")\nassert np.allclose(da_check, [[1.0, 5.43656366, 1.10363832], [-7.3890561, -1.21306132, 5.39943523]]), (\n    f\"da = dout * out should be [[1.0, 5.43656366, 1.10363832], [-7.3890561, -1.21306132, 5.39943523]], got \"\n    f\"{da_check}\")\nprint(\"exp_backward: all checks passed\")"
  ],
  [
   "check-log_backward",
   "dout_check = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, 4.0]])\na_check = np.array([[0.5, 1.0, 2.0], [4.0, 0.25, 3.0]])\nbefore = [dout_check.copy(), a_check.copy()]\nda_check = log_backward(dout_check, a_check)\nassert np.array_equal(dout_check, before[0]) and np.array_equal(a_check, before[1]), (\n    \"log_backward changed an input in place: return a new array\")\nassert np.allclose(da_check, [[2.0, 2.0, 1.5], [-0.25, -8.0, 1.33333333]]), (\n    f\"da = dout / a should be [[2.0, 2.0, 1.5], [-0.25, -8.0, 1.33333333]], got {da_check}\")\nprint(\"log_backward: all checks passed\")"
  ],
  [
   "check-tanh_backward",
   "dout_check = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, 4.0]])\nout_check = np.array([[0.0, 0.76159416, -0.76159416], [0.96402758, -0.46211716, 0.29131261]])\nbefore = [dout_check.copy(), out_check.copy()]\nda_check = tanh_backward(dout_check, out_check)\nassert np.array_equal(dout_check, before[0]) and np.array_equal(out_check, before[1]), (\n    \"tanh_backward changed an input in place: return a new array\")\n# diagnosis: tanh_backward.tanh-again\nassert not np.allclose(da_check, [[1.0, 1.1756335, 1.76345025], [-0.44338254, -1.62708339, 3.67886813]]), (\n    \"da equals dout * (1 - tanh(out)**2): out is already tanh(a), so da = dout * (1 - out**2)\")\nassert np.allclose(da_check, [[1.0, 0.83994868, 1.25992302], [-0.07065082, -1.57289547, 3.66054785]]), (\n    f\"da = dout * (1 - out**2) should be [[1.0, 0.83994868, 1.25992302], [-0.07065082, -1.57289547, \"\n    f\"3.66054785]], got {da_check}\")\nprint(\"tanh_backward: all checks passed\")"
  ],
  [
   "check-cross_entropy",
   "logits_check = np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])\ny_check = np.array([0, 2, 1, 1])\nbefore = logits_check.copy()\nwith np.errstate(all=\"ignore\"):\n    loss_check = cross_entropy(logits_check, y_check)\n# diagnosis: common.input-changed\nassert np.array_equal(logits_check, before), (\n    \"cross_entropy changed `logits` in place: subtract the maximum into a new array\")\nassert isinstance(loss_check, float), f\"cross_entropy returns a Python float, got {type(loss_check).__name__}\"\nassert np.isfinite(loss_check), (\n    \"the loss is not finite for a row of logits ~ 1000: subtract each row's maximum before exp (log-sum-exp trick)\")\nassert np.isclose(loss_check, 250.39990822245687), f\"the mean cross-entropy should be 250.39990822, got {loss_check}\"\nprint(\"cross_entropy: all checks passed\")"
  ],
  [
   "check-cross_entropy_backward",
   "logits_check = np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])\ny_check = np.array([0, 2, 1, 1])\nbefore = logits_check.copy()\nwith np.errstate(all=\"ignore\"):\n    dlogits_check = cross_entropy_backward(0.5, logits_check, y_check)\n# diagnosis: common.input-changed\nassert np.array_equal(logits_check, before), \"cross_entropy_backward changed `logits` in place: return a new array\"\nassert np.shape(dlogits_check) == (4, 3), f\"dlogits has the logits' shape (4, 3), got {np.shape(dlogits_check)}\"\nassert np.all(np.isfinite(dlogits_check)), (\n    \"dlogits is not finite for logits ~ 1000: use the row maximum as in softmax\")\n# diagnosis: cross_entropy_backward.missing-1-over-n\nassert not np.allclose(dlogits_check, [[-0.14730774, 0.12974823, 0.01755951], [0.03525473, 0.03525473,\n        -0.07050946], [0.5, -0.5, 0.0], [0.16666667, -0.33333333, 0.16666667]]), (\n    \"dlogits equals dout * (softmax(logits) - onehot(y)) without the 1/N of the mean: divide by N\")\nassert np.allclose(dlogits_check, [[-0.03682694, 0.03243706, 0.00438988], [0.00881368, 0.00881368, -0.01762737],\n        [0.125, -0.125, 0.0], [0.04166667, -0.08333333, 0.04166667]]), (\n    f\"dout * (softmax - onehot) / N should be [[-0.03682694, 0.03243706, 0.00438988], [0.00881368, \"\n    f\"0.00881368, -0.01762737], [0.125, -0.125, 0.0], [0.04166667, -0.08333333, 0.04166667]], got {dlogits_check}\")\nprint(\"cross_entropy_backward: all checks passed\")"
  ],
  [
   "check-topological_order",
   "x_check = Tensor([1.0, 2.0])\nw_check = Tensor([3.0, -1.0])\nh_check = x_check * w_check           # h uses x and w\nu_check = h_check + x_check           # x is used twice\nroot_check = (u_check * h_check).sum()  # h is used twice\norder_check = topological_order(root_check)\nassert isinstance(order_check, list), f\"topological_order returns a list, got {type(order_check).__name__}\"\nids = [id(node) for node in order_check]\nexpected_nodes = [x_check, w_check, h_check, u_check, root_check]\nassert len(set(ids)) == len(ids), \"a node appears twice in the order: list each node once, even if it is used twice\"\nmissing = [i for i, node in enumerate(expected_nodes) if id(node) not in ids]\nassert not missing, \"the order misses nodes reachable from root: follow .parents from every node\"\n# expected_nodes lacks the product u * h (the parent of root_check): 6 nodes in all\nassert len(order_check) == 6, f\"the graph has 6 nodes (x, w, h, u, u * h, its sum), got {len(order_check)}\"\nposition = {id(node): i for i, node in enumerate(order_check)}\nfor node in order_check:\n    for parent in node.parents:\n        assert position[id(parent)] < position[id(node)], (\n            \"a node comes before one of its parents: append a node after all of its parents\")\nassert order_check[-1] is root_check, \"root comes last\"\ndeep = Tensor([0.5])\nnode = deep\nfor _ in range(200):\n    node = node.tanh()\nassert len(topological_order(node)) == 201, \"a chain of 200 tanh nodes after a leaf has 201 nodes\"\nprint(\"topological_order: all checks passed\")"
  ],
  [
   "check-backward",
   "# backward goes through the order of your topological_order: check that order first, on a graph of its own\nx_order_check = Tensor([1.0, 2.0])\nh_order_check = x_order_check + x_order_check\nroot_order_check = h_order_check + x_order_check  # x is used three times (+ only)\norder_check = topological_order(root_order_check)\nplace_check = {id(node): i for i, node in enumerate(order_check)} if isinstance(order_check, list) else {}\nassert isinstance(order_check, list) and len(place_check) == len(order_check) == 3 and all(\n    isinstance(node, Tensor) for node in order_check) and all(\n    place_check.get(id(parent), 3) < place_check[id(node)] for node in order_check for parent in node.parents), (\n    \"backward uses your topological_order, which gives a wrong order: fix topological_order first\")\nx_check = Tensor([1.0, -2.0, 3.0])\nloss_check = (x_check * x_check + x_check).sum()\nresult = backward(loss_check)\nassert result is None, \"backward returns nothing: it fills the .grad of the nodes\"\nassert np.allclose(loss_check.grad, 1.0), \"root.grad is set to 1 first (dloss/dloss = 1)\"\nassert not np.allclose(x_check.grad, [1.0, -2.0, 3.0]) and not np.allclose(x_check.grad, [2.0, -4.0, 6.0]), (\n    \"x is used three times (x * x + x): its grad is the sum of all three uses, so add (+=) each parent's \"\n    \"gradient instead of assigning it\")\nassert np.allclose(x_check.grad, [3.0, -3.0, 7.0]), f\"d/dx (x^2 + x) = 2x + 1 = [3, -3, 7], got {x_check.grad}\"\nX_b = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])\nW_check, b_check = Tensor([[1.0, 0.0, -1.0], [0.5, 2.0, 0.5]]), Tensor([0.1, -5.0, 0.3])\n((Tensor(X_b) @ W_check + b_check).relu().mean()).backward()\nassert np.shape(b_check.grad) == (3,), (\n    f\"b.grad has b's shape (3,) (broadcasting undone), got {np.shape(b_check.grad)}\")\nassert np.allclose(b_check.grad, [0.33333333, 0.22222222, 0.11111111]), (\n    f\"b.grad should be [0.33333333, 0.22222222, 0.11111111], got {b_check.grad}\")\nassert np.allclose(W_check.grad, [[1.0, 0.88888889, 0.11111111], [1.33333333, 1.11111111, 0.22222222]]), (\n    f\"W.grad should be [[1.0, 0.88888889, 0.11111111], [1.33333333, 1.11111111, 0.22222222]], got {W_check.grad}\")\nprint(\"backward: all checks passed\")"
  ],
  [
   "check-mlp_loss",
   "# mlp_loss goes through the order of your topological_order: check that order first, on a graph of its own\nx_order_check = Tensor([1.0, 2.0])\nh_order_check = x_order_check + x_order_check\nroot_order_check = h_order_check + x_order_check  # x is used three times (+ only)\norder_check = topological_order(root_order_check)\nplace_check = {id(node): i for i, node in enumerate(order_check)} if isinstance(order_check, list) else {}\nassert isinstance(order_check, list) and len(place_check) == len(order_check) == 3 and all(\n    isinstance(node, Tensor) for node in order_check) and all(\n    place_check.get(id(parent), 3) < place_check[id(node)] for node in order_check for parent in node.parents), (\n    \"mlp_loss uses your topological_order, which gives a wrong order: fix topological_order first\")\nX_check = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.0], [2.0, 1.0]])\ny_check = np.array([0, 2, 1, 2])\nparams_check = init_params([2, 4, 3], np.random.default_rng(0), \"he\")\nX_before = X_check.copy()\nleaves = tensor_params(params_check)\nloss_check = mlp_loss(leaves, X_check, y_check)\nassert np.array_equal(X_check, X_before), \"mlp_loss changed `X` in place\"\nassert isinstance(loss_check, Tensor), f\"mlp_loss returns a Tensor (the loss node), got {type(loss_check).__name__}\"\nlogits_hand, cache_hand = mlp_forward_by_hand(params_check, X_check)\nexpected_loss = cross_entropy(logits_hand, y_check)\nassert np.shape(loss_check.data) == () and np.isclose(float(loss_check.data), expected_loss), (\n    f\"the loss should be {expected_loss:.6f} (Assignment 1's forward and cross-entropy), got {loss_check.data}\")\nloss_check.backward()\nfor i, ((W, b), (dW, db)) in enumerate(zip(leaves, mlp_backward_by_hand(params_check, cache_hand, logits_hand,\n        y_check)), 1):\n    assert np.allclose(W.grad, dW), (\n        f\"W_{i}.grad differs from Assignment 1's hand-written dW_{i} (relative error {rel_error(W.grad, dW):.1e})\")\n    assert np.allclose(b.grad, db), (\n        f\"b_{i}.grad differs from Assignment 1's hand-written db_{i} (relative error {rel_error(b.grad, db):.1e})\")\nprint(\"mlp_loss: all checks passed\")"
  ],
  [
   "check-batchnorm_forward",
   "x_check = np.array([[1.0, 2.0, -1.0], [3.0, 0.0, 0.5], [-1.0, 4.0, 2.0], [5.0, 2.0, 0.0]])\ngamma_check, beta_check = np.array([1.0, 0.5, 2.0]), np.array([0.0, 1.0, -1.0])\nrmean_check, rvar_check = np.array([0.5, 1.0, 0.0]), np.array([2.0, 1.0, 0.5])\nbefore = [v.copy() for v in (x_check, gamma_check, beta_check, rmean_check, rvar_check)]\nresult = batchnorm_forward(x_check, gamma_check, beta_check, rmean_check, rvar_check, True)\nassert all(np.array_equal(v, w) for v, w in zip((x_check, gamma_check, beta_check, rmean_check, rvar_check),\n        before)), (\n    \"batchnorm_forward changed an input in place (the running averages too): return new arrays\")\nassert isinstance(result, tuple) and len(result) == 4, (\n    \"batchnorm_forward returns (out, cache, new_running_mean, new_running_var)\")\nout_check, _, mean_check, var_check = result\n# diagnosis: batchnorm_forward.unbiased-var\nassert not np.allclose(out_check, [[-0.38729804, 1.0, -3.19999296], [0.38729804, 0.38762871, -0.80000064],\n        [-1.16189413, 1.61237129, 1.59999168], [1.16189413, 1.0, -1.59999808]]), (\n    \"out equals a normalization with the unbiased variance (ddof=1): batch norm uses the batch's biased \"\n    \"variance x.var(axis=0)\")\nassert np.allclose(out_check, [[-0.44721315, 1.0, -3.54033035], [0.44721315, 0.29289499, -0.76906088],\n        [-1.34163944, 1.70710501, 2.00220859], [1.34163944, 1.0, -1.69281737]]), (\n    f\"out = gamma * x_hat + beta should be [[-0.44721315, 1.0, -3.54033035], [0.44721315, 0.29289499, \"\n    f\"-0.76906088], [-1.34163944, 1.70710501, 2.00220859], [1.34163944, 1.0, -1.69281737]], got {out_check}\")\n# diagnosis: batchnorm_forward.momentum-swapped\nassert not np.allclose(mean_check, [1.85, 1.9, 0.3375]), (\n    \"the running averages equal (1 - momentum) * running + momentum * batch: keep momentum of the old \"\n    \"average, new = momentum * running + (1 - momentum) * batch\")\nassert np.allclose(mean_check, [0.65, 1.1, 0.0375]) and np.allclose(var_check, [2.3, 1.1, 0.5671875]), (\n    f\"new running mean and variance should be [0.65, 1.1, 0.0375] and [2.3, 1.1, 0.5671875], got {mean_check} \"\n    f\"and {var_check}\")\nout_test, _, mean_test, var_test = batchnorm_forward(x_check, gamma_check, beta_check, rmean_check, rvar_check, False)\n# diagnosis: batchnorm_forward.batch-stats-at-test\nassert not np.allclose(out_test, [[-0.44721315, 1.0, -3.54033035], [0.44721315, 0.29289499, -0.76906088],\n        [-1.34163944, 1.70710501, 2.00220859], [1.34163944, 1.0, -1.69281737]]), (\n    \"in test mode (train=False) out was normalized with the batch's own mean and variance: use running_mean \"\n    \"and running_var\")\nassert np.allclose(out_test, [[0.35355251, 1.4999975, -3.82839884], [1.76776253, 0.5000025, 0.41419942],\n        [-1.06065752, 2.4999925, 4.65679768], [3.18197256, 1.4999975, -1.0]]), (\n    f\"test mode normalizes with the running statistics: [[0.35355251, 1.4999975, -3.82839884], [1.76776253, \"\n    f\"0.5000025, 0.41419942], [-1.06065752, 2.4999925, 4.65679768], [3.18197256, 1.4999975, -1.0]], got \"\n    f\"{out_test}\")\nassert np.allclose(mean_test, rmean_check) and np.allclose(var_test, rvar_check), (\n    \"test mode returns the running statistics unchanged\")\nprint(\"batchnorm_forward: all checks passed\")"
  ],
  [
   "check-batchnorm_backward",
   "x_check = np.array([[1.0, 2.0, -1.0], [3.0, 0.0, 0.5], [-1.0, 4.0, 2.0], [5.0, 2.0, 0.0]])\ngamma_check, beta_check = np.array([1.0, 0.5, 2.0]), np.array([0.0, 1.0, -1.0])\ndout_check = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0], [-0.5, 0.5, 0.0], [2.0, 1.0, -1.0]])\nzeros3, ones3 = np.zeros(3), np.ones(3)\n\n\ndef loss_of(x, gamma, beta):\n    out, _, _, _ = batchnorm_forward(x, gamma, beta, zeros3, ones3, True)\n    return float(np.sum(out * dout_check))\n\n\ndef numeric(f, v, h=1e-6):\n    grad = np.zeros_like(v)\n    for i in np.ndindex(*v.shape):\n        up, down = v.copy(), v.copy()\n        up[i] += h\n        down[i] -= h\n        grad[i] = (f(up) - f(down)) / (2 * h)\n    return grad\n\n\n_, cache_check, _, _ = batchnorm_forward(x_check, gamma_check, beta_check, zeros3, ones3, True)\ndout_before = dout_check.copy()\ndx_check, dgamma_check, dbeta_check = batchnorm_backward(dout_check, cache_check)\nassert np.array_equal(dout_check, dout_before), \"batchnorm_backward changed `dout` in place\"\nassert np.allclose(dbeta_check, dout_check.sum(axis=0)), f\"dbeta = dout.sum(axis=0), got {dbeta_check}\"\nassert rel_error(dgamma_check, numeric(lambda g: loss_of(x_check, g, beta_check), gamma_check)) < 1e-6, (\n    f\"dgamma = (dout * x_hat).sum(axis=0) disagrees with the numerical gradient: got {dgamma_check}\")\ndx_numeric = numeric(lambda v: loss_of(v, gamma_check, beta_check), x_check)\nassert not np.allclose(dx_check, dout_check * gamma_check / np.sqrt(x_check.var(axis=0) + 1e-5)), (\n    \"dx ignores that the batch mean and variance depend on x: it is only gamma * dout / sqrt(var + eps)\")\nassert rel_error(dx_check, dx_numeric) < 1e-5, (\n    f\"dx disagrees with the numerical gradient of your batchnorm_forward (relative error \"\n    f\"{rel_error(dx_check, dx_numeric):.1e})\")\nprint(\"batchnorm_backward: all checks passed\")"
  ],
  [
   "check-nesterov_step",
   "params_check = [(np.array([[1.0, -2.0]]), np.array([0.5]))]\ngrads_check = [(np.array([[0.5, 1.0]]), np.array([-2.0]))]\nvelocity_check = [(np.array([[0.2, -0.1]]), np.array([0.0]))]\nsaved = [[a.copy() for a in layer] for group in (params_check, grads_check, velocity_check) for layer in group]\nresult = nesterov_step(params_check, grads_check, velocity_check, 0.1, 0.9)\nnow = [a for group in (params_check, grads_check, velocity_check) for layer in group for a in layer]\nassert all(np.array_equal(a, b) for a, b in zip(now, [a for layer in saved for a in layer])), (\n    \"nesterov_step changed params, grads or velocity in place: return new arrays\")\nassert isinstance(result, tuple) and len(result) == 2, \"nesterov_step returns (new_params, new_velocity)\"\n(W_new, b_new), = result[0]\n(vW_new, vb_new), = result[1]\nassert np.allclose(vW_new, [[0.13, -0.19]]) and np.allclose(vb_new, [0.2]), (\n    f\"v_new = beta * v - lr * g should be [[0.13, -0.19]] and [0.2], got {vW_new} and {vb_new}\")\n# diagnosis: nesterov_step.plain-momentum\nassert not np.allclose(W_new, [[1.13, -2.19]]), (\n    \"the step equals plain momentum, p + v_new: Nesterov looks ahead, p_new = p + beta * v_new - lr * g\")\nassert np.allclose(W_new, [[1.067, -2.271]]) and np.allclose(b_new, [0.88]), (\n    f\"p_new = p + beta * v_new - lr * g should be [[1.067, -2.271]] and [0.88], got {W_new} and {b_new}\")\nprint(\"nesterov_step: all checks passed\")"
  ],
  [
   "check-adagrad_step",
   "params_check = [(np.array([[1.0, -2.0]]), np.array([0.5]))]\ngrads_check = [(np.array([[0.5, 1.0]]), np.array([-2.0]))]\nstate_check = {\"G\": [(np.array([[1.0, 0.25]]), np.array([4.0]))]}\nG_before = [a.copy() for a in state_check[\"G\"][0]]\nresult = adagrad_step(params_check, grads_check, state_check, 0.1)\nassert all(np.array_equal(a, b) for a, b in zip(state_check[\"G\"][0], G_before)), (\n    \"adagrad_step changed state['G'] in place: return a new dict {'G': [...]} with new arrays\")\nassert isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict), (\n    \"adagrad_step returns (new_params, new_state) with new_state a dict {'G': [...]}\")\n(W_new, b_new), = result[0]\n(GW, Gb), = result[1][\"G\"]\n# diagnosis: adagrad_step.no-sum\nassert not np.allclose(W_new, [[0.9, -2.1]]), (\n    \"G_new equals g ** 2 alone: AdaGrad sums every squared gradient so far, G_new = G + g ** 2\")\nassert np.allclose(GW, [[1.25, 1.25]]) and np.allclose(Gb, [8.0]), (\n    f\"G_new = G + g ** 2 should be [[1.25, 1.25]] and [8.0], got {GW} and {Gb}\")\nassert np.allclose(W_new, [[0.95527864, -2.08944272]]) and np.allclose(b_new, [0.57071068]), (\n    f\"p - lr * g / (sqrt(G_new) + eps) should be [[0.95527864, -2.08944272]] and [0.57071068], got {W_new} \"\n    f\"and {b_new}\")\nprint(\"adagrad_step: all checks passed\")"
  ],
  [
   "check-rmsprop_step",
   "params_check = [(np.array([[1.0, -2.0]]), np.array([0.5]))]\ngrads_check = [(np.array([[0.5, 1.0]]), np.array([-2.0]))]\nstate_check = {\"s\": [(np.array([[1.0, 0.25]]), np.array([4.0]))]}\ns_before = [a.copy() for a in state_check[\"s\"][0]]\nresult = rmsprop_step(params_check, grads_check, state_check, 0.1, rho=0.8)\nassert all(np.array_equal(a, b) for a, b in zip(state_check[\"s\"][0], s_before)), (\n    \"rmsprop_step changed state['s'] in place: return a new dict {'s': [...]} with new arrays\")\nassert isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict), (\n    \"rmsprop_step returns (new_params, new_state) with new_state a dict {'s': [...]}\")\n(W_new, b_new), = result[0]\n(sW, sb), = result[1][\"s\"]\n# diagnosis: rmsprop_step.no-one-minus-rho\nassert not np.allclose(W_new, [[0.951205, -2.09128709]]), (\n    \"s_new equals rho * s + g ** 2: the running average weighs the new square by 1 - rho, s_new = rho * s + \"\n    \"(1 - rho) * g ** 2\")\nassert np.allclose(sW, [[0.85, 0.4]]) and np.allclose(sb, [4.0]), (\n    f\"s_new = rho * s + (1 - rho) * g ** 2 should be [[0.85, 0.4]] and [4.0], got {sW} and {sb}\")\nassert np.allclose(W_new, [[0.94576739, -2.15811388]]) and np.allclose(b_new, [0.6]), (\n    f\"p - lr * g / (sqrt(s_new) + eps) should be [[0.94576739, -2.15811388]] and [0.6], got {W_new} and {b_new}\")\nprint(\"rmsprop_step: all checks passed\")"
  ],
  [
   "check-clip_by_global_norm",
   "grads_check = [(np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([0.0, 0.0])), (np.array([[0.0], [12.0]]),\n        np.array([0.0]))]\nsaved = [[a.copy() for a in layer] for layer in grads_check]\nresult = clip_by_global_norm(grads_check, 6.5)\n# diagnosis: common.input-changed\nassert all(np.array_equal(a, b) for layer, old in zip(grads_check, saved) for a, b in zip(layer, old)), (\n    \"clip_by_global_norm changed `grads` in place: return new arrays\")\nassert isinstance(result, tuple) and len(result) == 2, \"clip_by_global_norm returns (clipped, norm)\"\nclipped_check, norm_check = result\nassert isinstance(norm_check, float) and np.isclose(norm_check, 13.0), (\n    f\"the global norm sqrt(3^2 + 4^2 + 12^2) is 13.0 (a Python float), got {norm_check!r}\")\n# diagnosis: clip_by_global_norm.per-array\nassert not np.allclose(clipped_check[1][0], [[0.0], [6.5]]), (\n    \"every array was clipped to max_norm on its own: the global norm is one number over every array together, \"\n    \"and all arrays are scaled by the same max_norm / norm\")\nassert np.allclose(clipped_check[0][0], [[1.5, 0.0], [0.0, 2.0]]) and np.allclose(clipped_check[1][0], [[0.0],\n        [6.0]]), (\n    f\"every array is scaled by 6.5 / 13 = 0.5: expected [[1.5, 0], [0, 2]] and [[0], [6]], got \"\n    f\"{clipped_check[0][0]} and {clipped_check[1][0]}\")\nsmall, small_norm = clip_by_global_norm(grads_check, 20.0)\nassert np.isclose(small_norm, 13.0) and np.allclose(small[1][0], [[0.0], [12.0]]), (\n    \"with max_norm = 20 above the norm 13 nothing is scaled\")\nprint(\"clip_by_global_norm: all checks passed\")"
  ],
  [
   "check-l1_penalty",
   "params_check = [(np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([1.0, -1.0])), (np.array([[-0.5], [0.5]]),\n        np.array([2.0]))]\npenalty_check = l1_penalty(params_check, 0.1)\nassert isinstance(penalty_check, float), f\"l1_penalty returns a Python float, got {type(penalty_check).__name__}\"\n# diagnosis: l1_penalty.biases\nassert not np.isclose(penalty_check, 1.1), (\n    \"the penalty includes |b|: L1, like L2 in Assignment 2, penalizes the weights only\")\nassert np.isclose(penalty_check, 0.7000000000000001), f\"0.1 * (1 + 2 + 0 + 3 + 0.5 + 0.5) = 0.7, got {penalty_check}\"\nprint(\"l1_penalty: all checks passed\")"
  ],
  [
   "check-l1_gradient",
   "params_check = [(np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([1.0, -1.0])), (np.array([[-0.5], [0.5]]),\n        np.array([2.0]))]\nsaved = [[a.copy() for a in layer] for layer in params_check]\ngrads_check = l1_gradient(params_check, 0.1)\n# diagnosis: common.input-changed\nassert all(np.array_equal(a, b) for layer, old in zip(params_check, saved) for a, b in zip(layer, old)), (\n    \"l1_gradient changed `params` in place: return new arrays\")\nassert isinstance(grads_check, list) and len(grads_check) == 2, \"l1_gradient returns a list of 2 (dW, db) tuples\"\n(dW1, db1), (dW2, db2) = grads_check\n# diagnosis: l1_gradient.biases\nassert not np.allclose(db1, [0.1, -0.1]), (\n    \"db is lam * sign(b): the penalty has no biases, so db is zeros\")\nassert np.allclose(db1, 0.0) and np.allclose(db2, 0.0), f\"db is zeros (biases are not penalized), got {db1} and {db2}\"\nassert dW1[1, 0] == 0.0, \"the subgradient at W == 0 is 0 (np.sign(0) == 0)\"\nassert np.allclose(dW1, [[0.1, -0.1], [0.0, 0.1]]) and np.allclose(dW2, [[-0.1], [0.1]]), (\n    f\"dW = lam * sign(W) should be [[0.1, -0.1], [0.0, 0.1]] and [[-0.1], [0.1]], got {dW1} and {dW2}\")\nprint(\"l1_gradient: all checks passed\")"
  ]
 ],
 "calls": {
  "adagrad_step": [],
  "add_backward": [
   "unbroadcast"
  ],
  "backward": [
   "topological_order"
  ],
  "batchnorm_backward": [],
  "batchnorm_forward": [],
  "clip_by_global_norm": [],
  "cross_entropy": [],
  "cross_entropy_backward": [],
  "exp_backward": [],
  "l1_gradient": [],
  "l1_penalty": [],
  "log_backward": [],
  "matmul_backward": [],
  "mean_backward": [],
  "mlp_loss": [],
  "mul_backward": [
   "unbroadcast"
  ],
  "nesterov_step": [],
  "relu_backward": [],
  "rmsprop_step": [],
  "sum_backward": [],
  "tanh_backward": [],
  "topological_order": [],
  "unbroadcast": []
 },
 "check_uses": {
  "adagrad_step": [],
  "add_backward": [
   "unbroadcast"
  ],
  "backward": [
   "add_backward",
   "matmul_backward",
   "mean_backward",
   "mul_backward",
   "relu_backward",
   "sum_backward",
   "topological_order",
   "unbroadcast"
  ],
  "batchnorm_backward": [
   "batchnorm_forward"
  ],
  "batchnorm_forward": [],
  "clip_by_global_norm": [],
  "cross_entropy": [],
  "cross_entropy_backward": [],
  "exp_backward": [],
  "l1_gradient": [],
  "l1_penalty": [],
  "log_backward": [],
  "matmul_backward": [],
  "mean_backward": [],
  "mlp_loss": [
   "add_backward",
   "backward",
   "cross_entropy",
   "cross_entropy_backward",
   "matmul_backward",
   "relu_backward",
   "topological_order",
   "unbroadcast"
  ],
  "mul_backward": [
   "unbroadcast"
  ],
  "nesterov_step": [],
  "relu_backward": [],
  "rmsprop_step": [],
  "sum_backward": [],
  "tanh_backward": [],
  "topological_order": [],
  "unbroadcast": []
 },
 "kinds": "check.kinds-untrained",
 "roles": {
  "setup-imports": "setup",
  "setup-given": "setup",
  "setup-tensor": "setup",
  "solution-unbroadcast": "solution",
  "check-unbroadcast": "check",
  "test-unbroadcast": "test",
  "solution-add_backward": "solution",
  "check-add_backward": "check",
  "test-add_backward": "test",
  "solution-mul_backward": "solution",
  "check-mul_backward": "check",
  "test-mul_backward": "test",
  "solution-matmul_backward": "solution",
  "check-matmul_backward": "check",
  "test-matmul_backward": "test",
  "solution-sum_backward": "solution",
  "check-sum_backward": "check",
  "test-sum_backward": "test",
  "solution-mean_backward": "solution",
  "check-mean_backward": "check",
  "test-mean_backward": "test",
  "solution-relu_backward": "solution",
  "check-relu_backward": "check",
  "test-relu_backward": "test",
  "solution-exp_backward": "solution",
  "check-exp_backward": "check",
  "test-exp_backward": "test",
  "solution-log_backward": "solution",
  "check-log_backward": "check",
  "test-log_backward": "test",
  "solution-tanh_backward": "solution",
  "check-tanh_backward": "check",
  "test-tanh_backward": "test",
  "solution-cross_entropy": "solution",
  "check-cross_entropy": "check",
  "test-cross_entropy": "test",
  "solution-cross_entropy_backward": "solution",
  "check-cross_entropy_backward": "check",
  "test-cross_entropy_backward": "test",
  "solution-topological_order": "solution",
  "check-topological_order": "check",
  "test-topological_order": "test",
  "solution-backward": "solution",
  "check-backward": "check",
  "test-backward": "test",
  "solution-mlp_loss": "solution",
  "check-mlp_loss": "check",
  "test-mlp_loss": "test",
  "solution-batchnorm_forward": "solution",
  "check-batchnorm_forward": "check",
  "test-batchnorm_forward": "test",
  "solution-batchnorm_backward": "solution",
  "check-batchnorm_backward": "check",
  "test-batchnorm_backward": "test",
  "solution-nesterov_step": "solution",
  "check-nesterov_step": "check",
  "test-nesterov_step": "test",
  "solution-adagrad_step": "solution",
  "check-adagrad_step": "check",
  "test-adagrad_step": "test",
  "solution-rmsprop_step": "solution",
  "check-rmsprop_step": "check",
  "test-rmsprop_step": "test",
  "solution-clip_by_global_norm": "solution",
  "check-clip_by_global_norm": "check",
  "test-clip_by_global_norm": "test",
  "solution-l1_penalty": "solution",
  "check-l1_penalty": "check",
  "test-l1_penalty": "test",
  "solution-l1_gradient": "solution",
  "check-l1_gradient": "check",
  "test-l1_gradient": "test",
  "demo-zero-init": "demo",
  "answer-zero-init": "answer",
  "demo-batchnorm": "demo",
  "answer-batchnorm-test": "answer",
  "demo-optimizers": "demo",
  "demo-clipping": "demo",
  "demo-l1-l2": "demo",
  "answer-local-optima": "answer"
 },
 "setup": [
  [
   "setup-imports",
   "import json\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\nimport numpy as np\n\nfrom toy2d import load_dataset\n\n# Settings of the experiments at the end of the notebook.\nHYPERPARAMETERS = json.loads(Path(\"hyperparameters.json\").read_text())\n\n\ndef rel_error(a, b):\n    \"\"\"Largest relative difference between two arrays (0 means identical).\"\"\"\n    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))"
  ],
  [
   "setup-given",
   "# ---------------------------------------------------------------------------------------------\n# Assignments 1 and 2: reference answers (released after their deadlines), renamed where this\n# notebook uses the name for something new (A1's backward is mlp_backward_by_hand here).\n# ---------------------------------------------------------------------------------------------\n\ndef standardize(X, mean=None, std=None):\n    \"\"\"(X - mean) / std per column, with X's own mean and std unless given; returns (X_std, mean, std).\"\"\"\n    if mean is None:\n        mean = X.mean(axis=0)\n    if std is None:\n        std = X.std(axis=0)\n    return (X - mean) / std, mean, std\n\n\ndef softmax(logits):\n    \"\"\"Row-wise softmax of logits (N, K), numerically stable: P (N, K).\"\"\"\n    shifted = logits - logits.max(axis=1, keepdims=True)\n    exp = np.exp(shifted)\n    return exp / exp.sum(axis=1, keepdims=True)\n\n\ndef accuracy(y_pred, y):\n    \"\"\"Fraction of correct predictions, a Python float.\"\"\"\n    return float(np.mean(np.asarray(y_pred) == np.asarray(y)))\n\n\ndef init_params(layer_sizes, rng, scheme=\"standard\"):\n    \"\"\"A2's init_params: W ~ N(0, 1) times 1 (\"standard\"), sqrt(1/c_in) (\"lecun\") or sqrt(2/c_in)\n    (\"he\"), drawn layer by layer with rng.standard_normal((c_in, c_out)); b filled with 0.1.\"\"\"\n    gains = {\"standard\": None, \"lecun\": 1.0, \"he\": 2.0}\n    if scheme not in gains:\n        raise ValueError(f\"unknown initialization scheme {scheme!r}: use 'standard', 'lecun' or 'he'\")\n    params = []\n    for c_in, c_out in zip(layer_sizes[:-1], layer_sizes[1:]):\n        scale = 1.0 if gains[scheme] is None else np.sqrt(gains[scheme] / c_in)\n        params.append((rng.standard_normal((c_in, c_out)) * scale, np.full(c_out, 0.1)))\n    return params\n\n\ndef mlp_forward_by_hand(params, X):\n    \"\"\"A1's forward pass: Z = A @ W + b per layer, ReLU between layers; returns (logits, cache)\n    with cache a list of (A_prev, Z) per layer.\"\"\"\n    cache, A = [], X\n    for i, (W, b) in enumerate(params):\n        Z = A @ W + b\n        cache.append((A, Z))\n        A = np.maximum(Z, 0.0) if i < len(params) - 1 else Z\n    return A, cache\n\n\ndef mlp_backward_by_hand(params, cache, logits, y):\n    \"\"\"A1's backward pass, written by hand: the gradients [(dW, db), ...] of the mean softmax\n    cross-entropy of the logits with respect to every parameter.\"\"\"\n    dZ = softmax(logits)\n    dZ[np.arange(len(y)), y] -= 1.0\n    dZ /= len(y)\n    grads = [None] * len(params)\n    for i in reversed(range(len(params))):\n        A_prev, _ = cache[i]\n        W, _ = params[i]\n        grads[i] = (A_prev.T @ dZ, dZ.sum(axis=0))\n        if i > 0:\n            dZ = (dZ @ W.T) * (cache[i - 1][1] > 0)\n    return grads\n\n\ndef predict(params, X):\n    \"\"\"Predicted class of every example (N,): the index of its largest logit.\"\"\"\n    return np.argmax(mlp_forward_by_hand(params, X)[0], axis=1)\n\n\ndef zeros_like_params(params):\n    \"\"\"A list of (W, b)-shaped tuples of zeros, one per layer of params.\"\"\"\n    return [(np.zeros_like(W), np.zeros_like(b)) for W, b in params]\n\n\ndef sgd_step(params, grads, lr):\n    \"\"\"One SGD step: a new list [(W - lr * dW, b - lr * db), ...].\"\"\"\n    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]\n\n\ndef momentum_step(params, grads, velocity, lr, beta=0.9):\n    \"\"\"A2's momentum: v_new = beta * v - lr * g, p_new = p + v_new; returns (new_params, new_velocity).\"\"\"\n    new_params, new_velocity = [], []\n    for (W, b), (dW, db), (vW, vb) in zip(params, grads, velocity):\n        vW_new, vb_new = beta * vW - lr * dW, beta * vb - lr * db\n        new_params.append((W + vW_new, b + vb_new))\n        new_velocity.append((vW_new, vb_new))\n    return new_params, new_velocity\n\n\ndef adam_step(params, grads, state, lr, beta1=0.9, beta2=0.999, eps=1e-8):\n    \"\"\"A2's Adam with bias correction; state {\"t\", \"m\", \"v\"}; returns (new_params, new_state).\"\"\"\n    t = state[\"t\"] + 1\n    new_params, new_m, new_v = [], [], []\n    for layer, grad, m_layer, v_layer in zip(params, grads, state[\"m\"], state[\"v\"]):\n        p_out, m_out, v_out = [], [], []\n        for p, g, m, v in zip(layer, grad, m_layer, v_layer):\n            m = beta1 * m + (1 - beta1) * g\n            v = beta2 * v + (1 - beta2) * g ** 2\n            p_out.append(p - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps))\n            m_out.append(m)\n            v_out.append(v)\n        new_params.append(tuple(p_out))\n        new_m.append(tuple(m_out))\n        new_v.append(tuple(v_out))\n    return new_params, {\"t\": t, \"m\": new_m, \"v\": new_v}\n\n\ndef l2_penalty(params, lam):\n    \"\"\"A2's L2 penalty: lam / 2 times the sum of squared weights (never biases), a float.\"\"\"\n    return float(lam / 2 * sum(np.sum(W ** 2) for W, _ in params))\n\n\ndef l2_gradient(params, lam):\n    \"\"\"A2's L2 gradient: [(lam * W, zeros like b), ...].\"\"\"\n    return [(lam * W, np.zeros_like(b)) for W, b in params]"
  ],
  [
   "setup-tensor",
   "class Tensor:\n    \"\"\"\n    A node of a computation graph: an array `data`, its gradient `grad`, the nodes it was\n    computed from (`parents`) and its local backward (`backward_fn`).\n\n    - data: float array of any shape (a copy of what it was made from).\n    - grad: float array shaped like data, zeros until backward() fills it.\n    - parents: tuple of Tensors, the inputs of the operation that made this node (() for a leaf).\n    - backward_fn: None for a leaf; otherwise a function dout -> tuple with one gradient per\n      parent (in the order of `parents`), calling YOUR local backward functions.\n\n    Operations build new nodes: a + b, a - b, a * b, a / number, a @ b, -a, a.sum(), a.mean(),\n    a.relu(), a.exp(), a.log(), a.tanh(), logits.cross_entropy(y). A number (or array) on either\n    side of +, - and * is wrapped as a constant leaf Tensor. loss.backward() calls YOUR backward.\n    \"\"\"\n\n    def __init__(self, data, parents=(), backward_fn=None):\n        self.data = np.array(data, dtype=float)\n        self.grad = np.zeros_like(self.data)\n        self.parents = tuple(parents)\n        self.backward_fn = backward_fn\n\n    def __repr__(self):\n        return f\"Tensor(shape={self.data.shape}, {len(self.parents)} parents)\"\n\n    @staticmethod\n    def wrap(value):\n        \"\"\"value itself if it is a Tensor, else a constant leaf Tensor holding it.\"\"\"\n        return value if isinstance(value, Tensor) else Tensor(value)\n\n    def __add__(self, other):\n        other = Tensor.wrap(other)\n        a, b = self.data, other.data\n        return Tensor(a + b, (self, other), lambda dout: add_backward(dout, a, b))\n\n    def __radd__(self, other):\n        return Tensor.wrap(other) + self\n\n    def __sub__(self, other):\n        other = Tensor.wrap(other)\n        a, b = self.data, other.data\n\n        def sub_backward(dout):\n            da, db = add_backward(dout, a, b)\n            return da, -db\n        return Tensor(a - b, (self, other), sub_backward)\n\n    def __rsub__(self, other):\n        return Tensor.wrap(other) - self\n\n    def __neg__(self):\n        return Tensor(-self.data, (self,), lambda dout: (-dout,))\n\n    def __mul__(self, other):\n        other = Tensor.wrap(other)\n        a, b = self.data, other.data\n        return Tensor(a * b, (self, other), lambda dout: mul_backward(dout, a, b))\n\n    def __rmul__(self, other):\n        return Tensor.wrap(other) * self\n\n    def __truediv__(self, number):\n        number = float(number)\n        return Tensor(self.data / number, (self,), lambda dout: (dout / number,))\n\n    def __matmul__(self, other):\n        a, b = self.data, other.data\n        return Tensor(a @ b, (self, other), lambda dout: matmul_backward(dout, a, b))\n\n    def sum(self):\n        a = self.data\n        return Tensor(a.sum(), (self,), lambda dout: (sum_backward(dout, a),))\n\n    def mean(self):\n        a = self.data\n        return Tensor(a.mean(), (self,), lambda dout: (mean_backward(dout, a),))\n\n    def relu(self):\n        a = self.data\n        return Tensor(np.maximum(a, 0.0), (self,), lambda dout: (relu_backward(dout, a),))\n\n    def exp(self):\n        out = np.exp(self.data)\n        return Tensor(out, (self,), lambda dout: (exp_backward(dout, out),))\n\n    def log(self):\n        a = self.data\n        return Tensor(np.log(a), (self,), lambda dout: (log_backward(dout, a),))\n\n    def tanh(self):\n        out = np.tanh(self.data)\n        return Tensor(out, (self,), lambda dout: (tanh_backward(dout, out),))\n\n    def cross_entropy(self, y):\n        \"\"\"The mean softmax cross-entropy of these logits (N, C) and int labels y (N,): a scalar node.\"\"\"\n        logits, y = self.data, np.asarray(y)\n        return Tensor(cross_entropy(logits, y), (self,),\n                      lambda dout: (cross_entropy_backward(dout, logits, y),))\n\n    def backward(self):\n        \"\"\"loss.backward(): fills .grad of every node of the graph, with YOUR backward(root).\"\"\"\n        backward(self)\n\n\n# ---------------------------------------------------------------------------------------------\n# Helpers of the experiments (Part 5). They call your functions of this notebook, looked up when\n# they run: they work once you have written them.\n# ---------------------------------------------------------------------------------------------\n\ndef tensor_params(params):\n    \"\"\"The arrays of params as leaf Tensors: [(Tensor(W), Tensor(b)), ...].\"\"\"\n    return [(Tensor(W), Tensor(b)) for W, b in params]\n\n\ndef bn_network(layer_sizes, rng, scheme=\"lecun\"):\n    \"\"\"A network with batch normalization after every hidden linear layer: a dict with \"params\"\n    (init_params), \"bn\" (one (gamma, beta) per hidden layer: ones and zeros) and \"running\" (one\n    (running_mean, running_var) per hidden layer: zeros and ones).\"\"\"\n    params = init_params(layer_sizes, rng, scheme)\n    hidden = layer_sizes[1:-1]\n    return {\"params\": params, \"bn\": [(np.ones(d), np.zeros(d)) for d in hidden],\n            \"running\": [(np.zeros(d), np.ones(d)) for d in hidden]}\n\n\ndef bn_forward(net, X, train):\n    \"\"\"Forward pass linear -> batchnorm -> ReLU per hidden layer, linear at the end.\n    Returns (logits, caches, new_running).\"\"\"\n    caches, new_running, A = [], [], X\n    last = len(net[\"params\"]) - 1\n    for i, (W, b) in enumerate(net[\"params\"]):\n        Z = A @ W + b\n        if i < last:\n            gamma, beta = net[\"bn\"][i]\n            mean, var = net[\"running\"][i]\n            Y, bn_cache, mean, var = batchnorm_forward(Z, gamma, beta, mean, var, train)\n            new_running.append((mean, var))\n            caches.append((A, Y, bn_cache))\n            A = np.maximum(Y, 0.0)\n        else:\n            caches.append((A, Z, None))\n            A = Z\n    return A, caches, new_running\n\n\ndef bn_backward(net, caches, logits, y):\n    \"\"\"Gradients of the mean cross-entropy: (grads of params, grads of the (gamma, beta) pairs).\"\"\"\n    dZ = softmax(logits)\n    dZ[np.arange(len(y)), y] -= 1.0\n    dZ /= len(y)\n    grads, bn_grads = [None] * len(net[\"params\"]), [None] * len(net[\"bn\"])\n    for i in reversed(range(len(net[\"params\"]))):\n        A_prev, _, _ = caches[i]\n        W, _ = net[\"params\"][i]\n        grads[i] = (A_prev.T @ dZ, dZ.sum(axis=0))\n        if i > 0:\n            _, Y_prev, bn_cache = caches[i - 1]\n            dY = (dZ @ W.T) * (Y_prev > 0)\n            dZ, dgamma, dbeta = batchnorm_backward(dY, bn_cache)\n            bn_grads[i - 1] = (dgamma, dbeta)\n    return grads, bn_grads\n\n\n#: The optimizers fit knows, with the state each starts from.\nOPTIMIZERS = (\"sgd\", \"momentum\", \"adam\", \"nesterov\", \"adagrad\", \"rmsprop\")\n\n\ndef init_state(optimizer, params):\n    \"\"\"The starting state of an optimizer dict such as {\"name\": \"rmsprop\", \"lr\": 0.01}.\"\"\"\n    name = optimizer[\"name\"]\n    if name not in OPTIMIZERS:\n        raise ValueError(f\"unknown optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}\")\n    zeros = zeros_like_params(params)\n    return {\"sgd\": None, \"momentum\": zeros, \"nesterov\": zeros, \"adagrad\": {\"G\": zeros},\n            \"rmsprop\": {\"s\": zeros}, \"adam\": {\"t\": 0, \"m\": zeros, \"v\": zeros_like_params(params)}}[name]\n\n\ndef optimizer_step(optimizer, params, grads, state):\n    \"\"\"One update with the optimizer dict's hyperparameters: (new_params, new_state).\"\"\"\n    name = optimizer[\"name\"]\n    settings = {key: value for key, value in optimizer.items() if key != \"name\"}\n    if name == \"sgd\":\n        return sgd_step(params, grads, **settings), state\n    step = {\"momentum\": momentum_step, \"adam\": adam_step, \"nesterov\": nesterov_step,\n            \"adagrad\": adagrad_step, \"rmsprop\": rmsprop_step}[name]\n    return step(params, grads, state, **settings)\n\n\ndef fit(X, y, params, optimizer, epochs, batch_size, seed, batchnorm=None, max_norm=None,\n        l1=0.0, l2=0.0):\n    \"\"\"\n    Mini-batch training of an MLP with the optimizer dict, shuffled with default_rng(seed).\n\n    The gradients come from loss.backward() (your mlp_loss and autograd), or, when `batchnorm`\n    is a network of bn_network (then `params` is ignored), from bn_forward/bn_backward; L1 and L2\n    gradients are added, then the gradients are clipped to max_norm (if given).\n\n    Returns (params or the batch-norm network, history) with history a dict of per-epoch lists,\n    \"loss\" (mean data loss over the batches) and \"grad_norm\" (mean norm before clipping), and of\n    per-step lists, \"step_loss\" and \"step_grad_norm\" (the same for each batch).\n    \"\"\"\n    rng = np.random.default_rng(seed)\n    net = batchnorm\n    params = net[\"params\"] if net is not None else params\n    state = init_state(optimizer, params)\n    bn_state = init_state(optimizer, net[\"bn\"]) if net is not None else None\n    history = {\"loss\": [], \"grad_norm\": [], \"step_loss\": [], \"step_grad_norm\": []}\n    for _ in range(epochs):\n        order = rng.permutation(len(X))\n        losses, norms = [], []\n        for start in range(0, len(X), batch_size):\n            batch = order[start:start + batch_size]\n            Xb, yb = X[batch], y[batch]\n            if net is None:\n                leaves = tensor_params(params)\n                loss = mlp_loss(leaves, Xb, yb)\n                loss.backward()\n                loss_value = float(loss.data)\n                grads = [(W.grad, b.grad) for W, b in leaves]\n            else:\n                logits, caches, running = bn_forward(net, Xb, train=True)\n                loss_value = float(cross_entropy(logits, yb))\n                grads, bn_grads = bn_backward(net, caches, logits, yb)\n            if l1:\n                grads = [(dW + gW, db) for (dW, db), (gW, _) in zip(grads, l1_gradient(params, l1))]\n            if l2:\n                grads = [(dW + gW, db) for (dW, db), (gW, _) in zip(grads, l2_gradient(params, l2))]\n            if max_norm is not None:\n                grads, norm = clip_by_global_norm(grads, max_norm)\n            else:\n                norm = float(np.sqrt(sum(np.sum(g ** 2) for layer in grads for g in layer)))\n            params, state = optimizer_step(optimizer, params, grads, state)\n            if net is not None:\n                bn, bn_state = optimizer_step(optimizer, net[\"bn\"], bn_grads, bn_state)\n                net = {\"params\": params, \"bn\": bn, \"running\": running}\n            losses.append(loss_value)\n            norms.append(norm)\n        history[\"loss\"].append(float(np.mean(losses)))\n        history[\"grad_norm\"].append(float(np.mean(norms)))\n        history[\"step_loss\"] += losses\n        history[\"step_grad_norm\"] += norms\n    return (net if net is not None else params), history"
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
