"""The public contract package (nnkit_contract/): its rules, and that each is written once.

Every path (grading, check.py, the reference, lint, the nbgrader plugin) imports these; the tests
here pin the rules themselves, and that the modules stay importable on their own (check.py bundles
each one alone, the sandbox binds them).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import nnkit_contract
from grader.grading.grade import base_result, ungraded
from grader.grading.submission import ReleaseCells, code_to_run
from grader.release.check_script import check_script
from grader.sandbox.isolation import WORKER_FILES
from nnkit_contract.cells import (
    RUN_WHEN_GRADED,
    Role,
    function_of,
    functions_of,
    neutralize_magics,
    role_of_grade_id,
)
from nnkit_contract.outcomes import CHECK_STATUS_WHEN_UNGRADED, CHECK_STATUSES, Status, SubmissionStatus

ROOT = Path(__file__).resolve().parent.parent


def test_magics_and_shell_lines_become_pass_at_their_indentation():
    assert neutralize_magics("%%bash\nrm -rf ~") == ""
    assert neutralize_magics("  %%time\nx = 1") == ""
    out = neutralize_magics("def f():\n    !rm -rf ~\n    %timeit g()\n    return 1")
    assert out.splitlines()[1] == "    pass  # magic or shell line removed by the grader"
    assert out.splitlines()[2].startswith("    pass  #")
    ast.parse(out)   # still Python, indentation kept (lint parses it too)
    assert neutralize_magics("x = 1  # 100% sure") == "x = 1  # 100% sure"


def test_grade_ids_name_their_functions():
    assert role_of_grade_id("check-predict-accuracy") is Role.CHECK
    assert functions_of("check-predict-accuracy") == ["predict", "accuracy"]
    assert functions_of("solution-relu_forward") == ["relu_forward"]
    assert function_of("test-linear_forward") == "linear_forward"
    assert role_of_grade_id("important-cell") is None and functions_of("important-cell") == []


def _notebook(cells: list[tuple[str, dict | None, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, meta, source in cells:
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        if meta is not None:
            cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nb


def test_graded_code_is_what_the_contract_says_runs():
    """A hostile notebook: a shell line inside a solution, a cell magic in an added cell, a demo
    and a check cell. Only solution and added code runs (setup comes from the release), with
    every shell and magic line neutralized."""
    release = _notebook([
        ("code", {"grade_id": "setup-imports", "locked": True}, "import numpy as np"),
        ("code", {"grade_id": "solution-f", "solution": True}, "def f():\n    raise NotImplementedError"),
        ("code", {"grade_id": "check-f", "locked": True}, "assert f() == 1"),
        ("code", {"grade_id": "demo-plot", "locked": True}, "plot()"),
    ])
    submitted = _notebook([
        ("code", {"grade_id": "setup-imports", "locked": True}, "import os"),
        ("code", {"grade_id": "solution-f", "solution": True}, "def f():\n    !cat /etc/passwd\n    return 1"),
        ("code", None, "%%bash\ncurl evil"),
        ("code", {"grade_id": "check-f", "locked": True}, "raise SystemExit"),
        ("code", {"grade_id": "demo-plot", "locked": True}, "import shutil"),
    ])
    run = code_to_run(submitted, ReleaseCells.of(release))
    assert [label for label, _ in run] == ["2", "3"]
    assert run[0][1] == "def f():\n    pass  # magic or shell line removed by the grader\n    return 1"
    assert run[1][1] == ""
    assert RUN_WHEN_GRADED == {Role.SETUP, Role.SOLUTION, Role.ADDED}


@pytest.mark.parametrize("module", nnkit_contract.MODULES)
def test_each_module_stands_alone(module):
    """check.py bundles the modules one by one and the sandbox loads `values` before anything
    else: none may import another module of the kit."""
    tree = ast.parse(Path(nnkit_contract.module_path(module)).read_text())
    imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__", "enum", "re", "dataclasses", "typing", "collections", "numpy",
                        "json", "os", "string"}, imported


def test_the_sandbox_binds_the_contract_package_and_nothing_else_of_the_kit():
    bound = {name: path for name, path in WORKER_FILES.items() if name.startswith("nnkit_contract/")}
    assert set(bound) == {"nnkit_contract/__init__.py", *(f"nnkit_contract/{m}.py" for m in nnkit_contract.MODULES)}
    assert all(Path(p).is_file() and Path(p).parent == Path(nnkit_contract.FOLDER) for p in bound.values())
    others = [p for n, p in WORKER_FILES.items() if not n.startswith("nnkit_contract/")]
    assert all(Path(p).parent.name == "sandbox" for p in others)


def test_check_py_carries_the_contract_it_uses_and_runs_alone(tmp_path):
    """The released check.py has the cells and outcomes modules written in (no import of the
    kit), and runs with Python and NumPy only: `--help` from a folder without the kit."""
    notebook = ROOT / "solutions" / "nn_from_scratch" / "nn_from_scratch.ipynb"
    text = check_script(notebook).decode()
    assert "nnkit_contract" not in "\n".join(line for line in text.splitlines() if "import" in line)
    assert "def neutralize_magics(" in text and "def not_implemented_message(" in text
    (tmp_path / "check.py").write_text(text)
    out = subprocess.run([sys.executable, "-I", str(tmp_path / "check.py"), "--help"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "usage" in out.stdout.lower()


@pytest.mark.parametrize("status", [s for s in SubmissionStatus if s is not SubmissionStatus.GRADED])
def test_an_ungraded_submission_speaks_the_check_vocabulary(status):
    """One outcome model per level: the checks of a submission that was not graded get a check
    status (never `invalid`, never the submission's `missing`), each scoring 0."""
    result = ungraded(base_result("s", "nn_from_scratch", 1), status, "why")
    assert result["status"] == status.value and result["score"] == 0
    statuses = {t["status"] for t in result["tests"]}
    assert statuses == {CHECK_STATUS_WHEN_UNGRADED[status].value} and statuses <= set(CHECK_STATUSES)
    assert all(t["points"] == 0 and t["message"] == "why" for t in result["tests"])
    if status in (SubmissionStatus.INVALID, SubmissionStatus.MISSING):
        assert statuses == {Status.NOT_RUN.value}
