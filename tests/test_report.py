"""`grader report`: the numbers it shows, hostile text kept inert, and the page in a real browser.

The browser tests open the demo's report (test_examples.py's `demo` fixture) in headless
Chromium. CI installs Chromium (.ci/run), so there a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from browser import chromium, render, screenshot

from grader.cli import main
from grader.grading import results
from grader.report import page as report

REPORT_IMAGES = 3


def _result(student: str, tests: list[tuple[str, str, float, str, str | None]], status: str = "graded",
            reason: str = "") -> dict:
    """A result file's content; tests are (id, function, max_points, status, diagnosis)."""
    rows = [{"id": i, "function": f, "max_points": p, "points": p if s == "passed" else 0.0,
             "status": s, "message": "" if s == "passed" else f"{s} here", "diagnosis": d,
             "duration": 0.0} for i, f, p, s, d in tests]
    return {"student": student, "assignment": "hw", "status": status, "reason": reason,
            "score": sum(t["points"] for t in rows), "max_score": sum(t["max_points"] for t in rows),
            "tests": rows, "load_errors": [], "seed": 1, "grader_version": "test"}


def _tests(a: str, b: str, diagnosis: str | None = None):
    return [("f.one", "f", 2.0, a, None), ("g.two", "g", 3.0, b, diagnosis)]


def _write(out: Path, found: list[dict]) -> None:
    for r in found:
        results.write_json_atomic(results.result_path(out, r["student"], r["assignment"]), r)
    results.collect(out)


def test_summary_numbers():
    found = [_result("a", _tests("passed", "passed")),
             _result("b", _tests("passed", "failed", "off by one")),
             _result("c", _tests("timeout", "failed", "off by one")),
             _result("d", _tests("not_implemented", "not_implemented"), status="timeout",
                     reason="loading the code timed out\nmore")]
    s = report.summarize(found)
    rates = {t.id: (t.passed, t.attempted) for t in s.tests}
    assert rates == {"f.one": (2, 3), "g.two": (1, 3)}  # over graded submissions only
    assert s.function_rates() == [("f", 2 / 3), ("g", 1 / 3)]
    assert [(d.text, sorted(d.students)) for d in s.diagnoses] == [("off by one", ["b", "c"])]
    assert [(p.student, p.where, p.status, p.message) for p in s.problems] == [
        ("c", "f.one", "timeout", "timeout here"),
        ("d", "whole submission", "timeout", "loading the code timed out")]


def test_hostile_text_is_escaped(tmp_path):
    """Student-influenced strings (folder names, messages, diagnoses) cannot add markup."""
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    found = [_result("a<b>", [("f.one", "f", 1.0, "error", evil)]),
             _result("ok", [("f.one", "f", 1.0, "passed", None)])]
    found[0]["tests"][0]["message"] = evil
    found[0]["load_errors"] = [evil]
    page = report.render(report.summarize(found), {"scores.png": b"", "exercises.png": b"",
                                                   "tests.png": b""})
    assert "<script" not in page and "<img src=x" not in page and "a<b>" not in page
    assert "&lt;script&gt;" in page and "a&lt;b&gt;" in page
    assert 'id="student-a%3Cb%3E"' in page


@pytest.mark.parametrize("lang", ["en", "de"])
def test_awaiting_answers_name_both_ways_to_grade_them(lang):
    """A course graded with `grader autograde` has no formgrader: the report also names the
    hand-grades CSV of `grader collect` (docs/course.md), in every language."""
    found = [_result("a", _tests("passed", "passed"))]
    found[0]["manual"] = [{"id": "answer-why", "max_points": 2.0, "points": None,
                           "status": "awaiting_manual_grading", "answered": True}]
    page = report.render(report.summarize(found), {"scores.png": b"", "exercises.png": b"",
                                                   "tests.png": b""}, lang=lang)
    assert "answer-why" in page
    assert "grader collect --hand-grades" in page and "docs/course.md" in page, page
    assert "formgrader" in page.lower()


def test_report_command_writes_page_and_figures(tmp_path, capsys):
    _write(tmp_path, [_result("a", _tests("passed", "passed")),
                      _result("b", _tests("passed", "failed", "off by one"))])
    assert main(["report", str(tmp_path)]) == 0
    assert str(tmp_path / "report.html") in capsys.readouterr().out
    page = (tmp_path / "report.html").read_text()
    pngs = sorted((tmp_path / report.FIGURES_DIR).glob("*.png"))
    assert len(pngs) == REPORT_IMAGES
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.count('src="data:image/png;base64,') == REPORT_IMAGES
    assert "off by one" in page


@pytest.mark.parametrize(("setup", "needle"), [
    (lambda d: None, "no such folder"),
    (lambda d: d.mkdir(), "no grading results"),
])
def test_report_errors_are_one_line(tmp_path, capsys, setup, needle):
    target = tmp_path / "grades"
    setup(target)
    assert main(["report", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]


def test_several_assignments_need_a_choice(tmp_path, capsys):
    other = _result("a", _tests("passed", "passed"))
    other["assignment"] = "hw2"
    _write(tmp_path, [_result("a", _tests("passed", "passed")), other])
    assert main(["report", str(tmp_path)]) == 2
    assert "--assignment" in capsys.readouterr().err
    assert main(["report", str(tmp_path), "--assignment", "hw2"]) == 0


# ---------------------------------------------------------------------------- in a browser

@pytest.fixture(scope="module")
def browser():
    if chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs the Debian package chromium")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")


def test_probe_sees_broken_pages(browser, tmp_path):
    """The browser check can fail: a missing image and a script error are both reported."""
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html><head><title>t</title></head><body>'
                    '<img src="missing.png"><script>notDefined();</script></body></html>')
    seen = render(page)
    assert seen.broken_images == 1
    assert any("notDefined" in e for e in seen.errors)
    assert any("missing.png" in e for e in seen.errors)


def test_demo_report_in_chromium(browser, demo):
    _, _, out = demo
    out = out / "nn_from_scratch"
    seen = render(out / "report.html")
    assert seen.title.endswith("grading report")
    assert seen.images == REPORT_IMAGES and seen.broken_images == 0
    assert seen.errors == [] and seen.console == []
    with (out / "grades.csv").open(newline="") as fh:
        students = [row["student_id"] for row in csv.DictReader(fh)]
    for student in students:
        assert report.student_anchor(student) in seen.anchors, student


def test_feedback_links_resolve(demo):
    _, _, out = demo
    out = out / "nn_from_scratch"
    page = (out / "report.html").read_text()
    links = re.findall(r'href="([^"#][^"]*\.feedback\.md)"', page)
    assert len(links) == len(report.load_summary(out).results)
    for link in links:
        assert (out / link).is_file(), link


def test_screenshot(browser, demo, tmp_path):
    """A screenshot of the report shows something (not a blank page)."""
    import matplotlib.image

    _, _, out = demo
    out = out / "nn_from_scratch"
    png = screenshot(out / "report.html", tmp_path / "report.png", window=(1000, 700))
    pixels = matplotlib.image.imread(png)
    assert pixels.shape[:2] == (700, 1000)
    assert pixels[..., :3].std() > 0.05


def test_docs_screenshot_exists():
    shot = Path(__file__).resolve().parent.parent / "docs" / "images" / "report.png"
    assert shot.is_file() and shot.stat().st_size > 10_000
