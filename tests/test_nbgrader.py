"""Real nbgrader grades through the kit's sandbox, and agrees with `grader autograde` exactly.

One course is made the way an instructor makes it (`nbgrader quickstart`, plus a line of the
instructor's own in its config), set up with `grader nbgrader setup`, and then driven only by
nbgrader's plain commands: generate_assignment, autograde, export, generate_feedback. The class is
the example class (hostile students included), mutants of tests/mutants/, submissions that
return odd types, two cheats aimed at nbgrader, a deleted grade cell and a notebook whose code
cannot load. The same submitted files are graded by `grader autograde` with the same seed; every
total, every grade cell and every check must agree.

Lanes (tests/lanes.py): `make test` grades the students of the first example class that show
every status (and the hostile ones), the perfect and the hostile students of the second, and a
few mutants on both paths; the mutants that together lose
every check any mutant loses, and the in-place ones, go through `grader autograde` alone, to be
compared with the in-process double. `make test-full` (--full) grades both whole classes and
every mutant on both paths, as before the lanes.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")

import corpus  # noqa: E402
import lanes  # noqa: E402
from inprocess import InProcessStudent  # noqa: E402

from autograde_tests import engine, reference  # noqa: E402
from grader.cli import main  # noqa: E402
from grader.course import gradebook as course_book  # noqa: E402
from grader.grading import numpy_version, results
from grader.nbgrader import course as nbgrader_course
from grader.nbgrader.plugin import AUTOGRADE_PREPROCESSORS, RESULTS_DIR  # noqa: E402
from grader.paths import course  # noqa: E402
from grader.release import example_class
from grader.release.classgen import make_submission, reference_answers, write_submission  # noqa: E402
from nnkit_contract.cells import Role, cell_role, function_of, grade_id  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

KIT = course()
ASSIGNMENT = "nn_from_scratch"
RELEASE = KIT.assignments / ASSIGNMENT
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
EXPECTED = example_class.load_expected(KIT, ASSIGNMENT)
SEED, TIMEOUT = EXPECTED["seed"], EXPECTED["timeout"]
TOTAL = engine.total_points(ASSIGNMENT)
POINTS = {c.id: c.points for c in engine.all_checks(ASSIGNMENT)}
MUTANTS = Path(__file__).with_name("mutants") / ASSIGNMENT
#: The course's own written-answer stub (nbgrader's ClearSolutions.text_stub): an answer that
#: still holds it is blank, on every path.
COURSE_STUB = "Write your answer here, in a few sentences."
INSTRUCTOR_LINE = ('c.Exchange.timezone = "Europe/Berlin"  # the instructor\'s own setting\n'
                   f'c.ClearSolutions.text_stub = "{COURSE_STUB}"')
BIN = Path(sys.executable).parent


def _mutant(name: str) -> str:
    return (MUTANTS / f"{name}.py").read_text().split("\nEXPECT")[0]


def _expect(name: str) -> dict:
    """A mutant's EXPECT, read without running it (a literal, tests/test_mutants.py)."""
    return ast.literal_eval((MUTANTS / f"{name}.py").read_text().split("\nEXPECT = ", 1)[1])


#: Hostile students of the example classes that `make test` grades whatever their statuses.
HOSTILE = ("fay_cheater", "hal_stubs", "lou_always_equal")
#: Mutants graded on both paths in `make test`: arguments changed in place (read back from shared
#: memory), a wrong dtype, training that never steps.
BOTH_PATHS_MUTANTS = ("numgrad_no_restore", "predict_float_labels", "relu_forward_in_place",
                      "train_never_steps")


def _covering_mutants() -> list[str]:
    """Every mutant that changes an argument in place and those graded on both paths, then
    mutants that lose the most checks not lost yet, until every check any mutant loses is lost:
    what the sandbox and the in-process double could disagree on."""
    lost = {name: set(e["lost"]) | set(e.get("maybe", {}))
            for name, e in ((p.stem, _expect(p.stem)) for p in sorted(MUTANTS.glob("*.py")))}
    chosen = {m for m in lost if "in_place" in m} | set(BOTH_PATHS_MUTANTS)
    covered = set().union(*(lost[m] for m in chosen))
    while missing := set().union(*lost.values()) - covered:
        best = max(sorted(lost), key=lambda m: len(lost[m] & missing))
        chosen.add(best)
        covered |= lost[best]
    return sorted(chosen)


def _class(full: bool) -> tuple[list[str], list[str], list[str]]:
    """(example students, mutants graded on both paths, mutants graded by `grader autograde`
    only) of this lane."""
    everyone = sorted(EXPECTED["students"])
    mutants = sorted(p.stem for p in MUTANTS.glob("*.py"))
    if full:
        return everyone, mutants, []
    return (lanes.covering_students(EXPECTED, ("ben_relu_ge_zero", *HOSTILE)), list(BOTH_PATHS_MUTANTS),
            [m for m in _covering_mutants() if m not in BOTH_PATHS_MUTANTS])


#: Submissions beyond the example class: student id -> variant (grader.release.classgen format).
ODD_RETURNS = {
    "odd_namedtuple": {"cell:append": (
        "from collections import namedtuple\n_Std = namedtuple('_Std', 'X mean std')\n"
        "_standardize = standardize\n\n\ndef standardize(X, mean=None, std=None):\n"
        "    return _Std(*_standardize(X, mean, std))\n")},
    "odd_float32": {"cell:append": (
        "_accuracy = accuracy\n\n\ndef accuracy(y_pred, y):\n"
        "    return np.float32(_accuracy(y_pred, y))\n")},
    "odd_list_labels": {"cell:append": (
        "_predict = predict\n\n\ndef predict(params, X):\n    return _predict(params, X).tolist()\n")},
    "odd_matrix": {"cell:append": (
        "_softmax = softmax\n\n\ndef softmax(logits):\n    return np.asmatrix(_softmax(logits))\n")},
    "odd_huge_int": {"cell:append": "def accuracy(y_pred, y):\n    return 10**3000\n"},
}
#: Cheats aimed at nbgrader's kernel: both hope to reach the hidden tests or the reference.
CHEATS = {
    "cheat_run_check": {"cell:append": (
        "import autograde_tests.engine as _e\n"
        "_e.run_check = lambda c, *a, **k: _e.TestResult(c.id, c.function, c.points, c.points, "
        "'passed')\n")},
    "cheat_reference": {"cell:append": (
        "from autograde_tests.reference import load as _load\n"
        "_ref = _load('solutions/nn_from_scratch/nn_from_scratch.ipynb')\n"
        "standardize, sigmoid, train = _ref.standardize, _ref.sigmoid, _ref.train\n")},
}
STUB_TWIN = "hal_stubs"
LOAD_FAILS = "load_fails"
DELETED = "deleted_test_cell"
DELETED_CELL = "test-relu_backward"
#: A perfect notebook whose written answers still hold the course's stub (hostile to the old
#: "answered" test, which knew only nbgrader's default stub), and its honest twin, whose answers
#: start with the stub and go on with an answer.
COURSE_STUB_ANSWERS = "course_stub_answers"
STUB_THEN_ANSWER = "stub_then_answer"


def _nbgrader(course_dir: Path, *args: str, env: dict | None = None, check: bool = True):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir,
                          env=env or {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
                          capture_output=True, text=True, timeout=1200)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _write_mutants(root: Path, mutants: list[str]) -> None:
    answers = reference_answers(KIT.solution_notebook(ASSIGNMENT))
    for name in mutants:
        write_submission(root, f"mutant_{name}", ASSIGNMENT, NOTEBOOK,
                         make_submission(RELEASE / NOTEBOOK, answers, {"cell:append": _mutant(name)}))


def _write_class(root: Path, examples: list[str], mutants: list[str]) -> list[str]:
    """The submissions of this test into ROOT/<student>/<assignment>/ (of the example class,
    `examples`; of the mutant corpus, `mutants`); returns the ids."""
    answers = reference_answers(KIT.solution_notebook(ASSIGNMENT))
    release_nb = RELEASE / NOTEBOOK
    submitted = example_class.examples_dir(KIT, ASSIGNMENT) / example_class.SUBMITTED_DIR
    for student in examples:
        shutil.copytree(submitted / student, root / student)
    _write_mutants(root, mutants)
    variants = {**ODD_RETURNS, **CHEATS}
    for student, variant in variants.items():
        stubs = student.startswith("cheat_")
        write_submission(root, student, ASSIGNMENT, NOTEBOOK,
                         make_submission(release_nb, answers, variant, all_stubs=stubs))
    nb = make_submission(release_nb, answers, {"cell:append": "import os\nos._exit(3)\n"})
    write_submission(root, LOAD_FAILS, ASSIGNMENT, NOTEBOOK, nb)
    nb = make_submission(release_nb, answers)
    nb.cells = [c for c in nb.cells if grade_id(c) != DELETED_CELL]
    write_submission(root, DELETED, ASSIGNMENT, NOTEBOOK, nb)
    for student, text in ((COURSE_STUB_ANSWERS, f"  {COURSE_STUB}\n"),
                          (STUB_THEN_ANSWER, f"{COURSE_STUB}\nThe gradient is 0 there.")):
        nb = make_submission(release_nb, answers)
        for cell in nb.cells:
            if cell_role(cell) is Role.ANSWER:
                cell.source = text
        write_submission(root, student, ASSIGNMENT, NOTEBOOK, nb)
    return sorted(p.name for p in root.iterdir())


@pytest.fixture(scope="module")
def graded(tmp_path_factory, full):
    """The course graded by plain nbgrader, and the same files graded by `grader autograde`;
    the lane's mutants that only `grader autograde` grades, in "mutants_out"."""
    tmp = tmp_path_factory.mktemp("nbgrader")
    _nbgrader(tmp, "quickstart", "course101")
    root = tmp / "course101"
    original = (root / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(original + INSTRUCTOR_LINE + "\n")
    assert main(["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT, "--seed", str(SEED),
                 "--timeout", str(TIMEOUT)]) == 0
    _nbgrader(root, "generate_assignment", ASSIGNMENT)
    examples, both_mutants, kit_mutants = _class(full)
    students = _write_class(root / "submitted", examples, both_mutants)
    autograde = _nbgrader(root, "autograde", ASSIGNMENT)
    out = tmp / "grader-out"
    assert main(["autograde", str(root / "submitted"), "--assignment", ASSIGNMENT, "--out", str(out),
                 "--seed", str(SEED), "--timeout", str(TIMEOUT), "--no-progress"]) == 0
    mutants_out = tmp / "mutants-out"
    if kit_mutants:
        _write_mutants(tmp / "mutants", kit_mutants)
        assert main(["autograde", str(tmp / "mutants"), "--assignment", ASSIGNMENT,
                     "--out", str(mutants_out), "--seed", str(SEED), "--timeout", str(TIMEOUT),
                     "--no-progress"]) == 0
    _nbgrader(root, "export")
    _nbgrader(root, "generate_feedback", ASSIGNMENT)
    return {"root": root, "out": out, "students": students, "original": original,
            "log": autograde.stdout + autograde.stderr, "examples": examples,
            "mutants": sorted([*both_mutants, *kit_mutants]), "mutants_out": mutants_out,
            "full": full}


def _gradebook(root: Path) -> dict[str, dict]:
    return {r["student"]: r for r in nbgrader_course.gradebook_results(root / "gradebook.db",
                                                                       ASSIGNMENT)}


def _grader(out: Path) -> dict[str, dict]:
    return {r["student"]: r for r in results.load_results(out)}


def _per_cell(result: dict) -> dict[str, float]:
    cells: dict[str, float] = {}
    for t in result["tests"]:
        cells[f"test-{t['function']}"] = cells.get(f"test-{t['function']}", 0) + t["points"]
    return cells


# ------------------------------------------------------------------------------ agreement

def test_every_student_is_graded_by_both_paths(graded):
    assert set(_gradebook(graded["root"])) == set(graded["students"])
    assert set(_grader(graded["out"])) == set(graded["students"])
    both = [s.removeprefix("mutant_") for s in graded["students"] if s.startswith("mutant_")]
    assert len(graded["students"]) == len(graded["examples"]) + len(both) + len(ODD_RETURNS) \
        + len(CHEATS) + 4
    if graded["full"]:
        assert len(graded["examples"]) >= 16 and len(both) >= 24


def _answers(result: dict) -> dict[str, str]:
    return {m["id"]: m["status"] for m in [*result["manual"], *(result.get("manual_done") or [])]}


def test_blank_written_answers_count_zero_on_every_path(graded, tmp_path):
    """An answer that still holds the course's configured stub (or nbgrader's) is blank: 0 points,
    nothing awaiting, on the grader's path, nbgrader's gradebook and the course table; the twin
    that goes on after the stub awaits a person."""
    book, mine = _gradebook(graded["root"]), _grader(graded["out"])
    theirs = _grader(graded["root"] / RESULTS_DIR / ASSIGNMENT)
    for student, status in ((COURSE_STUB_ANSWERS, "blank"), (STUB_TWIN, "blank"),
                            (STUB_THEN_ANSWER, "awaiting_manual_grading"),
                            ("ada_perfect", "awaiting_manual_grading")):
        for where, rows in (("gradebook", book), ("grader", mine), ("nbgrader results", theirs)):
            found = _answers(rows[student])
            assert found and set(found.values()) == {status}, (where, student, found)
        assert results.manual_points(mine[student]) == (0 if status == "blank" else
                                                        results.manual_points(mine["ada_perfect"]))
    out = tmp_path / "course"
    assert main(["collect", "--gradebook", str(graded["root"] / "gradebook.db"), "--out", str(out),
                 "--assignment", ASSIGNMENT]) == 0
    table = course_book.load(out)["students"]
    assert table[COURSE_STUB_ANSWERS]["provisional"] is False
    assert table[COURSE_STUB_ANSWERS]["assignments"][ASSIGNMENT]["awaiting"] == 0
    assert table[STUB_THEN_ANSWER]["provisional"] is True and table["ada_perfect"]["provisional"]


def test_totals_and_grade_cells_equal_grader_autograde(graded):
    book, mine = _gradebook(graded["root"]), _grader(graded["out"])
    for student in graded["students"]:
        assert book[student]["score"] == mine[student]["score"], student
        cells = {t["id"]: t["points"] for t in book[student]["tests"]}
        assert cells == _per_cell(mine[student]), student


def test_every_check_equals_grader_autograde(graded):
    """The nbgrader path writes the grader's own result format too: check by check, status,
    points, message and diagnosis are the same as `grader autograde`'s."""
    theirs = _grader(graded["root"] / RESULTS_DIR / ASSIGNMENT)
    mine = _grader(graded["out"])
    for student in graded["students"]:
        a, b = results.without_timing(theirs[student]), results.without_timing(mine[student])
        assert a["status"] == b["status"] and a["reason"] == b["reason"], student
        assert a["tests"] == b["tests"], student


def test_mutants_agree_with_the_in_process_double(graded):
    """The kit's fast tests grade mutants in-process; the sandbox gives the same check results
    (in `make test` on the mutants that together lose every check any mutant loses, and the
    in-place ones; in `make test-full` on every mutant)."""
    mine = _grader(graded["out"])
    if graded["mutants_out"].is_dir():
        mine.update(_grader(graded["mutants_out"]))
    ref = reference.load(KIT.solution_notebook(ASSIGNMENT))
    lost = set()
    for name in graded["mutants"]:
        namespace = corpus.namespace([*corpus.reference_sources(ASSIGNMENT), _mutant(name)],
                                     ASSIGNMENT, "mutant")
        double = engine.run_checks(InProcessStudent(namespace), SEED, ref)
        sandboxed = mine[f"mutant_{name}"]["tests"]
        assert [(t.id, t.status, t.points) for t in double] == \
            [(t["id"], t["status"], t["points"]) for t in sandboxed], name
        lost |= {t.id for t in double if t.status != "passed"}
    everything = {c for p in MUTANTS.glob("*.py") for c in _expect(p.stem)["lost"]}
    assert everything <= lost, f"checks no compared mutant loses: {sorted(everything - lost)}"


def test_example_class_matches_its_expectation(graded):
    found = [r for r in _grader(graded["root"] / RESULTS_DIR / ASSIGNMENT).values()
             if r["student"] in EXPECTED["students"]]
    assert example_class.mismatches(lanes.restricted(EXPECTED, graded["examples"]), found) == []


def test_odd_return_types(graded):
    mine = _grader(graded["out"])
    lost = {s: {t["id"]: t["status"] for t in mine[s]["tests"] if t["status"] != "passed"}
            for s in ODD_RETURNS}
    assert lost["odd_namedtuple"] == {}, "a namedtuple is a tuple"
    assert lost["odd_list_labels"] == {"predict.values": "failed"}
    assert set(lost["odd_matrix"]) >= {"softmax.values", "softmax.stable"}
    assert lost["odd_huge_int"] == {"accuracy.values": "bad_answer"}
    assert mine["odd_huge_int"]["status"] == "graded"
    assert mine["odd_huge_int"]["score"] == TOTAL - POINTS["accuracy.values"]


# ------------------------------------------------------------------------------ cheats, failures

def test_cheats_get_no_more_than_their_stub_twin(graded):
    book = _gradebook(graded["root"])
    for cheat in CHEATS:
        assert book[cheat]["score"] <= book[STUB_TWIN]["score"] == 0, cheat
    mine = _grader(graded["out"])
    for cheat in CHEATS:
        errors = " ".join(mine[cheat]["load_errors"])
        assert "No module named 'autograde_tests'" in errors, (cheat, errors)


def test_an_ungradable_submission_needs_manual_grading(graded):
    book = _gradebook(graded["root"])[LOAD_FAILS]
    assert book["status"] == "needs_manual_grading"
    assert all(t["needs_manual_grade"] for t in book["tests"])
    assert _grader(graded["out"])[LOAD_FAILS]["status"] == "error"
    nb = nbformat.read(graded["root"] / "autograded" / LOAD_FAILS / ASSIGNMENT / NOTEBOOK, as_version=4)
    shown = "".join(o.get("text", "") for c in nb.cells if cell_role(c) is Role.TEST for o in c.outputs)
    assert "not graded (error)" in shown and "status 3" in shown
    assert "every grade cell needs manual grading" in graded["log"]


def test_a_deleted_grade_cell_is_put_back_and_scored(graded):
    book = _gradebook(graded["root"])[DELETED]
    cells = {t["id"]: t for t in book["tests"]}
    assert cells[DELETED_CELL]["points"] == cells[DELETED_CELL]["max_points"] \
        == engine.points_by_function(ASSIGNMENT)[function_of(DELETED_CELL)]
    assert not any(t["needs_manual_grade"] for t in book["tests"])
    assert book["score"] == TOTAL == _grader(graded["out"])[DELETED]["score"]


def test_demo_and_check_cells_say_they_are_not_run(graded):
    nb = nbformat.read(graded["root"] / "autograded" / "ada_perfect" / ASSIGNMENT / NOTEBOOK,
                       as_version=4)
    for cell in nb.cells:
        text = "".join(o.get("text", "") for o in cell.get("outputs", []))
        if cell_role(cell) in (Role.DEMO, Role.CHECK):
            assert text.startswith("[not run when graded"), grade_id(cell)
        if cell_role(cell) is Role.TEST:
            assert " points\n" in text and "seed" not in text, grade_id(cell)


# ------------------------------------------------------------------------------ the course

def test_the_instructors_config_survives(graded):
    text = (graded["root"] / "nbgrader_config.py").read_text()
    assert text.startswith(graded["original"] + INSTRUCTOR_LINE + "\n")
    assert text.count(nbgrader_course.INCLUDE_MARK) == 1


def test_setup_again_keeps_the_config_and_refuses_to_overwrite_the_source(graded, capsys):
    root = graded["root"]
    before = (root / "nbgrader_config.py").read_text()
    # The source is the kit's: setting up again only rewrites the recorded settings.
    assert main(["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT]) == 0
    edited = root / "source" / ASSIGNMENT / "hyperparameters.json"
    edited.write_text(edited.read_text() + " ")   # an instructor's edit is never overwritten
    assert main(["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT]) == 2
    assert "differs from the kit's source: add --force" in capsys.readouterr().err
    assert main(["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT, "--force"]) == 0
    assert (root / "nbgrader_config.py").read_text() == before
    assert nbgrader_course.recorded_settings(root) == ({ASSIGNMENT: SEED}, float(TIMEOUT))


def test_the_release_is_complete(graded):
    """The course's release is the kit's, but for what the course configured: the time limit it
    grades with (README and notebook say it) and its written-answer stub."""
    from grader.release.student_readme import readme, state_call_limit, stated_call_limits

    released = graded["root"] / "release" / ASSIGNMENT
    mine = {p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()}
    kit = {p.relative_to(RELEASE).as_posix() for p in RELEASE.rglob("*")
           if p.is_file() and "__pycache__" not in p.parts}
    assert mine == kit
    for rel in kit - {NOTEBOOK, "README.md"}:
        assert (released / rel).read_bytes() == (RELEASE / rel).read_bytes(), rel
    source = KIT.solution_notebook(ASSIGNMENT)
    assert (released / "README.md").read_text() == readme(ASSIGNMENT, source, NOTEBOOK, TIMEOUT)
    assert stated_call_limits((released / "README.md").read_text()) == [TIMEOUT]
    # The notebook is the kit's, after the header of the instructor's config.
    ours = nbformat.read(released / NOTEBOOK, as_version=4).cells
    theirs = nbformat.read(RELEASE / NOTEBOOK, as_version=4).cells[:]
    stated = [x for c in ours for x in stated_call_limits(c.source)]
    assert stated == [TIMEOUT], "the notebook states the limit the course grades with"
    for a, b in zip(ours[-len(theirs):], theirs, strict=True):
        if cell_role(b) is Role.ANSWER:
            assert (a.source, b.source) == (COURSE_STUB, "YOUR ANSWER HERE")
        else:
            assert a.source == state_call_limit(b.source, TIMEOUT)[0]


def test_feedback_holds_no_hidden_test_source(graded):
    pages = sorted((graded["root"] / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert len(pages) == len(graded["students"])
    for page in pages:
        html = page.read_text()
        student = page.parent.parent.name
        # The hidden part of a grade cell (markers and the line it holds) is never shown.
        for secret in ("HIDDEN TESTS", "graded by the course kit", "grader nbgrader setup"):
            assert secret not in html, (student, secret)
    ben = graded["root"] / "feedback" / "ben_relu_ge_zero" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")
    worth = engine.points_by_function(ASSIGNMENT)["relu_backward"]
    got = worth - POINTS["relu_backward.at-zero"]  # ben's ReLU backward is wrong at Z == 0 only
    assert f"relu_backward: {got:g} / {worth:g} points" in ben.read_text()


def test_nbgrader_export_and_the_per_cell_export(graded, tmp_path):
    with (graded["root"] / "grades.csv").open() as fh:
        totals = {row["student_id"]: row["score"] for row in csv.DictReader(fh)}
    assert float(totals["ada_perfect"]) == TOTAL and float(totals[STUB_TWIN]) == 0
    assert main(["nbgrader", "export", str(graded["root"]), str(tmp_path / "cells.csv")]) == 0
    with (tmp_path / "cells.csv").open(newline="") as fh:
        table = list(csv.reader(fh))
    header = table[0]
    assert header[5:-1] == [f"test-{f}" for f in engine.functions(ASSIGNMENT)]
    assert header[-1] == "manual_points_awaiting"
    assert {len(row) for row in table} == {len(header)}, "every row has a value per column"


def test_other_assignments_of_the_course_keep_nbgraders_execution(graded):
    """The quickstart's own ps1 is not a kit assignment: it is still executed in a kernel."""
    root = graded["root"]
    _nbgrader(root, "generate_assignment", "ps1")
    dest = root / "submitted" / "someone" / "ps1"
    shutil.copytree(root / "release" / "ps1", dest)
    _nbgrader(root, "autograde", "ps1", "--student", "someone")
    with sqlite3.connect(root / "gradebook.db") as db:
        rows = db.execute("SELECT COUNT(*) FROM grade JOIN submitted_notebook ON "
                          "grade.notebook_id = submitted_notebook.id").fetchone()
    assert rows[0] > 0
    assert not results.result_path(root / RESULTS_DIR / "ps1", "someone", "ps1").exists()


# ------------------------------------------------------------------------------ the second assignment

SECOND = "training_networks"
SECOND_EXPECTED = example_class.load_expected(KIT, SECOND)


def _second_students() -> list[str]:
    """The second assignment's students in `make test`: the perfect one and the hostile ones
    (a cheat, the stubs, an `__eq__` that always says True), who between them lose checks as
    failed and not implemented. The limits (endless loop, memory, fork bomb, sys.exit) cross
    nbgrader in the first assignment's class, where the same sandbox reaches them."""
    students = SECOND_EXPECTED["students"]
    perfect = next(s for s, e in sorted(students.items()) if e["status"] == "graded" and not e["lost"])
    return sorted({perfect, *(s for s in HOSTILE if s in students)})


@pytest.fixture(scope="module")
def graded_second(graded, tmp_path_factory):
    """The second assignment added to the same course and graded by plain nbgrader (its example
    class, hostile students included: in `make test` the perfect student and the hostile ones,
    _second_students), and the same files by `grader autograde`."""
    root = graded["root"]
    seed, timeout = SECOND_EXPECTED["seed"], SECOND_EXPECTED["timeout"]
    assert main(["nbgrader", "setup", str(root), "--assignment", SECOND, "--seed", str(seed),
                 "--timeout", str(timeout)]) == 0
    _nbgrader(root, "generate_assignment", SECOND)
    students = (sorted(SECOND_EXPECTED["students"]) if graded["full"] else
                _second_students())
    submitted = example_class.examples_dir(KIT, SECOND) / example_class.SUBMITTED_DIR
    mine = tmp_path_factory.mktemp("submitted-second")
    for student in students:
        shutil.copytree(submitted / student / SECOND, root / "submitted" / student / SECOND)
        shutil.copytree(submitted / student, mine / student)
    _nbgrader(root, "autograde", SECOND)
    out = tmp_path_factory.mktemp("grader-out-second")
    assert main(["autograde", str(mine), "--assignment", SECOND, "--out", str(out),
                 "--seed", str(seed), "--timeout", str(timeout), "--no-progress"]) == 0
    return {"root": root, "out": out, "students": students}


def test_the_second_assignment_grades_the_same_by_both_paths(graded_second):
    book = {r["student"]: r for r in nbgrader_course.gradebook_results(
        graded_second["root"] / "gradebook.db", SECOND)}
    mine = _grader(graded_second["out"])
    theirs = _grader(graded_second["root"] / RESULTS_DIR / SECOND)
    assert set(book) == set(mine) == set(graded_second["students"])
    for student in graded_second["students"]:
        assert book[student]["score"] == mine[student]["score"], student
        assert {t["id"]: t["points"] for t in book[student]["tests"]} == _per_cell(mine[student])
        a, b = results.without_timing(theirs[student]), results.without_timing(mine[student])
        assert a["tests"] == b["tests"], student
    assert example_class.mismatches(lanes.restricted(SECOND_EXPECTED, graded_second["students"]),
                                    list(theirs.values())) == []


def test_the_course_gradebook_from_nbgraders_gradebook(graded_second, tmp_path, capsys):
    """`grader collect --gradebook` makes one course table of both assignments: the example
    students of only one class are missing in the other, never zero."""
    out = tmp_path / "course"
    db = graded_second["root"] / "gradebook.db"
    assert main(["collect", "--gradebook", str(db), "--out", str(out)]) == 0
    data = course_book.load(out)
    first = {r["student"] for r in nbgrader_course.gradebook_results(db, ASSIGNMENT)}
    first_only = (first & set(EXPECTED["students"])) - set(graded_second["students"])
    assert first_only
    for student in first_only:
        entry = data["students"][student]["assignments"][SECOND]
        assert entry["status"] == "missing" and entry["points"] is None, student
    ada = data["students"]["ada_perfect"]
    for name in (ASSIGNMENT, SECOND):
        entry = ada["assignments"][name]
        assert entry["status"] == "graded" and entry["points"] == engine.total_points(name)
        assert entry["awaiting"] > 0   # written answers, not graded by hand yet
    assert ada["provisional"] is True
    assert (out / f"moodle-{ASSIGNMENT}.csv").is_file() and (out / "course.html").is_file()


# ------------------------------------------------------------------------------ the third assignment

THIRD = "computation_graphs"


@pytest.fixture(scope="module")
def graded_third(graded_second, tmp_path_factory):
    """The third assignment added to the same course: a complete notebook and the bare release
    (its graph checks build graphs in the sandbox through the contract's builder), graded by
    plain nbgrader and by `grader autograde` with the same seed."""
    root, seed = graded_second["root"], 11
    assert main(["nbgrader", "setup", str(root), "--assignment", THIRD, "--seed", str(seed)]) == 0
    _nbgrader(root, "generate_assignment", THIRD)
    release_nb = KIT.assignments / THIRD / f"{THIRD}.ipynb"
    mine = tmp_path_factory.mktemp("third-submitted")
    perfect = make_submission(release_nb, reference_answers(KIT.solution_notebook(THIRD)))
    for student, nb in (("ada", perfect), ("hal", nbformat.read(release_nb, as_version=4))):
        write_submission(root / "submitted", student, THIRD, release_nb.name, nb)
        write_submission(mine, student, THIRD, release_nb.name, nb)
    _nbgrader(root, "autograde", THIRD)
    out = tmp_path_factory.mktemp("grader-out-third")
    assert main(["autograde", str(mine), "--assignment", THIRD, "--out", str(out), "--seed", str(seed),
                 "--no-progress"]) == 0
    return {"root": root, "out": out}


def test_the_third_assignment_grades_the_same_by_both_paths(graded_third):
    book = {r["student"]: r for r in nbgrader_course.gradebook_results(
        graded_third["root"] / "gradebook.db", THIRD)}
    mine = _grader(graded_third["out"])
    assert book["ada"]["score"] == mine["ada"]["score"] == engine.total_points(THIRD)
    assert book["hal"]["score"] == mine["hal"]["score"] == 0
    for student in ("ada", "hal"):
        assert {t["id"]: t["points"] for t in book[student]["tests"]} == _per_cell(mine[student])


def test_the_course_gradebook_has_a_column_per_assignment(graded_third, tmp_path):
    """`grader collect --gradebook` on the course with all three assignments: three columns, and
    an LMS file for each."""
    out = tmp_path / "course"
    assert main(["collect", "--gradebook", str(graded_third["root"] / "gradebook.db"), "--out", str(out)]) == 0
    ada = course_book.load(out)["students"]["ada"]
    # The course may also hold the quickstart's ps1 (another test of this module grades it in
    # the same gradebook, in an order pytest chooses): a column too, but not a kit assignment.
    assert set(ada["assignments"]) - {"ps1"} == {ASSIGNMENT, SECOND, THIRD}
    assert ada["assignments"][THIRD]["points"] == engine.total_points(THIRD)
    assert all((out / f"moodle-{name}.csv").is_file() for name in (ASSIGNMENT, SECOND, THIRD))


# ------------------------------------------------------------------------------ failures of the course

def test_a_missing_reference_is_one_clear_error_never_zeros(graded, tmp_path):
    root = _course_copy(graded, tmp_path)
    (root / "source" / ASSIGNMENT / "hyperparameters.json").unlink()
    proc = _nbgrader(root, "autograde", ASSIGNMENT, "--student", "newcomer", check=False)
    assert proc.returncode != 0
    assert "reference solution not found" in proc.stdout + proc.stderr
    book = _gradebook(root)["newcomer"]
    assert book["status"] == "needs_manual_grading"
    assert all(t["needs_manual_grade"] for t in book["tests"])


def _course_copy(graded, tmp_path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(graded["root"], root, ignore=shutil.ignore_patterns("feedback", "autograded"))
    config = (root / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(config.replace(str(graded["root"]), str(root)))
    shutil.copytree(root / "submitted" / "ada_perfect", root / "submitted" / "newcomer")
    return root


#: Ways the kit's settings go missing or break, each: what is done to nnkit_config.py.
BROKEN_SETTINGS = {
    "deleted": None,
    "syntax error": "c.SandboxGrade.seeds = {\n",
    "no seed for the assignment": "c = get_config()\nc.Autograde.autograde_preprocessors = "
                                  f"{AUTOGRADE_PREPROCESSORS!r}\n"
                                  "c.SandboxGrade.seeds = {'another': 1}\n",
    "kit step removed": "c = get_config()\nc.Autograde.autograde_preprocessors = "
                        "['nbgrader.preprocessors.Execute', 'nbgrader.preprocessors.SaveAutoGrades']\n",
}


@pytest.mark.parametrize("how", sorted(BROKEN_SETTINGS))
def test_missing_or_broken_kit_settings_never_give_silent_zeros(graded, tmp_path, how):
    """nbgrader with the kit's settings gone or broken refuses to grade the kit's notebook: a
    non-zero exit, no score, every grade cell flagged for manual grading, and a line that says what
    to run. (Its honest twin, the same notebook with the settings intact, is ada_perfect: 100.)"""
    assert _gradebook(graded["root"])["ada_perfect"]["score"] == TOTAL
    root = _course_copy(graded, tmp_path)
    settings = root / nbgrader_course.KIT_CONFIG_FILE
    if BROKEN_SETTINGS[how] is None:
        settings.unlink()
    else:
        settings.write_text(BROKEN_SETTINGS[how])
    proc = _nbgrader(root, "autograde", ASSIGNMENT, "--student", "newcomer", check=False)
    assert proc.returncode != 0
    assert "grader nbgrader setup" in proc.stdout + proc.stderr
    book = _gradebook(root)["newcomer"]
    assert book["status"] == "needs_manual_grading" and book["score"] == 0
    assert all(t["needs_manual_grade"] and t["points"] == 0 for t in book["tests"])
    assert not results.result_path(root / RESULTS_DIR / ASSIGNMENT, "newcomer", ASSIGNMENT).exists()


def test_a_new_seed_on_a_graded_course_needs_force_and_setup_recovers_the_seed(graded, tmp_path,
                                                                              capsys):
    root = _course_copy(graded, tmp_path)
    argv = ["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT]
    assert main([*argv, "--seed", str(SEED + 1)]) == 2
    err = capsys.readouterr().err
    assert f"already has grades made with seed {SEED}" in err and "--force" in err
    (root / nbgrader_course.KIT_CONFIG_FILE).unlink()       # lost: setup finds the seed again
    assert main(argv) == 0
    assert nbgrader_course.recorded_settings(root)[0][ASSIGNMENT] == SEED
    assert main([*argv, "--seed", str(SEED + 1), "--force"]) == 0
    assert nbgrader_course.recorded_settings(root)[0][ASSIGNMENT] == SEED + 1


def test_a_new_time_limit_changes_what_students_read(graded, tmp_path, capsys):
    from grader.release.student_readme import stated_call_limits

    root = _course_copy(graded, tmp_path)
    assert main(["nbgrader", "setup", str(root), "--assignment", ASSIGNMENT, "--timeout", "7"]) == 0
    assert "release the assignment again" in capsys.readouterr().out
    source = root / "source" / ASSIGNMENT
    assert stated_call_limits((source / "README.md").read_text()) == [7]
    assert stated_call_limits((source / NOTEBOOK).read_text()) == [7]
    assert nbgrader_course.recorded_settings(root)[1] == 7


def test_run_json_says_how_nbgrader_graded(graded):
    mine = json.loads((graded["out"] / results.RUN_FILE).read_text())
    theirs = json.loads((graded["root"] / RESULTS_DIR / ASSIGNMENT / results.RUN_FILE).read_text())
    assert theirs["graded_by"] == "nbgrader" and mine["graded_by"] == "grader autograde"
    for key in ("seed", "isolation", "environment", "grader_version", "call_cpu", "total_cpu"):
        assert theirs[key] == mine[key], key
    assert theirs["environment"]["numpy"].startswith(numpy_version.course_minor() + ".")


def test_setup_needs_an_nbgrader_course(tmp_path, capsys):
    assert main(["nbgrader", "setup", str(tmp_path)]) == 2
    assert "no nbgrader_config.py" in capsys.readouterr().err
    assert main(["nbgrader", "setup", str(tmp_path / "missing")]) == 2
    assert "course folder not found" in capsys.readouterr().err


def test_the_recorded_settings_are_read_back(tmp_path):
    (tmp_path / nbgrader_course.KIT_CONFIG_FILE).write_text(
        nbgrader_course.kit_config_text({"a": 1, "b": 2}, 4.5))
    assert nbgrader_course.recorded_settings(tmp_path) == ({"a": 1, "b": 2}, 4.5)
    assert json.loads(json.dumps(nbgrader_course.recorded_settings(tmp_path / "none"))) == [{}, None]


def test_the_include_block_is_added_once_and_an_older_one_is_replaced():
    mine = 'c = get_config()\nc.Exchange.timezone = "UTC"\n'
    once, added = nbgrader_course.with_include_block(mine)
    assert added and once.startswith(mine) and once.count(nbgrader_course.INCLUDE_MARK) == 1
    assert nbgrader_course.with_include_block(once) == (once, False)
    older = once.replace("refuses to grade", "used to raise") + "c.Exchange.root = '/x'\n"
    upgraded, added = nbgrader_course.with_include_block(older)
    assert not added and upgraded == once + "c.Exchange.root = '/x'\n"
