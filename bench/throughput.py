"""Class grading throughput: `grader autograde --jobs J` against nbgrader's autograde, same notebooks.

    python bench/throughput.py [--n 200] [--class-seed 0] [--seed 7] [--jobs 2]
                               [--nbgrader-timeout 120] [--include-hostile] [--keep DIR]
                               [--out bench/results/throughput.json]

1. bench/make_class.py writes a synthetic class (correct / mutant / stubs / hostile). Unless
   --include-hostile, the hostile submissions (endless loops, memory bombs, os._exit, fork
   attempts, fake scores, patched np.allclose) and the invalid files (not JSON, empty) are left
   out of BOTH sides: they can hang or wreck an nbgrader run, and a throughput comparison needs
   the same submission set on each side. The graded set is copied into its own folder.
2. Grader: the CLI `grader autograde SUBS --out DIR --jobs J --seed K --no-progress` in a
   subprocess; wall time of the whole command (interpreter start, pool, result files, CSV).
3. nbgrader: `grader nbgrader generate` (timed apart, a one-off setup not counted in the
   throughput), then `grader nbgrader autograde SUBS --seed K` in a subprocess: real nbgrader
   through its Python API, one notebook after the other (its only mode), with $NNKIT_SEED set to
   the same run seed so that the hidden tests draw the same inputs as the grader's.
4. Agreement: for the honest submissions (correct, mutant, stubs) the grader's total is compared
   with the gradebook total of the same student; a mismatch lists both scores, the expected score
   from expected.json and the grade cells whose points differ.

What the two sides do is not the same work, and the report says so: nbgrader executes every cell
of the notebook, including the demo cells that train on six datasets and draw plots, then the
hidden tests in the student's kernel; the grader runs only the setup, solution and student cells
in a sandboxed worker and calls the checks from outside. Throughput here is "time to a gradebook
for this class", not time per identical unit of work. Scores of hostile submissions, when
included, are recorded but not compared (nbgrader has no isolation from them).
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
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_class  # noqa: E402

from grader import nbgrader_course as nc  # noqa: E402
from grader import results  # noqa: E402

ASSIGNMENT = make_class.ASSIGNMENT
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
HONEST_KINDS = ("correct", "mutant", "stubs")
GOAL_RATIO = 10.0


def grader_cli() -> list[str]:
    """The installed `grader` script of this interpreter's environment, else the module."""
    script = Path(sys.executable).with_name("grader")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "grader.cli"]


def _load() -> float:
    return round(os.getloadavg()[0], 2)


# ------------------------------------------------------------------------------- the class

def select(expected: dict[str, dict], include_hostile: bool) -> list[str]:
    """Students graded on both sides: honest ones, plus hostile and invalid ones on request."""
    return sorted(s for s, e in expected.items()
                  if include_hostile or (e["kind"] != "hostile" and e["status"] != "invalid"))


def copy_subset(all_subs: Path, subs: Path, students: list[str]) -> None:
    """Both tools take a folder, not a list: give them one that holds exactly the graded set."""
    for s in students:
        shutil.copytree(all_subs / s, subs / s)


# ------------------------------------------------------------------------------- the two runs

def run_timed(argv: list[str], log: Path) -> tuple[float, int, float, float]:
    """(wall seconds, exit code, 1-min load before, after); output goes to the log."""
    before = _load()
    t0 = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
    return time.monotonic() - t0, proc.returncode, before, _load()


def run_grader(subs: Path, out: Path, jobs: int, seed: int, log: Path, n: int) -> dict:
    argv = [*grader_cli(), "autograde", str(subs), "--out", str(out), "--jobs", str(jobs),
            "--seed", str(seed), "--no-progress"]
    wall, rc, before, after = run_timed(argv, log)
    durations = [r["duration"] for s in sorted(p.name for p in subs.iterdir())
                 if (r := results.read_result(results.result_path(out, s, ASSIGNMENT)))]
    return {"jobs": jobs, "wall_s": round(wall, 2), "subs_per_s": round(n / wall, 3),
            "per_sub_s": round(wall / n, 3),
            "median_duration_s": round(statistics.median(durations), 3) if durations else None,
            "sum_duration_s": round(sum(durations), 1),
            "results": len(durations), "returncode": rc, "loadavg_before": before,
            "loadavg_after": after, "argv": " ".join(argv[1:])}


def run_nbgrader(subs: Path, course_dir: Path, seed: int, timeout: int, logs: Path, n: int) -> dict:
    generate = [*grader_cli(), "nbgrader", "generate", "--course", str(course_dir),
                "--timeout", str(timeout)]
    gen_wall, gen_rc, _, _ = run_timed(generate, logs / "nbgrader-generate.log")
    if gen_rc != 0:
        raise SystemExit(f"grader nbgrader generate failed (exit {gen_rc}); see {logs / 'nbgrader-generate.log'}")
    argv = [*grader_cli(), "nbgrader", "autograde", str(subs), "--course", str(course_dir),
            "--seed", str(seed), "--timeout", str(timeout)]
    wall, rc, before, after = run_timed(argv, logs / "nbgrader-autograde.log")
    record = _run_record(course_dir).get("students", {})
    seconds = [o["seconds"] for o in record.values()]
    failed = [{"student": s, "error": o["error"][:300]} for s, o in sorted(record.items())
              if not o["success"]]
    return {"wall_s": round(wall, 2), "subs_per_s": round(n / wall, 3),
            "per_notebook_s": round(statistics.median(seconds), 3) if seconds else None,
            "per_notebook_mean_s": round(statistics.fmean(seconds), 3) if seconds else None,
            "ok": len(record) - len(failed), "failed": failed, "returncode": rc,
            "generate_s": round(gen_wall, 2), "cell_timeout_s": timeout, "loadavg_before": before,
            "loadavg_after": after, "argv": " ".join(argv[1:])}


def _run_record(course_dir: Path) -> dict:
    """Per-student success, seconds and error, as `grader nbgrader autograde` records them."""
    path = course_dir / nc.RUN_FILE
    return json.loads(path.read_text()).get(ASSIGNMENT, {}) if path.is_file() else {}


# ------------------------------------------------------------------------------- agreement

def _grader_cells(result: dict) -> dict[str, float]:
    """Grader points summed per function, keyed like nbgrader's grade cells (test-<function>)."""
    cells: dict[str, float] = {}
    for t in result["tests"]:
        key = f"test-{t['function']}"
        cells[key] = cells.get(key, 0.0) + float(t["points"])
    return cells


def agreement(expected: dict[str, dict], students: list[str], out: Path, course_dir: Path) -> dict:
    failed = nc.failed_students(course_dir)
    db = course_dir / "gradebook.db"
    nbg = {r["student"]: r for r in nc.gradebook_results(db, ASSIGNMENT, failed)} if db.is_file() else {}
    compared, equal, mismatches, hostile = 0, 0, [], []
    for s in students:
        e = expected[s]
        mine = results.read_result(results.result_path(out, s, ASSIGNMENT))
        theirs = nbg.get(s)
        g_score = float(mine["score"]) if mine else None
        n_score = float(theirs["score"]) if theirs and theirs["status"] == "graded" else None
        if e["kind"] not in HONEST_KINDS:   # recorded only: nbgrader does not isolate them
            hostile.append({"student": s, "detail": e["detail"], "grader": g_score, "nbgrader": n_score,
                            "expected": e["score"]})
            continue
        compared += 1
        if g_score is not None and g_score == n_score:
            equal += 1
            continue
        row = {"student": s, "kind": e["kind"], "detail": e["detail"], "grader": g_score,
               "nbgrader": n_score, "expected": e["score"], "exact_expected": e["exact"]}
        if mine and theirs:
            ours = _grader_cells(mine)
            row["cells_differ"] = {t["id"]: {"grader": ours.get(t["id"]), "nbgrader": t["points"]}
                                   for t in theirs["tests"] if ours.get(t["id"]) != t["points"]}
        mismatches.append(row)
    report = {"compared": compared, "equal": equal, "mismatches": mismatches}
    if hostile:
        report["hostile_not_compared"] = hostile
    return report


# ------------------------------------------------------------------------------- report

def notes(report: dict) -> list[str]:
    g, b = report["grader"], report["nbgrader"]
    kinds = ", ".join(f"{c} {k}" for k, c in sorted(report["kinds"].items()))
    excluded = report["n_generated"] - report["n_graded"]
    return [
        f"graded on both sides: {report['n_graded']} of {report['n_generated']} generated ({kinds}); "
        + (f"{excluded} hostile/invalid left out (--include-hostile keeps them)" if excluded
           else "nothing left out"),
        "nbgrader grades one notebook at a time; that is its only mode. "
        f"The grader ran with --jobs {g['jobs']} on {report['machine']['cpus']} cpus.",
        "nbgrader executes every cell, including the demo cells (training on six datasets, plots), then "
        "the hidden tests in the student's kernel; the grader runs only setup/solution/student cells "
        "in a sandbox and calls the checks from outside. The work per notebook is not identical.",
        "wall times cover the whole command on each side (interpreter start and imports included); "
        f"nbgrader generate_assignment ({b['generate_s']} s) is setup and not counted.",
        "the grader's wall also holds its fixed cost per run (interpreter, worker pool start, CSV), which "
        "weighs more in a small class: sum of per-submission durations / jobs = "
        f"{g['sum_duration_s'] / g['jobs']:.1f} s of {g['wall_s']} s wall.",
        f"--nbgrader-timeout is nbgrader's Execute.timeout, a limit per cell ({b['cell_timeout_s']} s), "
        "not per notebook.",
        "both sides use the same run seed ($NNKIT_SEED in nbgrader's kernel), so the hidden tests draw "
        "the same inputs; agreement is on totals of honest submissions (correct, mutant, stubs).",
        f"machine possibly shared: 1-min load average before/after: grader {g['loadavg_before']}/"
        f"{g['loadavg_after']}, nbgrader {b['loadavg_before']}/{b['loadavg_after']}.",
    ]


def print_table(report: dict) -> None:
    g, b, a = report["grader"], report["nbgrader"], report["agreement"]
    print(f"\n== {report['n_graded']} submissions, run seed {report['run_seed']}, "
          f"{report['machine']['cpus']} cpus, kinds {report['kinds']}")
    print(f"  {'':<24}{'wall s':>10}{'subs/s':>10}{'s/sub':>10}  notes")
    print(f"  {'grader --jobs ' + str(g['jobs']):<24}{g['wall_s']:>10.1f}{g['subs_per_s']:>10.3f}"
          f"{g['per_sub_s']:>10.2f}  rc={g['returncode']}, {g['results']} results, "
          f"median duration {g['median_duration_s']} s")
    print(f"  {'nbgrader (sequential)':<24}{b['wall_s']:>10.1f}{b['subs_per_s']:>10.3f}"
          f"{b['wall_s'] / report['n_graded']:>10.2f}  rc={b['returncode']}, {b['ok']} ok, "
          f"{len(b['failed'])} failed, median notebook {b['per_notebook_s']} s")
    verdict = "meets" if report["ratio_throughput"] >= GOAL_RATIO else "below"
    print(f"  throughput ratio grader/nbgrader: {report['ratio_throughput']:.2f}x "
          f"({verdict} the {GOAL_RATIO:g}x goal)")
    print(f"  agreement (honest): {a['equal']}/{a['compared']} equal totals")
    for m in a["mismatches"]:
        print(f"    {m['student']} {m['kind']} {m['detail']}: grader {m['grader']}, nbgrader "
              f"{m['nbgrader']}, expected {m['expected']}; cells {m.get('cells_differ', {})}")
    for f in b["failed"]:
        print(f"    nbgrader failed on {f['student']}: {f['error'][:120]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="students generated (default 200)")
    parser.add_argument("--class-seed", type=int, default=0, help="seed of the class mix (default 0)")
    parser.add_argument("--seed", type=int, default=7, help="run seed of both sides (default 7)")
    parser.add_argument("--jobs", type=int, default=2, help="grader autograde --jobs (default 2)")
    parser.add_argument("--nbgrader-timeout", type=int, default=120,
                        help="nbgrader Execute.timeout, seconds per cell (default 120)")
    parser.add_argument("--include-hostile", action="store_true",
                        help="also grade hostile and invalid submissions on both sides")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "throughput.json")
    args = parser.parse_args(argv)
    if args.n < 1 or args.jobs < 1:
        parser.error("--n and --jobs must be at least 1")

    started = time.monotonic()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="nnkit-throughput-"))).resolve()
    try:
        if work.exists() and args.keep:   # a fresh run: old outputs would be mixed into the new one
            for name in ("class", "submissions", "grader-out", "nbgrader-course"):
                shutil.rmtree(work / name, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        expected = make_class.write_class(work / "class", args.n, args.class_seed)["students"]
        students = select(expected, args.include_hostile)
        if not students:
            raise SystemExit("nothing to grade: every generated submission was left out")
        subs = work / "submissions"
        copy_subset(work / "class", subs, students)
        n = len(students)
        print(f"grading {n} of {args.n} submissions in {work}", flush=True)
        grader_out, course_dir = work / "grader-out", work / "nbgrader-course"
        g = run_grader(subs, grader_out, args.jobs, args.seed, work / "grader.log", n)
        print(f"  grader: {g['wall_s']} s", flush=True)
        b = run_nbgrader(subs, course_dir, args.seed, args.nbgrader_timeout, work, n)
        print(f"  nbgrader: {b['wall_s']} s (+ generate {b['generate_s']} s)", flush=True)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "n_generated": args.n, "n_graded": n, "class_seed": args.class_seed,
            "include_hostile": args.include_hostile,
            "kinds": dict(sorted(Counter(expected[s]["kind"] for s in students).items())),
            "run_seed": args.seed, "grader": g, "nbgrader": b,
            "ratio_throughput": round(g["subs_per_s"] / b["subs_per_s"], 3),
            "goal_ratio": GOAL_RATIO,
            "agreement": agreement(expected, students, grader_out, course_dir),
        }
        report["notes"] = notes(report)
        report["total_run_s"] = round(time.monotonic() - started, 1)
        if args.keep:
            report["work"] = str(work)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report)
    print(f"\ntotal {report['total_run_s']} s; written: {args.out}")
    a = report["agreement"]
    return 0 if a["equal"] == a["compared"] and g["returncode"] == 0 and b["returncode"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
