"""What is compared: the code a student wrote, and the instructor's code that is subtracted.

A student's code is what `grader autograde` would run of the notebook (grader.grading.submission's
`code_to_run`: the solution cells and the cells the student added, by the release's cell roles),
read with the same defensive reader (size cap, JSON, notebook format) and never executed. The
instructor's code is every code cell of the released notebook (stubs, docstrings, given code,
checks, demos) and of the source notebook (the reference solution and the hidden-test cells):
matches on it are boilerplate, not copying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.grading.submission import InvalidSubmission, ReleaseCells, code_to_run, read_notebook
from nnkit_contract.cells import cell_source, neutralize_magics

#: A cell longer than this (characters) is left out of the comparison, with a note: no solution
#: cell of the course is near it (the longest reference cell is about 3,000), and tokenizing
#: megabytes of junk would only slow the report down.
MAX_CELL_CHARS = 50_000
#: A submission's compared code stops after this many characters (later cells are left out).
MAX_CODE_CHARS = 200_000


@dataclass
class StudentCode:
    """The code of one submission to compare: `cells` as (label, source), the label being the
    cell's position in the notebook from 1; `notes` say what was left out (one line each)."""

    student: str
    cells: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def student_code(student: str, notebook: Path, release: ReleaseCells) -> StudentCode:
    """The code `student` wrote in `notebook`; InvalidSubmission (one line) when the file cannot
    be read as a notebook."""
    nb = read_notebook(notebook)
    found = StudentCode(student)
    total = 0
    for label, source in code_to_run(nb, release):
        if len(source) > MAX_CELL_CHARS:
            found.notes.append(f"cell {label} has {len(source):,} characters, more than the "
                               f"{MAX_CELL_CHARS:,} compared: left out")
            continue
        if total + len(source) > MAX_CODE_CHARS:
            found.notes.append(f"cells from {label} on left out: the code compared stops at "
                               f"{MAX_CODE_CHARS:,} characters")
            break
        total += len(source)
        if source.strip():
            found.cells.append((label, source))
    return found


def instructor_code(*notebooks: Path) -> list[str]:
    """The source of every code cell of `notebooks` (the release and the source notebook)."""
    sources = []
    for path in notebooks:
        try:
            nb = read_notebook(path)
        except InvalidSubmission as exc:
            raise InvalidSubmission(f"cannot read the instructor's notebook {path}: {exc}") from None
        for cell in nb.cells:
            text = cell_source(cell) if cell.get("cell_type") == "code" else None
            if text:
                sources.append(neutralize_magics(text))
    return sources


def release_cells(release_notebook: Path) -> ReleaseCells:
    return ReleaseCells.of(nbformat.read(release_notebook, as_version=4))
