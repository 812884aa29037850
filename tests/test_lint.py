"""`grader lint`: each violation of the cell-role contract is one line naming the cell, and every
committed source notebook is clean."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader.cli import main
from grader.paths import Course

ROOT = Path(__file__).resolve().parent.parent
A = "nn_from_scratch"


@pytest.mark.gate
def test_every_committed_notebook_is_clean(capsys):
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    for name in Course(ROOT).assignment_names():
        assert f"{name}: OK (" in out


def _cell(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def _edit_sigmoid_points(nb):
    _cell(nb, "test-sigmoid").metadata.nbgrader.points = 5


def _drop_check_cell(nb):
    nb.cells.remove(_cell(nb, "check-sigmoid"))


def _drop_test_cell(nb):
    nb.cells.remove(_cell(nb, "test-sigmoid"))


def _rename_solution(nb):
    _cell(nb, "solution-sigmoid").metadata.nbgrader.grade_id = "solution-sigmoid2"


def _duplicate_id(nb):
    _cell(nb, "demo-data").metadata.nbgrader.grade_id = "setup-imports"


def _unknown_prefix(nb):
    _cell(nb, "demo-data").metadata.nbgrader.grade_id = "plot-data"


def _grading_test_cell(nb):
    cell = _cell(nb, "test-sigmoid")
    cell.source = cell.source.replace("raise RuntimeError(", "assert sigmoid(0) == 0.5\nraise RuntimeError(")


def _no_solution_region(nb):
    cell = _cell(nb, "solution-sigmoid")
    cell.source = cell.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")


def _extra_test_cell(nb):
    cell = nbformat.from_dict(dict(_cell(nb, "test-sigmoid")))
    cell.metadata = nbformat.from_dict({"nbgrader": dict(cell.metadata.nbgrader, grade_id="test-tanh")})
    cell["id"] = "test-tanh-cell"
    nb.cells.append(cell)


def _answer_without_points(nb):
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("answer-"))
    del cell.metadata.nbgrader["points"]


def _solution_in_check_cell(nb):
    cell = _cell(nb, "check-sigmoid")
    cell.source = "### BEGIN SOLUTION\n" + cell.source + "\n### END SOLUTION"


def _hidden_tests_in_setup_cell(nb):
    cell = _cell(nb, "setup-imports")
    cell.source += "\n### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS"


def _import_in_test_cell(nb):
    cell = _cell(nb, "test-sigmoid")
    cell.source = "import os\n" + cell.source


def _doubled_backslash_in_math(nb):
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += "\n\nThe signal shrinks by $1/\\\\sqrt{2}$ per layer."


CASES = {
    "doubled backslash in math": (_doubled_backslash_in_math, "its math writes \\\\sqrt with two "
                                                              "backslashes"),
    "solution in a check cell": (_solution_in_check_cell, "(check-sigmoid): holds '### BEGIN SOLUTION', "
                                                          "which belongs in a solution cell only"),
    "hidden tests in a setup cell": (_hidden_tests_in_setup_cell, "(setup-imports): holds '### BEGIN HIDDEN "
                                                                  "TESTS', which belongs in a test cell only"),
    "import in a test cell": (_import_in_test_cell, "(test-sigmoid): a test cell must not import anything"),
    "points": (_edit_sigmoid_points, "(test-sigmoid): 5 points, but its checks in "
                                     "autograde_tests/nn_from_scratch/specs/ add up to 4"),
    "no check cell": (_drop_check_cell, "`sigmoid` has no check cell"),
    "no test cell": (_drop_test_cell, "`sigmoid` has checks but no test-sigmoid cell (worth 4 points)"),
    "no reference": (_rename_solution, "`sigmoid` has checks in autograde_tests/nn_from_scratch/specs/ "
                                       "but no solution-sigmoid cell"),
    "duplicate id": (_duplicate_id, "grade_id 'setup-imports' is used by 2 cells"),
    "unknown prefix": (_unknown_prefix, "(plot-data): a locked code cell without a role"),
    "grading test cell": (_grading_test_cell, "(test-sigmoid): the hidden part of a test cell must only raise"),
    "no solution region": (_no_solution_region, "(solution-sigmoid): a solution cell needs a"),
    "test cell without checks": (_extra_test_cell, "(test-tanh): no check in autograde_tests/"
                                                   "nn_from_scratch/specs/ grades `tanh`"),
    "answer without points": (_answer_without_points, "an answer cell needs positive points"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_is_one_line(case, course_copy, capsys):
    edit, needle = CASES[case]
    path = course_copy.solution_notebook(A)
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)
    assert main(["lint", A]) == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if not line.endswith("problem(s)")]
    assert any(needle in line for line in lines), out
    assert all(line.startswith(f"{A}: {path.name}") for line in lines), out


def test_important_words_in_a_test_cell_are_not_imports(course_copy, capsys):
    """The honest twin of "import in a test cell": the word in a comment is no import."""
    path = course_copy.solution_notebook(A)
    nb = nbformat.read(path, as_version=4)
    cell = _cell(nb, "test-sigmoid")
    cell.source = "# important: the hidden tests grade sigmoid (no imports here)\n" + cell.source
    nbformat.write(nb, path)
    assert main(["lint", A]) == 0, capsys.readouterr().out


def test_a_line_break_in_math_is_no_doubled_command(course_copy, capsys):
    """The honest twin of "doubled backslash in math": `\\\\` before a space or a line end is
    LaTeX's line break, and a doubled backslash outside math is left alone."""
    path = course_copy.solution_notebook(A)
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += ("\n\n$$\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}$$ and a Windows path "
                    "`C:\\\\data`.")
    nbformat.write(nb, path)
    assert main(["lint", A]) == 0, capsys.readouterr().out


def test_a_copied_cell_id_is_one_line(course_copy, capsys):
    """nbformat repairs duplicated cell ids with random ones on every read and write, which would
    make every release differ: lint reads the file itself."""
    path = course_copy.solution_notebook(A)
    raw = json.loads(path.read_text())
    raw["cells"][2]["id"] = raw["cells"][1]["id"]
    path.write_text(json.dumps(raw, indent=1))
    assert main(["lint", A]) == 1
    out = capsys.readouterr().out
    assert f"cell id {raw['cells'][1]['id']!r} is used by 2 cells (give each copied cell a new id)" in out


def test_a_notebook_that_is_not_json_is_one_line(course_copy, capsys):
    course_copy.solution_notebook(A).write_text("{ not json")
    assert main(["lint"]) == 1
    out = [line for line in capsys.readouterr().out.splitlines() if line.startswith(f"{A}:")]
    assert out[0].startswith(f"{A}: {A}.ipynb: cannot be read as a notebook") and len(out) == 2


def test_unknown_assignment_is_a_usage_error(course_copy, capsys):
    assert main(["lint", "nope"]) == 2
    assert "no such assignment: 'nope'" in capsys.readouterr().err
