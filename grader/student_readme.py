"""The release's README.md and requirements.txt: what a student needs to get started.

Both are written from the kit's data, never typed per assignment: the title comes from the
notebook, the points from the check registry and the answer cells, the time limits from the
grading limits and the specs, the packages from what the sandbox lets a graded notebook import.
The text is a template (grader/templates/student-README.md).
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path
from string import Template

import nbformat

from autograde_tests import engine
from autograde_tests.contract import Role, cell_role, grade_id
from grader.limits import grading_limits
from grader.sandbox.isolation import STUDENT_PACKAGES

TEMPLATE = Path(__file__).resolve().parent / "templates" / "student-README.md"
#: What opens the notebook (the packages a graded notebook may import come from the sandbox).
NOTEBOOK_APP = "jupyterlab"


def _num(x: float) -> str:
    return f"{x:g}"


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "Assignment"


def readme(assignment: str, source_notebook: Path, notebook_name: str) -> str:
    nb = nbformat.read(source_notebook, as_version=4)
    points = engine.points_by_function(assignment)
    rows = ["| function | points |", "|---|---|"]
    rows += [f"| `{f}` | {_num(p)} |" for f, p in points.items()]
    rows.append(f"| **autograded in all** | **{_num(engine.total_points(assignment))}** |")
    answers = [(grade_id(c), float(c.metadata["nbgrader"].get("points", 0)))
               for c in nb.cells if cell_role(c) is Role.ANSWER]
    answer_text = ""
    if answers:
        answer_text = (f"The {len(answers)} written questions ({', '.join(f'`{a}`' for a, _ in answers)}, "
                       f"{_num(sum(p for _, p in answers))} points) are graded by hand.")
    own = engine.time_limits(assignment)
    limits = f"Each call of one of your functions may use {_num(grading_limits().call_cpu)} s of CPU time"
    if own:
        limits += ", and " + ", ".join(f"`{f}` {_num(s)} s" for f, s in sorted(own.items()))
    limits += "."
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=_title(nb), notebook=notebook_name, points="\n".join(rows), answers=answer_text,
        limits=limits)


def requirements() -> str:
    """The packages a graded notebook may import, with the kit's own version bounds, and what
    opens the notebook."""
    try:
        declared = metadata.requires("nnkit") or []
    except metadata.PackageNotFoundError:
        declared = []
    bounds = {}
    for req in declared:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*([^;]*)", req)
        if match and ";" not in req:
            bounds[match[1].lower()] = match[2].strip()
    lines = [f"{name}{bounds.get(name, '')}" for name in STUDENT_PACKAGES] + [NOTEBOOK_APP]
    return "\n".join(lines) + "\n"
