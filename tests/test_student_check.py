"""The students' local checks: check.py in the release (grader/release/student_check.py), and
`grader check NOTEBOOK`.

check.py runs the notebook's public check cells; these tests prove it passes the reference,
reports a bare release as not implemented, flags every mutant of tests/mutants/<a>/ on the check
of a function the mutant redefines, and runs without the private packages (grader,
autograde_tests), for every assignment; the rest uses nn_from_scratch.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import string
import subprocess
import sys
import sysconfig
from pathlib import Path

import corpus as sol
import nbformat
import pytest
from corpus import ASSIGNMENTS

from autograde_tests import engine
from grader.cli import main
from grader.paths import Course
from grader.release import student_check
from grader.release.check_script import check_script, released_checks
from grader.release.classgen import make_submission, reference_answers
from grader.release.leaks import RELEASE_ALLOW_LIST, is_allowed

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT)
NAME = "nn_from_scratch"
RELEASE = COURSE.assignments / NAME
NB_NAME = COURSE.solution_notebook(NAME).name
MUTANTS_DIR = sol.mutants_dir(NAME)
MUTANT_CASES = [(a, m) for a in ASSIGNMENTS for m in sol.mutants(a)]

#: Mutants that no public check can see ((assignment, mutant) -> the reason). Keep this as short
#: as possible.
INVISIBLE_MUTANTS: dict[tuple[str, str], str] = {}

# Runs check.py the way a student's bare interpreter would: isolated (-I: no current folder, no
# PYTHONPATH, no user site) and without site processing (-S), so the editable install's path hook
# for this repository is not loaded; only the folder holding numpy and matplotlib is added.
_LAUNCHER = """
import importlib.util, runpy, sys
sys.path.append({site!r})
for private in ("grader", "autograde_tests"):
    assert importlib.util.find_spec(private) is None, private + " is importable"
sys.argv = ["check.py", *sys.argv[1:]]
runpy.run_path("check.py", run_name="__main__")
"""


def _nb_name(assignment: str) -> str:
    return COURSE.solution_notebook(assignment).name


def _n_checks(assignment: str) -> int:
    """The released checks, one per check cell of the source notebook (derived, never typed)."""
    return len(released_checks(COURSE.solution_notebook(assignment))["checks"])


def _student_folder(tmp_path: Path, notebook=None, assignment: str = NAME) -> Path:
    """A copy of the release as a student has it, with `notebook` as the student's notebook."""
    folder = tmp_path / assignment
    shutil.copytree(COURSE.assignments / assignment, folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    if notebook is not None:
        nbformat.write(notebook, folder / _nb_name(assignment))
    return folder


def _run_check_py(folder: Path, *args: str) -> subprocess.CompletedProcess:
    launcher = _LAUNCHER.format(site=sysconfig.get_paths()["purelib"])
    return subprocess.run([sys.executable, "-I", "-S", "-c", launcher, *args], cwd=folder,
                          capture_output=True, text=True, timeout=300)


def _statuses(table: str) -> dict[str, tuple[str, str]]:
    """exercise -> (status, hint) from the printed table."""
    rows = {}
    for line in table.splitlines()[2:]:
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            break
        rows[parts[0]] = (parts[1], parts[2])
    return rows


def _reference_notebook(variant=None, assignment: str = NAME):
    return make_submission(COURSE.assignments / assignment / _nb_name(assignment),
                           reference_answers(COURSE.solution_notebook(assignment)), variant)


def _released(assignment: str = NAME) -> dict:
    return released_checks(COURSE.solution_notebook(assignment))


def _said(output: str, message_id: str, **values) -> bool:
    """`output` holds check.py's message `message_id` (matched by its template, not by English
    words typed here): the placeholders in `values` as given, any other one as any text."""
    pattern = []
    for literal, name, _, _ in string.Formatter().parse(student_check.MESSAGES[message_id]):
        pattern.append(re.escape(literal))
        if name:
            pattern.append(re.escape(str(values[name])) if name in values else ".*?")
    return re.search("".join(pattern), output) is not None


def _table(output: str) -> str:
    """The table and the score line without the timing, for comparisons."""
    return re.sub(r" \(\d+\.\d s\)", "", output)


# ---------------------------------------------------------------------------------------------
# Shipped with the release.
# ---------------------------------------------------------------------------------------------

@pytest.mark.gate
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_ships_check_py(assignment):
    release = COURSE.assignments / assignment
    stale = (release / "check.py").read_bytes() != check_script(COURSE.solution_notebook(assignment))
    assert not stale, (f"assignments/{assignment}/check.py is out of date with the check cells of "
                       f"solutions/{assignment}/ (or grader/release/student_check.py, nnkit_contract/): "
                       "run `make release` and commit it")
    assert is_allowed("check.py") and "check.py" in RELEASE_ALLOW_LIST


def test_check_py_imports_only_the_standard_library_and_numpy():
    """The released check.py carries the kit's contract (cell roles) inside: nothing of the kit
    is imported, so it runs with Python and NumPy alone."""
    tree = ast.parse((RELEASE / "check.py").read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= set(sys.stdlib_module_names) | {"__future__", "numpy"}, imported
    assert "autograde_tests" not in (RELEASE / "check.py").read_text()


# ---------------------------------------------------------------------------------------------
# Reference, bare release, mutants.
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_passes_every_check_without_the_private_packages(assignment, tmp_path):
    folder = _student_folder(tmp_path, _reference_notebook(assignment=assignment), assignment)
    done = _run_check_py(folder)
    assert done.returncode == 0, done.stdout + done.stderr
    rows, n = _statuses(done.stdout), _n_checks(assignment)
    assert len(rows) == n and all(s == student_check.PASSED for s, _ in rows.values()), done.stdout
    assert _said(done.stdout, "check.summary", passed=n, total=n)
    release = COURSE.assignments / assignment
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in release.iterdir()
                                                              if p.name != "__pycache__"), \
        "check.py left files behind"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_bare_release_is_not_implemented_everywhere(assignment, tmp_path):
    folder = _student_folder(tmp_path, assignment=assignment)
    done = _run_check_py(folder, _nb_name(assignment))
    assert done.returncode == 1, done.stdout + done.stderr
    rows, n = _statuses(done.stdout), _n_checks(assignment)
    assert len(rows) == n, done.stdout
    assert all(s == student_check.NOT_IMPLEMENTED for s, _ in rows.values()), done.stdout
    first = next(iter(rows))
    assert rows[first][1] == student_check.say("check.not-implemented",
                                               function=first.split(", ")[0])
    assert _said(done.stdout, "check.summary", passed=0, total=n)
    # Training accuracy is named only where the grader checks a `train` (not computation_graphs).
    trains = "train" in engine.points_by_function(assignment)
    kinds = student_check.say("check.kinds-trained" if trains else "check.kinds-untrained")
    assert _said(done.stdout, "check.summary", passed=0, total=n, kinds=kinds), done.stdout
    assert trains == (assignment != "computation_graphs")


def _redefined(assignment: str, mutant: str) -> list[str]:
    tree = ast.parse(sol.mutant_source(assignment, mutant))
    return [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]


def _check_of(function: str, exercises) -> str:
    matches = [e for e in exercises if function in e.split(", ")]
    assert len(matches) == 1, (function, exercises)
    return matches[0]


@pytest.mark.parametrize(("assignment", "mutant"), MUTANT_CASES)
def test_mutant_is_flagged_on_its_own_exercise(assignment, mutant, tmp_path):
    """check.py fails the exercise of every function a mutant redefines, and names exactly the
    cause its EXPECT["local"] declares (the one grading names too, tests/test_mutants.py), or none
    when it declares None."""
    code = sol.mutant_source(assignment, mutant)
    _, expect = sol.load_mutant(assignment, mutant)
    folder = _student_folder(tmp_path, _reference_notebook({"cell:append": code}, assignment),
                             assignment)
    report = student_check.run_checks(folder / _nb_name(assignment), released=_released(assignment))
    assert not report.notes, report.notes
    status = {r.exercise: r for r in report.results}
    local = expect["local"]
    for function in _redefined(assignment, mutant):
        if function.startswith("_"):
            continue  # a helper of the mutant, not a graded function
        result = status[_check_of(function, status)]
        if (assignment, mutant) in INVISIBLE_MUTANTS:
            assert result.status == student_check.PASSED, f"{mutant} is now visible: remove the exception"
            continue
        assert result.status == student_check.FAILED, f"{mutant}: {function} not flagged ({result})"
        assert result.hint, f"{mutant}: no hint"
        want = local.get(function) if isinstance(local, dict) else local
        shown = sol.local_diagnosis(assignment, result.detail or result.hint)
        assert shown == want, f"{mutant}: check.py names {shown!r}, EXPECT['local'] is {want!r}: {result.hint}"


def test_an_edited_or_deleted_check_cell_is_run_as_released_and_reported(tmp_path):
    notebook = _reference_notebook({"cell:append": (MUTANTS_DIR / "softmax_no_max_shift.py").read_text()})
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "check-softmax":
            cell.source = "print('softmax: all checks passed')"   # shortened by the student
    notebook.cells = [c for c in notebook.cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") != "check-sgd_step"]
    folder = _student_folder(tmp_path, notebook)
    done = _run_check_py(folder)
    assert done.returncode == 1, done.stdout
    rows = _statuses(done.stdout)
    assert rows["softmax"][0] == student_check.FAILED and "holds NaN for logits ~ 1e3" in rows["softmax"][1]
    assert rows["sgd_step"][0] == student_check.PASSED
    assert f"check-softmax: {student_check.say('check.cell-edited')}" in done.stdout
    assert f"check-sgd_step: {student_check.say('check.cell-removed')}" in done.stdout
    assert not _said(done.stdout, "check.summary") and _said(done.stdout, "check.summary-changed")


def test_a_check_failing_because_of_another_function_names_it(tmp_path):
    code = (MUTANTS_DIR / "grad_missing_1_over_n.py").read_text()
    folder = _student_folder(tmp_path, _reference_notebook({"cell:append": code}))
    done = _run_check_py(folder, "-v")
    rows = _statuses(done.stdout)
    assert rows["softmax_cross_entropy_backward"][0] == student_check.FAILED
    assert rows["train"] == (student_check.FAILED, student_check.say(
        "check.fix-first-one", exercise="train", names="softmax_cross_entropy_backward"))
    assert _said(done.stdout, "check.own-check-said", exercise="train")


@pytest.mark.parametrize("mutant", ["momentum_wrong_sign", "adam_t_not_incremented", "tanh_backward_uses_z"])
def test_a_function_reached_through_given_code_is_named(mutant, tmp_path):
    """train reaches momentum_step and adam_step through the given optimizer_step, and the
    activations through the given forward and backward: a bug there is named, and the correct
    loop is not blamed."""
    A = "training_networks"
    code = sol.mutant_source(A, mutant)
    folder = _student_folder(tmp_path, _reference_notebook({"cell:append": code}, A), A)
    report = student_check.run_checks(folder / _nb_name(A), released=_released(A))
    status = {r.exercise: r for r in report.results}
    broken = _redefined(A, mutant)[0]
    assert status[_check_of(broken, status)].status == student_check.FAILED
    assert status["train"].status == student_check.FAILED
    assert status["train"].hint == (f"train uses your {broken}, which fails its check: fix that first")


def _gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def test_an_edited_setup_cell_runs_as_released_like_when_graded(tmp_path):
    """The grader runs the released setup cell, not the student's: an `import math` added there
    and used by init_params passed every local check and lost 11 points at grading."""
    notebook = _reference_notebook()
    for cell in notebook.cells:
        if _gid(cell) == "setup-imports":
            cell.source += "\nimport math\n"
        elif _gid(cell) == "solution-init_params":
            cell.source += ("\n_init_params = init_params\n\n\ndef init_params(layer_sizes, rng):\n"
                            "    math.sqrt(1.0)\n    return _init_params(layer_sizes, rng)\n")
    folder = _student_folder(tmp_path, notebook)
    done = _run_check_py(folder)
    assert done.returncode == 1, done.stdout
    assert "setup-imports: edited" in done.stdout and "restore them" in done.stdout
    assert "NameError" in done.stdout and "math" in done.stdout


def test_roles_come_from_the_release_like_when_graded(tmp_path):
    """A solution cell given a demo's id is not run when graded (0 points): nor by check.py. A
    cell with an id the release does not have is an added cell: run by both."""
    notebook = _reference_notebook()
    for cell in notebook.cells:
        if _gid(cell) == "solution-sigmoid":
            cell.metadata["nbgrader"]["grade_id"] = "demo-data"
    report = student_check.run_checks(_student_folder(tmp_path / "a", notebook) / NB_NAME,
                                      released=_released())
    status = {r.exercise: r for r in report.results}
    assert status["sigmoid"].status == student_check.FAILED, status["sigmoid"]
    assert status["sigmoid"].hint.startswith("sigmoid is not defined: no solution cell")
    notebook = _reference_notebook()
    for cell in notebook.cells:
        if _gid(cell) == "solution-sigmoid":
            cell.metadata["nbgrader"].update(grade_id="demo-mine", locked=True, solution=False)
    report = student_check.run_checks(_student_folder(tmp_path / "b", notebook) / NB_NAME,
                                      released=_released())
    assert student_check.ok(report), [(r.exercise, r.hint) for r in report.results if r.status != "passed"]


def test_a_version_3_notebook_is_refused_and_a_bom_is_read(tmp_path):
    folder = _student_folder(tmp_path, _reference_notebook())
    path = folder / NB_NAME
    text = path.read_text(encoding="utf-8")
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert _run_check_py(folder).returncode == 0
    data = json.loads(text)
    data.update(nbformat=3, worksheets=[{"cells": []}])
    path.write_text(json.dumps(data), encoding="utf-8")
    done = _run_check_py(folder)
    assert done.returncode == 2 and "not a version-4 notebook" in done.stderr, done.stderr


@pytest.mark.parametrize("shape", ["metadata list", "integer source", "deep nesting", "sys.exit"])
def test_malformed_notebooks_give_one_line_or_the_table(shape, tmp_path):
    folder = _student_folder(tmp_path, _reference_notebook())
    path = folder / NB_NAME
    data = json.loads(path.read_text())
    if shape == "metadata list":
        data["cells"][3]["metadata"] = [1, 2]
    elif shape == "integer source":
        data["cells"][3]["source"] = [1, 2, 3]
    elif shape == "sys.exit":
        data["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None,
                              "outputs": [], "source": "import sys\nsys.exit('bye')"})
    if shape == "deep nesting":
        path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    else:
        path.write_text(json.dumps(data))
    done = _run_check_py(folder)
    assert "Traceback" not in done.stderr, done.stderr
    if shape == "deep nesting":
        assert done.returncode == 2 and done.stderr.strip().count("\n") == 0
        assert _said(done.stderr, "check.too-deep")
    else:
        assert _said(done.stdout, "check.summary"), done.stdout
        if shape == "sys.exit":
            assert _said(done.stdout, "check.sys-exit", code="'bye'")


def test_invisible_mutants_exist():
    assert set(INVISIBLE_MUTANTS) <= set(MUTANT_CASES)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_independent_solutions_pass_every_check(assignment, tmp_path):
    """Correct work written apart from the reference passes the local checks of every assignment."""
    code = sol.independent_path(assignment).read_text()
    folder = _student_folder(tmp_path, _reference_notebook({"cell:append": code}, assignment),
                             assignment)
    report = student_check.run_checks(folder / _nb_name(assignment), released=_released(assignment))
    assert student_check.ok(report), [(r.exercise, r.hint) for r in report.results if r.status != "passed"]


def test_check_cells_are_timed_out_and_errors_reported(tmp_path):
    looping = "def sgd_step(params, grads, lr):\n    while True:\n        pass\n"
    crashing = "def relu_backward(dA, Z):\n    return dA @ Z\n"
    broken = "raise RuntimeError('my own cell')\n"
    notebook = _reference_notebook({"cell:append": looping + crashing + "\n\n"})
    notebook.cells.append(nbformat.v4.new_code_cell(broken))
    notebook.cells.append(nbformat.v4.new_code_cell("%matplotlib inline\n!pip install nothing"))
    folder = _student_folder(tmp_path, notebook)
    # The endless loop times out whatever the limit; the limit only has to leave the honest
    # checks (milliseconds of CPU) room on a busy machine, where 1 s of wall time once did not.
    report = student_check.run_checks(folder / NB_NAME, limit=5.0, released=_released())
    results, notes = report.results, report.notes
    status = {r.exercise: r for r in results}
    assert status["sgd_step"].status == "timed out" and "sgd_step" in status["sgd_step"].hint
    assert status["relu_backward"].status == student_check.FAILED
    assert status["relu_backward"].hint.startswith("ValueError in relu_backward")
    assert status["standardize"].status == "passed"
    assert len(notes) == 1 and "(added cell): FAILED: RuntimeError: my own cell" in notes[0], notes


def test_magic_lines_are_skipped_with_check_pys_note(tmp_path):
    """The contract's rule (tests/test_contract.py), with check.py's note on the skipped line."""
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": "%%time\nx = 1", "outputs": [], "execution_count": None},
        {"cell_type": "code", "metadata": {}, "source": "  !ls\nx = 1", "outputs": [], "execution_count": None}]}
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb))
    first, second = student_check.read_cells(path)
    assert first.source == ""
    assert second.source == "  pass  # skipped by check.py: !ls\nx = 1"


# ---------------------------------------------------------------------------------------------
# `grader check` prints the same table.
# ---------------------------------------------------------------------------------------------

def test_grader_check_gives_the_same_table(tmp_path, capsys):
    notebook = _reference_notebook({"cell:append": (MUTANTS_DIR / "sgd_adds_gradient.py")
                                    .read_text()})
    folder = _student_folder(tmp_path, notebook)
    done = _run_check_py(folder)
    assert done.returncode == 1
    # A submission elsewhere: the cells run in the released assignment's folder.
    elsewhere = tmp_path / "submitted" / "alice" / NAME / NB_NAME
    elsewhere.parent.mkdir(parents=True)
    shutil.copy(folder / NB_NAME, elsewhere)
    assert main(["check", str(elsewhere)]) == 1
    out = capsys.readouterr().out
    assert _table(out).strip() == _table(done.stdout).strip()
    assert _statuses(out)["sgd_step"][0] == student_check.FAILED


def _graph_report(tmp_path, *mutants: str):
    A = "computation_graphs"
    code = "\n\n".join(sol.mutant_source(A, m) for m in mutants)
    folder = _student_folder(tmp_path, _reference_notebook({"cell:append": code}, A), A)
    report = student_check.run_checks(folder / _nb_name(A), released=_released(A))
    return {r.exercise: r for r in report.results}


def test_a_check_that_runs_loss_backward_names_the_broken_graph_function(tmp_path):
    """mlp_loss is right, but its check runs loss.backward(): with a topological order that lists
    children first, check.py names topological_order (reached through the Tensor class and the
    graph's backward), not a wrong mlp_loss; backward's check, which builds its graph with *, +,
    @, relu, mean and sum, names the broken mean_backward too."""
    status = _graph_report(tmp_path, "topo_reversed", "mean_backward_not_divided")
    assert status["topological_order"].status == student_check.FAILED
    assert status["mlp_loss"].status == student_check.FAILED
    assert status["mlp_loss"].hint == ("mlp_loss uses your backward, topological_order, which fail their check: "
                                       "fix that first")
    assert status["backward"].hint == ("backward uses your mean_backward, topological_order, which fail their "
                                       "check: fix that first")


def test_building_a_graph_does_not_blame_the_local_backward_it_records(tmp_path):
    """The honest twin: topological_order's check only builds graphs (the recorded local backward
    functions never run), and mlp_loss's graph has no exp node; a broken mul_backward and
    exp_backward are named by their own checks and blamed for nothing else."""
    status = _graph_report(tmp_path, "mul_backward_in_place", "exp_backward_exp_again", "topo_reversed")
    assert status["topological_order"].hint.startswith("a node comes before one of its parents"), \
        status["topological_order"].hint
    assert "exp_backward" not in status["mlp_loss"].hint and "mul_backward" not in status["mlp_loss"].hint
    assert "exp_backward" not in status["backward"].hint
    assert "mul_backward" in status["backward"].hint


# ---------------------------------------------------------------------------------------------
# computation_graphs' check cells, run as the notebook runs them (no check.py blame around them).
# ---------------------------------------------------------------------------------------------

def _check_cell_says(grade: str, *extra: str) -> str:
    """The assertion message of the released check cell `grade` of computation_graphs, run after
    the reference solution and `extra` code ("" when it passes)."""
    A = "computation_graphs"
    nb = nbformat.read(COURSE.assignments / A / _nb_name(A), as_version=4)
    source = next(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade)
    namespace = sol.namespace([*sol.reference_sources(A), *extra], A)
    try:
        exec(compile(source, grade, "exec"), namespace)
    except AssertionError as error:
        return str(error)
    return ""


@pytest.mark.parametrize("mutant", ["topo_reversed", "topo_duplicates", "topo_missing_root"])
@pytest.mark.parametrize("grade", ["check-backward", "check-mlp_loss"])
def test_a_check_cell_names_a_wrong_topological_order_not_its_own_function(grade, mutant):
    """backward and mlp_loss are right, topological_order is wrong: their notebook check cells
    say that the order is wrong (fix that first), not that backward or mlp_loss is."""
    function = grade.removeprefix("check-")
    said = _check_cell_says(grade, sol.mutant_source("computation_graphs", mutant))
    assert said == (f"{function} uses your topological_order, which gives a wrong order: fix "
                    "topological_order first"), said


@pytest.mark.parametrize("grade", ["check-backward", "check-mlp_loss"])
def test_a_check_cell_with_a_right_order_names_its_own_function(grade):
    """The honest twin: with the reference's order, the reference passes and a wrong backward is
    named by backward's own message."""
    assert _check_cell_says(grade) == ""
    said = _check_cell_says(grade, sol.mutant_source("computation_graphs", "backward_no_seed"))
    assert "topological_order" not in said and said, said


def test_batchnorm_forward_check_shows_a_small_difference():
    """eps outside the sqrt changes out by ~1e-5: the expected values are shown with the digits
    the comparison uses, so the student sees where they differ (4 decimals showed equal ones)."""
    from test_feedback import EPS_OUTSIDE_SQRT

    said = _check_cell_says("check-batchnorm_forward", EPS_OUTSIDE_SQRT)
    assert said.startswith("out = gamma * x_hat + beta should be [[-0.44721315, 1.0, -3.54033035]"), said
    assert "-0.4472116" in said, said


def test_topological_order_check_comment_names_the_node_expected_nodes_lacks():
    """The cell's comment says which node expected_nodes lacks: the product u * h, root's parent."""
    A = "computation_graphs"
    nb = nbformat.read(COURSE.solution_notebook(A), as_version=4)
    source = next(c.source for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade_id") == "check-topological_order")
    assert "# expected_nodes lacks the product u * h (the parent of root_check)" in source
    namespace = sol.reference_namespace(A)
    exec(compile(source, "check-topological_order", "exec"), namespace)
    product = namespace["root_check"].parents[0]
    assert all(product is not node for node in namespace["expected_nodes"])
    assert {id(p) for p in product.parents} == {id(namespace["u_check"]), id(namespace["h_check"])}
