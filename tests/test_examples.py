"""The example class (examples/) and `grader demo`: current with the release, graded as expected.

The demo is run once per session (the `demo` fixture of conftest.py, about 20 s) on the committed
examples; the report tests in test_report.py reuse its output folder.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from autograde_tests import engine
from autograde_tests.contract import CHECK_STATUSES
from grader import example_class, results
from grader.cli import main
from grader.errors import UsageError
from grader.paths import Course
from grader.release import read_tree

ROOT = Path(__file__).resolve().parent.parent
COURSE = Course(ROOT)
SUBMITTED = example_class.examples_dir(COURSE) / example_class.SUBMITTED_DIR
EXPECTED = example_class.load_expected(COURSE)
#: What the issue asks of the class: enough students, and each kind of submission present.
MIN_STUDENTS = 12
LOST_STATUSES = set(CHECK_STATUSES) - {"passed"}


def test_committed_submissions_are_current():
    """examples/submitted/ is what the variants make of the committed release, byte for byte."""
    assert read_tree(SUBMITTED) == example_class.submission_files(COURSE), \
        "examples/submitted/ is out of date: run `grader examples` (or `make release`)"


def test_examples_check_command(capsys):
    assert main(["examples", "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_class_has_every_kind_of_submission():
    variants = {v.student: v for v in example_class.load_variants(COURSE)}
    assert len(variants) >= MIN_STUDENTS
    assert set(variants) == set(EXPECTED["students"])
    assert any(not v.changes and not v.all_stubs for v in variants.values())          # perfect
    assert any(v.all_stubs for v in variants.values())                                # only stubs
    assert sum(any(k.startswith("stub:") for k in v.changes) for v in variants.values()) >= 2  # partial
    hostile = [v for v in variants.values() if v.description.startswith("Hostile")]
    assert len(hostile) >= 3
    assert all(v.description for v in variants.values())


def test_expectation_is_consistent_with_the_points():
    """Each expected score is the total minus the points of the tests it expects lost, so the
    expectation file cannot contradict itself."""
    points = {c.id: c.points for c in engine.all_checks()}
    for student, want in EXPECTED["students"].items():
        lost = example_class.expected_lost(want, list(points))
        assert set(lost) <= set(points), (student, set(lost) - set(points))
        assert set(lost.values()) <= LOST_STATUSES, student
        if want["status"] == "graded":
            assert want["score"] == engine.total_points() - sum(points[t] for t in lost), student


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
    (course_with_examples.root / "examples" / "variants" / "zed.py").write_text(
        "# Typo.\n# %% solution-relu_backwards\nx = 1\n")
    with pytest.raises(UsageError, match="zed: no solution cell solution-relu_backwards"):
        example_class.submission_files(course_with_examples)


def test_examples_command_writes_and_detects_drift(course_with_examples, capsys):
    """Without examples/submitted/, --check fails; `grader examples` writes it; a new variant
    makes it out of date again."""
    root = course_with_examples.root
    assert main(["examples", "--check"]) == 1
    assert main(["examples"]) == 0
    assert read_tree(root / "examples" / "submitted") == read_tree(SUBMITTED)
    assert main(["examples", "--check"]) == 0
    (root / "examples" / "variants" / "zed.py").write_text("# New.\n# %% new cell\nprint('hi')\n")
    assert main(["examples", "--check"]) == 1
    capsys.readouterr()


# ---------------------------------------------------------------------------------- the demo

def test_demo_exits_zero_and_names_its_folder(demo):
    status, printed, out = demo
    assert status == 0, printed
    assert printed.rstrip().splitlines()[-1] == f"demo output folder: {out.resolve()}"
    for name in ("grades.csv", "report.html", "datasets.png", "run.json"):
        assert (out / name).is_file(), name


def test_demo_prints_the_score_table(demo):
    _, printed, _ = demo
    for student, want in EXPECTED["students"].items():
        row = next(line for line in printed.splitlines() if line.startswith(student + " "))
        assert row.split()[1:3] == [want["status"], f"{want['score']:g}"], row
    assert f"all {len(EXPECTED['students'])} match" in printed


def test_demo_scores_match_the_expectation_file(demo):
    _, _, out = demo
    with (out / "grades.csv").open(newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == set(EXPECTED["students"])
    for student, want in EXPECTED["students"].items():
        assert (rows[student]["status"], float(rows[student]["score"])) == (want["status"], want["score"])
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == EXPECTED["seed"]


def test_demo_feedback_for_everyone(demo):
    _, _, out = demo
    for student in EXPECTED["students"]:
        text = results.feedback_path(out, student, EXPECTED["assignment"]).read_text()
        assert f"feedback for {student}" in text


def test_mismatches_are_reported(demo):
    """The comparison the demo prints is real: a changed score, status or lost test, a missing
    and an unexpected student are each one line."""
    from grader.results import load_results

    _, _, out = demo
    found = load_results(out)
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


def test_doc_tables_are_generated_from_the_data(capsys):
    """The tables of checks, mutants and the example class in the docs come from the registry,
    tests/mutants and examples/ (`grader docs`); a stale one says what to run."""
    assert main(["docs", "--check"]) == 0, capsys.readouterr().out
