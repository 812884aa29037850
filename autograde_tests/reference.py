"""The live reference solution, executed from an nbgrader source notebook (never copied).

The caller says which notebook: `grader autograde` passes solutions/<a>/<a>.ipynb of the kit's
checkout, the nbgrader preprocessor the course's source/<a>/<a>.ipynb. The notebook's folder
holds the assignment's hyperparameters.json.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np

from autograde_tests.contract import Role, cell_role


class ReferenceError(Exception):
    """The reference cannot be loaded (missing notebook, no solution cells, a cell that fails)."""


def solution_sources(notebook: Path) -> list[str]:
    """Source of every solution cell of an nbgrader source notebook, in notebook order."""
    nb = nbformat.read(notebook, as_version=4)
    return [cell.source for cell in nb.cells if cell_role(cell) is Role.SOLUTION]


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
    sources = solution_sources(path)
    if not sources:
        raise ReferenceError(f"{path} has no solution cells: it is not an nbgrader source notebook")
    namespace: dict = {"np": np, "__name__": f"reference_{path.stem}"}
    for index, source in enumerate(sources, 1):
        try:
            exec(compile(source, f"<reference {path.stem}, solution cell {index}>", "exec"),
                 namespace)  # trusted code: the instructor's source notebook
        except Exception as exc:
            raise ReferenceError(f"{path}: solution cell {index} raised {type(exc).__name__}: "
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
