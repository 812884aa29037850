"""Reading a submitted notebook: which code runs when it is graded.

Roles are the contract's (autograde_tests.contract.cell_role, docs/cell-roles.md), read from the
released notebook; a submitted cell takes the role of the released cell with its grade_id, and a
cell whose grade_id the release does not have (or that has none) is a cell the student added.
- the release's setup cells always run, in release order and in their released form (a student
  who edits or deletes the import cell gets the original back, as nbgrader restores locked cells);
- the student's solution cells and any code cells the student added run as written, in notebook
  order;
- test cells, check cells and demo cells never run: the grader calls the functions itself, and
  demos only train and plot;
- IPython magics (`%...`, `%%...`) and shell lines (`!...`) are neutralized: shell escapes would
  run outside Python, and magics need a kernel the grader does not start.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograde_tests.contract import Role, cell_role, cell_source, grade_id, graded_role
from grader import answers

#: Largest notebook file accepted; anything bigger is `invalid` without being parsed.
MAX_NOTEBOOK_BYTES = 20 << 20
_MAGIC_LINE = re.compile(r"^(\s*)([%!].*)$")


class InvalidSubmission(Exception):
    """The file cannot be graded at all; the message says why in one line."""


@dataclass(frozen=True)
class ReleaseCells:
    """What the grader needs to know about the released notebook's cells."""

    setup_sources: tuple[tuple[str, str], ...]  # (grade_id, source) of every setup cell
    roles: dict[str, Role]  # grade_id -> role of the released cell
    answers: tuple[tuple[str, float], ...] = ()  # (grade_id, points) of every written answer
    answer_texts: tuple[tuple[str, str], ...] = ()  # (grade_id, text) of every written answer

    @classmethod
    def from_notebook(cls, path: Path) -> ReleaseCells:
        """From a released notebook, or from its nbgrader source notebook (same ids and roles)."""
        return cls.of(nbformat.read(path, as_version=4))

    @classmethod
    def of(cls, nb: nbformat.NotebookNode) -> ReleaseCells:
        """From a notebook already read (release or source)."""
        setup, roles, worth, texts = [], {}, [], []
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid is None:
                continue
            roles[gid] = cell_role(cell)
            if roles[gid] is Role.SETUP:
                setup.append((gid, cell.source))
            elif roles[gid] is Role.ANSWER:
                worth.append((gid, float(cell.metadata["nbgrader"].get("points", 0))))
                texts.append((gid, cell.source))
        return cls(tuple(setup), roles, tuple(worth), tuple(texts))

    def role_of(self, cell) -> Role:
        """The role a submitted cell has when graded (contract.graded_role, as in check.py)."""
        return graded_role(cell, self.roles)


def neutralize(source: str) -> str:
    """Replace IPython magics and shell escapes by `pass`; drop cells that start with a cell magic."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join(
        _MAGIC_LINE.sub(r"\1pass  # magic or shell line removed by the grader", line)
        for line in source.splitlines()
    )


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Parse a submission defensively: size cap first, then JSON, then the notebook format."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InvalidSubmission(f"cannot read {path.name}: {exc.strerror}") from None
    if size == 0:
        raise InvalidSubmission(f"{path.name} is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise InvalidSubmission(f"{path.name} is {size / 2**20:.0f} MiB, more than the "
                                f"{MAX_NOTEBOOK_BYTES >> 20} MiB a notebook may have")
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSubmission(f"{path.name} is not valid JSON ({str(exc)[:80]})") from None
    except RecursionError:
        raise InvalidSubmission(f"{path.name} is nested too deeply to be a notebook") from None
    if not isinstance(data, dict) or "cells" not in data or not isinstance(data["cells"], list):
        raise InvalidSubmission(f"{path.name} is not a Jupyter notebook (no list of cells)")
    try:
        with warnings.catch_warnings():
            # A student's notebook without cell ids (older Jupyter) is fine; nbformat's warning
            # about it would only land in the middle of the grader's output.
            warnings.simplefilter("ignore")
            nb = nbformat.reads(json.dumps(data), as_version=4)
    except RecursionError:
        raise InvalidSubmission(f"{path.name} is nested too deeply to be a notebook") from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise InvalidSubmission(f"{path.name} is not a readable notebook ({str(exc)[:80]})") from None
    return nb


def written_answers(path: Path, release: ReleaseCells, stubs: Iterable[str] = ()) -> list[dict]:
    """The written answers of a submission, graded by hand: per answer cell of the release its
    entry (grader.answers: awaiting a person, or blank: missing, empty, a stub in `stubs` or
    nbgrader's, or unchanged from the release)."""
    try:
        nb = read_notebook(path)
    except InvalidSubmission:
        nb = None
    texts = {}
    for cell in (nb.cells if nb is not None else []):
        gid = grade_id(cell)
        # Only a text cell answers: a code cell carrying an answer's id is not an answer.
        if gid is not None and release.roles.get(gid) is Role.ANSWER \
                and cell.get("cell_type") == "markdown":
            texts[gid] = (cell_source(cell) or "").strip()
    released = dict(release.answer_texts)
    return [answers.entry(gid, points, texts.get(gid),
                          [*stubs, answers.released_text(released.get(gid, "")) or ""])
            for gid, points in release.answers]


def code_to_run(path: Path, release: ReleaseCells) -> list[tuple[str, str]]:
    """The student's code to execute for a submission, in notebook order, as (label, source):
    the label is the cell's position in the notebook, counting every cell from 1, as check.py
    and the feedback name it. The release's setup cells run before these (see the module
    docstring)."""
    nb = read_notebook(path)
    chunks = []
    for position, cell in enumerate(nb.cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        if source is not None and release.role_of(cell) in (Role.SOLUTION, Role.ADDED):
            chunks.append((str(position), neutralize(source)))
    return chunks
