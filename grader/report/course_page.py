"""The course page of the report: every assignment's score distribution, the weighted totals,
and the students who fell behind, from a course folder written by `grader collect --out`.

Self-contained HTML like the per-assignment report (grader/report/page.py), every student-influenced
text escaped.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from grader.course import gradebook as course_book
from grader.report import plots as report_plots
from grader.report.page import _CSS, _e, _img, _table

COURSE_PAGE = "course.html"


def figures(data: dict) -> dict[str, bytes]:
    columns = [c for c in data["assignments"] if c["graded"]]
    percents, missing = [], []
    for c in columns:
        entries = [s["assignments"][c["name"]] for s in data["students"].values()]
        handed_in = [e for e in entries if e["status"] != course_book.MISSING]
        percents.append([100.0 * (e["points"] or 0.0) / c["max_points"] for e in handed_in])
        missing.append(len(entries) - len(handed_in))
    totals = [s["total_percent"] for s in data["students"].values()]
    return {"course.png": report_plots.course_distributions([c["title"] for c in columns],
                                                            percents, missing, totals)}


def render(data: dict, pngs: dict[str, bytes]) -> str:
    students = data["students"]
    columns = data["assignments"]
    totals = [s["total_percent"] for s in students.values()]
    weights = [c for c in columns if c["graded"] and c["weight"] > 0]
    cards = [(len(students), "students"),
             (f"{statistics.mean(totals):.1f}%" if totals else "-", "mean weighted total"),
             (f"{statistics.median(totals):.1f}%" if totals else "-", "median"),
             (len(data["behind"]), "fell behind"),
             (sum(s["provisional"] for s in students.values()), "provisional (manual grading)")]
    parts = [f"<h1>{_e(data['title'])}: course report</h1>",
             '<p class="meta">Weighted total = ' + _e(" + ".join(
                 f"{c['weight']:g} × {c['title']}" for c in weights) or "nothing graded yet")
             + (f" (divided by {sum(c['weight'] for c in weights):g})" if weights else "")
             + ", each in percent of its maximum; a missing or failed submission counts 0.</p>",
             '<div class="cards">' + "".join(f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>'
                                             for v, k in cards) + "</div>"]
    parts.append("<h2>Assignments</h2>")
    rows = []
    for c in columns:
        entries = [s["assignments"][c["name"]] for s in students.values()]
        by_status = {}
        for e in entries:
            by_status[e["status"]] = by_status.get(e["status"], 0) + 1
        scores = [100.0 * (e["points"] or 0.0) / c["max_points"] for e in entries
                  if e["status"] != course_book.MISSING and c["max_points"]]
        rows.append([_e(c["title"]), _e(c["name"]), f"{c['weight']:g}",
                     f"{c['max_points']:g}" if c["graded"] else "not graded yet",
                     f"{statistics.mean(scores):.1f}%" if scores else "-",
                     _e(", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))])
    parts.append(_table(["assignment", "folder", "weight", "max points", "mean (handed in)",
                         "submissions"], rows, {2, 3, 4}))
    if any(c["graded"] for c in columns):
        parts.append(_img("course.png", pngs["course.png"], "score distribution per assignment",
                          "Scores of the handed-in submissions in percent of each assignment's "
                          "maximum, and every student's weighted total."))
    parts.append("<h2>Students who fell behind</h2>")
    parts.append(f"<p>A missing or failed submission in a graded assignment, or a weighted total "
                 f"below {data['behind_below_percent']:g}%.</p>")
    parts.append(_table(["student", "total", "why"],
                        [[_e(b["student"]), f"{students[b['student']]['total_percent']:.1f}%",
                          _e("; ".join(b["reasons"]))] for b in data["behind"]], {1},
                        empty="nobody"))
    if data["not_in_roster"]:
        parts.append("<h2>Not on the roster</h2>")
        parts.append(f"<p>{_e(', '.join(data['not_in_roster']))}: results without a roster row "
                     "(check the student ids; the LMS exports cannot match them).</p>")
    parts.append("<h2>Everyone</h2>")
    head = ["student", *[_e(c["title"]) for c in columns], "total"]
    rows = []
    for student, s in sorted(students.items()):
        cells = []
        for c in columns:
            e = s["assignments"][c["name"]]
            if e["points"] is None:   # missing, or not graded yet for anyone
                cells.append(f'<span class="status-missing">{_e(e["status"])}</span>')
            else:
                text = f"{e['points']:g} / {e['max_points']:g}"
                if e["status"] != "graded":
                    text += f' <span class="status-{_e(e["status"])}">{_e(e["status"])}</span>'
                if e["awaiting"]:
                    text += f" (+{e['awaiting']:g} to grade by hand)"
                cells.append(text)
        rows.append([_e(student), *cells, f"{s['total_percent']:.1f}%" + (" *" if s["provisional"] else "")])
    parts.append(_table(head, rows, {len(head) - 1}))
    parts.append("<p>* provisional: written answers still to be graded by hand.</p>")
    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(data['title'])}: course report</title><style>{_CSS}</style></head>"
            f"<body><main>\n{body}\n</main></body></html>\n")


def write_page(out: Path) -> Path:
    """Write DIR/course.html from DIR/course-grades.json; return the page's path."""
    data = course_book.load(out)
    page = Path(out) / COURSE_PAGE
    tmp = page.with_name(page.name + ".tmp")
    tmp.write_text(render(data, figures(data)), encoding="utf-8")
    tmp.replace(page)
    return page
