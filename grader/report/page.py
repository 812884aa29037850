"""The instructor report of a grading run: one self-contained HTML page (plots embedded as PNG).

Built only from the result files of an output folder (grader.grading.results), so it can be rebuilt at
any time with `grader report DIR`. Every text that comes from a submission (messages, student
output, folder names) is HTML-escaped: a result file is student-influenced data.
"""

from __future__ import annotations

import base64
import html
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from grader.errors import UsageError
from grader.grading import answers, results, texts
from grader.report import plots as report_plots
from nnkit_contract.outcomes import RUN_PROBLEM_STATUSES

REPORT_FILE = "report.html"
#: Folder (next to the page) that also receives the embedded plots as PNG files.
FIGURES_DIR = "report-figures"
#: Test statuses that mean something went wrong running the code, rather than a wrong answer.
#: How many diagnoses / hardest tests the summary tables show.
TOP_DIAGNOSES = 10
MESSAGE_CHARS = 300


@dataclass
class TestStats:
    """How the graded submissions did on one test."""

    id: str
    function: str
    max_points: float
    passed: int = 0
    attempted: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.passed / self.attempted if self.attempted else 0.0


@dataclass
class Diagnosis:
    text: str
    students: set[str] = field(default_factory=set)
    tests: set[str] = field(default_factory=set)
    #: The id of the diagnosis whose label `text` is (None: a cause of no declared diagnosis).
    diagnosis_id: str | None = None


@dataclass
class Problem:
    """A submission that could not be graded normally, or a test that timed out / crashed."""

    student: str
    where: str
    status: str
    message: str


@dataclass
class ClassSummary:
    assignment: str
    results: list[dict]
    run: dict
    tests: list[TestStats]
    diagnoses: list[Diagnosis]
    problems: list[Problem]

    @property
    def graded(self) -> list[dict]:
        return [r for r in self.results if r["status"] == "graded"]

    @property
    def max_score(self) -> float:
        return max((r["max_score"] for r in self.results), default=0.0)

    def function_rates(self) -> list[tuple[str, float]]:
        """(function, share of graded submissions that passed all its tests), notebook order."""
        per_function: dict[str, list[bool]] = defaultdict(list)
        for r in self.graded:
            passed: dict[str, bool] = {}
            for t in r["tests"]:
                passed[t["function"]] = passed.get(t["function"], True) and t["status"] == "passed"
            for function, ok in passed.items():
                per_function[function].append(ok)
        order = list(dict.fromkeys(t.function for t in self.tests))
        return [(f, sum(per_function[f]) / len(per_function[f]) if per_function[f] else 0.0)
                for f in order]


def _first_line(text: str) -> str:
    line = next((s for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= MESSAGE_CHARS else line[:MESSAGE_CHARS] + "…"


def summarize(found: list[dict], run: dict | None = None) -> ClassSummary:
    """Per-test pass rates (over graded submissions), diagnoses and problems of one assignment."""
    if not found:
        raise UsageError("no grading results to report on")
    assignments = sorted({r["assignment"] for r in found})
    if len(assignments) > 1:
        raise UsageError(f"results of several assignments ({', '.join(assignments)}): "
                         "choose one with --assignment")
    tests: dict[str, TestStats] = {}
    diagnoses: dict[str, Diagnosis] = {}
    problems: list[Problem] = []
    for r in found:
        if r["status"] != "graded":
            problems.append(Problem(r["student"], "whole submission", r["status"],
                                    _first_line(r.get("reason") or "")))
        for t in r["tests"]:
            stats = tests.setdefault(t["id"], TestStats(t["id"], t["function"], t["max_points"]))
            if r["status"] == "graded":
                stats.attempted += 1
                stats.passed += t["status"] == "passed"
                stats.statuses[t["status"]] += 1
            if t.get("diagnosis"):
                d = diagnoses.setdefault(t["diagnosis"],
                                         Diagnosis(t["diagnosis"], diagnosis_id=t.get("diagnosis_id")))
                d.students.add(r["student"])
                d.tests.add(t["id"])
            if r["status"] == "graded" and t["status"] in RUN_PROBLEM_STATUSES:
                problems.append(Problem(r["student"], t["id"], t["status"],
                                        _first_line(t.get("message") or "")))
    ranked = sorted(diagnoses.values(), key=lambda d: (-len(d.students), d.text))
    return ClassSummary(assignments[0], found, run or {}, list(tests.values()), ranked, problems)


def load_summary(out: Path, assignment: str | None = None) -> ClassSummary:
    """The summary of the results in the output folder `out` (of `assignment` when given)."""
    if not out.is_dir():
        raise UsageError(f"no such folder: {out}")
    found = results.load_results(out)
    names = sorted({r["assignment"] for r in found})
    if assignment:
        found = [r for r in found if r["assignment"] == assignment]
    elif len(names) > 1:
        raise UsageError(f"{out} holds several assignments ({', '.join(names)}): choose one "
                         "with --assignment")
    if not found:
        raise UsageError(f"no grading results in {out}: run `grader autograde` first")
    run_file = out / results.RUN_FILE
    run = {}
    if run_file.is_file():
        try:
            run = json.loads(run_file.read_text(encoding="utf-8"))
        except ValueError:
            run = {}
    return summarize(found, run)


# ---------------------------------------------------------------------------------------- HTML

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #212121; background: #fafafa; line-height: 1.45; }
main { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #616161; font-size: 0.9rem; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 18px 0; }
.card { background: white; border: 1px solid #e0e0e0; border-radius: 8px; padding: 10px 16px;
        min-width: 120px; }
.card b { display: block; font-size: 1.5rem; }
.card span { color: #616161; font-size: 0.85rem; }
figure { margin: 12px 0; background: white; border: 1px solid #e0e0e0; border-radius: 8px;
         padding: 8px; }
figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figcaption { color: #616161; font-size: 0.85rem; padding: 4px 8px; }
table { border-collapse: collapse; width: 100%; background: white; font-size: 0.9rem; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f0f0f0; }
td.num, th.num { text-align: right; white-space: nowrap; }
code { font-size: 0.85rem; }
.status-graded { color: #2e7d32; }
.status-error, .status-timeout, .status-memory, .status-invalid, .status-missing { color: #c62828; font-weight: 600; }
details { background: white; border: 1px solid #e0e0e0; border-radius: 6px; margin: 6px 0;
          padding: 4px 10px; }
summary { cursor: pointer; }
pre { white-space: pre-wrap; font-size: 0.8rem; background: #f7f7f7; padding: 8px;
      max-height: 420px; overflow: auto; }
.empty { color: #616161; font-style: italic; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _num(x: float) -> str:
    return f"{x:g}"


def _img(name: str, png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}" '
            f'data-file="{_e(name)}"><figcaption>{_e(caption)}</figcaption></figure>')


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset(),
           empty: str = "none") -> str:
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'
    th = "".join(f'<th class="num">{h}</th>' if i in numeric else f"<th>{h}</th>"
                 for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def student_anchor(student: str) -> str:
    return "student-" + quote(student, safe="")


def feedback_href(r: dict) -> str:
    return (f"{results.STUDENTS_DIR}/{quote(results.student_folder(r['student']), safe='')}/"
            f"{quote(r['assignment'], safe='')}.feedback.md")


def figures(summary: ClassSummary, lang: str = texts.DEFAULT_LANGUAGE) -> dict[str, bytes]:
    """The report's plots: file name -> PNG bytes."""
    graded = [r["score"] for r in summary.graded]
    others = [r["score"] for r in summary.results if r["status"] != "graded"]
    functions = summary.function_rates()
    return {
        "scores.png": report_plots.score_histogram(graded, others, summary.max_score),
        "exercises.png": report_plots.pass_rates([f for f, _ in functions], [r for _, r in functions],
                                                 texts.say("report.exercises-axis", lang)),
        "tests.png": report_plots.pass_rates([t.id for t in summary.tests],
                                             [t.rate for t in summary.tests],
                                             texts.say("report.tests-axis", lang)),
    }


def render(summary: ClassSummary, pngs: dict[str, bytes], extra: str = "",
           lang: str = texts.DEFAULT_LANGUAGE) -> str:
    """The report page as one HTML string (no scripts, no external resources), in `lang`;
    `extra`: HTML sections put before the students' list (the similarity run's,
    grader.similarity.output)."""
    def say(message_id: str, **values) -> str:
        return texts.say(message_id, lang, **values)

    scores = [r["score"] for r in summary.results]
    graded = summary.graded
    full = sum(r["score"] == r["max_score"] for r in summary.results)
    run = summary.run
    meta = [say("report.meta-submissions", count=len(summary.results)),
            say("report.meta-seed", seed=run.get("seed", "?")),
            say("report.meta-grader", version=run.get("grader_version", "?")),
            say("report.meta-isolation", mode=run.get("isolation", "?"))]
    cards = [(len(summary.results), say("report.card-submissions")),
             (f"{statistics.mean(scores):.1f}", say("report.card-mean",
                                                    max_score=_num(summary.max_score))),
             (f"{statistics.median(scores):g}", say("report.card-median")),
             (full, say("report.card-full")),
             (len(summary.results) - len(graded), say("report.card-not-graded"))]
    parts = [f"<h1>{_e(say('report.title', assignment=summary.assignment))}</h1>",
             f'<p class="meta">{_e(" · ".join(meta))}</p>',
             '<div class="cards">' + "".join(f"<div class=\"card\"><b>{_e(v)}</b><span>{_e(k)}</span></div>"
                                             for v, k in cards) + "</div>"]

    parts.append(f"<h2>{_e(say('report.scores'))}</h2>")
    parts.append(_img("scores.png", pngs["scores.png"], say("report.scores-alt"),
                      say("report.scores-caption", bin=report_plots.SCORE_BIN_PERCENT)))

    parts.append(f"<h2>{_e(say('report.exercises'))}</h2>")
    parts.append(_img("exercises.png", pngs["exercises.png"], say("report.exercises-alt"),
                      say("report.exercises-caption", graded=len(graded),
                          good=f"{report_plots.GOOD_RATE:.0%}", fair=f"{report_plots.FAIR_RATE:.0%}")))
    parts.append(_img("tests.png", pngs["tests.png"], say("report.tests-alt"),
                      say("report.tests-caption")))
    hardest = sorted(summary.tests, key=lambda t: (t.rate, t.id))
    rows = []
    for t in hardest:
        if t.rate >= 1.0:
            break
        outcome = ", ".join(f"{n} {texts.check_status(s, lang)}" for s, n in t.statuses.most_common()
                            if s != "passed")
        rows.append([f"<code>{_e(t.id)}</code>", _e(_num(t.max_points)), f"{t.rate:.0%}", _e(outcome)])
    parts.append(f"<h3>{_e(say('report.not-everyone'))}</h3>")
    parts.append(_table([say("report.column-test"), say("report.column-points"),
                         say("report.column-passed"), say("report.column-others")], rows, {1, 2},
                        say("report.everyone-passed")))

    parts.append(f"<h2>{_e(say('report.diagnoses'))}</h2>")
    rows = [[_e(texts.cause_label({"diagnosis": d.text, "diagnosis_id": d.diagnosis_id},
                                  summary.assignment, lang)), str(len(d.students)),
             ", ".join(f"<code>{_e(t)}</code>" for t in sorted(d.tests)),
             ", ".join(f'<a href="#{student_anchor(s)}">{_e(s)}</a>' for s in sorted(d.students))]
            for d in summary.diagnoses[:TOP_DIAGNOSES]]
    parts.append(_table([say("report.column-cause"), say("report.column-students"),
                         say("report.column-tests"), say("report.column-who")], rows, {1},
                        say("report.no-diagnosis")))

    parts.append(f"<h2>{_e(say('report.problems'))}</h2>")
    rows = [[f'<a href="#{student_anchor(p.student)}">{_e(p.student)}</a>', f"<code>{_e(p.where)}</code>",
             f'<span class="status-{_e(p.status)}">{_e(texts.check_status(p.status, lang))}</span>',
             _e(p.message)]
            for p in summary.problems]
    parts.append(_table([say("report.column-student"), say("report.column-where"),
                         say("report.column-status"), say("report.column-message")], rows,
                        empty=say("report.no-problems")))

    awaiting = [r for r in summary.results if answers.awaiting(r)]
    blank = sum(answers.blank(m) for r in summary.results for m in r.get("manual") or [])
    if awaiting:
        ids = list(dict.fromkeys(m["id"] for r in awaiting for m in answers.awaiting(r)))
        parts.append(f"<h2>{_e(say('report.awaiting'))}</h2>")
        parts.append("<p>" + say("report.awaiting-text", count=len(awaiting), ids=_e(", ".join(ids)),
                                 points=_e(_num(sum(map(results.manual_points, awaiting)))),
                                 blank=blank) + "</p>")

    if extra:
        parts.append(extra)
    parts.append(f"<h2>{_e(say('report.students'))}</h2>")
    rows = []
    for r in sorted(summary.results, key=lambda r: r["student"]):
        failed = sum(t["status"] != "passed" for t in r["tests"])
        manual = answers.awaiting(r)
        rows.append([f'<a href="#{student_anchor(r["student"])}">{_e(r["student"])}</a>',
                     f'<span class="status-{_e(r["status"])}">'
                     f'{_e(texts.submission_status(r["status"], lang))}</span>',
                     f'{_e(_num(r["score"]))} / {_e(_num(r["max_score"]))}', str(failed),
                     _e(say("report.to-grade", count=len(manual),
                            points=_num(results.manual_points(r)))) if manual else "",
                     f'<a href="{_e(feedback_href(r))}">{_e(say("report.feedback-link"))}</a>'])
    parts.append(_table([say("report.column-student"), say("report.column-status"),
                         say("report.column-score"), say("report.column-lost"),
                         say("report.column-to-grade"), say("report.column-file")],
                        rows, {2, 3}))
    parts.append(f"<h3>{_e(say('report.feedback'))}</h3>")
    for r in sorted(summary.results, key=lambda r: r["student"]):
        parts.append(f'<details id="{student_anchor(r["student"])}"><summary><b>{_e(r["student"])}</b> — '
                     f'{_e(_num(r["score"]))} / {_e(_num(r["max_score"]))} '
                     f'({_e(texts.submission_status(r["status"], lang))})</summary>'
                     f"<pre>{_e(results.feedback_markdown(r, lang))}</pre></details>")

    body = "\n".join(parts)
    return (f"<!DOCTYPE html>\n<html lang=\"{_e(lang)}\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(say('report.title', assignment=summary.assignment))}</title><style>{_CSS}</style></head>"
            f"<body><main>\n{body}\n</main></body></html>\n")


def write_report(out: Path, assignment: str | None = None,
                 section: Callable[[Path, str], str] | None = None) -> Path:
    """Write DIR/report.html and its figures as DIR/report-figures/*.png; return the page's path.
    `section(out, assignment)`: HTML put before the students' list (the commands pass the
    similarity run's, grader.similarity.output.report_section: the report never imports it)."""
    summary = load_summary(out, assignment)
    lang = texts.run_language(out)
    pngs = figures(summary, lang)
    folder = out / FIGURES_DIR
    folder.mkdir(exist_ok=True)
    for name, png in pngs.items():
        (folder / name).write_bytes(png)
    page = out / REPORT_FILE
    tmp = page.with_name(page.name + ".tmp")
    extra = section(out, summary.assignment) if section is not None else ""
    tmp.write_text(render(summary, pngs, extra, lang), encoding="utf-8")
    tmp.replace(page)
    return page
