"""The words of the students' check.py (grader/release/student_check.py), id -> English template:
its table header, hints, summary lines, NumPy-version line and errors. The source of their
catalog entries (grader/release/catalogs.py, docs/translating.md); check.py renders them in its
release's language. Its status words and the not-implemented hint are outcomes.py's.

Standard library only; imports no other module of the kit (check.py inlines it).
"""

from __future__ import annotations

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
