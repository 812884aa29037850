"""The figures of the instructor report, drawn with matplotlib (Agg) and returned as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

#: Score histogram: bin width in percent of the maximum score.
SCORE_BIN_PERCENT = 10
#: Pass-rate colours: at or above GOOD is green, at or above FAIR amber, below red.
GOOD_RATE, FAIR_RATE = 0.8, 0.5
COLORS = {"good": "#2e7d32", "fair": "#f9a825", "poor": "#c62828", "graded": "#1565c0",
          "not graded": "#9e9e9e"}
DPI = 110


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    # No "Software" text chunk: the same results give the same bytes.
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def score_histogram(graded: Sequence[float], not_graded: Sequence[float], max_score: float) -> bytes:
    """Histogram of scores in percent of `max_score`, graded submissions stacked under the
    others (load failures, timeouts...).

    Inputs:
    - graded: scores of the submissions whose code ran, shape (G,)
    - not_graded: scores of the others (usually 0), shape (E,)
    - max_score: the assignment's total points
    Returns: PNG bytes.
    """
    import numpy as np

    plt = _pyplot()
    edges = np.arange(0, 100 + SCORE_BIN_PERCENT, SCORE_BIN_PERCENT)
    scale = 100.0 / max_score if max_score else 0.0
    series = [np.asarray(graded, float) * scale, np.asarray(not_graded, float) * scale]
    fig, ax = plt.subplots(figsize=(7.0, 2.8))
    ax.hist(series, bins=edges, stacked=True, color=[COLORS["graded"], COLORS["not graded"]],
            label=["graded", "not graded (load failure, timeout, ...)"], edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xticks(edges)
    ax.set_xlabel("score (% of the maximum)")
    ax.set_ylabel("submissions")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    if len(not_graded):
        ax.legend(frameon=False, loc="upper left")
    return _png(fig)


def rate_color(rate: float) -> str:
    return COLORS["good" if rate >= GOOD_RATE else "fair" if rate >= FAIR_RATE else "poor"]


def pass_rates(labels: Sequence[str], rates: Sequence[float], title: str) -> bytes:
    """Horizontal bars: the share of graded submissions that passed each item, first label on top.

    Inputs:
    - labels: item names, shape (T,)
    - rates: pass rates in [0, 1], shape (T,)
    - title: the x-axis label
    Returns: PNG bytes.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 0.24 * len(labels) + 0.9))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, [100 * r for r in rates], color=[rate_color(r) for r in rates], height=0.7)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_xlabel(title)
    for y, r in zip(positions, rates):
        if r > 0.85:  # no room right of a long bar: write the value inside its end
            ax.text(100 * r - 1, y, f"{100 * r:.0f}%", va="center", ha="right", fontsize=7, color="white")
        else:
            ax.text(100 * r + 1, y, f"{100 * r:.0f}%", va="center", fontsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def course_distributions(titles: Sequence[str], percents: Sequence[Sequence[float]],
                         missing: Sequence[int], totals: Sequence[float]) -> bytes:
    """One histogram per assignment (scores in percent of its maximum, graded and failed
    submissions; the missing ones counted in the title) and one of the weighted totals.

    Inputs:
    - titles: the assignments' titles, length A
    - percents: per assignment, the handed-in submissions' scores in percent, each of shape (n_a,)
    - missing: per assignment, how many students handed in nothing, length A
    - totals: every student's weighted total in percent, shape (S,)
    Returns: PNG bytes.
    """
    import numpy as np

    plt = _pyplot()
    panels = len(titles) + 1
    fig, axes = plt.subplots(1, panels, figsize=(3.2 * panels, 2.6), sharey=True, squeeze=False)
    edges = np.arange(0, 100 + SCORE_BIN_PERCENT, SCORE_BIN_PERCENT)
    series = [*zip(titles, percents, missing), ("weighted total", totals, None)]
    for ax, (title, values, absent) in zip(axes[0], series):
        ax.hist(np.asarray(values, float), bins=edges, color=COLORS["graded"], edgecolor="white")
        ax.set_xlim(0, 100)
        ax.set_xticks(edges[::2])
        label = title if len(title) <= 28 else title[:27] + "…"
        ax.set_title(label if absent is None else f"{label}\n({absent} missing)", fontsize=9)
        ax.set_xlabel("% of the maximum")
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[0][0].set_ylabel("students")
    return _png(fig)
