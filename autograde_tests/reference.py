"""The live reference solution, executed from an nbgrader source notebook (never copied).

The caller says which notebook: `grader autograde` passes solutions/<a>/<a>.ipynb of the kit's
checkout, the nbgrader preprocessor the course's source/<a>/<a>.ipynb. The notebook's folder
holds the assignment's hyperparameters.json.

The reference is every setup and solution cell of the notebook, in notebook order (so given code
in setup cells, e.g. an earlier assignment's building blocks, is part of it), executed in the
notebook's folder, as a student's notebook runs in the release folder.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np

from nnkit_contract.cells import RUN_WHEN_GRADED, Role, cell_role, neutralize_magics


class ReferenceError(Exception):
    """The reference cannot be loaded (missing notebook, no solution cells, a cell that fails)."""


def solution_sources(notebook: Path) -> list[str]:
    """Source of every solution cell of an nbgrader source notebook, in notebook order."""
    nb = nbformat.read(notebook, as_version=4)
    return [cell.source for cell in nb.cells if cell_role(cell) is Role.SOLUTION]


def reference_cells(notebook: Path) -> list[tuple[Role, str]]:
    """(role, source) of every cell that runs when graded, in notebook order: what the reference
    executes (IPython magics and shell lines neutralized as when graded)."""
    nb = nbformat.read(notebook, as_version=4)
    return [(cell_role(cell), neutralize_magics(cell.source)) for cell in nb.cells
            if cell.cell_type == "code" and cell_role(cell) in RUN_WHEN_GRADED]


_CWD_LOCK = threading.Lock()


@contextlib.contextmanager
def in_folder(folder: Path) -> Iterator[None]:
    """Run with `folder` as the working directory (setup cells read files such as
    hyperparameters.json relative to it), then go back; one thread at a time."""
    with _CWD_LOCK:
        before = os.getcwd()
        os.chdir(folder)
        try:
            yield
        finally:
            os.chdir(before)


def execute(sources: Iterable[str], folder: Path, name: str = "reference") -> dict:
    """A fresh namespace with `sources` executed in order in `folder` (trusted code only)."""
    namespace: dict = {"np": np, "__name__": name}
    with in_folder(folder):
        for index, source in enumerate(sources, 1):
            exec(compile(source, f"<{name}, cell {index}>", "exec"), namespace)
    return namespace


def load(notebook: Path | str) -> SimpleNamespace:
    """Execute the solution cells of `notebook` in a fresh namespace (cached per file version).

    Returns:
    - a namespace whose attributes are the reference functions (standardize, forward, ...), plus
      `hyperparameters` (the dict of hyperparameters.json next to the notebook), `notebook` and
      `assignment` (the name of the notebook's folder: solutions/<a>/ or source/<a>/).
    Raises ReferenceError with one line saying what is wrong.
    """
    path = Path(notebook).resolve()
    try:
        stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size)
                      for p in (path, path.parent / "hyperparameters.json"))
    except OSError as exc:
        raise ReferenceError(f"reference solution not found: {exc.filename}") from None
    return _load(path, stamp)


@functools.lru_cache(maxsize=8)
def _load(path: Path, _stamp: tuple) -> SimpleNamespace:
    cells = reference_cells(path)
    if not any(role is Role.SOLUTION for role, _ in cells):
        raise ReferenceError(f"{path} has no solution cells: it is not an nbgrader source notebook")
    namespace: dict = {"np": np, "__name__": f"reference_{path.stem}"}
    with in_folder(path.parent):
        for index, (role, source) in enumerate(cells, 1):
            try:
                exec(compile(source, f"<reference {path.stem}, {role} cell {index}>", "exec"),
                     namespace)  # trusted code: the instructor's source notebook
            except Exception as exc:
                raise ReferenceError(f"{path}: {role} cell {index} raised {type(exc).__name__}: "
                                     f"{exc}") from None
    hyper = json.loads((path.parent / "hyperparameters.json").read_text())
    functions = {k: v for k, v in namespace.items() if callable(v) and not k.startswith("_")}
    return SimpleNamespace(**functions, hyperparameters=hyper, notebook=path,
                           assignment=path.parent.name)


def checkout_notebook(assignment: str) -> Path:
    """The source notebook of `assignment` in the kit's checkout (for the calibration command and
    the tests; grading is always told which notebook to use)."""
    folder = Path(__file__).resolve().parent.parent / "solutions" / assignment
    found = sorted(folder.glob("*.ipynb"))
    if len(found) != 1:
        raise ReferenceError(f"{folder} must hold exactly one notebook, found {len(found)}")
    return found[0]
