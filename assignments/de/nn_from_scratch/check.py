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
 "assignment": "nn_from_scratch",
 "checks": [
  [
   "check-standardize",
   "X_check = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 40.0]])\nX_before = X_check.copy()\nX_std, mean, std = standardize(X_check)\n# diagnosis: common.input-changed\nassert np.array_equal(X_check, X_before), (\n    'standardize hat `X` direkt (in place) verändert: berechnen Sie X_std = (X - mean) / std, ein neues Array, statt X -= mean')\nassert type(X_std) is np.ndarray and np.issubdtype(X_std.dtype, np.floating), (\n    f\"X_std muss ein np.ndarray mit Gleitkommazahlen sein, erhalten: {type(X_std).__name__} mit dtype {getattr(X_std, 'dtype', '-')}\")\nassert X_std.shape == (3, 2), f'X_std sollte die Form (3, 2) haben, erhalten: {np.shape(X_std)}'\n# diagnosis: standardize.statistics-shape\nassert np.shape(mean) == (2,), (\n    f'mean hat die Form {np.shape(mean)}, erwartet ist (2,): berechnen Sie einen Mittelwert und eine Standardabweichung pro Merkmalsspalte (axis=0)')\nassert np.shape(std) == (2,), f'std enthält einen Wert pro Spalte, Form (2,), erhalten: {np.shape(std)}; verwenden Sie axis=0'\nassert np.allclose(mean, [3.0, 20.0]), f'mean sollte spaltenweise [3, 20] sein, erhalten: {mean}'\n# diagnosis: standardize.sample-std\nassert not np.allclose(std, [2.0, 17.32050808]), (\n    'std ist die Stichproben-Standardabweichung (ddof=1); verwenden Sie die Standardabweichung der Grundgesamtheit, die Voreinstellung von np.std (ddof=0)')\nassert np.allclose(std, [1.63299316, 14.14213562]), f'std sollte [1.63299316, 14.14213562] sein, erhalten: {std}'\nassert np.allclose(X_std.mean(axis=0), 0.0), 'jede Spalte von X_std sollte den Mittelwert 0 haben'\nassert np.allclose(X_std.std(axis=0), 1.0), 'jede Spalte von X_std sollte die Standardabweichung 1 haben'\nX_new = np.array([[3.0, 20.0], [5.0, 40.0]])\nmean_given, std_given = np.array([3.0, 20.0]), np.array([2.0, 10.0])\ngiven_before = (X_new.copy(), mean_given.copy(), std_given.copy())\nX_new_std, mean_used, std_used = standardize(X_new, mean_given, std_given)\nfor name, before, after in zip((\"X\", \"mean\", \"std\"), given_before, (X_new, mean_given, std_given)):\n    # diagnosis: common.input-changed\n    assert np.array_equal(before, after), (\n        f'standardize hat `{name}` direkt (in place) verändert: berechnen Sie X_std = (X - mean) / std, ein neues Array, statt X -= mean')\n# diagnosis: standardize.ignores-given\nassert not np.allclose(X_new_std, [[-1.0, -1.0], [1.0, 1.0]]), (\n    'X_std ist X, standardisiert mit seinen eigenen Statistiken: standardize(X_test, mean, std) muss die übergebenen verwenden (die Statistiken der Trainingsdaten)')\nassert np.allclose(X_new_std, [[0.0, 0.0], [1.0, 2.0]]), (\n    f'die übergebenen mean und std sind zu verwenden, keine neu berechneten Statistiken: erwartet [[0, 0], [1, 2]], erhalten: {X_new_std}')\nassert np.allclose(mean_used, mean_given) and np.allclose(std_used, std_given), (\n    'standardize(X, mean, std) gibt die übergebenen mean und std unverändert zurück')\nprint(\"standardize: all checks passed\")"
  ],
  [
   "check-sigmoid",
   "Z_check = np.array([[0.0, 2.0], [-2.0, 0.5]])\nZ_before = Z_check.copy()\nS = sigmoid(Z_check)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    'sigmoid hat `Z` direkt (in place) verändert: berechnen Sie das Ergebnis in ein neues Array (z. B. np.empty_like(Z)), schreiben Sie nie in Z')\nassert type(S) is np.ndarray and np.issubdtype(S.dtype, np.floating), (\n    f\"sigmoid muss ein np.ndarray mit Gleitkommazahlen zurückgeben, erhalten: {type(S).__name__} mit dtype {getattr(S, 'dtype', '-')}\")\nassert np.shape(S) == (2, 2), f'sigmoid muss die Form (2, 2) beibehalten, erhalten: {np.shape(S)}'\n# diagnosis: sigmoid.sign-flipped\nassert not np.allclose(S, [[0.5, 0.11920292], [0.88079708, 0.37754067]]), (\n    'sigmoid(z) ist gleich 1 / (1 + exp(+z)): der Exponent ist -z')\nassert np.allclose(S, [[0.5, 0.88079708], [0.11920292, 0.62245933]]), f'falsche Werte: {S}'\nZ_big = np.array([-1000.0, 1000.0])\nS_big = sigmoid(Z_big)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_big, [-1000.0, 1000.0]), (\n    'sigmoid hat `Z` direkt (in place) verändert: berechnen Sie das Ergebnis in ein neues Array (z. B. np.empty_like(Z)), schreiben Sie nie in Z')\n# diagnosis: sigmoid.exp-ratio\nassert not np.allclose(S_big, [0.0, np.nan], equal_nan=True), (\n    'sigmoid liefert NaN für z ~ 1000, genau das, was exp(z) / (1 + exp(z)) dort liefert (inf / inf): verwenden Sie diese Form nur für z < 0 und 1 / (1 + exp(-z)) für z >= 0')\nassert np.allclose(S_big, [0.0, 1.0]), f'sigmoid(-1000) sollte 0 ergeben und sigmoid(1000) 1, erhalten: {S_big}'\nprint(\"sigmoid: all checks passed\")"
  ],
  [
   "check-init_params",
   "sizes_check = [2, 5, 3]\nparams_check = init_params(sizes_check, np.random.default_rng(0))\n# diagnosis: common.input-changed\nassert sizes_check == [2, 5, 3], (\n    'init_params hat `layer_sizes` direkt (in place) verändert: lesen Sie layer_sizes nur (z. B. zip(layer_sizes[:-1], layer_sizes[1:])); wenden Sie nie pop, append oder sort darauf an')\nassert len(params_check) == 2, f'[2, 5, 3] ergibt zwei lineare Schichten, erhalten: {len(params_check)}'\n# diagnosis: init_params.w-transposed\nassert np.shape(params_check[0][0]) != (5, 2), (\n    f'W_1 hat die Form {np.shape(params_check[0][0])}, erwartet ist (c_in, c_out) = (2, 5)')\nshapes = [(np.shape(W), np.shape(b)) for W, b in params_check]\nassert shapes == [((2, 5), (5,)), ((5, 3), (3,))], f'falsche Formen {shapes}: W hat die Form (c_in, c_out), b die Form (c_out,)'\nassert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for layer in params_check for a in layer), (\n    'jedes W und jedes b muss ein np.ndarray mit Gleitkommazahlen sein')\n# diagnosis: init_params.zero-bias\nassert not np.all(params_check[0][1] == 0), 'b_1 ist überall 0; jeder Eintrag des Bias beginnt bei 0.1'\nassert all(np.all(b == 0.1) for _, b in params_check), 'jeder Eintrag des Bias beginnt bei 0.1'\nrng_expected = np.random.default_rng(0)\nexpected_W1 = rng_expected.standard_normal((2, 5))\nexpected_W2 = rng_expected.standard_normal((5, 3))\n# diagnosis: init_params.scaled\nassert not (np.allclose(params_check[0][0] * np.sqrt(2), expected_W1)\n            and np.allclose(params_check[1][0] * np.sqrt(5), expected_W2)), (\n    'W_1 ist die Ziehung, skaliert mit 1/sqrt(c_in); diese Aufgabe verwendet W ~ N(0, 1) ohne Skalierung')\nassert np.allclose(params_check[0][0], expected_W1), 'ziehen Sie zuerst W_1 mit rng.standard_normal((c_in, c_out))'\nassert np.allclose(params_check[1][0], expected_W2), (\n    'ziehen Sie W_2 direkt nach W_1 aus demselben rng: rng.standard_normal((c_in, c_out)), Schicht für Schicht')\nprint(\"init_params: all checks passed\")"
  ],
  [
   "check-linear_forward",
   "X_check = np.array([[1.0, 2.0], [3.0, -1.0]])\nW_square, b_square = np.array([[1.0, 0.5], [-1.0, 2.0]]), np.array([0.1, 0.2])\nZ_square = linear_forward(X_check, W_square, b_square)\n# diagnosis: linear_forward.w-transposed\nassert not np.allclose(Z_square, [[2.1, 3.2], [2.6, -4.8]]), (\n    'linear_forward liefert genau dasselbe wie X @ W.T + b (W hat die Form (c_in, c_out)): berechnen Sie X @ W + b')\n# diagnosis: linear_forward.bias-missing\nassert not np.allclose(Z_square, [[-1.0, 4.5], [4.0, -0.5]]), 'Z ist gleich X @ W: der Bias b fehlt, Z = X @ W + b'\nassert np.allclose(Z_square, [[-0.9, 4.7], [4.1, -0.3]]), (\n    f'bei einem W der Größe 2 x 2 erwartet: [[-0.9, 4.7], [4.1, -0.3]], erhalten: {Z_square}')\nW_check = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])\nb_check = np.array([0.1, 0.2, 0.3])\ninputs_before = (X_check.copy(), W_check.copy(), b_check.copy())\nZ = linear_forward(X_check, W_check, b_check)\nfor name, before, after in zip((\"X\", \"W\", \"b\"), inputs_before, (X_check, W_check, b_check)):\n    # diagnosis: common.input-changed\n    assert np.array_equal(before, after), (\n        f'linear_forward hat `{name}` direkt (in place) verändert: berechnen Sie Z als neues Array (X @ W + b liefert eines); schreiben Sie nie in X, W oder b')\nassert type(Z) is np.ndarray and np.issubdtype(Z.dtype, np.floating), (\n    f\"linear_forward muss ein np.ndarray mit Gleitkommazahlen zurückgeben, erhalten: {type(Z).__name__} mit dtype {getattr(Z, 'dtype', '-')}\")\nassert np.shape(Z) == (2, 3), f'Z sollte die Form (N, c_out) = (2, 3) haben, erhalten: {np.shape(Z)}'\n# diagnosis: linear_forward.bias-missing\nassert not np.allclose(Z, X_check @ W_check), 'Z ist gleich X @ W: der Bias b fehlt, Z = X @ W + b'\nassert np.allclose(Z, [[2.1, 4.2, 1.3], [2.6, -1.8, -3.7]]), f'falsche Werte:\\n{Z}'\nprint(\"linear_forward: all checks passed\")"
  ],
  [
   "check-relu_forward",
   "Z_check = np.array([[-2.0, 0.0, 3.0], [1.5, -0.5, 0.0]])\nZ_before = Z_check.copy()\nA = relu_forward(Z_check)\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    'relu_forward hat `Z` direkt (in place) verändert: geben Sie np.maximum(Z, 0) zurück, ein neues Array, statt Z[Z < 0] = 0 zu setzen')\nassert type(A) is np.ndarray and np.issubdtype(A.dtype, np.floating), (\n    f\"relu_forward muss ein np.ndarray mit Gleitkommazahlen zurückgeben, erhalten: {type(A).__name__} mit dtype {getattr(A, 'dtype', '-')}\")\nassert np.shape(A) == (2, 3), f'A behält die Form von Z, (2, 3), erhalten: {np.shape(A)}'\nassert np.allclose(A, [[0.0, 0.0, 3.0], [1.5, 0.0, 0.0]]), (\n    f'relu_forward([[-2, 0, 3], [1.5, -0.5, 0]]) sollte [[0, 0, 3], [1.5, 0, 0]] ergeben, erhalten: {A}')\nprint(\"relu_forward: all checks passed\")"
  ],
  [
   "check-forward",
   "params_check = [(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.1, 0.1])),\n                (np.array([[1.0], [-2.0]]), np.array([0.1]))]\nX_check = np.array([[1.0, 1.0], [-1.0, 0.0]])\nparams_before = [(W.copy(), b.copy()) for W, b in params_check]\nX_before = X_check.copy()\nlogits, cache = forward(params_check, X_check)\n# diagnosis: common.input-changed\nassert np.array_equal(X_check, X_before), (\n    'forward hat `X` direkt (in place) verändert: lassen Sie params und X, wie sie sind: die Ausgabe jeder Schicht ist ein neues Array')\n# diagnosis: common.input-changed\nassert all(np.array_equal(W, W0) and np.array_equal(b, b0)\n           for (W, b), (W0, b0) in zip(params_check, params_before)), (\n    'forward hat `params` direkt (in place) verändert: lassen Sie params und X, wie sie sind: die Ausgabe jeder Schicht ist ein neues Array')\nassert type(logits) is np.ndarray and np.issubdtype(logits.dtype, np.floating), (\n    f\"logits muss ein np.ndarray mit Gleitkommazahlen sein, erhalten: {type(logits).__name__} mit dtype {getattr(logits, 'dtype', '-')}\")\nassert np.shape(logits) == (2, 1), f'logits sollte die Form (2, 1) haben, erhalten: {np.shape(logits)}'\n# diagnosis: forward.relu-after-last\nassert not np.allclose(logits, [[3.2], [0.0]]), (\n    'die Logits sind die Ausgabe des Netzes mit ReLU auch nach der letzten Schicht; die Logits kommen direkt aus der letzten linearen Schicht')\nassert np.allclose(logits, [[3.2], [-2.1]]), f'falsche Logits {logits.ravel()}: ReLU folgt auf jede Schicht außer der letzten'\nassert isinstance(cache, (list, tuple)) and len(cache) == 2, 'cache braucht ein Tupel (A_prev, Z) pro Schicht'\nassert all(isinstance(entry, (list, tuple)) and len(entry) == 2 for entry in cache), (\n    'jeder Eintrag von cache ist ein Tupel (A_prev, Z)')\nA_1, Z_1, Z_2 = [[3.1, 0.0], [0.0, 1.1]], [[3.1, -0.4], [-0.9, 1.1]], [[3.2], [-2.1]]\n\n\ndef _cache_is(entries):\n    return all(np.shape(c[0]) == np.shape(e[0]) and np.shape(c[1]) == np.shape(e[1]) and np.allclose(c[0], e[0])\n               and np.allclose(c[1], e[1]) for c, e in zip(cache, entries))\n\n\n# diagnosis: forward.cache-reversed\nassert not _cache_is([(A_1, Z_2), (X_check, Z_1)]), 'cache ist in umgekehrter Reihenfolge: cache[0] muss zur ersten Schicht gehören'\n# diagnosis: forward.cache-z-first\nassert not _cache_is([(Z_1, X_check), (Z_2, A_1)]), 'die Einträge von cache sind (Z, A_prev); speichern Sie (A_prev, Z)'\n# diagnosis: forward.cache-activations\nassert not _cache_is([(X_check, A_1), (A_1, Z_2)]), (\n    'der cache einer verdeckten Schicht enthält deren ReLU-Ausgabe; speichern Sie Z vor der ReLU')\nassert np.shape(cache[0][0]) == (2, 2) and np.allclose(cache[0][0], X_check), 'cache[0][0] ist die Eingabe X'\nassert np.shape(cache[0][1]) == (2, 2) and np.allclose(cache[0][1], Z_1), (\n    f'cache[0][1] ist Z_1 = X @ W_1 + b_1, [[3.1, -0.4], [-0.9, 1.1]], erhalten: {cache[0][1]}')\nassert np.shape(cache[1][0]) == (2, 2) and np.allclose(cache[1][0], A_1), 'cache[1][0] ist die ReLU-Ausgabe der Schicht 1'\nassert np.shape(cache[1][1]) == (2, 1) and np.allclose(cache[1][1], Z_2), (\n    'cache[1][1] ist das Z der letzten Schicht (die Logits)')\nprint(\"forward: all checks passed\")"
  ],
  [
   "check-softmax",
   "logits_check = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])\nlogits_before = logits_check.copy()\nP = softmax(logits_check)\n# diagnosis: common.input-changed\nassert np.array_equal(logits_check, logits_before), (\n    'softmax hat `logits` direkt (in place) verändert: ziehen Sie das Zeilenmaximum in ein neues Array ab, statt logits zu verändern (logits -= ...)')\nassert type(P) is np.ndarray and np.issubdtype(P.dtype, np.floating), (\n    f\"softmax muss ein np.ndarray mit Gleitkommazahlen zurückgeben, erhalten: {type(P).__name__} mit dtype {getattr(P, 'dtype', '-')}\")\nassert np.shape(P) == (2, 3), f'P sollte die Form (2, 3) haben, erhalten: {np.shape(P)}'\n# diagnosis: softmax.wrong-axis\nassert not np.allclose(P, [[0.73105858, 0.88079708, 0.95257413], [0.26894142, 0.11920292, 0.04742587]]), (\n    'P ist die Softmax, die die Spalten normiert; jede Zeile (axis=1) muss sich zu 1 summieren')\nassert np.allclose(P.sum(axis=1), 1.0), 'die Summe jeder Zeile muss 1 ergeben (Softmax über axis=1)'\nassert np.allclose(P[0], [0.09003057, 0.24472847, 0.66524096]), f'falsche erste Zeile {P[0]}'\nP_one = softmax(np.array([[2.0, -1.0]]))\nassert np.allclose(P_one, [[0.95257413, 0.04742587]]), (\n    f'die Softmax der einzelnen Zeile [[2, -1]] sollte [[0.95257413, 0.04742587]] ergeben, erhalten: {P_one}; normieren Sie jede Zeile (axis=1)')\nlogits_big = np.array([[1000.0, 0.0]])\nP_big = softmax(logits_big)\n# diagnosis: common.input-changed\nassert np.array_equal(logits_big, [[1000.0, 0.0]]), (\n    'softmax hat `logits` direkt (in place) verändert: ziehen Sie das Zeilenmaximum in ein neues Array ab, statt logits zu verändern (logits -= ...)')\n# diagnosis: softmax.no-max-shift\nassert not np.allclose(P_big, [[np.nan, 0.0]], equal_nan=True), (\n    'P enthält NaN für Logits ~ 1e3, genau das, was np.exp(logits) / np.exp(logits).sum(...) dort liefert (inf / inf): ziehen Sie vor exp das Maximum der Zeile ab')\nassert np.allclose(P_big, [[1.0, 0.0]]), f'softmax([[1000, 0]]) sollte [[1, 0]] ergeben, erhalten: {P_big}'\nprint(\"softmax: all checks passed\")"
  ],
  [
   "check-softmax_cross_entropy",
   "logits_check = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])\ny_check = np.array([0, 1])\nlogits_before, y_before = logits_check.copy(), y_check.copy()\nloss = softmax_cross_entropy(logits_check, y_check)\n# diagnosis: common.input-changed\nassert np.array_equal(logits_check, logits_before), (\n    'softmax_cross_entropy hat `logits` direkt (in place) verändert: ziehen Sie das Zeilenmaximum in ein neues Array ab (shifted = logits - ...), nie logits -= ...')\n# diagnosis: common.input-changed\nassert np.array_equal(y_check, y_before), 'softmax_cross_entropy hat `y` direkt (in place) verändert: lesen Sie die Labels nur'\nassert isinstance(loss, float), f'geben Sie einen Python-float zurück (mit float(...)), erhalten: {type(loss).__name__}'\n# diagnosis: softmax_cross_entropy.summed\nassert not np.isclose(loss, 0.6370795), 'der Verlust ist die Summe über den Batch: geben Sie den Mittelwert zurück'\n# diagnosis: softmax_cross_entropy.wrong-sign\nassert not np.isclose(loss, -0.31853977), 'der Verlust hat das falsche Vorzeichen: er ist -log p_y, eine positive Zahl'\nassert np.isclose(loss, 0.31853977), f'erwartet war der mittlere Verlust 0.31853977, erhalten: {loss}'\nloss_uint8 = softmax_cross_entropy(logits_check, y_check.astype(np.uint8))\nassert isinstance(loss_uint8, float) and np.isclose(loss_uint8, 0.31853977), (\n    f'Labels jedes ganzzahligen dtype müssen funktionieren: mit y als uint8 erwartet 0.31853977, erhalten: {loss_uint8!r}')\nuniform = softmax_cross_entropy(np.zeros((4, 3)), np.array([0, 1, 2, 0]))\nassert np.isclose(uniform, np.log(3)), f'gleiche Logits über 3 Klassen ergeben log(3), erhalten: {uniform}'\nlogits_big = np.array([[1000.0, 0.0], [1000.0, 0.0]])\nbig = softmax_cross_entropy(logits_big, np.array([1, 0]))\n# diagnosis: common.input-changed\nassert np.array_equal(logits_big, [[1000.0, 0.0], [1000.0, 0.0]]), (\n    'softmax_cross_entropy hat `logits` direkt (in place) verändert: ziehen Sie das Zeilenmaximum in ein neues Array ab (shifted = logits - ...), nie logits -= ...')\n# diagnosis: softmax_cross_entropy.naive-exp\nassert not np.allclose(big, np.nan, equal_nan=True), (\n    f'für Logits ~ 1e3 ist der Verlust {big}, genau das, was -log(exp(logits[y]) / exp(logits).sum()) dort liefert (exp läuft über): verwenden Sie log-sum-exp mit abgezogenem Zeilenmaximum')\n# diagnosis: softmax_cross_entropy.log-of-probability\nassert not np.allclose(big, np.inf), (\n    f'für Logits ~ 1e3 ist der Verlust {big}, genau das, was -log(softmax(logits)[y]) dort liefert: die Wahrscheinlichkeit wird zu 0 abgerundet und log(0) = -inf; berechnen Sie log p als shifted - log(sum(exp(shifted))) (log-sum-exp)')\nassert np.isclose(big, 500.0), f'der Verlust für [[1000, 0], [1000, 0]] mit y = [1, 0] beträgt (1000 + 0) / 2 = 500, erhalten: {big}'\nprint(\"softmax_cross_entropy: all checks passed\")"
  ],
  [
   "check-predict-accuracy",
   "params_check = [(np.array([[1.0, -1.0], [0.0, 2.0]]), np.array([0.0, 0.0]))]\nX_check = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])\nparams_before = [(W.copy(), b.copy()) for W, b in params_check]\nX_before = X_check.copy()\ny_pred = predict(params_check, X_check)\n# diagnosis: common.input-changed\nassert np.array_equal(X_check, X_before), 'predict hat `X` direkt (in place) verändert: lassen Sie params und X, wie sie sind'\n# diagnosis: common.input-changed\nassert all(np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(params_check, params_before)), (\n    'predict hat `params` direkt (in place) verändert: lassen Sie params und X, wie sie sind')\nassert type(y_pred) is np.ndarray, f'predict muss ein np.ndarray zurückgeben, erhalten: {type(y_pred).__name__}'\n# diagnosis: predict.scores\nassert not (np.shape(y_pred) == (3, 2) and np.allclose(y_pred, [[1.0, -1.0], [0.0, 2.0], [-1.0, 1.0]])), (\n    'predict hat die Logits zurückgegeben, einen Wert pro Klasse; geben Sie das Label mit dem größten Logit zurück (np.argmax über axis=1)')\nassert np.shape(y_pred) == (3,), f'predict gibt ein Label pro Zeile zurück, Form (3,), erhalten: {np.shape(y_pred)}'\n# diagnosis: predict.float-labels\nassert np.issubdtype(y_pred.dtype, np.integer), (\n    f'predict hat Labels vom dtype {y_pred.dtype} zurückgegeben: np.argmax liefert ganze Zahlen; wandeln Sie sie nicht um')\nassert list(y_pred) == [0, 1, 1], f'predict sollte [0, 1, 1] liefern, erhalten: {list(y_pred)}; argmax über axis=1'\ny_pred_check, y_true_check = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])\nlabels_before = (y_pred_check.copy(), y_true_check.copy())\nacc = accuracy(y_pred_check, y_true_check)\nfor name, before, after in zip((\"y_pred\", \"y\"), labels_before, (y_pred_check, y_true_check)):\n    # diagnosis: common.input-changed\n    assert np.array_equal(before, after), (\n        f'accuracy hat `{name}` direkt (in place) verändert: vergleichen Sie mit np.mean(y_pred == y), ohne y_pred oder y zu verändern')\n# diagnosis: accuracy.count\nassert not np.isclose(acc, 3.0), 'accuracy hat die Anzahl der richtigen Labels zurückgegeben; geben Sie den Anteil zurück'\nassert isinstance(acc, float), f'accuracy muss einen Python-float zurückgeben (mit float(...)), erhalten: {type(acc).__name__}'\nassert np.isclose(acc, 0.75), f'accuracy sollte 0.75 ergeben, erhalten: {acc!r}'\nacc_uint8 = accuracy(y_pred_check.astype(np.uint8), y_true_check.astype(np.uint8))\nassert isinstance(acc_uint8, float) and np.isclose(acc_uint8, 0.75), (\n    f'Labels jedes ganzzahligen dtype müssen funktionieren: mit Labels als uint8 erwartet 0.75, erhalten: {acc_uint8!r}')\nprint(\"predict, accuracy: all checks passed\")"
  ],
  [
   "check-linear_backward",
   "dZ_check = np.array([[1.0, -1.0], [0.5, 2.0]])\nX_check = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]])\nW_check = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])\ninputs_before = (dZ_check.copy(), X_check.copy(), W_check.copy())\ndX, dW, db = linear_backward(dZ_check, X_check, W_check)\nfor name, before, after in zip((\"dZ\", \"X\", \"W\"), inputs_before, (dZ_check, X_check, W_check)):\n    # diagnosis: common.input-changed\n    assert np.array_equal(before, after), (\n        f'linear_backward hat `{name}` direkt (in place) verändert: berechnen Sie dZ @ W.T, X.T @ dZ und dZ.sum(axis=0), alle als neue Arrays')\nassert all(type(g) is np.ndarray and np.issubdtype(g.dtype, np.floating) for g in (dX, dW, db)), (\n    f\"dX, dW und db müssen np.ndarrays mit Gleitkommazahlen sein, erhalten: {', '.join((type(g).__name__ for g in (dX, dW, db)))}\")\nassert np.shape(dX) == (2, 3), f'dX hat die Form von X, (2, 3), erhalten: {np.shape(dX)}'\n# diagnosis: linear_backward.dw-transposed\nassert not (np.shape(dW) == (2, 3) and np.allclose(dW, [[0.5, 2.0, 3.5], [-3.0, -2.0, -1.0]])), (\n    'dW ist gleich dZ.T @ X, der Transponierten: dW = X.T @ dZ, mit der Form (c_in, c_out)')\nassert np.shape(dW) == (3, 2), f'dW hat die Form von W, (3, 2), erhalten: {np.shape(dW)}; dW = X.T @ dZ'\n# diagnosis: linear_backward.db-not-summed\nassert not (np.shape(db) == (2, 2) and np.allclose(db, dZ_check)), (\n    'db ist dZ selbst, eine Zeile pro Beispiel: jedes Beispiel trägt bei, summieren Sie dZ also über den Batch (axis=0)')\nassert np.shape(db) == (2,), f'db hat die Form von b, (2,), erhalten: {np.shape(db)}; summieren Sie dZ über den Batch'\nassert np.allclose(dX, [[1.0, 1.0, -3.0], [0.5, 3.0, 6.0]]), f'falsches dX {dX}'\nassert np.allclose(dW, [[0.5, -3.0], [2.0, -2.0], [3.5, -1.0]]), f'falsches dW {dW}'\n# diagnosis: linear_backward.db-averaged\nassert not np.allclose(db, [0.75, 0.5]), 'db ist der Mittelwert von dZ über den Batch; es ist die Summe'\nassert np.allclose(db, [1.5, 1.0]), f'falsches db {db}'\nprint(\"linear_backward: all checks passed\")"
  ],
  [
   "check-relu_backward",
   "dA_check = np.array([[1.0, 2.0, 3.0, -4.0]])\nZ_check = np.array([[-1.0, 0.0, 2.0, 5.0]])\ndA_before, Z_before = dA_check.copy(), Z_check.copy()\ndZ = relu_backward(dA_check, Z_check)\n# diagnosis: common.input-changed\nassert np.array_equal(dA_check, dA_before), (\n    'relu_backward hat `dA` direkt (in place) verändert: multiplizieren Sie dA mit der 0/1-Maske der Stellen, an denen Z > 0 ist, in ein neues Array, statt Einträge von dA auf 0 zu setzen')\n# diagnosis: common.input-changed\nassert np.array_equal(Z_check, Z_before), (\n    'relu_backward hat `Z` direkt (in place) verändert: bauen Sie die Maske als neues Array, ohne in Z zu schreiben')\nassert type(dZ) is np.ndarray and np.issubdtype(dZ.dtype, np.floating), (\n    f\"relu_backward muss ein np.ndarray mit Gleitkommazahlen zurückgeben, erhalten: {type(dZ).__name__} mit dtype {getattr(dZ, 'dtype', '-')}\")\nassert np.shape(dZ) == (1, 4), f'dZ hat die Form von dA, (1, 4), erhalten: {np.shape(dZ)}'\n# diagnosis: relu_backward.uses-output\nassert not np.allclose(dZ, [[0.0, 0.0, 6.0, -20.0]]), (\n    'dZ ist dA mal die ReLU-Ausgabe: multiplizieren Sie dA mit der 0/1-Maske der Stellen, an denen Z > 0 ist')\n# diagnosis: relu_backward.uses-z\nassert not np.allclose(dZ, [[-1.0, 0.0, 6.0, -20.0]]), (\n    'dZ ist gleich dA * Z: multiplizieren Sie dA mit der 0/1-Maske der Stellen, an denen Z > 0 ist, nicht mit Z')\n# diagnosis: relu_backward.ge-zero\nassert not np.allclose(dZ, [[0.0, 2.0, 3.0, -4.0]]), (\n    \"bei Z == 0 wurde der Gradient durchgelassen: ReLU'(0) = 0, die Maske ist also Z > 0, nicht Z >= 0\")\nassert np.allclose(dZ, [[0.0, 0.0, 3.0, -4.0]]), f'erwartet: [[0, 0, 3, -4]] (dA dort, wo Z > 0 ist, sonst 0), erhalten: {dZ}'\nprint(\"relu_backward: all checks passed\")"
  ],
  [
   "check-softmax_cross_entropy_backward",
   "logits_check = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])\ny_check = np.array([0, 1])\nlogits_before, y_before = logits_check.copy(), y_check.copy()\ndlogits = softmax_cross_entropy_backward(logits_check, y_check)\n# diagnosis: common.input-changed\nassert np.array_equal(logits_check, logits_before), (\n    'softmax_cross_entropy_backward hat `logits` direkt (in place) verändert: beginnen Sie mit P = softmax(logits), einem neuen Array, und verändern Sie P, nie logits')\n# diagnosis: common.input-changed\nassert np.array_equal(y_check, y_before), 'softmax_cross_entropy_backward hat `y` direkt (in place) verändert: lesen Sie die Labels nur'\nassert type(dlogits) is np.ndarray and np.issubdtype(dlogits.dtype, np.floating), (\n    f\"dlogits muss ein np.ndarray mit Gleitkommazahlen sein, erhalten: {type(dlogits).__name__} mit dtype {getattr(dlogits, 'dtype', '-')}\")\nassert np.shape(dlogits) == (2, 3), f'dlogits hat die Form von logits, (2, 3), erhalten: {np.shape(dlogits)}'\nexpected = np.array([[-0.17049943, 0.12121649, 0.04928295], [0.05430187, -0.09876047, 0.04445861]])\n# diagnosis: softmax_cross_entropy_backward.missing-1-over-n\nassert not np.allclose(dlogits, 2 * expected), (\n    'dlogits ist N-mal zu groß: der Verlust ist ein Mittelwert, teilen Sie also durch die Batch-Größe N')\n# diagnosis: softmax_cross_entropy_backward.wrong-sign\nassert not np.allclose(dlogits, -expected), 'dlogits hat das falsche Vorzeichen: es ist (softmax(logits) - onehot(y)) / N'\n# diagnosis: softmax_cross_entropy_backward.wrong-axis\nassert not np.allclose(dlogits, [[-0.09121276, 0.09121276, 0.225083], [0.09121276, -0.09121276, 0.274917]]), (\n    'dlogits ist der Gradient mit einer Softmax, die die Spalten normiert; jede Zeile von softmax(logits) muss sich zu 1 summieren (axis=1)')\nassert np.allclose(dlogits, expected), f'erwartet: (softmax(logits) - onehot(y)) / N = {expected}, erhalten: {dlogits}'\nlogits_big = np.array([[1000.0, 0.0]])\ndlogits_big = softmax_cross_entropy_backward(logits_big, np.array([1]))\n# diagnosis: common.input-changed\nassert np.array_equal(logits_big, [[1000.0, 0.0]]), (\n    'softmax_cross_entropy_backward hat `logits` direkt (in place) verändert: beginnen Sie mit P = softmax(logits), einem neuen Array, und verändern Sie P, nie logits')\n# diagnosis: softmax_cross_entropy_backward.no-max-shift\nassert not np.allclose(dlogits_big, [[np.nan, -1.0]], equal_nan=True), (\n    'dlogits enthält NaN für Logits ~ 1e3, genau das, was eine Softmax ohne abgezogenes Zeilenmaximum dort liefert (inf / inf): ziehen Sie vor exp das Maximum der Zeile ab')\nassert np.allclose(dlogits_big, [[1.0, -1.0]]), f'für die Logits [[1000, 0]] und y=1 erwartet: [[1, -1]], erhalten: {dlogits_big}'\nprint(\"softmax_cross_entropy_backward: all checks passed\")"
  ],
  [
   "check-backward",
   "params_check = [(np.array([[1.0, -1.0], [2.0, 0.5]]), np.array([0.1, 0.1])),\n                (np.array([[1.0, 0.5], [-2.0, 1.0]]), np.array([0.1, 0.1]))]\nX_check = np.array([[1.0, 1.0], [-1.0, 0.0]])\n# Der Cache, den forward für X_check anlegt: [(X, Z_1), (A_1, Z_2)] mit A_1 = ReLU(Z_1).\ncache_check = [(X_check, np.array([[3.1, -0.4], [-0.9, 1.1]])),\n               (np.array([[3.1, 0.0], [0.0, 1.1]]), np.array([[3.2, 1.65], [-2.1, 1.2]]))]\ndlogits_check = np.array([[0.5, -0.5], [-0.25, 0.25]])\nparams_before = [(W.copy(), b.copy()) for W, b in params_check]\ncache_before = [(A_prev.copy(), Z.copy()) for A_prev, Z in cache_check]\ndlogits_before = dlogits_check.copy()\ngrads = backward(params_check, cache_check, dlogits_check)\nhint = 'lassen Sie params, cache und dlogits, wie sie sind: jeder Gradient ist ein neues Array'\n# diagnosis: common.input-changed\nassert np.array_equal(dlogits_check, dlogits_before), f'backward hat `dlogits` direkt (in place) verändert: {hint}'\n# diagnosis: common.input-changed\nassert all(np.array_equal(A, A0) and np.array_equal(Z, Z0)\n           for (A, Z), (A0, Z0) in zip(cache_check, cache_before)), f'backward hat `cache` direkt (in place) verändert: {hint}'\n# diagnosis: common.input-changed\nassert all(np.array_equal(W, W0) and np.array_equal(b, b0)\n           for (W, b), (W0, b0) in zip(params_check, params_before)), f'backward hat `params` direkt (in place) verändert: {hint}'\nassert isinstance(grads, (list, tuple)) and len(grads) == 2, f'ein (dW, db) pro Schicht, erhalten: {len(grads)}'\nassert all(isinstance(g, (list, tuple)) and len(g) == 2 for g in grads), 'jeder Eintrag von grads ist ein Tupel (dW, db)'\nassert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for g in grads for a in g), (\n    'jedes dW und jedes db muss ein np.ndarray mit Gleitkommazahlen sein')\nexpected_dW = [np.array([[0.25, -0.75], [0.25, 0.0]]), np.array([[1.55, -1.55], [-0.275, 0.275]])]\n# diagnosis: backward.grads-reversed\nassert not (np.allclose(grads[0][0], expected_dW[1]) and np.allclose(grads[1][0], expected_dW[0])), (\n    'grads ist in umgekehrter Reihenfolge: grads[0] muss zur ersten Schicht gehören')\nassert np.allclose(grads[1][0], expected_dW[1]), f'falsches dW_2 {grads[1][0]}: dW_2 = A_1.T @ dlogits'\nassert np.allclose(grads[1][1], [0.25, -0.25]), f'falsches db_2 {grads[1][1]}: db_2 ist die Summe von dlogits über den Batch'\n# diagnosis: backward.wrong-layer-z\nassert not (np.allclose(grads[0][0], [[0.25, -2.25], [0.25, -1.5]]) and np.allclose(grads[0][1], [0.25, -0.75])), (\n    'backward liefert genau dasselbe wie eine Version, die den Gradienten der Eingabe von Schicht i mit dem eigenen Z dieser Schicht maskiert (cache[i][1]); die ReLU vor Schicht i wird mit dem Z von Schicht i - 1 rückgängig gemacht, cache[i - 1][1]')\n# diagnosis: backward.mask-from-input\nassert not (np.allclose(grads[0][0], [[0.25, -1.5], [0.25, -1.5]]) and np.allclose(grads[0][1], [0.25, -1.5])), (\n    'backward liefert genau dasselbe wie eine Version, die den Gradienten der Eingabe von Schicht i mit der Eingabe von Schicht i - 1 (cache[i - 1][0]) statt mit deren Z maskiert: die ReLU vor Schicht i wird mit cache[i - 1][1] rückgängig gemacht')\n# diagnosis: backward.relu-missing\nassert not (np.allclose(grads[0][0], [[0.375, -2.25], [0.25, -1.5]]) and np.allclose(grads[0][1], [0.125, -0.75])), (\n    'die Gradienten sind die eines Netzes ohne ReLU zwischen den Schichten: wenden Sie relu_backward auf dA an, bevor das nächste linear_backward folgt')\nassert np.allclose(grads[0][0], expected_dW[0]), f'falsches dW_1 {grads[0][0]}'\nassert np.allclose(grads[0][1], [0.25, 0.75]), f'falsches db_1 {grads[0][1]}'\nprint(\"backward: all checks passed\")"
  ],
  [
   "check-numerical_gradient",
   "x_check = np.array([[1.0, -2.0], [0.5, 3.0]])\nx_before = x_check.copy()\ngrad = numerical_gradient(lambda v: float(np.sum(v ** 3)), x_check)\n# diagnosis: numerical_gradient.not-restored\nassert np.allclose(x_check, x_before, rtol=0, atol=1e-12), (\n    'x blieb verändert, nachdem numerical_gradient zurückkehrte; merken Sie sich jeden Eintrag, bevor Sie ihn ändern, und setzen Sie den gemerkten Wert wieder ein')\nassert type(grad) is np.ndarray and np.issubdtype(grad.dtype, np.floating), (\n    f\"grad muss ein np.ndarray mit Gleitkommazahlen sein, erhalten: {type(grad).__name__} mit dtype {getattr(grad, 'dtype', '-')}\")\nassert np.shape(grad) == (2, 2), f'grad hat die Form von x, (2, 2), erhalten: {np.shape(grad)}'\nexact = 3 * x_before ** 2\n# diagnosis: numerical_gradient.divided-by-h\nassert not np.allclose(grad, [[6.0, 24.0], [1.5, 54.0]], rtol=1e-6, atol=1e-9), (\n    'grad ist gleich (f(x + h) - f(x - h)) / h: der zentrale Differenzenquotient teilt durch 2h')\n# diagnosis: numerical_gradient.one-sided\nassert not np.allclose(grad, [[3.00003, 11.99994], [0.750015, 27.00009]], rtol=1e-6, atol=1e-9), (\n    'grad ist der einseitige Differenzenquotient (f(x + h) - f(x)) / h: verwenden Sie den zentralen Differenzenquotienten (f(x + h) - f(x - h)) / (2h), genau bis auf etwa h**2')\nassert rel_error(grad, exact) < 1e-8, (\n    f'der Gradient von sum(x**3) ist 3 x**2 = {exact.ravel()}, erhalten: {grad.ravel()} (relativer Fehler {rel_error(grad, exact):.1e})')\nprint(\"numerical_gradient: all checks passed\")"
  ],
  [
   "check-sgd_step",
   "params_check = [(np.array([[1.0, 2.0]]), np.array([0.5, 0.5]))]\ngrads_check = [(np.array([[10.0, -10.0]]), np.array([1.0, 2.0]))]\nparams_before = [(W.copy(), b.copy()) for W, b in params_check]\ngrads_before = [(dW.copy(), db.copy()) for dW, db in grads_check]\nnew = sgd_step(params_check, grads_check, lr=0.1)\n# diagnosis: common.input-changed\nassert all(np.array_equal(W, W0) and np.array_equal(b, b0)\n           for (W, b), (W0, b0) in zip(params_check, params_before)), (\n    'sgd_step hat `params` direkt (in place) verändert: bauen Sie neue Arrays, [(W - lr * dW, b - lr * db), ...], statt W -= lr * dW')\n# diagnosis: common.input-changed\nassert all(np.array_equal(dW, dW0) and np.array_equal(db, db0)\n           for (dW, db), (dW0, db0) in zip(grads_check, grads_before)), (\n    'sgd_step hat `grads` direkt (in place) verändert: berechnen Sie lr * dW als neues Array, nie dW *= lr')\nassert isinstance(new, (list, tuple)) and len(new) == 1, 'sgd_step gibt eine Liste mit einem Tupel (W, b) pro Schicht zurück'\nassert all(isinstance(layer, (list, tuple)) and len(layer) == 2 for layer in new), (\n    'jede Schicht von new_params ist ein Tupel (W, b)')\nassert all(type(a) is np.ndarray and np.issubdtype(a.dtype, np.floating) for layer in new for a in layer), (\n    'jedes neue W und jedes neue b muss ein np.ndarray mit Gleitkommazahlen sein')\n# diagnosis: sgd_step.adds-gradient\nassert not (np.allclose(new[0][0], [[2.0, 1.0]]) and np.allclose(new[0][1], [0.6, 0.7])), (\n    'new_params sind gleich W + lr * dW: ein Schritt des Gradientenabstiegs zieht den Gradienten ab, W - lr * dW')\nassert np.allclose(new[0][0], [[0.0, 3.0]]), f'W - lr * dW sollte [[0, 3]] ergeben, erhalten: {new[0][0]}'\nassert np.allclose(new[0][1], [0.4, 0.3]), f'b - lr * db sollte [0.4, 0.3] ergeben, erhalten: {new[0][1]}'\nprint(\"sgd_step: all checks passed\")"
  ],
  [
   "check-train",
   "X_five = np.array([[0.0, 1.0], [1.0, -1.0], [-1.0, 0.5], [2.0, 0.0], [-0.5, -2.0]])\ny_five = np.array([0, 1, 1, 0, 1])\nX_five_before, y_five_before = X_five.copy(), y_five.copy()\nparams_frozen, history_frozen = train(X_five, y_five, [2, 3, 2], lr=0.0, epochs=3, batch_size=5, seed=1)\nhint = ('mischen Sie durch Indizieren, X[batch] und y[batch] mit der Permutation; mischen oder skalieren Sie nie die übergebenen Arrays')\n# diagnosis: common.input-changed\nassert np.array_equal(X_five, X_five_before), f'train hat `X` direkt (in place) verändert: {hint}'\n# diagnosis: common.input-changed\nassert np.array_equal(y_five, y_five_before), f'train hat `y` direkt (in place) verändert: {hint}'\nassert isinstance(history_frozen, dict) and len(history_frozen.get(\"loss\", [])) == 3, (\n    \"geben Sie history = {'loss': [...]} mit einem Wert pro Epoche zurück (hier 3)\")\nassert all(isinstance(v, float) for v in history_frozen[\"loss\"]), \"hängen Sie pro Epoche einen Python-float an history['loss'] an\"\nassert isinstance(params_frozen, (list, tuple)) and all(\n    isinstance(layer, (list, tuple)) and len(layer) == 2 and all(type(a) is np.ndarray for a in layer)\n    for layer in params_frozen), 'geben Sie params als Liste von Tupeln (W, b) aus np.ndarrays zurück'\nstart = init_params([2, 3, 2], np.random.default_rng(1))\nassert len(params_frozen) == 2 and all(np.shape(W) == np.shape(W0) and np.allclose(W, W0)\n                                       for (W, _), (W0, _) in zip(params_frozen, start)), (\n    'mit lr = 0 gibt train das Netz zurück, mit dem es beginnt, init_params(layer_sizes, rng) mit dem Zufallsgenerator np.random.default_rng(seed); Ihres weicht davon ab')\nlogits_start, _ = forward(start, X_five)\nloss_start = softmax_cross_entropy(logits_start, y_five)\nlosses = np.array(history_frozen[\"loss\"])\n# diagnosis: train.shuffled-apart\nassert not np.allclose(losses, [0.7406244, 0.58103864, 0.95881447]), (\n    'train liefert genau dasselbe wie ein Lauf, der X mischt, y aber in der ursprünglichen Reihenfolge nimmt, sodass die Beispiele ihre Labels verlieren: ziehen Sie pro Epoche ein idx = rng.permutation(N) und nehmen Sie X[idx] und y[idx] zusammen')\nassert np.allclose(losses, loss_start), (\n    f'mit lr = 0 ist der Verlust jeder Epoche der Verlust des Anfangsnetzes, {loss_start:.6f}: notieren Sie pro Epoche die Verluste der Batches mal Batch-Größe, aufsummiert, / N; erhalten: {losses}')\n_, history_small = train(X_five, y_five, [2, 3, 2], lr=0.0, epochs=2, batch_size=2, seed=1)\n# diagnosis: train.drop-last\nassert not np.allclose(history_small[\"loss\"], [0.57815029, 0.76509192]), (\n    'train liefert genau dasselbe wie ein Lauf, der den letzten, kleineren Mini-Batch jeder Epoche auslässt (N = 5, batch_size = 2): auch auf ihm muss trainiert werden')\nassert np.allclose(history_small[\"loss\"], loss_start), (\n    f\"mit lr = 0 und Batches der Größe 2 (der letzte kleiner) ist der Verlust jeder Epoche {loss_start:.6f}: gewichten Sie die Verluste der Batches mit der Batch-Größe und teilen Sie durch N; erhalten: {history_small['loss']}\")\nparams_five, _ = train(X_five, y_five, [2, 3, 2], lr=0.1, epochs=2, batch_size=2, seed=1)\n# diagnosis: train.no-update\nassert not all(np.allclose(W, W0) for (W, _), (W0, _) in zip(params_five, start)), (\n    'die Parameter haben sich nicht verändert: train macht keinen SGD-Schritt')\n# diagnosis: train.no-shuffle\nassert not np.allclose(params_five[1][1], [0.14046915, 0.05953085]), (\n    'train liefert genau dasselbe wie ein Lauf, der nie mischt: ziehen Sie zu Beginn jeder Epoche rng.permutation(N)')\nassert np.allclose(params_five[1][1], [0.16243652, 0.03756348]), (\n    f'mit lr = 0.1, 2 Epochen, batch_size 2 und seed 1 sollte b_2 [0.16243652, 0.03756348] sein, erhalten: {params_five[1][1]}')\nX_tiny = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]) * 2 - 1\ny_tiny = np.array([0, 1, 1, 0])\nparams_tiny, history_tiny = train(X_tiny, y_tiny, [2, 8, 2], lr=0.05, epochs=300, batch_size=2, seed=0)\nassert len(history_tiny[\"loss\"]) == 300, \"history['loss'] braucht einen Wert pro Epoche\"\nassert history_tiny[\"loss\"][-1] < history_tiny[\"loss\"][0], 'der Verlust sollte während des Trainings sinken'\nassert accuracy(predict(params_tiny, X_tiny), y_tiny) == 1.0, 'ein kleines Netz sollte die 4 XOR-Punkte lernen'\nprint(\"train: all checks passed\")"
  ]
 ],
 "calls": {
  "accuracy": [],
  "backward": [
   "linear_backward",
   "relu_backward"
  ],
  "forward": [
   "linear_forward",
   "relu_forward"
  ],
  "init_params": [],
  "linear_backward": [],
  "linear_forward": [],
  "numerical_gradient": [],
  "predict": [
   "forward",
   "linear_forward",
   "relu_forward"
  ],
  "relu_backward": [],
  "relu_forward": [],
  "sgd_step": [],
  "sigmoid": [],
  "softmax": [],
  "softmax_cross_entropy": [],
  "softmax_cross_entropy_backward": [
   "softmax"
  ],
  "standardize": [],
  "train": [
   "backward",
   "forward",
   "init_params",
   "linear_backward",
   "linear_forward",
   "relu_backward",
   "relu_forward",
   "sgd_step",
   "softmax",
   "softmax_cross_entropy",
   "softmax_cross_entropy_backward"
  ]
 },
 "check_uses": {
  "accuracy": [
   "forward",
   "linear_forward",
   "relu_forward"
  ],
  "backward": [
   "linear_backward",
   "relu_backward"
  ],
  "forward": [
   "linear_forward",
   "relu_forward"
  ],
  "init_params": [],
  "linear_backward": [],
  "linear_forward": [],
  "numerical_gradient": [],
  "predict": [
   "forward",
   "linear_forward",
   "relu_forward"
  ],
  "relu_backward": [],
  "relu_forward": [],
  "sgd_step": [],
  "sigmoid": [],
  "softmax": [],
  "softmax_cross_entropy": [],
  "softmax_cross_entropy_backward": [
   "softmax"
  ],
  "standardize": [],
  "train": [
   "accuracy",
   "backward",
   "forward",
   "init_params",
   "linear_backward",
   "linear_forward",
   "predict",
   "relu_backward",
   "relu_forward",
   "sgd_step",
   "softmax",
   "softmax_cross_entropy",
   "softmax_cross_entropy_backward"
  ]
 },
 "kinds": "check.kinds-trained",
 "roles": {
  "setup-imports": "setup",
  "solution-standardize": "solution",
  "check-standardize": "check",
  "test-standardize": "test",
  "demo-data": "demo",
  "answer-test-statistics": "answer",
  "solution-sigmoid": "solution",
  "check-sigmoid": "check",
  "test-sigmoid": "test",
  "demo-xor": "demo",
  "solution-init_params": "solution",
  "check-init_params": "check",
  "test-init_params": "test",
  "solution-linear_forward": "solution",
  "check-linear_forward": "check",
  "test-linear_forward": "test",
  "solution-relu_forward": "solution",
  "check-relu_forward": "check",
  "test-relu_forward": "test",
  "solution-forward": "solution",
  "check-forward": "check",
  "test-forward": "test",
  "solution-softmax": "solution",
  "check-softmax": "check",
  "test-softmax": "test",
  "solution-softmax_cross_entropy": "solution",
  "check-softmax_cross_entropy": "check",
  "test-softmax_cross_entropy": "test",
  "solution-predict": "solution",
  "solution-accuracy": "solution",
  "check-predict-accuracy": "check",
  "test-predict": "test",
  "test-accuracy": "test",
  "demo-initial-loss": "demo",
  "solution-linear_backward": "solution",
  "check-linear_backward": "check",
  "test-linear_backward": "test",
  "solution-relu_backward": "solution",
  "check-relu_backward": "check",
  "test-relu_backward": "test",
  "answer-dead-relu": "answer",
  "solution-softmax_cross_entropy_backward": "solution",
  "check-softmax_cross_entropy_backward": "check",
  "test-softmax_cross_entropy_backward": "test",
  "solution-backward": "solution",
  "check-backward": "check",
  "test-backward": "test",
  "answer-relu-at-zero": "answer",
  "solution-numerical_gradient": "solution",
  "check-numerical_gradient": "check",
  "test-numerical_gradient": "test",
  "demo-gradient-check": "demo",
  "solution-sgd_step": "solution",
  "check-sgd_step": "check",
  "test-sgd_step": "test",
  "solution-train": "solution",
  "check-train": "check",
  "test-train": "test",
  "demo-overfit-tiny": "demo",
  "demo-train-all": "demo",
  "demo-learning-rate": "demo",
  "answer-large-learning-rate": "answer"
 },
 "setup": [
  [
   "setup-imports",
   "import json\nfrom pathlib import Path\n\nimport matplotlib.pyplot as plt\nimport numpy as np\n\nfrom toy2d import DATASETS, load_dataset, plot_dataset, plot_decision_regions\n\n# Trainingseinstellungen aller Datensätze (sie gelten auch, wenn Ihr Notebook bewertet wird).\nHYPERPARAMETERS = json.loads(Path(\"hyperparameters.json\").read_text())\n\n\ndef rel_error(a, b):\n    \"\"\"Größter relativer Unterschied zweier Arrays (0 heißt: identisch).\"\"\"\n    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))"
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
LANGUAGE: str = 'de'
CATALOG: dict | None = {
 "check.assertion-failed": {
  "de": "eine Zusicherung (assert) schlug fehl"
 },
 "check.cannot-read": {
  "de": "check.py: {notebook} lässt sich nicht lesen: {error}"
 },
 "check.cell-edited": {
  "de": "bearbeitet"
 },
 "check.cell-failed": {
  "de": "{cell} ({kind}-Zelle): {status}"
 },
 "check.cell-failed-hint": {
  "de": "{cell} ({kind}-Zelle): {status}: {hint}"
 },
 "check.cell-removed": {
  "de": "entfernt"
 },
 "check.column-exercise": {
  "de": "Übung"
 },
 "check.column-hint": {
  "de": "Hinweis"
 },
 "check.column-status": {
  "de": "Status"
 },
 "check.demo-cells": {
  "de": "Demo-Zellen (Training und Plots) laufen hier nicht, und auch nicht bei der Bewertung Ihres Notebooks."
 },
 "check.exit-inside": {
  "de": " in {function}"
 },
 "check.fix-first-many": {
  "de": "{exercise}: die verwendeten Funktionen {names} bestehen ihre eigenen Checks nicht: korrigieren Sie zuerst diese"
 },
 "check.fix-first-one": {
  "de": "{exercise} verwendet Ihre Funktion {names}, deren eigener Check fehlschlägt: korrigieren Sie zuerst diese"
 },
 "check.heading-cell-errors": {
  "de": "Zellen Ihres Notebooks, die beim Ausführen einen Fehler ausgelöst haben:"
 },
 "check.heading-changed": {
  "de": "Gesperrte Zellen (Setup und Checks) Ihres Notebooks, die von der verteilten Fassung abweichen (check.py hat wie der Grader die ausgegebenen ausgeführt; stellen Sie Ihre wieder her):"
 },
 "check.heading-dependencies": {
  "de": "Checks, die wegen einer verwendeten Funktion fehlschlugen:"
 },
 "check.heading-warnings": {
  "de": "NumPy-Warnungen, die Ihr Code während der Checks ausgelöst hat (nur Hinweise: ein Check beurteilt, was Ihre Funktion zurückgibt, sie kosten also nichts, aber eine Ihrer Zeilen hat dort inf oder NaN berechnet):"
 },
 "check.kinds-trained": {
  "de": "zufällige Eingaben, Randfälle, Gradientenprüfungen, Genauigkeit nach dem Training"
 },
 "check.kinds-untrained": {
  "de": "zufällige Eingaben, Randfälle, Gradientenprüfungen"
 },
 "check.no-notebook": {
  "de": "check.py: kein Notebook gefunden; starten Sie es im Ordner der Aufgabe oder nennen Sie eines: python check.py NOTEBOOK"
 },
 "check.no-released": {
  "de": "Hier sind keine ausgegebenen Checks bekannt: die Check-Zellen Ihres eigenen Notebooks wurden ausgeführt."
 },
 "check.no-such-notebook": {
  "de": "check.py: kein Notebook {name}"
 },
 "check.not-defined": {
  "de": "{name} ist nicht definiert: keine Lösungszelle Ihres Notebooks definiert es (gelöscht, oder die ID der Zelle wurde geändert)"
 },
 "check.not-implemented": {
  "de": "`{function}` ist noch nicht implementiert"
 },
 "check.numpy-version": {
  "de": "Ihr NumPy ist {have}, Ihr Notebook wird aber mit NumPy {wanted} bewertet: installieren Sie die Version des Kurses (python -m pip install -r requirements.txt), sonst kann Code, der hier läuft, bei der Bewertung scheitern."
 },
 "check.numpy-warned": {
  "de": "NumPy warnte '{warning}' (Ihre Zelle {cell}, Zeile {line})"
 },
 "check.own-check-said": {
  "de": "{exercise}: der eigene Check meldete: {detail}"
 },
 "check.raised": {
  "de": "{error}: {detail}"
 },
 "check.raised-in": {
  "de": "{error} in {function}: {detail}"
 },
 "check.raised-in-check": {
  "de": "{error} im Check von {exercise}, nachdem Ihre Funktion zurückgekehrt war: {detail} (hat ihr Ergebnis die Form und den Typ, die der Docstring verlangt?)"
 },
 "check.setup-failed": {
  "de": "die Setup-Zelle schlug fehl (siehe unten)"
 },
 "check.several-notebooks": {
  "de": "check.py: hier liegen mehrere Notebooks ({names}); nennen Sie eines: python check.py NOTEBOOK"
 },
 "check.status-failed": {
  "de": "FEHLGESCHLAGEN"
 },
 "check.status-not_implemented": {
  "de": "nicht implementiert"
 },
 "check.status-not_run": {
  "de": "nicht ausgeführt"
 },
 "check.status-passed": {
  "de": "bestanden"
 },
 "check.status-timeout": {
  "de": "Zeit überschritten"
 },
 "check.stopped-inside": {
  "de": " (angehalten in {function})"
 },
 "check.summary": {
  "de": "{passed}/{total} Checks bestanden ({seconds} s). Der Grader führt mehr Tests aus als diese Checks ({kinds})."
 },
 "check.summary-changed": {
  "de": "{passed}/{total} ausgegebene Checks bestanden, aber {changed} gesperrte Zelle(n) Ihres Notebooks wurden bearbeitet oder entfernt: stellen Sie sie wieder her ({seconds} s)."
 },
 "check.sys-exit": {
  "de": "sys.exit({code}) wurde{inside} aufgerufen: ein Notebook darf sich nie beenden"
 },
 "check.timed-out": {
  "de": "läuft nach {limit} s noch{inside}: eine Endlosschleife?"
 },
 "check.too-deep": {
  "de": "check.py: {notebook} lässt sich nicht lesen: es ist zu tief verschachtelt, um ein Notebook zu sein"
 }
}
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
