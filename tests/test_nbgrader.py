"""The real nbgrader round trip (`grader nbgrader ...`) against `grader autograde`.

One class is graded twice with the same run seed: by nbgrader (real kernel, every cell of the
notebook, hidden tests restored from the gradebook) and by the grader. Honest submissions must get
the same totals; the traps of nbgrader (stderr, deleted grade cells, hidden tests in feedback) are
checked; a cheating submission shows what nbgrader lets through (no equality asserted).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader")

from grader import cli  # noqa: E402
from grader import nbgrader_course as nc  # noqa: E402
from grader.classgen import make_submission, reference_answers, write_submission  # noqa: E402
from grader.example_class import load_variants  # noqa: E402
from grader.paths import course  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

COURSE = course()
EXAMPLES = {v.student: v.changes for v in load_variants(COURSE)}
ASSIGNMENT = "nn_from_scratch"
RELEASE_NB = COURSE.assignments / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
MUTANTS = Path(__file__).with_name("mutants")
SEED = 4321
DELETED_CELL = "test-relu_backward"


def _mutant(name: str) -> str:
    """A tests/mutants file without its EXPECT table, as extra solution-cell code."""
    return (MUTANTS / f"{name}.py").read_text().split("\nEXPECT")[0]


NOISY = ("import sys\nimport warnings\n_quiet_relu_forward = relu_forward\n\n\n"
         "def relu_forward(Z):\n    warnings.warn('student warning')\n"
         "    print('debug output', file=sys.stderr)\n    np.exp(np.array([1000.0]))  # RuntimeWarning\n"
         "    return _quiet_relu_forward(Z)\n")

#: Honest submissions: nbgrader and grader must agree on their totals.
HONEST: dict[str, dict[str, str]] = {
    "correct_but_noisy": {"solution-relu_forward": NOISY},
    "relu_ge_zero": EXAMPLES["ben_relu_ge_zero"],
    "missing_1_over_n": EXAMPLES["cem_missing_1_over_n"],
    "no_shuffle": EXAMPLES["dee_no_shuffle"],
    "softmax_wrong_axis": {"solution-softmax": _mutant("softmax_wrong_axis")},
}
STUBS = "all_stubs"
CHEATER = "patches_allclose"
DELETED = "deleted_test_cell"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(course dir, grader output dir, nbgrader outcomes) for the whole class."""
    tmp = tmp_path_factory.mktemp("nbgrader")
    subs, root, out = tmp / "submitted", tmp / "course", tmp / "grader-out"
    answers = reference_answers(COURSE.solution_notebook(ASSIGNMENT))
    name = RELEASE_NB.name
    for student, variant in HONEST.items():
        write_submission(subs, student, ASSIGNMENT, name, make_submission(RELEASE_NB, answers, variant))
    write_submission(subs, STUBS, ASSIGNMENT, name, make_submission(RELEASE_NB, answers, all_stubs=True))
    write_submission(subs, CHEATER, ASSIGNMENT, name,
                     make_submission(RELEASE_NB, answers, EXAMPLES["fay_cheater"]))
    nb = make_submission(RELEASE_NB, answers)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != DELETED_CELL]
    write_submission(subs, DELETED, ASSIGNMENT, name, nb)

    assert cli.main(["nbgrader", "generate", "--course", str(root)]) == 0
    seed, outcomes = nc.autograde(COURSE, root, ASSIGNMENT, subs, seed=SEED, timeout=120)
    assert seed == SEED
    assert all(o.success for o in outcomes), [(o.student, o.error) for o in outcomes]
    assert cli.main(["autograde", str(subs), "--out", str(out), "--seed", str(SEED),
                     "--no-progress"]) == 0
    return root, out, {o.student: o for o in outcomes}, tmp


def _nbgrader_rows(root: Path) -> dict[str, dict]:
    return {r["student"]: r for r in nc.gradebook_results(root / "gradebook.db", ASSIGNMENT)}


def _grader_result(out: Path, student: str) -> dict:
    return json.loads((out / student / f"{ASSIGNMENT}.json").read_text())


def test_honest_totals_agree(graded):
    root, out, outcomes, _ = graded
    nbg = _nbgrader_rows(root)
    table = {s: (nbg[s]["score"], _grader_result(out, s)["score"]) for s in [*HONEST, STUBS]}
    print("\nstudent: nbgrader total, grader total, nbgrader seconds, grader seconds")
    for s, (a, b) in table.items():  # recorded in docs/nbgrader.md
        print(f"  {s}: {a:g} {b:g} {outcomes[s].seconds:.1f} {_grader_result(out, s)['duration']:.1f}")
    assert {s: a for s, (a, _) in table.items()} == {s: b for s, (_, b) in table.items()}
    assert table["correct_but_noisy"] == (100, 100) and table[STUBS] == (0, 0)
    assert all(table[s][0] < 100 for s in HONEST if s != "correct_but_noisy")


def test_per_cell_scores_agree(graded):
    """nbgrader's score of grade cell test-<f> equals the grader's points of function f."""
    root, out, _, _ = graded
    nbg = _nbgrader_rows(root)
    for s in [*HONEST, STUBS]:
        mine: dict[str, float] = {}
        for t in _grader_result(out, s)["tests"]:
            mine[f"test-{t['function']}"] = mine.get(f"test-{t['function']}", 0) + t["points"]
        assert {t["id"]: t["points"] for t in nbg[s]["tests"]} == pytest.approx(mine), s


def test_warnings_and_stderr_do_not_cost_points(graded):
    """The correct submission's relu_forward warns, prints to stderr and overflows np.exp."""
    root, _, _, _ = graded
    row = _nbgrader_rows(root)["correct_but_noisy"]
    assert row["score"] == row["max_score"] == 100
    assert all(t["points"] == t["max_points"] for t in row["tests"])


def test_deleted_grade_cell_is_readded_and_scores_zero(graded):
    root, _, _, _ = graded
    rows = _nbgrader_rows(root)
    cells = {t["id"]: t for t in rows[DELETED]["tests"]}
    assert cells[DELETED_CELL]["points"] == 0 and not cells[DELETED_CELL]["needs_manual_grade"]
    assert rows[DELETED]["score"] == rows[DELETED]["max_score"] - cells[DELETED_CELL]["max_points"]
    assert all(t["points"] == t["max_points"] for t in rows[DELETED]["tests"] if t["id"] != DELETED_CELL)


def test_cheater_totals_are_reported_not_equal(graded):
    """nbgrader runs the hidden tests in the student's kernel, so a patched np.allclose fools
    the comparisons there; the grader's sandbox does not share the student's numpy."""
    root, out, _, _ = graded
    nbg = _nbgrader_rows(root)[CHEATER]["score"]
    mine = _grader_result(out, CHEATER)["score"]
    print(f"\ncheater: nbgrader {nbg:g}, grader {mine:g}")
    assert mine < 100


def test_export_csv(graded, tmp_path):
    root, _, _, _ = graded
    assert cli.main(["nbgrader", "export", str(tmp_path / "g.csv"), "--course", str(root)]) == 0
    with (tmp_path / "g.csv").open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    header = list(rows[STUBS])
    assert header[:5] == ["student_id", "assignment", "score", "max_score", "status"]
    assert all(h.startswith("test-") for h in header[5:]) and len(header) == 5 + 17
    assert rows["correct_but_noisy"]["score"] == "100" and rows[STUBS]["score"] == "0"
    assert {r["status"] for r in rows.values()} == {"graded"}


def test_feedback_hides_hidden_tests(graded):
    root, _, _, _ = graded
    students = ["correct_but_noisy", "softmax_wrong_axis", STUBS, DELETED]
    assert cli.main(["nbgrader", "feedback", "--course", str(root),
                     *(f"--student={s}" for s in students)]) == 0
    pages = sorted((root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert sorted(p.parent.parent.name for p in pages) == sorted(students)
    for page in pages:
        html = page.read_text()
        for secret in ("grade_cell(", "autograde_tests", "HIDDEN TESTS"):
            assert secret not in html, (page.parent.parent.name, secret)
    assert "points (run seed" in (root / "feedback" / "correct_but_noisy" / ASSIGNMENT
                                  / RELEASE_NB.with_suffix(".html").name).read_text()


def test_collect_merges_gradebook(graded, tmp_path):
    """Students only in the gradebook get nbgrader's row; where both graded, the grader wins."""
    root, out, _, _ = graded
    merged = tmp_path / "merged"
    shutil.copytree(out, merged)
    shutil.rmtree(merged / STUBS)
    shutil.rmtree(merged / "relu_ge_zero")
    assert cli.main(["collect", str(merged), "--gradebook", str(root / "gradebook.db"),
                     "--assignment", ASSIGNMENT]) == 0
    with (merged / "grades.csv").open() as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {*HONEST, STUBS, CHEATER, DELETED}
    assert (rows[STUBS]["source"], rows[STUBS]["score"]) == ("nbgrader", "0")
    assert rows["relu_ge_zero"]["source"] == "nbgrader"
    assert rows["relu_ge_zero"]["test-relu_backward"] != ""
    assert (rows[DELETED]["source"], rows[DELETED]["score"]) == ("grader", "100")
    assert not (merged / STUBS / f"{ASSIGNMENT}.feedback.md").exists()


def test_generate_refuses_private_files(tmp_path):
    """nbgrader would copy every file of the source folder into the release."""
    from grader.errors import UsageError
    from grader.paths import Course

    fake = Course(tmp_path / "repo")
    shutil.copytree(COURSE.solutions, fake.solutions)
    (fake.solutions / ASSIGNMENT / "answers_private.py").write_text("SECRET = 1\n")
    with pytest.raises(UsageError, match="answers_private.py"):
        nc.generate(fake, tmp_path / "course", ASSIGNMENT)
    assert not (tmp_path / "course" / "release").exists()


def test_notebooks_are_unchanged_by_grading(graded):
    """Sanity: the submissions nbgrader graded are the ones the grader graded (same bytes)."""
    root, _, _, tmp = graded
    for student in [*HONEST, STUBS]:
        a = nbformat.read(tmp / "submitted" / student / ASSIGNMENT / RELEASE_NB.name, as_version=4)
        b = nbformat.read(root / "submitted" / student / ASSIGNMENT / RELEASE_NB.name, as_version=4)
        assert a == b
