"""What a similarity run writes into its output folder, and the section of report.html.

    DIR/similarity.csv    every pair with a score above 0, best first (student_a, student_b,
                          score, shared_fingerprints, past_class): the instructor's record
    DIR/similarity.html   the ranked pairs, the histogram, and the shared lines side by side
    DIR/similarity.png    the histogram of the scores of every pair
    DIR/similarity.json   the summary report.html's section is built from

Every text that comes from a submission (code, folder names, notes) is HTML-escaped.
"""

from __future__ import annotations

import base64
import csv
import html
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:   # report.html's section needs neither (nor their libraries)
    from grader.similarity.compare import Region
    from grader.similarity.run import Pair, Result

CSV_FILE = "similarity.csv"
HTML_FILE = "similarity.html"
PNG_FILE = "similarity.png"
JSON_FILE = "similarity.json"
#: Pairs listed in the ranked table of the page (all of them are in the CSV).
TABLE_PAIRS = 100
#: Pairs shown side by side: every flagged pair, and at least the best MIN_DETAILED, at most
#: MAX_DETAILED.
MIN_DETAILED, MAX_DETAILED = 10, 60
#: Lines shown around each shared region.
CONTEXT_LINES = 2
#: Histogram bin width (score).
BIN = 0.05


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _past_class(result: Result, pair: Pair) -> str:
    other = result.entries[pair.b]
    return other.who.split("/", 1)[0] if other.past else ""


def write_csv(result: Result, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["student_a", "student_b", "score", "shared_fingerprints", "past_class"])
        for p in result.pairs:
            out.writerow([result.entries[p.a].who, result.entries[p.b].who, f"{p.score:.3f}",
                          p.shared, _past_class(result, p)])


def histogram_png(scores: np.ndarray, threshold: float) -> bytes:
    """The histogram of pair scores (log count axis, so that one outlier pair is visible),
    the threshold as a line.

    Inputs: scores of every pair compared, shape (P,); threshold in [0, 1].
    Returns: PNG bytes."""
    from grader.report.plots import _png, _pyplot

    plt = _pyplot()
    edges = np.linspace(0, 1, int(round(1 / BIN)) + 1)
    fig, ax = plt.subplots(figsize=(7.0, 2.8))
    counts, _ = np.histogram(np.clip(scores, 0, 1), bins=edges)
    colors = ["#c62828" if left >= threshold - 1e-9 else "#1565c0" for left in edges[:-1]]
    ax.bar(edges[:-1], counts, width=BIN, align="edge", color=colors, edgecolor="white")
    ax.set_yscale("symlog", linthresh=1)
    ax.axvline(threshold, color="#616161", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("similarity score of a pair")
    ax.set_ylabel("pairs")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def summary(result: Result) -> dict:
    """What report.html's section needs (JSON-ready)."""
    flagged = result.flagged()
    return {
        "assignment": result.assignment,
        "threshold": result.threshold,
        "submissions": sum(not e.past for e in result.entries),
        "compared": sum(not e.past and e.print is not None for e in result.entries),
        "past_classes": result.past_classes,
        "pairs_compared": int(len(result.scores)),
        "flagged": [{"a": result.entries[p.a].who, "b": result.entries[p.b].who,
                     "score": round(p.score, 3), "past_class": _past_class(result, p)}
                    for p in flagged],
        "top": [{"a": result.entries[p.a].who, "b": result.entries[p.b].who,
                 "score": round(p.score, 3), "past_class": _past_class(result, p)}
                for p in result.pairs[:MIN_DETAILED]],
        "not_compared": [{"student": e.who, "reason": e.problem}
                         for e in result.entries if e.print is None],
        "notes": [{"student": e.who, "note": n} for e in result.entries for n in e.notes],
    }


def write(result: Result, out: Path) -> dict[str, Path]:
    """Write the four files into `out`; return them by kind."""
    out.mkdir(parents=True, exist_ok=True)
    files = {"csv": out / CSV_FILE, "html": out / HTML_FILE, "png": out / PNG_FILE,
             "json": out / JSON_FILE}
    write_csv(result, files["csv"])
    png = histogram_png(result.scores, result.threshold)
    files["png"].write_bytes(png)
    files["json"].write_text(json.dumps(summary(result), indent=1) + "\n", encoding="utf-8")
    files["html"].write_text(render_page(result, png), encoding="utf-8")
    return files


# ------------------------------------------------------------------ HTML

_CSS = """
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.code { font-family: ui-monospace, monospace; font-size: 0.78rem; background: #f7f7f7;
        border: 1px solid #e0e0e0; padding: 6px; overflow-x: auto; white-space: pre; }
.code .cell { color: #616161; font-style: italic; }
.code .gap { color: #9e9e9e; }
.code mark { background: #ffe082; display: block; }
.flag { color: #c62828; font-weight: 600; }
"""


def _img(png: bytes, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="histogram of the pair scores">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _code(lines: list[tuple[str, str]], regions: list[Region]) -> str:
    """The shared regions of one side, with CONTEXT_LINES around them, as HTML."""
    marked = np.zeros(len(lines), dtype=bool)
    shown = np.zeros(len(lines), dtype=bool)
    for r in regions:
        marked[r.first:r.last + 1] = True
        shown[max(0, r.first - CONTEXT_LINES):r.last + 1 + CONTEXT_LINES] = True
    out, cell, previous = [], None, -2
    for i, (label, text) in enumerate(lines):
        if not shown[i]:
            continue
        if label != cell:
            out.append(f'<span class="cell">— cell {_e(label)} —</span>\n')
            cell = label
        elif i != previous + 1:
            out.append('<span class="gap">…</span>\n')
        line = _e(text) or " "
        out.append(f"<mark>{line}</mark>" if marked[i] else f"{line}\n")
        previous = i
    return "".join(out) or "(no shared lines)"


def _pair_detail(result: Result, rank: int, pair: Pair) -> str:
    from grader.similarity.compare import shared_lines

    a, b = result.entries[pair.a], result.entries[pair.b]
    left, right = shared_lines(a.print, b.print), shared_lines(b.print, a.print)
    count = lambda regions: sum(r.last - r.first + 1 for r in regions)  # noqa: E731
    flag = ' <span class="flag">above the threshold</span>' if pair.score >= result.threshold else ""
    return (f'<details id="pair-{rank}"{" open" if rank <= 3 else ""}><summary><b>#{rank}</b> '
            f"{_e(a.who)} — {_e(b.who)}: score {pair.score:.2f}{flag}</summary>"
            f'<div class="pair"><div><b>{_e(a.who)}</b> ({count(left)} shared lines)'
            f'<div class="code">{_code(a.print.lines, left)}</div></div>'
            f'<div><b>{_e(b.who)}</b> ({count(right)} shared lines)'
            f'<div class="code">{_code(b.print.lines, right)}</div></div></div></details>')


def render_page(result: Result, png: bytes) -> str:
    """similarity.html as one string (no scripts, no external resources)."""
    from grader.report.page import _CSS as REPORT_CSS
    from grader.report.page import _table

    flagged = result.flagged()
    detailed = result.pairs[:min(MAX_DETAILED, max(MIN_DETAILED, len(flagged)))]
    now = [e for e in result.entries if not e.past]
    meta = [f"{len(now)} submissions", f"{len(result.scores)} pairs compared",
            f"threshold {result.threshold:g}"]
    if result.past_classes:
        meta.append("past classes: " + ", ".join(result.past_classes))
    parts = [f"<h1>{_e(result.assignment)}: similar submissions</h1>",
             f'<p class="meta">{_e(" · ".join(meta))}</p>',
             "<p>A score is the share of the smaller submission's own code (the instructor's code "
             "removed) that the other one has too, after names, comments, whitespace and the "
             "order of functions are set aside. It is evidence to look at, not a verdict: a "
             "common textbook solution is similar by nature. See docs/similarity.md.</p>",
             _img(png, f"Scores of all {len(result.scores)} pairs (count axis logarithmic); "
                       f"red bins are at or above the threshold {result.threshold:g}."),
             f"<h2>Pairs ({len(flagged)} at or above the threshold)</h2>"]
    rows = []
    for rank, p in enumerate(result.pairs[:TABLE_PAIRS], 1):
        name = f'<a href="#pair-{rank}">#{rank}</a>' if rank <= len(detailed) else f"#{rank}"
        rows.append([name, _e(result.entries[p.a].who), _e(result.entries[p.b].who),
                     (f'<span class="flag">{p.score:.2f}</span>' if p.score >= result.threshold
                      else f"{p.score:.2f}"), str(p.shared)])
    parts.append(_table(["rank", "student", "student", "score", "shared fingerprints"], rows,
                        {3, 4}, "no two submissions share code of their own"))
    if len(result.pairs) > TABLE_PAIRS:
        parts.append(f'<p class="meta">{len(result.pairs) - TABLE_PAIRS} more pairs with a score '
                     f"above 0 are in {CSV_FILE}.</p>")
    parts.append("<h2>Shared code, side by side</h2>")
    parts += [_pair_detail(result, rank, p) for rank, p in enumerate(detailed, 1)] or \
        ['<p class="empty">none</p>']
    skipped = [e for e in result.entries if e.print is None]
    noted = [(e, n) for e in result.entries for n in e.notes]
    parts.append("<h2>Not compared</h2>")
    parts.append(_table(["student", "why"], [[_e(e.who), _e(e.problem)] for e in skipped],
                        empty="every submission was compared"))
    if noted:
        parts.append("<h3>Left out of a submission</h3>")
        parts.append(_table(["student", "what"], [[_e(e.who), _e(n)] for e, n in noted]))
    body = "\n".join(parts)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(result.assignment)}: similar submissions</title>"
            f"<style>{REPORT_CSS}{_CSS}</style></head><body><main>\n{body}\n</main></body></html>\n")


def report_section(out: Path, assignment: str) -> str:
    """The section of report.html on the similarity run of `assignment` in `out` ("" when there
    is none)."""
    path = out / JSON_FILE
    if not path.is_file():
        return ""
    from grader.report.page import _table

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        flagged, top = list(data["flagged"]), list(data["top"])
        if data.get("assignment") != assignment:
            return ""
        threshold = float(data["threshold"])
    except (OSError, ValueError, KeyError, TypeError):
        return '<h2>Similar submissions</h2><p class="empty">similarity.json cannot be read: ' \
               "run `grader similarity` again</p>"
    parts = ["<h2>Similar submissions</h2>",
             f"<p>{len(flagged)} of {int(data.get('pairs_compared', 0))} pairs score at or above "
             f"the threshold {threshold:g} (<a href=\"{HTML_FILE}\">{HTML_FILE}</a> shows the "
             f"shared code side by side; {CSV_FILE} lists every pair). A score is evidence to "
             "look at, not a verdict.</p>"]
    png = out / PNG_FILE
    if png.is_file():
        parts.append(_img(png.read_bytes(), "Scores of all pairs (count axis logarithmic)."))
    shown = flagged or top
    rows = [[_e(p["a"]), _e(p["b"]), f"{float(p['score']):.2f}", _e(p.get("past_class", ""))]
            for p in shown[:MAX_DETAILED]]
    parts.append(f"<h3>{'Pairs at or above the threshold' if flagged else 'Most similar pairs'}</h3>")
    parts.append(_table(["student", "student", "score", "past class"], rows, {2},
                        "no two submissions share code of their own"))
    if data.get("not_compared"):
        parts.append(f'<p class="meta">{len(data["not_compared"])} submissions could not be '
                     f"compared (see {HTML_FILE}).</p>")
    return "\n".join(parts)
