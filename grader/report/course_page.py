"""The course page of the report: every assignment's score distribution, the weighted totals,
and the students who fell behind, from a course folder written by `grader collect --out`.

Self-contained HTML like the per-assignment report (grader/report/page.py), every student-influenced
text escaped.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from grader.course import gradebook as course_book
from grader.grading import texts
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


def render(data: dict, pngs: dict[str, bytes], lang: str = texts.DEFAULT_LANGUAGE) -> str:
    """The course page as one HTML string, in `lang`."""
    students = data["students"]
    columns = data["assignments"]
    totals = [s["total_percent"] for s in students.values()]
    weights = [c for c in columns if c["graded"] and c["weight"] > 0]
    def say(message_id: str, **values) -> str:
        return texts.say(message_id, lang, **values)

    cards = [(len(students), say("course.card-students")),
             (f"{statistics.mean(totals):.1f}%" if totals else "-", say("course.card-mean")),
             (f"{statistics.median(totals):.1f}%" if totals else "-", say("course.card-median")),
             (len(data["behind"]), say("course.card-behind")),
             (sum(s["provisional"] for s in students.values()), say("course.card-provisional"))]
    formula = _e(" + ".join(f"{c['weight']:g} × {c['title']}" for c in weights)
                 or say("course.nothing-graded"))
    divided = say("course.divided-by", weight=f"{sum(c['weight'] for c in weights):g}") \
        if weights else ""
    parts = [f"<h1>{_e(say('course.title', title=data['title']))}</h1>",
             '<p class="meta">' + say("course.weighted-total", formula=formula, divided=divided)
             + "</p>",
             '<div class="cards">' + "".join(f'<div class="card"><b>{_e(v)}</b><span>{_e(k)}</span></div>'
                                             for v, k in cards) + "</div>"]
    parts.append(f"<h2>{_e(say('course.assignments'))}</h2>")
    rows = []
    for c in columns:
        entries = [s["assignments"][c["name"]] for s in students.values()]
        by_status = {}
        for e in entries:
            by_status[e["status"]] = by_status.get(e["status"], 0) + 1
        scores = [100.0 * (e["points"] or 0.0) / c["max_points"] for e in entries
                  if e["status"] != course_book.MISSING and c["max_points"]]
        rows.append([_e(c["title"]), _e(c["name"]), f"{c['weight']:g}",
                     f"{c['max_points']:g}" if c["graded"] else _e(say("course.not-graded-yet")),
                     f"{statistics.mean(scores):.1f}%" if scores else "-",
                     _e(", ".join(f"{n} {texts.submission_status(s, lang)}"
                                  for s, n in sorted(by_status.items())))])
    parts.append(_table([say("course.column-assignment"), say("course.column-folder"),
                         say("course.column-weight"), say("course.column-max"),
                         say("course.column-mean"), say("course.column-submissions")],
                        rows, {2, 3, 4}))
    if any(c["graded"] for c in columns):
        parts.append(_img("course.png", pngs["course.png"], say("course.figure-alt"),
                          say("course.figure-caption")))
    parts.append(f"<h2>{_e(say('course.behind'))}</h2>")
    behind = f"{data['behind_below_percent']:g}"
    parts.append(f"<p>{_e(say('course.behind-text', percent=behind))}</p>")
    parts.append(_table([say("course.column-student"), say("course.column-total"),
                         say("course.column-why")],
                        [[_e(b["student"]), f"{students[b['student']]['total_percent']:.1f}%",
                          _e("; ".join(b["reasons"]))] for b in data["behind"]], {1},
                        empty=say("course.nobody")))
    if data["not_in_roster"]:
        parts.append(f"<h2>{_e(say('course.not-in-roster'))}</h2>")
        parts.append(f"<p>{_e(say('course.not-in-roster-text', ids=', '.join(data['not_in_roster'])))}</p>")
    parts.append(f"<h2>{_e(say('course.everyone'))}</h2>")
    head = [say("course.column-student"), *[_e(c["title"]) for c in columns],
            say("course.column-total")]
    rows = []
    for student, s in sorted(students.items()):
        cells = []
        for c in columns:
            e = s["assignments"][c["name"]]
            if e["points"] is None:   # missing, or not graded yet for anyone
                cells.append(f'<span class="status-missing">'
                             f'{_e(texts.submission_status(e["status"], lang))}</span>')
            else:
                text = f"{e['points']:g} / {e['max_points']:g}"
                if e["status"] != "graded":
                    text += (f' <span class="status-{_e(e["status"])}">'
                             f'{_e(texts.submission_status(e["status"], lang))}</span>')
                if e["awaiting"]:
                    text += " " + _e(say("course.to-grade", points=f"{e['awaiting']:g}"))
                cells.append(text)
        rows.append([_e(student), *cells, f"{s['total_percent']:.1f}%" + (" *" if s["provisional"] else "")])
    parts.append(_table(head, rows, {len(head) - 1}))
    parts.append(f"<p>{_e(say('course.provisional'))}</p>")
    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang=\"{_e(lang)}\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(say('course.title', title=data['title']))}</title><style>{_CSS}</style></head>"
            f"<body><main>\n{body}\n</main></body></html>\n")


def write_page(out: Path, lang: str = texts.DEFAULT_LANGUAGE) -> Path:
    """Write DIR/course.html from DIR/course-grades.json, in `lang`; return the page's path."""
    data = course_book.load(out)
    page = Path(out) / COURSE_PAGE
    tmp = page.with_name(page.name + ".tmp")
    tmp.write_text(render(data, figures(data), lang), encoding="utf-8")
    tmp.replace(page)
    return page
