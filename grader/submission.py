"""Reading a submitted notebook: which code runs when it is graded.

Rules, as nbgrader applies them to locked cells:
- the release's `setup-*` cells always run, in release order and in their released form (a student
  who edits or deletes the import cell gets the original back);
- the student's solution cells and any cells the student added run as written, in notebook order;
- grade cells (hidden tests), visible `check-*` cells and `demo-*` cells do not run: the grader
  calls the functions itself, and demos only train and plot;
- IPython magics (`%...`, `%%...`) and shell lines (`!...`) are neutralized: shell escapes would
  run outside Python, and magics need a kernel the grader does not start.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: Largest notebook file accepted; anything bigger is `invalid` without being parsed.
MAX_NOTEBOOK_BYTES = 20 << 20
RUN_LOCKED_PREFIXES = ("setup-",)
_MAGIC_LINE = re.compile(r"^(\s*)([%!].*)$")


class InvalidSubmission(Exception):
    """The file cannot be graded at all; the message says why in one line."""


@dataclass(frozen=True)
class ReleaseCells:
    """What the grader needs to know about the released notebook's cells."""

    setup_sources: tuple[str, ...]
    roles: dict[str, str]  # grade_id -> "setup" | "solution" | "skip"

    @classmethod
    def from_notebook(cls, path: Path) -> ReleaseCells:
        nb = nbformat.read(path, as_version=4)
        setup, roles = [], {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id")
            if cell.cell_type != "code" or not gid:
                continue
            if meta.get("solution"):
                roles[gid] = "solution"
            elif gid.startswith(RUN_LOCKED_PREFIXES):
                roles[gid] = "setup"
                setup.append(cell.source)
            else:
                roles[gid] = "skip"
        return cls(tuple(setup), roles)


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
    if not isinstance(data, dict) or "cells" not in data or not isinstance(data["cells"], list):
        raise InvalidSubmission(f"{path.name} is not a Jupyter notebook (no list of cells)")
    try:
        nb = nbformat.reads(json.dumps(data), as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds on bad input
        raise InvalidSubmission(f"{path.name} is not a readable notebook ({str(exc)[:80]})") from None
    return nb


def code_to_run(path: Path, release: ReleaseCells) -> list[str]:
    """The code chunks to execute for a submission, in order (see the module docstring)."""
    nb = read_notebook(path)
    chunks = list(release.setup_sources)
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if not isinstance(source, str):
            continue
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        role = release.roles.get(gid, "student") if isinstance(gid, str) else "student"
        if role in ("solution", "student"):
            chunks.append(neutralize(source))
    return chunks
