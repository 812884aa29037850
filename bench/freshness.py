"""What a fresh process per check costs: seconds per submission with and without it.

    python bench/freshness.py [--n 12] [--rounds 3] [--out bench/results/freshness.json]

Every check of a submission runs in a process freshly forked from the submission's host, with the
student's cells run again, so that no state survives from one check to the next
(grader/sandbox/session.py). The peer is the same grading with `SubmissionSession.new_check`
made a no-op, i.e. every check of a submission served by one process, as the grader did before.
Both are measured in one warm process, on the same generated honest submissions (correct,
mutants, stubs: bench/make_class.py), round by round interleaved so that a busy moment of the
machine spreads over both; the scores must be equal. Reported: median seconds per submission of
each, their difference per submission and per check, and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_class  # noqa: E402

from autograde_tests import engine  # noqa: E402
from grader import sandbox  # noqa: E402
from grader.grading.autograde import course_assignment  # noqa: E402
from grader.grading.grade import grade_notebook  # noqa: E402
from grader.grading.limits import grading_limits  # noqa: E402
from grader.paths import course  # noqa: E402
from grader.sandbox.session import SubmissionSession  # noqa: E402

SEED = 7


def _grade_all(notebooks: list[Path], assignment, fresh: bool) -> tuple[float, dict[str, float]]:
    """(wall seconds, {student: score}) for grading every notebook once."""
    original = SubmissionSession.new_check
    if not fresh:
        SubmissionSession.new_check = lambda self: None  # one process for every check
    try:
        t0 = time.perf_counter()
        scores = {}
        for nb in notebooks:
            student = nb.parent.parent.name
            scores[student] = grade_notebook(nb, student, assignment, SEED, grading_limits())["score"]
        return time.perf_counter() - t0, scores
    finally:
        SubmissionSession.new_check = original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12, help="students generated (default 12)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "freshness.json")
    args = parser.parse_args(argv)
    assignment = course_assignment(course(), make_class.ASSIGNMENT)
    assignment.load_reference()
    with tempfile.TemporaryDirectory(prefix="nnkit-freshness-") as tmp:
        expected = make_class.write_class(Path(tmp), args.n, 0)["students"]
        honest = sorted(s for s, e in expected.items() if e["kind"] in ("correct", "mutant", "stubs"))
        notebooks = [Path(tmp) / s / make_class.ASSIGNMENT / f"{make_class.ASSIGNMENT}.ipynb"
                     for s in honest]
        _grade_all(notebooks[:1], assignment, True)   # warm-up: font cache, reference, specs
        times: dict[str, list[float]] = {"fresh process per check": [], "one process for all checks": []}
        scores: dict[str, dict] = {}
        for _ in range(args.rounds):
            for name, fresh in (("fresh process per check", True), ("one process for all checks", False)):
                seconds, got = _grade_all(notebooks, assignment, fresh)
                times[name].append(seconds / len(notebooks))
                scores[name] = got
    fresh_s = statistics.median(times["fresh process per check"])
    shared_s = statistics.median(times["one process for all checks"])
    checks = len(engine.all_checks(make_class.ASSIGNMENT))
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "isolation": sandbox.isolation_mode()},
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "submissions": len(notebooks), "rounds": args.rounds, "checks": checks,
        "per_submission_s": {name: round(statistics.median(v), 3) for name, v in times.items()},
        "all_rounds_s": {name: [round(x, 3) for x in v] for name, v in times.items()},
        "difference_per_submission_s": round(fresh_s - shared_s, 3),
        "difference_per_check_ms": round((fresh_s - shared_s) / checks * 1000, 2),
        "ratio_fresh_over_shared": round(fresh_s / shared_s, 3),
        "same_scores": scores["fresh process per check"] == scores["one process for all checks"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({k: report[k] for k in ("per_submission_s", "difference_per_submission_s",
                                             "difference_per_check_ms", "ratio_fresh_over_shared",
                                             "same_scores")}, indent=1))
    print(f"written: {args.out}")
    return 0 if report["same_scores"] else 1


if __name__ == "__main__":
    sys.exit(main())
