"""What the isolation between students costs: `grader autograde --jobs J` with the current code
against a baseline commit, on the same generated classes, in one run, as a ratio.

    python bench/isolation_cost.py [--base REV] [--current REV] [--n 40] [--jobs 2] [--rounds 3]
        [--assignments nn_from_scratch training_networks] [--seed 7] [--class-seed 0]
        [--out bench/results/isolation_cost.json]

The baseline (default bench/baseline.BASELINE, the commit before the isolation between students)
is exported with `git archive` and run with this interpreter; the current side is this checkout
(or, with --current, another export). For each assignment, bench/make_class.py writes one class
(correct, mutant, stub and hostile submissions); then every round grades it once with each side,
the order alternating from round to round (so that a drift of the machine's load hits both
sides), every run with the same run seed. Reported per assignment: the median wall time of each
side, their ratio (current / baseline; the goal is at most 1.10), the same for the CPU time of
the whole grading (grader, pool and sandbox processes: less moved by other load on the machine),
and every submission whose score or status differs between the sides (none may, but for hostile
code whose outcome the isolation changed on purpose).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import baseline  # noqa: E402

from grader.grading import results  # noqa: E402

#: current / baseline wall time, at most.
GOAL_RATIO = 1.10
ASSIGNMENTS = ("nn_from_scratch", "training_networks")


def make_class(assignment: str, out: Path, n: int, seed: int) -> dict:
    env = dict(os.environ, NNKIT_BENCH_ASSIGNMENT=assignment)
    subprocess.run([sys.executable, str(HERE / "make_class.py"), str(out), "--n", str(n),
                    "--seed", str(seed)], env=env, check=True, stdout=subprocess.DEVNULL)
    expected = json.loads((out / "expected.json").read_text())
    (out / "expected.json").unlink()   # `grader autograde` takes the folder as a class
    return expected


def grade(root: Path | None, assignment: str, subs: Path, out: Path, jobs: int, seed: int) -> dict:
    argv, env, cwd = baseline.side(root)
    argv = [*argv, "autograde", str(subs), "--assignment", assignment, "--out", str(out),
            "--jobs", str(jobs), "--seed", str(seed), "--no-progress"]
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode != 0:
        raise SystemExit(f"grading failed ({proc.returncode}): {proc.stderr[-2000:]}")
    scores = {r["student"]: (r["score"], r["status"]) for r in results.load_results(out)}
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "loadavg_before": round(load, 2),
            "scores": scores}


def compare(expected: dict, base: dict, cur: dict) -> list[dict]:
    return [{"student": s, "kind": expected["students"].get(s, {}).get("kind"),
             "detail": expected["students"].get(s, {}).get("detail"),
             "baseline": base[s], "current": cur.get(s)}
            for s in sorted(base) if base[s] != cur.get(s)]


def run_assignment(assignment: str, sides: dict[str, Path | None], work: Path, args) -> dict:
    subs = work / assignment / "class"
    expected = make_class(assignment, subs, args.n, args.class_seed)
    runs: dict[str, list[dict]] = {name: [] for name in sides}
    for r in range(args.rounds):
        order = list(sides) if r % 2 == 0 else list(reversed(sides))
        for name in order:
            out = work / assignment / f"out-{name}-{r}"
            runs[name].append(grade(sides[name], assignment, subs, out, args.jobs, args.seed))
            shutil.rmtree(out, ignore_errors=True)
    walls = {name: [run["wall_s"] for run in runs[name]] for name in sides}
    cpus = {name: [run["cpu_s"] for run in runs[name]] for name in sides}
    medians = {name: statistics.median(w) for name, w in walls.items()}
    cpu_medians = {name: statistics.median(c) for name, c in cpus.items()}
    ratio = medians["current"] / medians["baseline"]
    differs = compare(expected, runs["baseline"][-1]["scores"], runs["current"][-1]["scores"])
    return {"n": args.n, "kinds": _kinds(expected), "walls_s": walls,
            "median_wall_s": {k: round(v, 3) for k, v in medians.items()},
            "ratio": round(ratio, 3), "cpus_s": cpus,
            "median_cpu_s": {k: round(v, 3) for k, v in cpu_medians.items()},
            "cpu_ratio": round(cpu_medians["current"] / cpu_medians["baseline"], 3),
            "round_ratios": [round(c["wall_s"] / b["wall_s"], 3)
                             for b, c in zip(runs["baseline"], runs["current"])],
            "loadavg_before": {name: [run["loadavg_before"] for run in runs[name]] for name in sides},
            "goal": GOAL_RATIO, "met": ratio <= GOAL_RATIO, "differences": differs}


def _kinds(expected: dict) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for entry in expected["students"].values():
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    return dict(sorted(kinds.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=baseline.BASELINE, help="baseline commit")
    parser.add_argument("--current", help="a commit for the current side (default: this checkout)")
    parser.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS))
    parser.add_argument("--n", type=int, default=40, help="submissions per class (default 40)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side (default 3)")
    parser.add_argument("--seed", type=int, default=7, help="run seed of every grading")
    parser.add_argument("--class-seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "isolation_cost.json")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="nnkit-isolation-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        sides = {"baseline": baseline.export(args.base, work / "baseline")}
        baseline.check_import(sides["baseline"])
        sides["current"] = baseline.export(args.current, work / "current") if args.current else None
        report = {"base": baseline.short_hash(args.base),
                  "current": baseline.short_hash(args.current) if args.current else
                  f"this checkout ({baseline.short_hash('HEAD')})",
                  "jobs": args.jobs, "rounds": args.rounds, "run_seed": args.seed,
                  "cpus": os.cpu_count(), "machine": platform.platform(),
                  "assignments": {a: run_assignment(a, sides, work, args) for a in args.assignments}}
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    for name, a in report["assignments"].items():
        print(f"{name}: baseline {a['median_wall_s']['baseline']} s, current "
              f"{a['median_wall_s']['current']} s (median of {args.rounds}); current / baseline "
              f"{a['ratio']} (rounds: {a['round_ratios']}; goal <= {GOAL_RATIO}: "
              f"{'met' if a['met'] else 'NOT met'}); CPU of the whole grading (grader and sandboxes) "
              f"current / baseline {a['cpu_ratio']}; {len(a['differences'])} submissions differ")
        for d in a["differences"]:
            print(f"  {d['student']} ({d['kind']}: {d['detail']}): {d['baseline']} -> {d['current']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
