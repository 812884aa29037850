"""One verdict for a notebook's form on both grading paths.

Copied, added, renamed, re-typed and re-marked grade cells, a notebook saved under another name
and an unreadable one get the same score, the same reason and the same notes from `grader
autograde` and from plain `nbgrader autograde` through the kit, and none of them stops the class:
the students graded before and after them are graded as usual. Before this rule, a copied
`test-train` cell made nbgrader's DeduplicateIds empty its metadata and CheckCellMetadata abort
the whole `nbgrader autograde` run; an added grade cell, a test cell marked `solution: true` and
a renamed grade cell each needed manual grading on nbgrader (0) and scored normally on `grader
autograde`; a renamed notebook was an error on nbgrader and was graded by `grader autograde`.

The rule lives in grader/grading/submission.py (locate_notebook, classify, cell_notes, released_form);
the fast tests here check it on constructed notebooks, the slow one runs real nbgrader.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde_tests import engine
from grader.cli import main
from grader.grading import results
from grader.grading.submission import Located, ReleaseCells, cell_notes, classify, locate_notebook, released_form
from grader.nbgrader import course as nbgrader_course
from grader.nbgrader.plugin import RESULTS_DIR
from grader.paths import course
from grader.release.classgen import make_submission, reference_answers, write_submission
from nnkit_contract.cells import Role, cell_role, grade_id

KIT = course()
ASSIGNMENT = "nn_from_scratch"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
RELEASE_NB = KIT.assignments / ASSIGNMENT / NOTEBOOK
RELEASE = ReleaseCells.from_notebook(RELEASE_NB)
TOTAL = engine.total_points(ASSIGNMENT)
#: The run seed of the nbgrader class: its accuracy check trains on two of the quick datasets.
SEED = 3


def _perfect() -> nbformat.NotebookNode:
    return make_submission(RELEASE_NB, reference_answers(KIT.solution_notebook(ASSIGNMENT)))


#: The odd notebooks are a perfect one with `train` left as the stub (it grades in a second
#: instead of three), then changed.
BASE_LOST = engine.points_by_function(ASSIGNMENT)["train"]


def _base() -> nbformat.NotebookNode:
    return make_submission(RELEASE_NB, reference_answers(KIT.solution_notebook(ASSIGNMENT)),
                           {"stub:solution-train": ""})


def _at(nb, gid: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid)


def _copied(gid: str):
    def make(nb):
        i = _at(nb, gid)
        twin = copy.deepcopy(nb.cells[i])
        twin.id = "pasted-copy"
        nb.cells.insert(i + 1, twin)
    return make


def _meta(gid: str, **changes):
    def make(nb):
        nb.cells[_at(nb, gid)].metadata["nbgrader"].update(changes)
    return make


def _retyped(gid: str):
    def make(nb):
        cell = nb.cells[_at(nb, gid)]
        cell.cell_type = "markdown"
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
    return make


def _added(meta: dict):
    def make(nb):
        cell = nbformat.v4.new_code_cell("# my bonus cell\n")
        cell.id = "student-bonus"
        cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return make


def _malformed(nb):
    nb.cells[_at(nb, "test-relu_forward")].metadata["nbgrader"] = ["grade", "points"]
    nb.cells[_at(nb, "check-relu_forward")].metadata["nbgrader"] = "locked"


#: student -> (how the base notebook is changed, points lost beyond the base's, what the notes
#: must say).
ODD = {
    "odd_copied_test_cell": (_copied("test-train"), 0, ["a copy of the locked cell test-train"]),
    "odd_copied_solution_cell": (_copied("solution-sigmoid"), 0, ["one more solution-sigmoid cell"]),
    "odd_added_grade_cell": (_added({"grade": True, "solution": False, "locked": True,
                                     "grade_id": "test-bonus", "points": 50, "schema_version": 3}),
                             0, ["'test-bonus', a grade id the release does not have"]),
    "odd_grade_cell_without_id": (_added({"grade": True, "points": 5}), 0,
                                  ["grading metadata without a grade id"]),
    "odd_test_cell_marked_solution": (_meta("test-train", solution=True), 0,
                                      ["(test-train): its grading metadata was changed (solution: true)"]),
    "odd_solution_cell_given_points": (_meta("solution-train", grade=True, points=50), 0,
                                       ["(solution-train): its grading metadata was changed "
                                        "(grade: true, points: 50)"]),
    "odd_renamed_grade_cell": (_meta("test-train", grade_id="test-train-mine"), 0,
                               ["'test-train-mine', a grade id the release does not have",
                                "the grade cell test-train is missing"]),
    "odd_test_cell_as_markdown": (_retyped("test-softmax"), 0,
                                  ["(test-softmax): it is a markdown cell where the release has a code cell"]),
    "odd_solution_cell_as_markdown": (_retyped("solution-relu_forward"), None,
                                      ["(solution-relu_forward): it is a markdown cell", "its code did not run"]),
    "odd_schema_too_new": (_meta("test-train", schema_version=4), 0, []),
    "odd_malformed_metadata": (_malformed, 0, ["grading metadata that cannot be read",
                                               "the grade cell test-relu_forward is missing"]),
}


def _odd_notebook(student: str) -> nbformat.NotebookNode:
    nb = _base()
    ODD[student][0](nb)
    return nb


# ------------------------------------------------------------------------------ the rule itself

@pytest.mark.parametrize("student", sorted(ODD))
def test_the_notes_say_what_was_ignored(student):
    notes = cell_notes(_odd_notebook(student), RELEASE)
    for expected in ODD[student][2]:
        assert any(expected in note for note in notes), (expected, notes)
    if not ODD[student][2]:
        assert notes == []


def test_an_honest_notebook_has_no_notes():
    assert cell_notes(_perfect(), RELEASE) == cell_notes(_base(), RELEASE) == []


@pytest.mark.parametrize("student", sorted(ODD))
def test_every_cell_keeps_the_released_role(student):
    """The release decides: every cell whose grade id the release has gets the released role,
    whatever its own metadata or type says; any other cell is the student's own."""
    nb = _odd_notebook(student)
    for cell, verdict in zip(nb.cells, classify(nb, RELEASE)):
        gid = grade_id(cell)
        expected = RELEASE.roles.get(gid) if gid in RELEASE.roles else \
            (Role.ADDED if cell.get("cell_type") == "code" else Role.TEXT)
        assert verdict.role is expected, (verdict, expected)


@pytest.mark.parametrize("student", sorted(ODD))
def test_the_released_form_is_what_nbgrader_accepts(student):
    """nbgrader's working copy, rewritten: each released cell once, with the released metadata
    and type, and nothing that nbgrader's CheckCellMetadata rejects."""
    pytest.importorskip("nbgrader")
    from nbgrader.nbgraderformat import MetadataValidator

    nb = released_form(_odd_notebook(student), RELEASE)
    MetadataValidator().validate_nb(nb)
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)) and set(ids) <= set(RELEASE.roles)
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid:
            assert (cell.cell_type, cell_role(cell)) == (RELEASE.cells[gid][0], RELEASE.roles[gid])
    assert [c.source for c in nb.cells] == [c.get("source") for c in _odd_notebook(student).cells]


def test_the_notebook_is_found_by_its_released_name_only(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    assert locate_notebook(folder, NOTEBOOK) == Located(None)  # nothing submitted: missing
    (folder / "Untitled.ipynb").write_text("{}")
    (folder / "notes.txt").write_text("")
    found = locate_notebook(folder, NOTEBOOK)
    assert found.path is None and found.ignored == ("Untitled.ipynb", "notes.txt")
    assert found.problem.startswith(f"no {NOTEBOOK} was submitted, only Untitled.ipynb")
    assert f"rename it to {NOTEBOOK}" in found.problem
    (folder / NOTEBOOK).write_text("{}")
    assert locate_notebook(folder, NOTEBOOK) == Located(folder / NOTEBOOK, "", ("Untitled.ipynb", "notes.txt"))
    (folder / NOTEBOOK).unlink()
    (folder / NOTEBOOK).symlink_to(folder / "Untitled.ipynb")
    assert locate_notebook(folder, NOTEBOOK).problem == "the notebook is a symbolic link"


# ------------------------------------------------------------------------------ both paths, one class

#: Honest students graded before and after every odd notebook (nbgrader grades in name order).
HONEST = ("aa_honest_first", "zz_honest_last")
OTHER_NAME, NOT_JSON, UNREADABLE = "odd_saved_as_untitled", "odd_not_json", "odd_metadata_a_list"
BIN = Path(sys.executable).parent


def _nbgrader(course_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
                          capture_output=True, text=True, timeout=1200)


@pytest.fixture(scope="module")
def both_paths(tmp_path_factory):
    """One nbgrader course graded by plain `nbgrader autograde`, and its submitted folder by
    `grader autograde` with the same seed."""
    pytest.importorskip("nbgrader")
    tmp = tmp_path_factory.mktemp("verdict")
    assert _nbgrader(tmp, "quickstart", "course101").returncode == 0
    root = tmp / "course101"
    assert main(["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT, "--seed", str(SEED)]) == 0
    proc = _nbgrader(root, "generate_assignment", ASSIGNMENT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    submitted = root / "submitted"
    for student in HONEST:
        write_submission(submitted, student, ASSIGNMENT, NOTEBOOK, _perfect())
    for student in ODD:   # as JSON: nbformat would refuse to write the malformed one
        write_submission(submitted, student, ASSIGNMENT, NOTEBOOK,
                         json.dumps(_odd_notebook(student), indent=1))
    write_submission(submitted, OTHER_NAME, ASSIGNMENT, "Untitled.ipynb", _perfect())
    write_submission(submitted, NOT_JSON, ASSIGNMENT, NOTEBOOK, b"{ this is not json")
    nb = _perfect()
    nb.cells[_at(nb, "test-train")].metadata = ["not", "a", "dict"]
    write_submission(submitted, UNREADABLE, ASSIGNMENT, NOTEBOOK, json.dumps(nb))
    autograde = _nbgrader(root, "autograde", ASSIGNMENT)
    out = tmp / "grader-out"
    assert main(["autograde", str(submitted), "--assignment", ASSIGNMENT, "--out", str(out),
                 "--seed", str(SEED), "--no-progress"]) == 0
    return {"root": root, "log": autograde.stdout + autograde.stderr, "status": autograde.returncode,
            "book": {r["student"]: r for r in nbgrader_course.gradebook_results(root / "gradebook.db",
                                                                                ASSIGNMENT)},
            "kit": {r["student"]: r for r in results.load_results(root / RESULTS_DIR / ASSIGNMENT)},
            "grader": {r["student"]: r for r in results.load_results(out)},
            "students": sorted(p.name for p in submitted.iterdir())}


@pytest.mark.nbgrader
@pytest.mark.slow
def test_no_notebook_stops_the_class(both_paths):
    """Every student is in nbgrader's gradebook: the honest ones after the odd ones are graded."""
    assert set(both_paths["book"]) == set(both_paths["students"]) == set(both_paths["grader"])
    for student in HONEST:
        assert both_paths["book"][student]["status"] == "graded"
        assert both_paths["book"][student]["score"] == both_paths["grader"][student]["score"] == TOTAL
    assert "nbgrader update" not in both_paths["log"]        # the abort of a copied grade cell
    assert "Inconsistent checksums" not in both_paths["log"]
    assert "failed to validate" not in both_paths["log"]


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(ODD))
def test_odd_cells_get_one_score_one_reason_on_both_paths(both_paths, student):
    book, kit, mine = (both_paths[k][student] for k in ("book", "kit", "grader"))
    lost = ODD[student][1]
    assert mine["status"] == "graded"
    if lost is not None:
        assert mine["score"] == TOTAL - BASE_LOST - lost
    assert book["status"] == "graded" and book["score"] == mine["score"]
    assert {t["id"]: t["points"] for t in book["tests"]} == results.cell_points(mine)
    same = ("status", "score", "reason", "notes")
    assert {k: kit[k] for k in same} == {k: mine[k] for k in same}
    assert results.without_timing(kit)["tests"] == results.without_timing(mine)["tests"]
    for expected in ODD[student][2]:
        assert any(expected in note for note in mine["notes"]), mine["notes"]


@pytest.mark.nbgrader
@pytest.mark.slow
@pytest.mark.parametrize("student", [OTHER_NAME, NOT_JSON, UNREADABLE])
def test_a_refused_notebook_is_flagged_on_both_paths(both_paths, student):
    book, kit, mine = (both_paths[k][student] for k in ("book", "kit", "grader"))
    assert (mine["status"], mine["score"]) == ("invalid", 0)
    assert (kit["status"], kit["score"], kit["reason"]) == ("invalid", 0, mine["reason"])
    assert book["status"] == "needs_manual_grading" and book["score"] == 0
    assert f"{student}: not graded (invalid), needs manual grading: {mine['reason']}" in both_paths["log"]
    # nbgrader says that a student could not be graded through its exit status.
    assert both_paths["status"] != 0


@pytest.mark.nbgrader
@pytest.mark.slow
def test_the_graded_notebook_shows_the_notes(both_paths):
    student = "odd_copied_test_cell"
    nb = nbformat.read(both_paths["root"] / "autograded" / student / ASSIGNMENT / NOTEBOOK,
                       as_version=4)
    shown = "".join(o.get("text", "") for c in nb.cells if cell_role(c) is Role.TEST
                    for o in c.get("outputs", []))
    assert results.NOTES_HEADING in shown and "a copy of the locked cell test-train" in shown
    assert sum(grade_id(c) == "test-train" for c in nb.cells) == 1


def test_grader_autograde_refuses_a_renamed_notebook(tmp_path):
    """The same rule on the grader path alone (no nbgrader): a lone notebook under another name
    is refused with the reason, and the folder's other files are reported as ignored."""
    from grader.grading.autograde import discover
    from grader.grading.grade import Assignment

    assignment = Assignment.from_folders(RELEASE_NB.parent, KIT.solution_notebook(ASSIGNMENT))
    folder = tmp_path / "s1" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copyfile(RELEASE_NB, folder / "nn_from_scratch (1).ipynb")
    found = discover(tmp_path, assignment)
    assert [(t.student, t.notebook) for t in found.tasks] == [("s1", None)]
    assert found.tasks[0].note.startswith(f"no {NOTEBOOK} was submitted, only nn_from_scratch (1).ipynb")
