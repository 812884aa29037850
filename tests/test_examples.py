"""The example classes (examples/<assignment>/) and `grader demo`: current with the release, graded as expected.

The demo is run once per session (the `demo` fixture of conftest.py, about 20 s) on the committed
examples; the report tests in test_report.py reuse its output folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import grades_snapshot
import pytest

from autograde_tests import engine
from grader.cli import main
from grader.errors import UsageError
from grader.grading import results
from grader.paths import Course
from grader.release import example_class
from grader.release.build import read_tree
from nnkit_contract.outcomes import CHECK_STATUSES

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT)
CLASSES = example_class.classes(COURSE)
#: What the issue asks of a class: enough students, and each kind of submission present.
MIN_STUDENTS = 12
LOST_STATUSES = set(CHECK_STATUSES) - {"passed"}


def _submitted(assignment: str) -> Path:
    return example_class.examples_dir(COURSE, assignment) / example_class.SUBMITTED_DIR


def _expected(assignment: str) -> dict:
    return example_class.load_expected(COURSE, assignment)


def _scores(assignment: str) -> dict[str, float]:
    """student -> expected score, derived from the registry and the checks expected lost."""
    points = {c.id: c.points for c in engine.all_checks(assignment)}
    return {s: example_class.expected_score(w, points)
            for s, w in _expected(assignment)["students"].items()}


def test_every_assignment_has_an_example_class():
    assert CLASSES == COURSE.assignment_names()


@pytest.mark.parametrize("assignment", CLASSES)
@pytest.mark.gate
def test_committed_submissions_are_current(assignment):
    """examples/<a>/submitted/ is what the variants make of the committed release, byte for byte."""
    assert read_tree(_submitted(assignment)) == example_class.submission_files(COURSE, assignment), \
        f"examples/{assignment}/submitted/ is out of date: run `grader examples` (or `make release`)"


@pytest.mark.gate
def test_examples_check_command(capsys):
    assert main(["examples", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("assignment", CLASSES)
def test_class_has_every_kind_of_submission(assignment):
    variants = {v.student: v for v in example_class.load_variants(COURSE, assignment)}
    assert len(variants) >= MIN_STUDENTS
    assert set(variants) == set(_expected(assignment)["students"])
    assert any(not v.changes and not v.all_stubs for v in variants.values())          # perfect
    assert any(v.all_stubs for v in variants.values())                                # only stubs
    assert sum(any(k.startswith("stub:") for k in v.changes) for v in variants.values()) >= 2  # partial
    hostile = [v for v in variants.values() if v.description.startswith("Hostile")]
    assert len(hostile) >= 3
    assert all(v.description for v in variants.values())


@pytest.mark.parametrize("assignment", CLASSES)
def test_expectation_names_real_checks(assignment):
    """An expectation lists the checks a student loses (never a score): each must be a check of
    the registry with a status that loses points, so the file cannot drift from the specs."""
    points = {c.id: c.points for c in engine.all_checks(assignment)}
    for student, want in _expected(assignment)["students"].items():
        assert "score" not in want, f"{student}: scores are derived, not typed"
        lost = example_class.expected_lost(want, list(points))
        assert set(lost) <= set(points), (student, set(lost) - set(points))
        assert set(lost.values()) <= LOST_STATUSES, student


def test_an_expectation_with_an_unknown_check_says_what_to_fix(course_with_examples):
    path = course_with_examples.root / "examples" / "nn_from_scratch" / example_class.EXPECTED_FILE
    data = json.loads(path.read_text())
    data["students"]["ben_relu_ge_zero"]["lost"] = {"relu_backward.nope": "failed"}
    path.write_text(json.dumps(data))
    with pytest.raises(UsageError, match="relu_backward.nope"):
        example_class.expected_score(example_class.load_expected(course_with_examples, "nn_from_scratch")
                                     ["students"]["ben_relu_ge_zero"],
                                     {c.id: c.points for c in engine.all_checks("nn_from_scratch")})


# ------------------------------------------------------------------------------ variant files

@pytest.mark.parametrize(("text", "needle"), [
    ("x = 1\n# %% solution-relu\n", "code before the first"),
    ("# about\n# %% stub\n", "cannot read section"),
    ("# about\n# %% all the stubs please\n", "cannot read section"),
])
def test_malformed_variant_is_one_clear_error(text, needle):
    with pytest.raises(UsageError, match=needle):
        example_class.parse_variant("someone", text)


def test_variant_sections():
    v = example_class.parse_variant("s", "# Two lines\n# of description.\n# %% solution-a\ndef a():\n"
                                         "    return 1\n# %% stub solution-b\n# %% new cell\nprint(2)\n")
    assert v.description == "Two lines of description."
    assert v.changes == {"solution-a": "def a():\n    return 1", "stub:solution-b": "",
                         "cell:append": "print(2)"}
    assert not v.all_stubs


def test_unknown_grade_id_is_one_clear_error(course_with_examples):
    (course_with_examples.root / "examples" / "nn_from_scratch" / "variants" / "zed.py").write_text(
        "# Typo.\n# %% solution-relu_backwards\nx = 1\n")
    with pytest.raises(UsageError, match="zed: no solution cell solution-relu_backwards"):
        example_class.submission_files(course_with_examples, "nn_from_scratch")


def test_examples_command_writes_and_detects_drift(course_with_examples, capsys):
    """Without examples/submitted/, --check fails; `grader examples` writes it; a new variant
    makes it out of date again."""
    root = course_with_examples.root
    assert main(["examples", "--check"]) == 1
    assert main(["examples"]) == 0
    for name in CLASSES:
        assert read_tree(root / "examples" / name / "submitted") == read_tree(_submitted(name))
    assert main(["examples", "--check"]) == 0
    (root / "examples" / "nn_from_scratch" / "variants" / "zed.py").write_text(
        "# New.\n# %% new cell\nprint('hi')\n")
    assert main(["examples", "--check"]) == 1
    assert main(["examples", "--check", "--assignment", "nn_from_scratch"]) == 1
    assert main(["examples", "--assignment", "nope"]) == 2
    capsys.readouterr()


# ---------------------------------------------------------------------------------- the demo

def test_demo_exits_zero_and_names_its_folder(demo):
    status, printed, out = demo
    assert status == 0, printed
    assert printed.rstrip().splitlines()[-1] == f"demo output folder: {out.resolve()}"
    assert (out / "datasets.png").is_file()
    for name in CLASSES:
        for file in ("grades.csv", "report.html", "run.json"):
            assert (out / name / file).is_file(), (name, file)


@pytest.mark.parametrize("assignment", CLASSES)
def test_demo_prints_the_score_table(demo, assignment):
    _, printed, _ = demo
    section = printed.split(f"submissions of {assignment} ", 1)[1]
    for student, want in _expected(assignment)["students"].items():
        row = next(line for line in section.splitlines() if line.startswith(student + " "))
        assert row.split()[1:3] == [want["status"], f"{_scores(assignment)[student]:g}"], row
    n = len(_expected(assignment)["students"])
    assert f"expected scores (examples/{assignment}/expected.json): all {n} match" in printed


@pytest.mark.parametrize("assignment", CLASSES)
def test_demo_scores_match_the_expectation_file(demo, assignment):
    _, _, out = demo
    expected = _expected(assignment)
    with (out / assignment / "grades.csv").open(newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(expected["students"])
    scores = _scores(assignment)
    for student, want in expected["students"].items():
        assert (rows[student]["status"], float(rows[student]["score"])) == (want["status"], scores[student])
    run = json.loads((out / assignment / "run.json").read_text())
    assert run["seed"] == expected["seed"]


@pytest.mark.parametrize("assignment", CLASSES)
def test_demo_feedback_for_everyone(demo, assignment):
    _, _, out = demo
    for student in _expected(assignment)["students"]:
        text = results.feedback_path(out / assignment, student, assignment).read_text()
        assert f"feedback for {student}" in text


@pytest.mark.slow
def test_mismatches_are_reported(demo):
    """The comparison the demo prints is real: a changed score, status or lost test, a missing
    and an unexpected student are each one line."""
    from grader.grading.results import load_results

    _, _, out = demo
    EXPECTED = _expected("nn_from_scratch")
    found = load_results(out / "nn_from_scratch")
    assert example_class.mismatches(EXPECTED, found) == []
    changed = json.loads(json.dumps(found))
    ada = next(r for r in changed if r["student"] == "ada_perfect")
    ada["score"] = 98.0
    ada["tests"][0]["status"] = "failed"
    ben = next(r for r in changed if r["student"] == "ben_relu_ge_zero")
    ben["status"] = "timeout"
    changed = [r for r in changed if r["student"] != "hal_stubs"]
    changed.append(dict(ada, student="zed_new"))
    lines = example_class.mismatches(EXPECTED, changed)
    assert "ada_perfect: score 98, expected 100" in lines
    assert f"ada_perfect: {ada['tests'][0]['id']} failed, expected passed" in lines
    assert "ben_relu_ge_zero: status timeout, expected graded" in lines
    assert "hal_stubs: no result" in lines
    assert any(line.startswith("zed_new: graded but not in") for line in lines)


def test_demo_refuses_a_folder_it_did_not_write(tmp_path):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("...")
    assert main(["demo", "--skip-release", "--out", str(precious)]) == 2
    assert (precious / "chapter1.tex").is_file()


@pytest.mark.gate
def test_doc_tables_are_generated_from_the_data(capsys):
    """The tables of checks, mutants and the example class in the docs come from the registry,
    tests/mutants and examples/ (`grader docs`); a stale one says what to run."""
    assert main(["docs", "--check"]) == 0, capsys.readouterr().out


@pytest.mark.parametrize("assignment", CLASSES)
def test_demo_grades_equal_the_recorded_ones(demo, assignment):
    """Every student's status and score, and every check's status, points, diagnosis and message,
    equal what the code before the issue-22 restructuring gave (tests/grades_snapshot.py)."""
    _, _, out = demo
    now = {r["student"]: grades_snapshot.student_row(r) for r in results.load_results(out / assignment)}
    want = grades_snapshot.recorded()["examples"][assignment]
    diffs = grades_snapshot.differences(want, now, assignment)
    assert not diffs, "\n".join(diffs)
