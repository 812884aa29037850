"""Scale acceptance of `grader autograde`, and what one submission costs.

    python bench/scale_run.py [--n 200] [--class-seed 0] [--seed 7] [--keep DIR]

1. Generates a class with bench/make_class.py in a temporary folder (or --keep DIR).
2. Grades it twice with the CLI: `--jobs 2` into A, then `--jobs 1` into B (same run seed).
3. Checks: every student has a complete result in A and in B (nothing lost); A and B are
   identical apart from timing fields, and so are the CSVs; how many exact expectations of
   expected.json are met (approximate ones reported separately); no hostile submission scores
   more than its honest work. Unless --no-oracle, the honest part of every distinct submission
   (reference + mutant / wrong function / stubs; never the hostile code) is also graded
   in-process at the run seed, and the sandboxed points are compared with it test by test.
4. Measures the per-submission floor: a sandbox session with `import numpy` (start + one trivial
   call + close) against `python -c "import numpy"`, the same with the release's setup cell
   (which imports Matplotlib), a full correct notebook, and the call round trip.
5. Prints a table and writes everything to bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_class  # noqa: E402

from grader import results  # noqa: E402
from grader.paths import course  # noqa: E402

ASSIGNMENT = make_class.ASSIGNMENT
GRADER = [sys.executable, "-m", "grader.cli"]


# ------------------------------------------------------------------------------- grading runs

def autograde(subs: Path, out: Path, jobs: int, seed: int, log: Path) -> dict:
    """Run the CLI once; return wall time, exit code and load averages around it."""
    load_before = os.getloadavg()
    t0 = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.run([*GRADER, "autograde", str(subs), "--out", str(out), "--jobs",
                               str(jobs), "--seed", str(seed), "--no-progress"],
                              stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    wall = time.monotonic() - t0
    return {"jobs": jobs, "wall_s": round(wall, 2), "returncode": proc.returncode,
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()], "log": str(log)}


def collect(out: Path, students: list[str]) -> tuple[dict[str, dict], list[str]]:
    """(student -> complete result, students without one)."""
    found, lost = {}, []
    for s in students:
        r = results.read_result(results.result_path(out, s, ASSIGNMENT))
        if r is None:
            lost.append(s)
        else:
            found[s] = r
    return found, lost


def compare_runs(a: dict[str, dict], b: dict[str, dict], out_a: Path, out_b: Path) -> dict:
    differ = []
    for s in sorted(set(a) | set(b)):
        if s not in a or s not in b or results.without_timing(a[s]) != results.without_timing(b[s]):
            differ.append(s)
    csv_a, csv_b = out_a / results.CSV_FILE, out_b / results.CSV_FILE
    csv_same = csv_a.is_file() and csv_b.is_file() and csv_a.read_bytes() == csv_b.read_bytes()
    return {"identical": not differ and csv_same, "differing_students": differ,
            "csv_identical": csv_same}


def check_expectations(expected: dict[str, dict], got: dict[str, dict]) -> dict:
    exact_met, exact_missed, approx_met, approx_missed, over_honest = [], [], [], [], []
    for s, e in sorted(expected.items()):
        r = got.get(s)
        if r is None:
            continue
        ok = (r["status"], float(r["score"])) == (e["status"], float(e["score"]))
        row = {"student": s, "kind": e["kind"], "detail": e["detail"], "expected": e["score"],
               "expected_status": e["status"], "score": r["score"], "status": r["status"]}
        if e["kind"] != "mutant" and "lost" in e:   # hostile: the sabotaged checks must fail
            passed = [t["id"] for t in r["tests"] if t["id"] in e["lost"] and t["status"] == "passed"]
            if passed:
                row["sabotaged_checks_passed"] = passed
            if float(r["score"]) > float(e["score"]) or passed:
                over_honest.append(row)
        if not ok:
            row["not_passed"] = [(t["id"], t["status"], t["message"][:160])
                                 for t in r["tests"] if t["status"] != "passed"]
        if e["exact"]:
            (exact_met if ok else exact_missed).append(row if not ok else s)
        else:
            (approx_met if ok else approx_missed).append(row if not ok else s)
    return {"exact_met": len(exact_met), "exact_total": len(exact_met) + len(exact_missed),
            "exact_missed": exact_missed, "approx_met": len(approx_met),
            "approx_total": len(approx_met) + len(approx_missed), "approx_missed": approx_missed,
            "hostile_over_honest": over_honest}


# ------------------------------------------------------------------------------- the oracle

def oracle(expected: dict[str, dict], got: dict[str, dict], seed: int) -> dict:
    """Grade each distinct honest part in-process at the run seed; compare points per test."""
    import numpy as np

    from autograde_tests import engine, reference
    from autograde_tests.student import InProcessStudent

    sources = reference.solution_sources(course().solution_notebook(ASSIGNMENT))
    cache: dict[str, dict[str, float]] = {}
    t0 = time.monotonic()
    mismatches, over = [], []
    compared = 0
    for s, e in sorted(expected.items()):
        if "honest_code" not in e or s not in got:
            continue
        code = e["honest_code"]
        if code not in cache:
            namespace: dict = {"np": np, "__name__": "oracle"}
            for src in sources:
                exec(compile(src, "<reference>", "exec"), namespace)  # trusted reference
            exec(compile(code, f"<honest part of {e['detail']}>", "exec"), namespace)  # no hostile code
            namespace.pop("EXPECT", None)
            cache[code] = {t.id: t.points for t in engine.run_checks(InProcessStudent(namespace), seed)}
        want = cache[code]
        have = {t["id"]: t["points"] for t in got[s]["tests"]}
        compared += 1
        diff = {i: (have.get(i), want[i]) for i in want if have.get(i) != want[i]}
        if diff:
            mismatches.append({"student": s, "kind": e["kind"], "detail": e["detail"],
                               "sandbox_vs_inprocess": diff})
        if sum(have.values()) > sum(want.values()):
            over.append(s)
    return {"compared": compared, "distinct_codes": len(cache), "mismatches": mismatches,
            "over_inprocess": over, "seconds": round(time.monotonic() - t0, 1)}


# ------------------------------------------------------------------------------- time breakdown

def _stats(xs: list[float]) -> dict:
    if not xs:
        return {}
    xs = sorted(xs)
    return {"n": len(xs), "median": round(statistics.median(xs), 3),
            "mean": round(statistics.fmean(xs), 3), "p90": round(xs[int(0.9 * (len(xs) - 1))], 3),
            "max": round(xs[-1], 3), "sum": round(sum(xs), 1)}


def breakdown(expected: dict[str, dict], got: dict[str, dict]) -> dict:
    """Per-submission time: total, checks (sum of the tests' durations), the rest (load etc.)."""
    by_kind: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_check: dict[str, list[float]] = defaultdict(list)
    for s, r in got.items():
        kind = expected[s]["kind"]
        if kind == "hostile":
            kind = "hostile:" + expected[s]["detail"].split(":")[0]
        checks = sum(t.get("duration", 0.0) for t in r["tests"])
        by_kind[kind]["total"].append(r["duration"])
        by_kind[kind]["checks"].append(checks)
        by_kind[kind]["load_and_rest"].append(r["duration"] - checks)
        if expected[s]["kind"] == "correct":
            for t in r["tests"]:
                per_check[t["id"]].append(t["duration"])
    kinds = {k: {part: _stats(v) for part, v in parts.items()} for k, parts in sorted(by_kind.items())}
    checks = sorted(((cid, statistics.median(v)) for cid, v in per_check.items()),
                    key=lambda x: -x[1])
    return {"by_kind": kinds,
            "correct_checks_median_s": {cid: round(m, 4) for cid, m in checks},
            "sum_of_durations_s": round(sum(r["duration"] for r in got.values()), 1)}


# ------------------------------------------------------------------------------- overhead

def _median_ms(xs: list[float]) -> float:
    return round(1000 * statistics.median(xs), 1)


def overhead(repeats: int, correct_notebook: Path | None) -> dict:
    """Medians of the fixed cost of one worker; the cases are interleaved, round after round, so
    that a change of the machine's load hits all of them alike."""
    import numpy

    from grader import sandbox
    from grader.grading import Assignment
    from grader.submission import code_to_run

    release_dir = course().assignments / ASSIGNMENT
    assignment = Assignment.from_release(release_dir)
    setup = list(assignment.release.setup_sources)
    setup_code = "\n".join(setup)
    trivial = "def f(x):\n    return x\n"
    site_dir = str(Path(numpy.__file__).resolve().parent.parent)

    def session_case(cells: list[str], files: dict | None):
        def once() -> dict[str, float]:
            t0 = time.perf_counter()
            s = sandbox.SubmissionSession(cells, workdir_files=files)
            report = s.start()
            t1 = time.perf_counter()
            if not report.ok or report.cell_errors:
                raise RuntimeError(f"the cells did not load: {report.cell_errors}")
            s.call("f", (1,))
            t2 = time.perf_counter()
            s.close()
            t3 = time.perf_counter()
            return {"total": t3 - t0, "start": t1 - t0, "call": t2 - t1, "close": t3 - t2}
        return once

    def process_case(code: str, cwd: Path, *, like_worker: bool = False,
                     fresh_mpl_cache: bool = False):
        """A plain subprocess; like_worker: `-I -S` with only site-packages and cwd on the path,
        and one BLAS thread (as in the worker); fresh_mpl_cache: Matplotlib builds its font
        cache again (as in every worker, whose MPLCONFIGDIR is in its private /tmp)."""
        argv = [sys.executable, "-c", code]
        if like_worker:
            argv = [sys.executable, "-I", "-S", "-c",
                    f"import sys; sys.path[:0] = [{site_dir!r}, '.']\n" + code]

        def once() -> dict[str, float]:
            env = {**os.environ, "MPLBACKEND": "Agg"}
            if like_worker:   # the worker's environment: one BLAS thread
                env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
            with tempfile.TemporaryDirectory() as mpl:
                if fresh_mpl_cache:
                    env["MPLCONFIGDIR"] = mpl
                t0 = time.perf_counter()
                subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                return {"total": time.perf_counter() - t0}
        return once

    cases = {
        "python -c 'pass' (interpreter only)": process_case("pass", ROOT),
        "python -c 'import numpy'": process_case("import numpy", ROOT),
        "python -I -S -c 'import numpy', 1 BLAS thread": process_case("import numpy", ROOT, like_worker=True),
        "sandbox: import numpy + 1 call": session_case(["import numpy as np", trivial], None),
        "python -c <release setup cell>": process_case(setup_code, release_dir),
        "python -I -S -c <setup cell>, 1 BLAS thread": process_case(setup_code, release_dir, like_worker=True),
        "  same, new font cache each time": process_case(
            setup_code, release_dir, like_worker=True, fresh_mpl_cache=True),
        "sandbox: release setup cell + 1 call": session_case([*setup, trivial],
                                                             assignment.workdir_files),
    }
    if correct_notebook is not None:
        cells = code_to_run(correct_notebook, assignment.release)
        cases["sandbox: full correct notebook + 1 call"] = session_case([*cells, trivial],
                                                                        assignment.workdir_files)
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in cases}
    load_before = os.getloadavg()
    for _ in range(repeats):
        for name, once in cases.items():
            samples[name].append(once())
    rows: dict[str, dict] = {}
    for name, got in samples.items():
        row = {"median_ms": _median_ms([g["total"] for g in got]),
               "min_ms": round(1000 * min(g["total"] for g in got), 1), "n": len(got)}
        for part in ("start", "call", "close"):
            if part in got[0]:
                row[f"{part}_ms"] = _median_ms([g[part] for g in got])
        rows[name] = row
    with sandbox.SubmissionSession(["import numpy as np", trivial]) as s:
        s.start()
        times = []
        for _ in range(300):
            t0 = time.perf_counter()
            s.call("f", (1,))
            times.append(time.perf_counter() - t0)
    rows["sandbox: trivial call round trip"] = {"median_ms": round(1000 * statistics.median(times), 3),
                                                "min_ms": round(1000 * min(times), 3), "n": 300}
    return {"isolation": sandbox.isolation_mode(), "cases": rows,
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()]}


def fixed_cost(repeats: int, seed: int) -> dict:
    """Wall time of a whole CLI run over one submission that needs no worker (an empty file):
    interpreter, imports, pool start and warm-up, result files, CSV."""
    times = {}
    with tempfile.TemporaryDirectory(prefix="nnkit-fixed-") as tmp:
        subs = Path(tmp) / "subs"
        (subs / "only" / ASSIGNMENT).mkdir(parents=True)
        (subs / "only" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").write_bytes(b"")
        for jobs in (1, 2):
            walls = []
            for i in range(repeats):
                r = autograde(subs, Path(tmp) / f"out{jobs}-{i}", jobs, seed, Path(tmp) / "log")
                walls.append(r["wall_s"])
            times[f"jobs {jobs}"] = {"median_s": round(statistics.median(walls), 2),
                                     "min_s": min(walls), "n": repeats}
    return times


def import_cost(repeats: int) -> dict:
    """What importing the grader costs a fresh process (the CLI and every pool process pay it):
    wall time of `import grader.autograde`, and the modules with the largest own import time."""
    walls, slowest = [], Counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import grader.autograde"],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - t0)
        for line in proc.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[0].split(":")[-1].strip().isdigit():
                slowest[parts[2].strip()] += int(parts[0].split(":")[-1]) / repeats
    return {"median_s": round(statistics.median(walls), 2), "min_s": round(min(walls), 2),
            "n": repeats,
            "largest_own_import_ms": {m: round(us / 1000, 1) for m, us in slowest.most_common(5)}}


# ------------------------------------------------------------------------------- report

def print_report(report: dict) -> None:
    runs = report.get("runs")
    if runs:
        a, b = runs["jobs2"], runs["jobs1"]
        n = report["n"]
        print(f"\n== grading {n} submissions (run seed {report['run_seed']}, "
              f"{report['machine']['cpus']} cpus, {report['isolation']})")
        for key, r in (("jobs 2", a), ("jobs 1", b)):
            print(f"  {key}: {r['wall_s']:8.1f} s wall  {n / r['wall_s']:6.2f} subs/s  "
                  f"rc={r['returncode']}  load {r['loadavg_before'][0]:.2f} -> {r['loadavg_after'][0]:.2f}")
        print(f"  speed-up jobs2 vs jobs1: {b['wall_s'] / a['wall_s']:.2f}x")
        c = report["checks"]
        print(f"  lost results: jobs2 {len(c['lost_jobs2'])}, jobs1 {len(c['lost_jobs1'])}")
        print(f"  identical apart from timing: {c['compare']['identical']} "
              f"(differing students: {len(c['compare']['differing_students'])}, "
              f"CSV identical: {c['compare']['csv_identical']})")
        e = c["expectations"]
        print(f"  exact expectations met: {e['exact_met']}/{e['exact_total']}; "
              f"approx: {e['approx_met']}/{e['approx_total']}; hostile above honest work: "
              f"{len(e['hostile_over_honest'])}")
        for row in e["exact_missed"] + e["approx_missed"]:
            print(f"    missed {row['student']} {row['detail']}: {row['status']} {row['score']} "
                  f"(expected {row['expected_status']} {row['expected']})")
        o = c.get("oracle")
        if o:
            print(f"  in-process oracle: {o['compared']} compared ({o['distinct_codes']} distinct), "
                  f"{len(o['mismatches'])} differ test by test, {len(o['over_inprocess'])} above it")
        t = report["time"]
        print("  per-submission time (jobs 1 run), median s: total / checks / load+rest")
        for kind, parts in t["by_kind"].items():
            print(f"    {kind:<22} {parts['total']['median']:7.2f} {parts['checks']['median']:7.2f} "
                  f"{parts['load_and_rest']['median']:7.2f}   (n={parts['total']['n']}, "
                  f"max total {parts['total']['max']:.1f})")
        top = list(t["correct_checks_median_s"].items())[:6]
        print("  slowest checks on correct submissions (median s): "
              + ", ".join(f"{k} {v:.3f}" for k, v in top))
        print(f"  grading time outside grade_notebook (jobs 1): "
              f"{t['outside_grading_per_sub_s']:.3f} s/sub")
    ov = report.get("overhead")
    if ov:
        rounds = next(iter(ov["cases"].values()))["n"]
        print(f"\n== per-submission floor ({ov['isolation']}), medians of {rounds} interleaved "
              f"rounds, load {ov['loadavg_before'][0]:.2f} -> {ov['loadavg_after'][0]:.2f}")
        for name, r in ov["cases"].items():
            extra = (f"  start {r['start_ms']:.0f} / call {r['call_ms']:.1f} / close {r['close_ms']:.1f}"
                     if "start_ms" in r else "")
            print(f"  {name:<46} {r['median_ms']:9.1f} ms  (min {r['min_ms']}){extra}")
        imp = ov.get("import_grader_autograde")
        if imp:
            label = "python -c 'import grader.autograde'"
            print(f"  {label:<46} {1000 * imp['median_s']:9.1f} ms"
                  f"  (min {1000 * imp['min_s']:.0f}); largest own import times: "
                  + ", ".join(f"{m} {ms:.0f} ms" for m, ms in imp["largest_own_import_ms"].items()))
        for jobs, r in ov.get("fixed_cost_of_a_run", {}).items():
            print(f"  {'grader autograde, 1 empty notebook, ' + jobs:<46} {1000 * r['median_s']:9.1f} ms"
                  f"  (min {1000 * r['min_s']:.0f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--class-seed", type=int, default=0, help="seed of the class mix")
    parser.add_argument("--seed", type=int, default=7, help="run seed of both grading runs")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--repeats", type=int, default=30, help="repeats of each overhead case")
    parser.add_argument("--no-runs", action="store_true",
                        help="only measure the overhead (keeps the runs already in --json)")
    parser.add_argument("--no-overhead", action="store_true")
    parser.add_argument("--no-oracle", action="store_true")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "scale.json")
    args = parser.parse_args(argv)

    from grader import sandbox

    work = args.keep or Path(tempfile.mkdtemp(prefix="nnkit-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"n": args.n, "class_seed": args.class_seed, "run_seed": args.seed,
                    "isolation": sandbox.isolation_mode(),
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform()}}
    correct_nb = None
    try:
        subs = work / "submissions"
        if subs.exists():
            shutil.rmtree(subs)
        expected = make_class.write_class(subs, args.n, args.class_seed)["students"]
        correct_nb = next((subs / s / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
                           for s, e in expected.items() if e["kind"] == "correct"), None)
        report["class"] = dict(Counter(e["kind"] for e in expected.values()))
        if not args.no_runs:
            out_a, out_b = work / "A-jobs2", work / "B-jobs1"
            for out in (out_a, out_b):
                shutil.rmtree(out, ignore_errors=True)
            print(f"grading {args.n} submissions in {work} ...", flush=True)
            run_a = autograde(subs, out_a, 2, args.seed, work / "A-jobs2.log")
            print(f"  jobs 2: {run_a['wall_s']} s", flush=True)
            run_b = autograde(subs, out_b, 1, args.seed, work / "B-jobs1.log")
            print(f"  jobs 1: {run_b['wall_s']} s", flush=True)
            report["runs_measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
            report["runs"] = {"jobs2": run_a, "jobs1": run_b,
                              "ratio_jobs1_over_jobs2": round(run_b["wall_s"] / run_a["wall_s"], 3),
                              "subs_per_s": {"jobs2": round(args.n / run_a["wall_s"], 3),
                                             "jobs1": round(args.n / run_b["wall_s"], 3)}}
            students = sorted(expected)
            got_a, lost_a = collect(out_a, students)
            got_b, lost_b = collect(out_b, students)
            checks = {"lost_jobs2": lost_a, "lost_jobs1": lost_b,
                      "compare": compare_runs(got_a, got_b, out_a, out_b),
                      "expectations": check_expectations(expected, got_a),
                      "expectations_jobs1": {k: v for k, v in check_expectations(
                          expected, got_b).items() if k in ("exact_met", "exact_total",
                                                           "approx_met", "approx_total")},
                      "statuses": dict(Counter(r["status"] for r in got_a.values()))}
            report["checks"] = checks
            t = breakdown(expected, got_b)
            t["outside_grading_per_sub_s"] = round(
                (run_b["wall_s"] - t["sum_of_durations_s"]) / max(1, len(got_b)), 3)
            t["jobs2"] = {"sum_of_durations_s": round(sum(r["duration"] for r in got_a.values()), 1),
                          "busy_fraction": round(sum(r["duration"] for r in got_a.values())
                                                 / (2 * run_a["wall_s"]), 3)}
            report["time"] = t
            if not args.no_oracle:
                print("in-process oracle ...", flush=True)
                checks["oracle"] = oracle(expected, got_a, args.seed)
        if not args.no_overhead:
            print("measuring the per-submission floor ...", flush=True)
            report["overhead"] = overhead(args.repeats, correct_nb)
            report["overhead"]["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S")
            report["overhead"]["fixed_cost_of_a_run"] = fixed_cost(5, args.seed)
            report["overhead"]["import_grader_autograde"] = import_cost(5)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            report["work"] = str(work)
    if args.no_runs and args.json.is_file():   # keep the grading runs of an earlier full run
        earlier = json.loads(args.json.read_text())
        for key in ("runs", "checks", "time", "class", "n", "class_seed", "run_seed", "work",
                    "runs_measured_at"):
            if key in earlier:
                report[key] = earlier[key]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n")
    print_report(report)
    print(f"\nwritten: {args.json}")
    bad = report.get("checks") and (report["checks"]["lost_jobs2"] or report["checks"]["lost_jobs1"]
                                     or not report["checks"]["compare"]["identical"]
                                     or report["checks"]["expectations"]["hostile_over_honest"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
