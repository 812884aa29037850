"""The course gradebook: `grader collect DIR... --out`, the course file, the roster, the Moodle and
Canvas exports and the course page, on result folders written here (the grading itself is tested
elsewhere)."""

from __future__ import annotations

import csv
import json
import shutil

import lms_rules
import pytest

from grader.cli import main
from grader.course import course_file
from grader.course import gradebook as course_book
from grader.errors import UsageError
from grader.grading import results
from grader.paths import course as current_course

A, B, C = "nn_from_scratch", "second", "third"


def _result(student: str, assignment: str, status: str = "graded", score: float = 0.0,
            max_score: float = 100.0, manual: float = 0.0) -> dict:
    return {"student": student, "assignment": assignment, "status": status, "score": score,
            "max_score": max_score, "seed": 1, "grader_version": "test", "reason": "",
            "load_errors": [], "tests": [], "duration": 0.0,
            "manual": [{"id": "answer-x", "max_points": manual, "answered": True}] if manual else []}


def _folder(root, name: str, rows: list[dict]):
    out = root / name
    for r in rows:
        results.write_json_atomic(results.result_path(out, r["student"], r["assignment"]), r)
    return out


@pytest.fixture
def course(course_copy, tmp_path):
    """A course with three assignments (B and C only as folders) and its course file."""
    for extra in (B, C):
        shutil.copytree(course_copy.solutions / A, course_copy.solutions / extra)
        (course_copy.solutions / extra / f"{A}.ipynb").rename(course_copy.solutions / extra / f"{extra}.ipynb")
    (course_copy.solutions / "course.json").write_text(json.dumps({
        "title": "NN course", "behind_below_percent": 60,
        "assignments": {A: {"title": "A1 network", "weight": 1},
                        B: {"title": "A2 training", "weight": 3, "canvas_id": 77}}}))
    return course_copy


@pytest.fixture
def runs(course, tmp_path):
    first = _folder(tmp_path, "run-a", [
        _result("ada", A, score=90, manual=8),            # 90 of 108, written answers to grade
        _result("bob", A, score=0),                        # a real zero
        _result("cy", A, "error", 0),                      # could not run
        _result("dan", A, "missing", 0)])                  # the grader found no notebook
    second = _folder(tmp_path, "run-b", [
        _result("ada", B, score=50, max_score=50),
        _result("bob", B, score=25, max_score=50),
        _result("=cmd|evil", B, score=10, max_score=50)])  # not on the roster, a formula-like id
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email,canvas_id,sis_login_id,section\n"
                      "ada,Ada L,ada@uni.example,11,ada1,S1\nbob,Bob,bob@uni.example,12,,S1\n"
                      "cy,Cy,cy@uni.example,13,,S2\ndan,Dan,dan@uni.example,14,,S2\n"
                      "eve,Eve,eve@uni.example,15,,S2\n")
    return first, second, roster


def _csv(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _collect(runs, out, *extra) -> int:
    first, second, roster = runs
    return main(["collect", str(first), str(second), "--out", str(out), "--roster", str(roster), *extra])


def test_course_table_tells_missing_and_failed_from_real_zeros(runs, tmp_path, capsys):
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    printed = capsys.readouterr().out
    names = course_file.load(current_course()).order(current_course().assignment_names())
    assert f"6 students, 2 of {len(names)} assignments graded (nn_from_scratch, second)" in printed
    head, *rows = _csv(out / course_book.TABLE_FILE)
    assert head == ["student_id", "name", *[c for n in names for c in (n, f"{n}_status")],
                    "total_percent", "provisional", "in_roster"]
    assert names[:2] == [A, B]  # the course file's order, then the others by name
    table = {r[0]: dict(zip(head, r)) for r in rows}
    assert set(table) == {"ada", "bob", "cy", "dan", "eve", "'=cmd|evil"}
    assert (table["bob"][A], table["bob"][f"{A}_status"]) == ("0", "graded")      # a real zero
    assert (table["cy"][A], table["cy"][f"{A}_status"]) == ("0", "error")         # failed
    assert (table["dan"][A], table["dan"][f"{A}_status"]) == ("", "missing")      # grader: missing
    assert (table["eve"][A], table["eve"][f"{A}_status"]) == ("", "missing")      # roster only
    assert table["ada"][C] == "" and table["ada"][f"{C}_status"] == "not graded yet"
    # weights 1 and 3; C has no results yet, so it is left out of the total.
    assert float(table["ada"]["total_percent"]) == pytest.approx((90 / 108 + 3 * 50 / 50) / 4 * 100, abs=0.01)
    assert float(table["bob"]["total_percent"]) == pytest.approx((0 + 3 * 25 / 50) / 4 * 100, abs=0.01)
    assert table["ada"]["provisional"] == "yes" and table["bob"]["provisional"] == "no"
    assert table["'=cmd|evil"]["in_roster"] == "no" and table["ada"]["in_roster"] == "yes"
    assert "not on the roster: =cmd|evil" in printed
    assert "1 student(s) have written answers still to grade by hand" in printed
    assert printed.rstrip().count("provisional;") == 1 and "hand (provisional; the Moodle" in printed


def test_students_who_fell_behind(runs, tmp_path):
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    behind = {b["student"]: b["reasons"] for b in course_book.load(out)["behind"]}
    assert "ada" not in behind
    assert behind["cy"][0] == "A1 network: error"
    assert "A1 network: missing" in behind["dan"] and "A2 training: missing" in behind["dan"]
    assert any(r.startswith("total ") and r.endswith("< 60%") for r in behind["bob"])


def _moodle_site() -> lms_rules.MoodleSite:
    """A default Moodle course of the roster's students: grade items of maximum 100."""
    return lms_rules.MoodleSite(users={"username": {"ada", "bob", "cy", "dan", "eve"}},
                                item_max={"A1 network": 100.0, "A2 training": 100.0})


def test_moodle_files_import_on_a_default_site(runs, tmp_path, capsys):
    """Percentages of each assignment's points (lms_max 100): 90 of 108 points is 83.33. The
    student who submitted nothing is left out (an empty cell would clear the grade Moodle holds),
    the one who is not on the roster too (Moodle would refuse the whole file)."""
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    assert "not on the roster, left out of the Moodle and Canvas files: =cmd|evil" in \
        capsys.readouterr().err
    head, *rows = _csv(out / f"moodle-{A}.csv")
    assert head == ["Username", "Email address", "A1 network"]
    assert {r[0]: r[2] for r in rows} == {"ada": "83.33", "bob": "0", "cy": "0"}
    site = _moodle_site()
    site.grades[("dan", "A1 network")] = 55.0           # entered by hand in Moodle earlier
    after = lms_rules.moodle_import(out / f"moodle-{A}.csv", site, "Username", "username",
                                    {"A1 network": "A1 network"})
    assert after[("ada", "A1 network")] == 83.33 and after[("dan", "A1 network")] == 55.0
    after = lms_rules.moodle_import(out / f"moodle-{B}.csv", _moodle_site(), "Username",
                                    "username", {"A2 training": "A2 training"})
    assert after == {("ada", "A2 training"): 100.0, ("bob", "A2 training"): 50.0}
    assert not (out / f"moodle-{C}.csv").exists()        # nobody has a result yet


def test_the_moodle_rules_catch_what_the_old_files_did(tmp_path):
    """The validators are not vacuous: the files the kit used to write (points above 100, an
    empty cell, an unknown user) are refused or lose grades."""
    bad = tmp_path / "bad.csv"
    site = _moodle_site()
    site.grades = {("dan", "A1 network"): 55.0}
    for text, error in [("Username,A1 network\nada,108\n", lms_rules.ImportRefused),
                        ("Username,A1 network\ndan,\n", AssertionError),
                        ("Username,A1 network\nzed,50\n", lms_rules.ImportRefused),
                        ("Username,A1 network\nada,ninety\n", lms_rules.ImportRefused)]:
        bad.write_text(text)
        with pytest.raises(error):
            lms_rules.moodle_import(bad, site, "Username", "username", {"A1 network": "A1 network"})
    site.item_max["A1 network"] = 50.0
    bad.write_text("Username,A1 network\nada,80\n")
    with pytest.raises(AssertionError, match="clamped"):
        lms_rules.moodle_import(bad, site, "Username", "username", {"A1 network": "A1 network"})


def _canvas_course() -> lms_rules.CanvasCourse:
    """The Canvas course of the roster's students, with assignment 77 worth 100 points."""
    students = [{"id": str(i), "sis_user_id": "", "sis_login_id": login, "name": name}
                for i, login, name in [(11, "ada1", "Ada L"), (12, "bob", "Bob"), (13, "cy", "Cy"),
                                       (14, "dan", "Dan"), (15, "eve", "Eve")]]
    return lms_rules.CanvasCourse(students, {"77": 100.0})


def test_the_canvas_rules_catch_blank_cells_and_strangers(tmp_path):
    bad = tmp_path / "bad.csv"
    head = "Student,ID,SIS User ID,SIS Login ID,Section,A2 training (77)\n"
    canvas = _canvas_course()
    canvas.scores[("14", "77")] = 40.0
    for text in ("Dan,14,,dan,S2,\n", "Zed,99,,zed,S9,10\n",
                 "Points Possible,,,,,108\nAda L,11,,ada1,S1,90\n"):
        bad.write_text(head + text)
        with pytest.raises(AssertionError):
            lms_rules.canvas_import(bad, canvas)
    bad.write_text("Name,Points\nAda,1\n")
    with pytest.raises(lms_rules.ImportRefused):
        lms_rules.canvas_import(bad, canvas)


def test_canvas_file_imports_into_the_assignment_of_its_id(runs, tmp_path):
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    head, points, *rows = _csv(out / f"canvas-{B}.csv")
    assert head == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "A2 training (77)"]
    assert points == ["Points Possible", "", "", "", "", "100"]
    assert rows[0] == ["Ada L", "11", "", "ada1", "S1", "100"]
    canvas = _canvas_course()
    canvas.scores[("14", "77")] = 40.0                  # dan has no result: Canvas keeps his 40
    after = lms_rules.canvas_import(out / f"canvas-{B}.csv", canvas)
    assert after == {("11", "77"): 100.0, ("12", "77"): 50.0, ("14", "77"): 40.0}
    head, *_ = _csv(out / f"canvas-{A}.csv")
    assert head[-1] == "A1 network"   # no canvas_id: Canvas would create a new assignment
    with pytest.raises(AssertionError, match="create a new one"):
        lms_rules.canvas_import(out / f"canvas-{A}.csv", _canvas_course())


def test_lms_max_scales_and_a_maximum_above_100_is_a_warning(course, runs, tmp_path, capsys):
    settings = json.loads((course.solutions / "course.json").read_text())
    settings["assignments"][A]["lms_max"] = 20
    settings["assignments"][B]["lms_max"] = 150
    (course.solutions / "course.json").write_text(json.dumps(settings))
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    assert "lms_max 150 is above 100: a default Moodle site refuses" in capsys.readouterr().err
    assert {r[0]: r[-1] for r in _csv(out / f"moodle-{A}.csv")[1:]}["ada"] == "16.67"   # 90/108*20
    assert _csv(out / f"canvas-{B}.csv")[1][-1] == "150"
    site = _moodle_site()
    with pytest.raises(lms_rules.ImportRefused, match="larger than the allowed"):
        lms_rules.moodle_import(out / f"moodle-{B}.csv", site, "Username", "username",
                                {"A2 training": "A2 training"})


def test_course_page(runs, tmp_path):
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    page = (out / "course.html").read_text()
    assert "NN course: course report" in page and "data:image/png;base64," in page
    assert "Students who fell behind" in page and "=cmd|evil" in page
    assert "1 × A1 network + 3 × A2 training" in page
    (out / "course.html").unlink()
    assert main(["report", str(out)]) == 0 and (out / "course.html").is_file()


def test_course_page_in_the_course_language(course, runs, tmp_path):
    """A course whose first language is German gets a German course page (the same numbers), and
    `grader report` redraws it in German; student ids stay escaped, never templates."""
    settings = json.loads((course.solutions / "course.json").read_text())
    (course.solutions / "course.json").write_text(json.dumps({**settings, "languages": ["de", "en"]}))
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    page = (out / "course.html").read_text()
    assert '<html lang="de">' in page and "NN course: Kursbericht" in page
    assert "Zurückgefallene Studierende" in page and "=cmd|evil" in page
    assert "1 × A1 network + 3 × A2 training" in page and "Students who fell behind" not in page
    (out / "course.html").unlink()
    assert main(["report", str(out)]) == 0 and "Kursbericht" in (out / "course.html").read_text()


def test_hostile_names_are_escaped_on_the_course_page(course, tmp_path):
    run = _folder(tmp_path, "run", [_result("x<script>alert(1)</script>", A, score=5)])
    roster = tmp_path / "roster.csv"
    roster.write_text('student_id,name\nx<script>alert(1)</script>,"<img src=x onerror=1>"\n')
    out = tmp_path / "course"
    assert main(["collect", str(run), "--out", str(out), "--roster", str(roster)]) == 0
    page = (out / "course.html").read_text()
    assert "<script>alert" not in page and "<img src=x" not in page


def test_without_course_file_or_roster(course_copy, tmp_path):
    (course_copy.solutions / course_file.COURSE_FILE).unlink()
    run = _folder(tmp_path, "run", [_result("ada", A, score=40), _result("bob", A, score=80)])
    out = tmp_path / "course"
    assert main(["collect", str(run), "--out", str(out)]) == 0
    data = course_book.load(out)
    assert [c["title"] for c in data["assignments"]] == course_copy.assignment_names()
    assert data["students"]["bob"]["total_percent"] == 80.0
    assert data["not_in_roster"] == []


def test_two_results_for_one_student_and_assignment_is_an_error(course, tmp_path, capsys):
    one = _folder(tmp_path, "one", [_result("ada", A, score=1)])
    two = _folder(tmp_path, "two", [_result("ada", A, score=2)])
    assert main(["collect", str(one), str(two), "--out", str(tmp_path / "c")]) == 2
    assert "ada has two results for nn_from_scratch" in capsys.readouterr().err


@pytest.mark.parametrize(("content", "needle"), [
    ("[1, 2]", "expected a JSON object"),
    ('{"assignments": {"nope": {}}}', "assignments.nope: no such assignment"),
    ('{"assignments": {"second": {"weight": -1}}}', "weight must be a number >= 0"),
    ('{"assignments": {"second": {"reveals": ["second"]}}}', "is not another assignment"),
    ('{"assignments": {"second": {"wieght": 1}}}', "unknown key 'wieght'"),
    ("{not json", "cannot read"),
])
def test_a_bad_course_file_is_one_line(course, tmp_path, capsys, content, needle):
    (course.solutions / "course.json").write_text(content)
    run = _folder(tmp_path, "run", [_result("ada", A, score=1)])
    assert main(["collect", str(run), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1, err


@pytest.mark.parametrize(("content", "needle"), [
    ("name,email\nada,a@x\n", "needs a student_id column"),
    ("student_id,nickname\nada,A\n", "unknown roster column 'nickname'"),
    ("student_id\nada\nada\n", "listed twice"),
    ("student_id\n\n,\n", "empty student_id"),
])
def test_a_bad_roster_is_one_line(course, tmp_path, capsys, content, needle):
    roster = tmp_path / "roster.csv"
    roster.write_text(content)
    run = _folder(tmp_path, "run", [_result("ada", A, score=1)])
    assert main(["collect", str(run), "--out", str(tmp_path / "c"), "--roster", str(roster)]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1, err


def test_hand_grades_complete_the_written_answers(runs, tmp_path, capsys):
    """A course without formgrader grades the written answers in a CSV: ada's 8 awaited points."""
    grades = tmp_path / "hand.csv"
    grades.write_text("student_id,assignment,answer,points\nada,nn_from_scratch,answer-x,6\n")
    out = tmp_path / "course"
    assert _collect(runs, out, "--hand-grades", str(grades)) == 0
    head, *rows = _csv(out / course_book.TABLE_FILE)
    ada = dict(zip(head, next(r for r in rows if r[0] == "ada")))
    assert (ada[A], ada["provisional"]) == ("96", "no")
    assert float(ada["total_percent"]) == pytest.approx((96 / 108 + 3) / 4 * 100, abs=0.01)


@pytest.mark.parametrize(("content", "needle"), [
    ("student_id,assignment,answer,points\nada,nn_from_scratch,answer-y,1\n",
     "has no written answer 'answer-y' awaiting a grade for ada (answers: answer-x)"),
    ("student_id,assignment,answer,points\nzed,nn_from_scratch,answer-x,1\n", "no result of zed"),
    ("student_id,assignment,answer,points\nada,nn_from_scratch,answer-x,9\n", "the answer is worth 8"),
    ("student_id,assignment,answer,points\nada,nn_from_scratch,answer-x,lots\n", "points must be a number"),
    ("student,points\n", "need exactly the columns"),
])
def test_a_hand_grade_typo_is_one_line(runs, tmp_path, capsys, content, needle):
    grades = tmp_path / "hand.csv"
    grades.write_text(content)
    assert _collect(runs, tmp_path / "course", "--hand-grades", str(grades)) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1, err


def test_an_empty_written_answer_counts_zero_at_once(course, tmp_path):
    blank = _result("ada", A, score=90, manual=8)
    blank["manual"][0]["answered"] = False
    out = tmp_path / "course"
    assert main(["collect", str(_folder(tmp_path, "run", [blank])), "--out", str(out)]) == 0
    entry = course_book.load(out)["students"]["ada"]["assignments"][A]
    assert (entry["points"], entry["max_points"], entry["awaiting"]) == (90, 108, 0)
    assert course_book.load(out)["students"]["ada"]["provisional"] is False


def test_the_json_says_not_graded_yet_like_the_table(runs, tmp_path):
    out = tmp_path / "course"
    assert _collect(runs, out) == 0
    assert course_book.load(out)["students"]["ada"]["assignments"][C]["status"] == "not graded yet"


def test_hand_grades_in_the_gradebook_survive_the_graders_own_result(course, tmp_path):
    """Where a grader run and the gradebook hold the same submission, the checks come from the
    run and the hand grades from the gradebook."""
    mine = _result("ada", A, score=90, manual=8)
    book = dict(_result("ada", A, score=90), source="nbgrader",
                manual_done=[{"id": "answer-x", "max_points": 8.0, "points": 5.0, "status": "graded"}])
    found = course_book.gather([_folder(tmp_path, "run", [mine])], [book])
    assert len(found) == 1 and found[0].get("source", "grader") == "grader"
    assert found[0]["manual"] == [] and found[0]["manual_done"][0]["points"] == 5.0
    e = course_book._entry(found[0])
    assert (e.points, e.max_points, e.awaiting) == (95, 108, 0)


def test_collect_usage_errors(course, tmp_path, capsys):
    run = _folder(tmp_path, "run", [_result("ada", A, score=1)])
    assert main(["collect", str(run), str(run)]) == 2
    assert "--out COURSE_DIR" in capsys.readouterr().err
    assert main(["collect", str(run), "--roster", "r.csv"]) == 2
    assert "add --out" in capsys.readouterr().err
    assert main(["collect", str(tmp_path / "nowhere"), "--out", str(tmp_path / "c")]) == 2
    assert "results folder not found" in capsys.readouterr().err


def test_course_file_defaults_and_order(course):
    settings = course_file.load(course)
    assert settings.assignment(C).title == C and settings.assignment(C).weight == 1
    assert settings.order([C, B, A]) == [A, B, C]
    with pytest.raises(UsageError, match="course file not found"):
        course_file.load(course, course.root / "missing.json")


def test_a_new_or_resumed_run_removes_a_killed_runs_half_written_files(tmp_path):
    from grader.grading import autograde

    out = tmp_path / "out"
    mine = results.result_path(out, "ada", "nn_from_scratch").with_name(".nn_from_scratch.json.x1.tmp")
    other = mine.with_name(".training_networks.json.x2.tmp")   # another assignment's: not ours
    for path in (mine, other):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{")
    autograde.prepare_run(out, "nn_from_scratch", 5, False, {})
    assert not mine.exists() and other.exists()
    mine.write_text("{")
    assert autograde.prepare_run(out, "nn_from_scratch", None, True, {}) == 5
    assert not mine.exists() and other.exists()
