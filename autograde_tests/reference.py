"""The live reference solution, executed from the source notebook in solutions/ (never copied)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np

from grader.paths import course

#: Source notebook cells whose grade_id starts with this prefix hold the reference functions.
SOLUTION_PREFIX = "solution-"


def solution_sources(notebook: Path) -> list[str]:
    """Source of every solution cell of an nbgrader source notebook, in notebook order."""
    nb = nbformat.read(notebook, as_version=4)
    return [
        cell.source
        for cell in nb.cells
        if cell.cell_type == "code"
        and cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith(SOLUTION_PREFIX)
    ]


@functools.cache
def load(assignment: str = "nn_from_scratch") -> SimpleNamespace:
    """Execute the reference solution cells in a fresh namespace.

    Returns:
    - a namespace whose attributes are the reference functions (standardize, forward, ...), plus
      `hyperparameters` (the dict of the assignment's hyperparameters.json).
    """
    notebook = course().solution_notebook(assignment)
    namespace: dict = {"np": np, "__name__": f"reference_{assignment}"}
    for source in solution_sources(notebook):
        exec(compile(source, f"<reference {assignment}>", "exec"), namespace)  # trusted code
    hyper = json.loads((notebook.parent / "hyperparameters.json").read_text())
    functions = {k: v for k, v in namespace.items() if callable(v) and not k.startswith("_")}
    return SimpleNamespace(**functions, hyperparameters=hyper)
