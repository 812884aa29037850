"""Reading a submitted notebook: which code runs when it is graded.

Roles are the contract's (nnkit_contract.cell_role, docs/cell-roles.md), read from the
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

This module is also the one place of the verdict on a submission's *form*, which every grading
path applies (`grader autograde`, and nbgrader's autograde through grader.nbgrader.plugin):
- which file is the notebook (`locate_notebook`: the file named like the release's notebook;
  a folder holding only other notebooks is refused, with a reason naming them);
- what the grader made of odd cells (`classify`, `cell_notes`): copies of a released cell,
  cells whose grading metadata or type was changed, cells carrying metadata for a grade id the
  release does not have. None of them changes what runs or what counts: the release decides.
  The notes say what was ignored, and `released_form` rewrites nbgrader's working copy by the
  same verdict, so that nbgrader's own steps never meet a duplicated, unknown or altered grade
  cell (they would flag the notebook for manual grading, or abort the whole run).
See docs/cell-roles.md ("A submitted notebook").
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.grading import answers
from nnkit_contract.cells import (
    RUN_WHEN_GRADED,
    Role,
    cell_role,
    cell_source,
    grade_id,
    graded_role,
    nbgrader_meta,
    neutralize_magics,
)

#: Largest notebook file accepted; anything bigger is `invalid` without being parsed.
MAX_NOTEBOOK_BYTES = 20 << 20
#: The keys of a cell's nbgrader metadata that the release decides (nbgrader's own bookkeeping,
#: `checksum` and `cell_type`, is left out: nbgrader writes it again).
RELEASED_KEYS = ("grade", "grade_id", "locked", "points", "schema_version", "solution", "task")
#: The keys whose change a note reports (what a student could hope to gain from).
CHANGED_KEYS = ("solution", "grade", "locked", "points", "task")


class InvalidSubmission(Exception):
    """The file cannot be graded at all; the message says why in one line."""


@dataclass(frozen=True)
class ReleaseCells:
    """What the grader needs to know about the released notebook's cells."""

    setup_sources: tuple[tuple[str, str], ...]  # (grade_id, source) of every setup cell
    roles: dict[str, Role]  # grade_id -> role of the released cell
    answers: tuple[tuple[str, float], ...] = ()  # (grade_id, points) of every written answer
    answer_texts: tuple[tuple[str, str], ...] = ()  # (grade_id, text) of every written answer
    #: grade_id -> (cell type, nbgrader metadata) of the released cell, for the verdict on odd
    #: cells and for nbgrader's working copy (released_form)
    cells: dict[str, tuple[str, dict]] = field(default_factory=dict)

    @classmethod
    def from_notebook(cls, path: Path) -> ReleaseCells:
        """From a released notebook, or from its nbgrader source notebook (same ids and roles)."""
        return cls.of(nbformat.read(path, as_version=4))

    @classmethod
    def of(cls, nb: nbformat.NotebookNode) -> ReleaseCells:
        """From a notebook already read (release or source)."""
        setup, roles, worth, texts, cells = [], {}, [], [], {}
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid is None:
                continue
            roles[gid] = cell_role(cell)
            cells[gid] = (cell.get("cell_type"), {k: v for k, v in nbgrader_meta(cell).items()
                                                  if k in RELEASED_KEYS})
            if roles[gid] is Role.SETUP:
                setup.append((gid, cell.source))
            elif roles[gid] is Role.ANSWER:
                worth.append((gid, float(cell.metadata["nbgrader"].get("points", 0))))
                texts.append((gid, cell.source))
        return cls(tuple(setup), roles, tuple(worth), tuple(texts), cells)

    def role_of(self, cell) -> Role:
        """The role a submitted cell has when graded (contract.graded_role, as in check.py)."""
        return graded_role(cell, self.roles)


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


def _notebook(source: Path | nbformat.NotebookNode) -> nbformat.NotebookNode:
    return source if isinstance(source, nbformat.NotebookNode) else read_notebook(source)


def written_answers(source: Path | nbformat.NotebookNode, release: ReleaseCells,
                    stubs: Iterable[str] = ()) -> list[dict]:
    """The written answers of a submission (its file, or the notebook read from it), graded by
    hand: per answer cell of the release its entry (grader.grading.answers: awaiting a person, or blank:
    missing, empty, a stub in `stubs` or nbgrader's, or unchanged from the release). Of several
    copies of an answer cell, the first counts (the one nbgrader keeps, see released_form)."""
    try:
        nb = _notebook(source)
    except InvalidSubmission:
        nb = None
    texts = {}
    for cell in (nb.cells if nb is not None else []):
        gid = grade_id(cell)
        # Only a text cell answers: a code cell carrying an answer's id is not an answer.
        if gid is not None and release.roles.get(gid) is Role.ANSWER \
                and cell.get("cell_type") == "markdown":
            texts.setdefault(gid, (cell_source(cell) or "").strip())
    released = dict(release.answer_texts)
    return [answers.entry(gid, points, texts.get(gid),
                          [*stubs, answers.released_text(released.get(gid, "")) or ""])
            for gid, points in release.answers]


def code_to_run(source: Path | nbformat.NotebookNode, release: ReleaseCells) -> list[tuple[str, str]]:
    """The student's code to execute for a submission (its file, or the notebook read from it),
    in notebook order, as (label, source): the label is the cell's position in the notebook,
    counting every cell from 1, as check.py and the feedback name it. The release's setup cells
    run before these (see the module docstring)."""
    nb = _notebook(source)
    chunks = []
    for position, cell in enumerate(nb.cells, 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        # The setup cells run in their released form, before these.
        role = release.role_of(cell)
        if source is not None and role in RUN_WHEN_GRADED and role is not Role.SETUP:
            chunks.append((str(position), neutralize_magics(source)))
    return chunks


# ------------------------------------------------------------------ the verdict on a submission's form

@dataclass(frozen=True)
class Located:
    """Where a student's notebook is: `path` (None: nothing to grade) and, when it is not
    graded, why (`problem`, one line); `ignored` lists the other files of the folder."""

    path: Path | None
    problem: str = ""
    ignored: tuple[str, ...] = ()


def locate_notebook(folder: Path, notebook_name: str) -> Located:
    """The notebook of one submission folder (SUBMITTED/<student>/<assignment>/), by the rule
    every path applies: the file named like the release's notebook, as nbgrader finds it. A
    folder without that file is *missing* when it holds no notebook at all, and *refused* when
    it holds other notebooks (a renamed copy is never graded in its place: nbgrader would not
    grade it, so neither does `grader autograde`); the reason names what is there and what to
    do. A notebook that is a symbolic link is refused too."""
    folder = Path(folder)
    expected = folder / notebook_name
    ignored = tuple(sorted(p.name for p in folder.iterdir() if p.name != notebook_name
                           and not p.name.startswith("."))) if folder.is_dir() else ()
    if expected.is_symlink():
        return Located(expected, "the notebook is a symbolic link", ignored)
    if expected.is_file():
        return Located(expected, "", ignored)
    others = [name for name in ignored if name.endswith(".ipynb")]
    if not others:
        return Located(None, "", ignored)
    shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return Located(None, f"no {notebook_name} was submitted, only {shown}: a notebook is graded "
                         f"only under its released name (rename it to {notebook_name} and grade "
                         "again)", ignored)


@dataclass(frozen=True)
class CellVerdict:
    """What the grader makes of one submitted cell.

    position: the cell's place in the notebook, from 1; grade_id: its own grade id (or None);
    role: its role when graded (contract.graded_role: the released cell's, else added or text);
    kept: the cell carries the released cell's grading metadata in nbgrader's working copy (the
    first copy of a released cell; every other cell carries none); note: what was ignored, one
    line for the student and the instructor ("" when nothing was)."""

    position: int
    grade_id: str | None
    role: Role
    kept: bool
    note: str = ""


def classify(nb: nbformat.NotebookNode, release: ReleaseCells) -> list[CellVerdict]:
    """The verdict on every cell of a submitted notebook (see CellVerdict): the release decides
    every cell's role, whatever the cell's own metadata says; of several copies of a released
    cell, the first one of the released type keeps its place in nbgrader's gradebook."""
    cells = [c if isinstance(c, Mapping) else {} for c in nb.cells]
    first: dict[str, int] = {}
    for position, cell in enumerate(cells, 1):
        gid = grade_id(cell)
        if gid in release.cells and gid not in first \
                and cell.get("cell_type") == release.cells[gid][0]:
            first[gid] = position
    for position, cell in enumerate(cells, 1):
        gid = grade_id(cell)
        if gid in release.cells:
            first.setdefault(gid, position)
    verdicts = []
    for position, cell in enumerate(cells, 1):
        gid = grade_id(cell)
        role = graded_role(cell, release.roles)
        verdicts.append(CellVerdict(position, gid, role, first.get(gid) == position,
                                    _note(position, cell, gid, role, release, first)))
    return verdicts


def _note(position: int, cell: Mapping, gid: str | None, role: Role, release: ReleaseCells,
          first: dict[str, int]) -> str:
    meta = nbgrader_meta(cell)
    kind = cell.get("cell_type")
    where = f"cell {position}"
    if gid is None or gid not in release.cells:
        raw = cell.get("metadata")
        malformed = not isinstance(raw, Mapping) or \
            ("nbgrader" in raw and not isinstance(raw["nbgrader"], Mapping))
        if not malformed and not any(meta.get(k) for k in ("grade", "solution", "locked", "task",
                                                           "points")):
            return ""
        named = " that cannot be read" if malformed else \
            f" for {gid!r}, a grade id the release does not have" if gid else " without a grade id"
        runs = "its code runs" if kind == "code" else "it is text"
        return (f"{where} carries grading metadata{named}: it counts as a cell you added ({runs}; "
                "it earns no points)")
    released_type, released_meta = release.cells[gid]
    if first[gid] != position:
        if role is Role.SOLUTION:
            runs = "its code runs too, in notebook order" if kind == "code" else \
                f"it is a {kind} cell, so it does not run"
            return f"{where} is one more {gid} cell, besides cell {first[gid]}: {runs}"
        if role is Role.ANSWER:
            return (f"{where} is one more {gid} cell: cell {first[gid]} is the answer that is "
                    "graded")
        return (f"{where} is a copy of the locked cell {gid} (cell {first[gid]}): a copy is "
                "never run and earns nothing")
    notes = []
    changed = [k for k in CHANGED_KEYS if meta.get(k) != released_meta.get(k)]
    if changed:
        notes.append("its grading metadata was changed (" + ", ".join(
            f"{k}: {json.dumps(meta.get(k))}" for k in changed) + "); the released cell's counts")
    if kind != released_type:
        effect = ""
        if role is Role.SOLUTION:
            effect = ": only code cells run, so its code did not run"
        elif role is Role.ANSWER:
            effect = ": only a markdown cell counts as your written answer"
        notes.append(f"it is a {kind} cell where the release has a {released_type} cell{effect}")
    return f"{where} ({gid}): " + "; ".join(notes) if notes else ""


def cell_notes(nb: nbformat.NotebookNode, release: ReleaseCells) -> list[str]:
    """What the grader ignored in a submitted notebook's cells, one line each in notebook order
    (empty for a notebook whose grading cells are as released), then the released grade cells
    the notebook lacks (they are scored all the same)."""
    verdicts = classify(nb, release)
    notes = [v.note for v in verdicts if v.note]
    present = {v.grade_id for v in verdicts}
    notes += [f"the grade cell {gid} is missing from the notebook: it is scored all the same"
              for gid, role in release.roles.items() if role is Role.TEST and gid not in present]
    return notes


def released_form(nb: nbformat.NotebookNode, release: ReleaseCells) -> nbformat.NotebookNode:
    """nbgrader's working copy of a submission, rewritten by the verdict of `classify`: every
    cell keeps its source; the first copy of a released cell gets the released cell's type and
    grading metadata; every other cell (later copies, cells with a grade id the release does not
    have, malformed metadata) carries none, as a cell the student added. nbgrader's own
    sanitizing (DeduplicateIds, OverwriteCells, CheckCellMetadata) then finds nothing to reject.
    Grading itself never reads this copy (it reads the submitted file, by the same rules)."""
    verdicts = classify(nb, release)
    out = nbformat.v4.new_notebook()
    meta = nb.get("metadata")
    out.metadata = nbformat.from_dict(dict(meta)) if isinstance(meta, Mapping) else {}
    seen_ids: set[str] = set()
    for cell, verdict in zip(nb.cells, verdicts):
        cell = cell if isinstance(cell, Mapping) else {}
        kind = cell.get("cell_type")
        if verdict.kept:
            kind = release.cells[verdict.grade_id][0]
        source = cell_source(cell) or ""
        new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell
               }.get(kind, nbformat.v4.new_raw_cell)(source)
        own_id = cell.get("id")
        if isinstance(own_id, str) and own_id not in seen_ids \
                and re.fullmatch(r"[a-zA-Z0-9-_]{1,64}", own_id):
            new.id = own_id
        seen_ids.add(new.id)
        attachments = cell.get("attachments")
        if kind == "markdown" and isinstance(attachments, Mapping):
            new.attachments = nbformat.from_dict(dict(attachments))
        if verdict.kept:
            new.metadata["nbgrader"] = nbformat.from_dict(dict(release.cells[verdict.grade_id][1]))
        out.cells.append(new)
    return out
