"""Make submissions from the release: the reference answers filled in, plus code variants.

A generated submission is the released notebook as a student would hand it in: every solution
cell holds the reference code (taken from solutions/, markers removed), except the cells that a
variant changes. A variant is a mapping grade_id -> extra code appended to that solution cell
(redefining a function there keeps nbgrader's cell order meaningful: its hidden tests run right
after the cell), or the special keys "stub:<grade_id>" (leave the stub) and "cell:append"
(a new student cell at the end). Used by the tests, the example class and the benchmarks.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from pathlib import Path

import nbformat

from nnkit_contract.cells import Role, cell_role, grade_id

_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


#: Cells a student fills in: code solutions and written answers.
_FILLED = (Role.SOLUTION, Role.ANSWER)


def reference_answers(source_notebook: Path) -> dict[str, str]:
    """grade_id -> the solution cell's code (or the written answer's model text) without the
    solution markers."""
    nb = nbformat.read(source_notebook, as_version=4)
    answers = {}
    for cell in nb.cells:
        if cell_role(cell) in _FILLED:
            answers[grade_id(cell)] = "\n".join(
                line for line in cell.source.splitlines() if not _MARKER.match(line))
    return answers


def make_submission(release_notebook: Path, answers: Mapping[str, str],
                    variant: Mapping[str, str] | None = None,
                    all_stubs: bool = False) -> nbformat.NotebookNode:
    """The released notebook with solution cells filled in and `variant` applied."""
    variant = dict(variant or {})
    nb = copy.deepcopy(nbformat.read(release_notebook, as_version=4))
    for cell in nb.cells:
        gid = grade_id(cell)
        if cell_role(cell) not in _FILLED or all_stubs:
            continue
        if f"stub:{gid}" in variant:
            continue
        cell.source = answers[gid]
        if gid in variant:
            cell.source += "\n\n\n" + variant[gid].strip("\n")
    if "cell:append" in variant:
        cell = nbformat.v4.new_code_cell(variant["cell:append"])
        cell.id = "student-added-cell"  # fixed, so that generated notebooks are byte-reproducible
        nb.cells.append(cell)
    return nb


def write_submission(root: Path, student: str, assignment: str, notebook_name: str,
                     nb: nbformat.NotebookNode | bytes | str) -> Path:
    """Write SUBMISSIONS/<student>/<assignment>/<notebook_name> (bytes/str are written as is)."""
    path = root / student / assignment / notebook_name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, bytes):
        path.write_bytes(nb)
    elif isinstance(nb, str):
        path.write_text(nb)
    else:
        nbformat.write(nb, path)
    return path
