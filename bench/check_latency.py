"""Latency of a student's local check of a complete notebook: `grader check` vs `nbgrader validate`.

    python bench/check_latency.py [--repeats 5] [--nbgrader-repeats 3] [--no-nbgrader]
                                  [--nbgrader-bug] [--out bench/results/check_latency.json]

A complete submission (the release with every solution cell holding the reference code, built with
grader.release.classgen) is written into a temporary copy of the released assignment folder, next to
toy2d.py, data/ and hyperparameters.json, as a student has it. A second copy holds the same
notebook with one bug (relu_backward passes the gradient where Z == 0 too). Each case runs as a
fresh process in that folder, timed by wall clock:

- `grader check NOTEBOOK`: the kit's console script (the instructors' and TAs' entry point);
- `python check.py`: the runner shipped in the release, run the way a student runs it;
- `grader check NOTEBOOK` on the notebook with the bug: latency when a check fails;
- `nbgrader validate NOTEBOOK`: the peer, which runs every cell in a kernel, demos included
  (with --nbgrader-bug also on the notebook with the bug).

Prints a table (median, min, exit code, summary) and writes JSON to --out. The goal the project
reports against is a check in at most 3 s. The default run takes under a minute on
2 cores, most of it nbgrader.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from grader.paths import course  # noqa: E402
from grader.release.classgen import make_submission, reference_answers  # noqa: E402

ASSIGNMENT = "nn_from_scratch"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
GOAL_S = 3.0
# The console scripts of the interpreter running this file (the project's venv).
BIN = Path(sys.executable).parent
# The bug: ReLU's derivative taken as 1 at Z == 0, which the public check of relu_backward catches.
BUG = {"solution-relu_backward": "def relu_backward(dA, Z):\n    return dA * (Z >= 0)\n"}
# A hung process must not hang the benchmark; far above any expected run.
TIMEOUT_S = 600
_SUMMARY = re.compile(r"(\d+/\d+ checks passed)(?: \(([\d.]+) s\))?")
_NBGRADER_OK = "Success! Your notebook passes all the tests."


@dataclass
class Case:
    """One command, run `repeats` times in `folder`; how to read its output is set by `kind`."""

    name: str
    argv: list[str]
    folder: Path
    repeats: int
    kind: str  # "check" or "nbgrader"
    times: list[float] = field(default_factory=list)
    returncodes: list[int] = field(default_factory=list)
    last_output: str = ""


# ------------------------------------------------------------------------------- notebooks

def prepare_folder(parent: Path, label: str, variant: dict[str, str] | None) -> Path:
    """A copy of the released assignment folder whose notebook is complete (plus `variant`)."""
    the_course = course()
    release = the_course.assignments / ASSIGNMENT
    folder = parent / label / ASSIGNMENT
    shutil.copytree(release, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    answers = reference_answers(the_course.solution_notebook(ASSIGNMENT))
    nbformat.write(make_submission(release / NOTEBOOK, answers, variant), folder / NOTEBOOK)
    return folder


# ------------------------------------------------------------------------------- running

def run_once(case: Case) -> None:
    # Matplotlib's backend is left as the student's environment has it; both tools set Agg or
    # inline themselves, so no variable is forced here.
    start = time.perf_counter()
    proc = subprocess.run(case.argv, cwd=case.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=TIMEOUT_S)
    case.times.append(time.perf_counter() - start)
    case.returncodes.append(proc.returncode)
    case.last_output = proc.stdout


def summary_of(output: str) -> tuple[str, float | None]:
    """("16/16 checks passed", the seconds the runner itself reports) from a check's output."""
    found = _SUMMARY.search(output)
    if not found:
        return "no summary line", None
    return found[1], float(found[2]) if found[2] else None


def failing_rows(output: str) -> list[str]:
    """The table rows of checks that did not pass, to show what the bug looks like to a student."""
    return [line.strip() for line in output.splitlines()
            if "|" in line and not line.startswith(("exercise", "-")) and "| passed" not in line]


def record(case: Case) -> dict:
    """The JSON entry of a case; returncode is the one every run gave, else the list."""
    codes = set(case.returncodes)
    entry: dict = {"median_s": round(statistics.median(case.times), 3), "min_s": round(min(case.times), 3),
                   "n": len(case.times), "returncode": case.returncodes[0] if len(codes) == 1 else case.returncodes,
                   "runs_s": [round(t, 3) for t in case.times]}
    if case.kind == "check":
        entry["summary"], entry["self_reported_s"] = summary_of(case.last_output)
        rows = failing_rows(case.last_output)
        if rows:
            entry["not_passed"] = rows
    else:
        entry["passed"] = _NBGRADER_OK in case.last_output
    entry["argv"] = [Path(case.argv[0]).name, *case.argv[1:]]
    return entry


def build_cases(complete: Path, buggy: Path, args: argparse.Namespace) -> list[Case]:
    grader, python, nbgrader = str(BIN / "grader"), str(BIN / "python"), str(BIN / "nbgrader")
    cases = [Case("grader check", [grader, "check", NOTEBOOK], complete, args.repeats, "check"),
             # No argument: check.py finds the one notebook of the folder, as students run it.
             Case("python check.py", [python, "check.py"], complete, args.repeats, "check"),
             Case("grader check (one bug)", [grader, "check", NOTEBOOK], buggy, args.repeats, "check")]
    if not args.no_nbgrader:
        cases.append(Case("nbgrader validate", [nbgrader, "validate", NOTEBOOK], complete,
                          args.nbgrader_repeats, "nbgrader"))
        if args.nbgrader_bug:
            cases.append(Case("nbgrader validate (one bug)", [nbgrader, "validate", NOTEBOOK], buggy,
                              args.nbgrader_repeats, "nbgrader"))
    return cases


def run_cases(cases: list[Case]) -> None:
    # Interleaved rounds rather than one case after another, so that a slow spell of the machine
    # does not land on a single case.
    for round_ in range(max(c.repeats for c in cases)):
        for case in cases:
            if round_ < case.repeats:
                run_once(case)
                print(f"  {case.name:<28} run {round_ + 1}/{case.repeats}: {case.times[-1]:6.2f} s", flush=True)


# ------------------------------------------------------------------------------- report

def outcome(entry: dict) -> str:
    if "summary" in entry:
        return entry["summary"]
    return "Success" if entry["passed"] else "validation failed"


def table(cases: dict[str, dict], ratio: float | None) -> str:
    head = f"{'case':<28} {'median s':>9} {'min s':>7} {'n':>2} {'exit':>5}  outcome"
    lines = [head, "-" * len(head)]
    for name, e in cases.items():
        lines.append(f"{name:<28} {e['median_s']:>9.2f} {e['min_s']:>7.2f} {e['n']:>2} "
                     f"{str(e['returncode']):>5}  {outcome(e)}")
    check = cases["grader check"]["median_s"]
    verdict = "meets" if check <= GOAL_S else "MISSES"
    lines += ["", f"grader check median {check:.2f} s {verdict} the goal of <= {GOAL_S:g} s."]
    if ratio is not None:
        lines.append(f"nbgrader validate / grader check (medians): {ratio:.1f}x")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each grader check case (default 5)")
    parser.add_argument("--nbgrader-repeats", type=int, default=3, help="runs of nbgrader validate (default 3)")
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader validate")
    parser.add_argument("--nbgrader-bug", action="store_true",
                        help="also time nbgrader validate on the notebook with the bug")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "check_latency.json",
                        help="JSON output (default bench/results/check_latency.json)")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.nbgrader_repeats < 1:
        parser.error("repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="check_latency_") as tmp:
        complete = prepare_folder(Path(tmp), "complete", None)
        buggy = prepare_folder(Path(tmp), "one_bug", BUG)
        cases = build_cases(complete, buggy, args)
        run_cases(cases)
        entries = {case.name: record(case) for case in cases}
    ratio = None
    if "nbgrader validate" in entries:
        ratio = round(entries["nbgrader validate"]["median_s"] / entries["grader check"]["median_s"], 2)
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "notebook": "complete", "bug": BUG, "cases": entries,
              "ratio_nbgrader_over_check": ratio, "goal_s": GOAL_S,
              "bench_wall_s": round(time.perf_counter() - started, 1)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(table(entries, ratio))
    print(f"\nbenchmark wall time {result['bench_wall_s']:.0f} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
