"""Notebook cells: their roles, grade ids, and what runs when a notebook is graded.

`cell_role(cell)` tells setup / solution / check / test / demo / answer / added cells apart from
nbgrader's cell metadata and the `grade_id` prefix (documented in docs/cell-roles.md);
`graded_role` is the role a submitted cell has against its release; `runs_when_graded` and
`neutralize_magics` say which code a graded notebook (and check.py) runs, and how.
"""

from __future__ import annotations

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
