"""Class grading throughput: `grader autograde` against nbgrader, sandboxed and in a kernel.

    [NNKIT_BENCH_ASSIGNMENT=training_networks] python bench/throughput.py [--n 200]
        [--class-seed 0] [--seed 7] [--jobs 2] [--nbgrader-timeout 120] [--include-hostile]
        [--keep DIR] [--out bench/results/throughput[-<assignment>].json]

The class is of nn_from_scratch unless $NNKIT_BENCH_ASSIGNMENT names another assignment
(bench/make_class.py); the result file then carries the assignment's name.

bench/make_class.py writes one synthetic class (correct / mutant / stubs / hostile, the hostile
kind including two invalid files). One run then grades it four ways, one after the other, every
side with the same run seed:

1. `grader autograde SUBS --jobs J --seed K` (J from --jobs, default 2): the kit's own command,
   J submissions at a time, each in its own sandbox.
2. `grader autograde SUBS --jobs 1 --seed K`: the same, one submission at a time.
3. nbgrader with the kit's sandbox: a course folder with a minimal nbgrader_config.py, prepared by
   `grader nbgrader setup COURSE --seed K` (SandboxGrade replaces nbgrader's Execute), then
   `nbgrader generate_assignment`, the notebooks copied to COURSE/submitted/, and ONE timed
   `python -m nbgrader autograde nn_from_scratch` for the whole class. nbgrader grades one
   notebook after another (its only mode); each is graded by the same engine and sandbox as 1-2.
4. In-kernel nbgrader: a second course with only a minimal nbgrader_config.py (no kit setup;
   Execute.timeout from --nbgrader-timeout), the same source/nn_from_scratch/ as course 3, then
   generate_assignment, the notebooks, and one timed `nbgrader autograde`: nbgrader's default
   Execute runs every cell of every notebook (demo cells that train on six datasets and plot
   included) in a Jupyter kernel. Its grade cells only raise (grading happens in the sandbox now),
   so every score there is 0: this side measures only what executing the notebooks in a kernel
   costs, the cost nbgrader users know.

Sides 1-3 grade every generated submission, hostile and invalid ones included (all three are
sandboxed). Side 4 grades them only with --include-hostile: hostile code in a kernel is not
isolated (a memory bomb takes the machine's memory, os._exit kills the kernel).

Timed: the wall time of the one grading command of each side (interpreter start and imports
included). Not timed: generating the class, `grader nbgrader setup`, `generate_assignment` and
copying the notebooks into the courses (reported as setup seconds).

Agreement, for every submission of sides 1-3: the gradebook total of side 3 must equal side 1's
total, and side 3's result in the grader's format (COURSE/nnkit-results/) must equal side 1's check
by check (grader.grading.results.without_timing; status and reason too). Sides 1 and 2 are compared the
same way. A file that is no valid notebook gets the status "invalid" from the grader; nbgrader cannot
process it (the kit's preprocessor may or may not have written its own "invalid" result first),
flags it for manual grading and exits non-zero: that is expected and counted apart, its total is
still compared. Mismatches are listed; the exit code is non-zero when any of them differs, when a
grader command fails, or when side 3's nbgrader fails on anything but those files.
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
import sysconfig
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_class  # noqa: E402

from grader.grading import results  # noqa: E402
from grader.nbgrader import course as nc  # noqa: E402
from grader.nbgrader.plugin import RESULTS_DIR  # noqa: E402

ASSIGNMENT = make_class.ASSIGNMENT
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
HONEST_KINDS = ("correct", "mutant", "stubs")
#: (3) s/submission over (2) s/submission, at most.
GOAL_SANDBOX_OVERHEAD = 1.5
#: (1) submissions/s over (4) submissions/s, at least.
GOAL_RATIO = 10.0
#: The side keys of the report, in the order they run.
SIDES = ("grader_jobs", "grader_1", "nbgrader_sandbox", "nbgrader_kernel")
COURSE_ID = "bench"
#: nbgrader's last words about each submission it could not process.
NBGRADER_FAILED = re.compile(r"There was an error processing assignment '[^']*' for student '([^']*)'")
#: Mismatches printed per list (all of them are in the JSON).
PRINT_MAX = 10
#: Fields of a result compared between two grading paths (besides the tests).
RESULT_FIELDS = ("status", "reason", "score", "max_score", "seed", "load_errors")


def grader_cli() -> list[str]:
    """The installed `grader` script of this interpreter's environment, else the module."""
    script = Path(sys.executable).with_name("grader")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "grader.cli"]


def nbgrader_env() -> dict[str, str]:
    """nbgrader runs `alembic` by name: this environment's scripts go first on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), env.get("PATH", "")])
    return env


def _load() -> float:
    return round(os.getloadavg()[0], 2)


# ------------------------------------------------------------------------------- the class

def select(expected: dict[str, dict], include_hostile: bool) -> list[str]:
    """Students of the in-kernel side: honest ones, plus hostile and invalid ones on request."""
    return sorted(s for s, e in expected.items()
                  if include_hostile or (e["kind"] != "hostile" and e["status"] != "invalid"))


def copy_class(all_subs: Path, subs: Path, students: list[str]) -> None:
    """The students' folders without expected.json: `grader autograde` takes a folder."""
    for s in students:
        shutil.copytree(all_subs / s, subs / s)


def copy_to_course(subs: Path, course_dir: Path, students: list[str]) -> None:
    """SUBS/<s>/<a>/<a>.ipynb -> COURSE/submitted/<s>/<a>/<a>.ipynb (nbgrader's layout)."""
    for s in students:
        dest = course_dir / "submitted" / s / ASSIGNMENT
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(subs / s / ASSIGNMENT / NOTEBOOK, dest / NOTEBOOK)


def kinds_of(expected: dict[str, dict], students: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(expected[s]["kind"] for s in students).items()))


# ------------------------------------------------------------------------------- running

def run_timed(argv: list[str], log: Path, cwd: Path = ROOT,
              env: dict[str, str] | None = None) -> tuple[float, int, float, float]:
    """(wall seconds, exit code, 1-min load before, after); output goes to the log."""
    before = _load()
    t0 = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.run(argv, stdout=fh, stderr=subprocess.STDOUT, cwd=cwd, env=env,
                              stdin=subprocess.DEVNULL)
    return time.monotonic() - t0, proc.returncode, before, _load()


def _must(step: str, rc: int, log: Path) -> None:
    if rc != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise SystemExit(f"{step} failed (exit {rc}); end of {log}:\n{tail}")


def _timing(label: str, n: int, wall: float, rc: int, before: float, after: float,
            argv: list[str]) -> dict:
    return {"label": label, "n": n, "wall_s": round(wall, 2), "subs_per_s": round(n / wall, 3),
            "per_sub_s": round(wall / n, 3), "returncode": rc, "loadavg_before": before,
            "loadavg_after": after, "argv": " ".join([Path(argv[0]).name, *argv[1:]])}


def _durations(out: Path, students: list[str]) -> dict:
    """Per-submission grading time as each result records it (the sandboxed part)."""
    got = [r["duration"] for s in students
           if (r := results.read_result(results.result_path(out, s, ASSIGNMENT)))]
    return {"results": len(got),
            "median_duration_s": round(statistics.median(got), 3) if got else None,
            "sum_duration_s": round(sum(got), 2)}


def run_grader(subs: Path, out: Path, jobs: int, seed: int, log: Path, students: list[str]) -> dict:
    argv = [*grader_cli(), "autograde", str(subs), "--assignment", ASSIGNMENT, "--out", str(out), "--jobs", str(jobs),
            "--seed", str(seed), "--no-progress"]
    wall, rc, before, after = run_timed(argv, log)
    side = _timing(f"grader autograde --jobs {jobs}", len(students), wall, rc, before, after, argv)
    return {**side, "jobs": jobs, **_durations(out, students)}


def new_course(course_dir: Path, extra: str = "") -> None:
    """An nbgrader course folder holding only a minimal nbgrader_config.py."""
    course_dir.mkdir(parents=True)
    (course_dir / nc.CONFIG_FILE).write_text(
        f'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "{COURSE_ID}"\n{extra}')


def nbgrader(course_dir: Path, log: Path, *args: str) -> tuple[float, int, float, float, list[str]]:
    argv = [sys.executable, "-m", "nbgrader", *args]
    return (*run_timed(argv, log, cwd=course_dir, env=nbgrader_env()), argv)


def _release_and_autograde(subs: Path, course_dir: Path, logs: Path, kind: str, students: list[str],
                           t0: float) -> tuple[float, tuple]:
    """nbgrader generate_assignment and the notebooks copied in (untimed, counted from t0), then the
    one timed `nbgrader autograde` of a side. Returns (setup seconds, nbgrader's timing tuple)."""
    gen_log = logs / f"nbgrader-{kind}-generate.log"
    _must(f"nbgrader generate_assignment ({kind} course)",
          nbgrader(course_dir, gen_log, "generate_assignment", ASSIGNMENT)[1], gen_log)
    copy_to_course(subs, course_dir, students)
    setup_s = time.monotonic() - t0
    return setup_s, nbgrader(course_dir, logs / f"nbgrader-{kind}-autograde.log", "autograde", ASSIGNMENT)


def run_nbgrader_sandbox(subs: Path, course_dir: Path, seed: int, logs: Path,
                         students: list[str]) -> dict:
    """Side 3: the kit's setup, generate_assignment and the notebooks (untimed), one autograde."""
    t0 = time.monotonic()
    new_course(course_dir)
    argv = [*grader_cli(), "nbgrader", "setup", str(course_dir), "--assignment", ASSIGNMENT,
            "--seed", str(seed)]
    _, rc, _, _ = run_timed(argv, logs / "nbgrader-sandbox-setup.log")
    _must("grader nbgrader setup", rc, logs / "nbgrader-sandbox-setup.log")
    setup_s, (wall, rc, before, after, argv) = _release_and_autograde(subs, course_dir, logs, "sandbox",
                                                                      students, t0)
    side = _timing("nbgrader autograde, kit sandbox", len(students), wall, rc, before, after, argv)
    side.update(_durations(course_dir / RESULTS_DIR / ASSIGNMENT, students), setup_s=round(setup_s, 2),
                failed=nbgrader_failures(logs / "nbgrader-sandbox-autograde.log"))
    book = _gradebook(course_dir)
    side["in_gradebook"] = len(book)
    side["gradebook_statuses"] = dict(sorted(Counter(r["status"] for r in book.values()).items()))
    return side


def run_nbgrader_kernel(subs: Path, course_dir: Path, source: Path, timeout: int, logs: Path,
                        students: list[str], expected: dict[str, dict]) -> dict:
    """Side 4: nbgrader's own Execute; only the course's source comes from the kit."""
    t0 = time.monotonic()
    new_course(course_dir, f"c.Execute.timeout = {int(timeout)}\n")
    shutil.copytree(source, course_dir / "source" / ASSIGNMENT)
    setup_s, (wall, rc, before, after, argv) = _release_and_autograde(subs, course_dir, logs, "kernel",
                                                                      students, t0)
    side = _timing("nbgrader autograde, in a kernel", len(students), wall, rc, before, after, argv)
    book = _gradebook(course_dir)
    side.update(setup_s=round(setup_s, 2), cell_timeout_s=timeout, in_gradebook=len(book),
                failed=nbgrader_failures(logs / "nbgrader-kernel-autograde.log"),
                gradebook_total=sum(r["score"] for r in book.values()),
                **kernel_errors(course_dir, students, expected))
    return side


def nbgrader_failures(log: Path) -> list[str]:
    """Students `nbgrader autograde` reports it could not process (it then exits non-zero)."""
    return sorted(set(NBGRADER_FAILED.findall(log.read_text(errors="replace"))))


def _gradebook(course_dir: Path) -> dict[str, dict]:
    db = nc.gradebook_path(course_dir)
    if not db.is_file():
        return {}
    return {r["student"]: r for r in nc.gradebook_results(db, ASSIGNMENT)}


def kernel_errors(course_dir: Path, students: list[str], expected: dict[str, dict]) -> dict:
    """How far the kernel got: notebooks in autograded/, and those where a cell other than a grade
    cell raised (stubs and some mutants do, in their demo cells; a correct one must not, or the
    kernel did less work than a real class would cost)."""
    import nbformat

    from nnkit_contract.cells import Role, cell_role

    executed, raised = 0, Counter()
    grade_cells_raised = 0
    for s in students:
        path = course_dir / "autograded" / s / ASSIGNMENT / NOTEBOOK
        if not path.is_file():
            continue
        executed += 1
        nb = nbformat.read(path, as_version=4)
        errors = [c for c in nb.cells if c.get("cell_type") == "code"
                  and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
        grade_cells_raised += sum(cell_role(c) is Role.TEST for c in errors)
        if any(cell_role(c) is not Role.TEST for c in errors):
            raised[expected[s]["kind"]] += 1
    return {"autograded_notebooks": executed, "grade_cells_raised": grade_cells_raised,
            "other_cells_raised_by_kind": dict(sorted(raised.items()))}


# ------------------------------------------------------------------------------- agreement

def _cells(result: dict) -> dict[str, float]:
    """Points summed per function, keyed like nbgrader's grade cells (test-<function>)."""
    cells: dict[str, float] = {}
    for t in result["tests"]:
        key = f"test-{t['function']}"
        cells[key] = cells.get(key, 0.0) + float(t["points"])
    return cells


def result_diff(a: dict | None, b: dict | None) -> list[str]:
    """What differs between two results of one submission (wall-clock fields ignored): result
    fields by name, and the ids of the checks whose record differs."""
    if a is None or b is None:
        return ["missing on one side"]
    a, b = results.without_timing(a), results.without_timing(b)
    diff = [k for k in RESULT_FIELDS if a.get(k) != b.get(k)]
    ta, tb = {t["id"]: t for t in a["tests"]}, {t["id"]: t for t in b["tests"]}
    if [t["id"] for t in a["tests"]] != [t["id"] for t in b["tests"]]:
        diff.append("test ids or order")
    diff += [f"check {i}" for i in sorted(ta.keys() | tb.keys()) if ta.get(i) != tb.get(i)]
    return diff


def agreement(expected: dict[str, dict], students: list[str], out_jobs: Path, out_1: Path,
              course_dir: Path) -> dict:
    """Side 3 against side 1 (gradebook totals, per-check results), side 2 against side 1.

    A file that is not a valid notebook (the grader's status "invalid"): nbgrader fails on it,
    flags its grade cells for manual grading, and the kit's preprocessor has written either no
    result or its own "invalid" one, depending on how far nbgrader read the file. Such a file is
    counted apart ("unreadable on both sides"): its totals are compared, its per-check results
    are not.
    """
    book = _gradebook(course_dir)
    nnkit = course_dir / RESULTS_DIR / ASSIGNMENT
    report = {"compared": len(students), "totals_equal": 0, "results_compared": 0,
              "results_equal": 0, "unreadable_both": [], "jobs_equal": 0,
              "statuses": Counter(), "mismatches": [], "jobs_mismatches": []}
    for s in students:
        mine = results.read_result(results.result_path(out_jobs, s, ASSIGNMENT))
        single = results.read_result(results.result_path(out_1, s, ASSIGNMENT))
        theirs = results.read_result(results.result_path(nnkit, s, ASSIGNMENT))
        row = book.get(s)
        report["statuses"][mine["status"] if mine else "no result"] += 1
        g_score = float(mine["score"]) if mine else None
        b_score = float(row["score"]) if row else None
        totals_ok = g_score is not None and g_score == b_score
        report["totals_equal"] += totals_ok
        jobs_diff = result_diff(mine, single)
        report["jobs_equal"] += not jobs_diff
        if jobs_diff:
            report["jobs_mismatches"].append({"student": s, "differs": jobs_diff[:10]})
        # A file that is no notebook: nbgrader cannot process it (no grades, needs manual
        # grading), and the kit's preprocessor may or may not have written its "invalid" result.
        if mine and mine["status"] == "invalid" and (theirs is None or theirs["status"] == "invalid") \
                and row and row["status"] == "needs_manual_grading":
            report["unreadable_both"].append(s)
            diff = []
        else:
            report["results_compared"] += 1
            diff = result_diff(mine, theirs)
            report["results_equal"] += not diff
        if totals_ok and not diff:
            continue
        e = expected[s]
        m = {"student": s, "kind": e["kind"], "detail": e["detail"], "grader": g_score,
             "gradebook": b_score, "gradebook_status": row["status"] if row else "not in gradebook",
             "grader_status": mine["status"] if mine else None, "expected": e["score"],
             "result_differs": diff[:10]}
        if mine and row:
            ours = _cells(mine)
            m["cells_differ"] = {t["id"]: {"grader": ours.get(t["id"]), "gradebook": t["points"]}
                                 for t in row["tests"] if ours.get(t["id"]) != t["points"]}
        report["mismatches"].append(m)
    report["statuses"] = dict(sorted(report["statuses"].items()))
    report["expected_score_differs"] = expected_differs(expected, students, out_jobs)
    return report


def expected_differs(expected: dict[str, dict], students: list[str], out: Path) -> list[dict]:
    """Submissions whose grader score is not make_class's exact expectation (information only:
    the benchmark's agreement is between the grading paths)."""
    rows = []
    for s in students:
        e = expected[s]
        mine = results.read_result(results.result_path(out, s, ASSIGNMENT))
        score = float(mine["score"]) if mine else None
        if e["exact"] and score != float(e["score"]):
            rows.append({"student": s, "detail": e["detail"], "grader": score, "expected": e["score"]})
    return rows


def mean_durations(expected: dict[str, dict], students: list[str], out: Path) -> dict:
    """Mean grading time per submission, honest (correct, mutant, stubs) vs hostile and invalid."""
    groups: dict[str, list[float]] = {"honest": [], "hostile": []}
    for s in students:
        r = results.read_result(results.result_path(out, s, ASSIGNMENT))
        if r:
            groups["honest" if expected[s]["kind"] in HONEST_KINDS else "hostile"].append(r["duration"])
    return {k: round(statistics.fmean(v), 3) if v else None for k, v in groups.items()}


def agreement_ok(a: dict) -> bool:
    return (a["totals_equal"] == a["jobs_equal"] == a["compared"]
            and a["results_equal"] == a["results_compared"])


def sandbox_failures_expected(report: dict) -> bool:
    """nbgrader exits non-zero when it could not process a submission: on the sandbox side that
    may only be the files that are not notebooks (the grader's status "invalid")."""
    side = report["sides"]["nbgrader_sandbox"]
    return side["returncode"] == 0 or (
        bool(side["failed"]) and side["failed"] == report["agreement"]["unreadable_both"])


# ------------------------------------------------------------------------------- report

def _mean_s(means: dict, group: str) -> str:
    return "n/a" if means.get(group) is None else f"{means[group]:.2f} s"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{c} {k}" for k, c in sorted(counts.items()))


def notes(report: dict) -> list[str]:
    s1, s2, s3, s4 = (report["sides"][k] for k in SIDES)
    n = report["n_graded"]
    hostile = n - sum(report["kinds"].get(k, 0) for k in HONEST_KINDS)
    left_out = n - report["n_kernel"]
    kernel_set = (f"{report['n_kernel']} of them: the {left_out} hostile/invalid ones are left out "
                  "(--include-hostile grades them there too; in a kernel nothing isolates them)"
                  if left_out else "all of them (--include-hostile)")
    overhead3 = (s3["wall_s"] - s3["sum_duration_s"]) / n
    unreadable = report["agreement"]["unreadable_both"]
    return [
        f"one class of {report['n_generated']} generated submissions, run seed {report['run_seed']} "
        f"on every side. Sides 1-3 grade all {n} ({hostile} hostile or invalid included, all "
        f"sandboxed); the in-kernel side grades {kernel_set}.",
        f"(1)-(2): the `grader autograde` command, --jobs {s1['jobs']} and --jobs 1, on "
        f"{report['machine']['cpus']} cpus; each submission in its own sandbox, only the setup, "
        "solution and student cells run there, the hidden tests call the functions from outside.",
        "(3): `nbgrader autograde` on a course prepared by `grader nbgrader setup --seed K`: "
        "nbgrader's own pipeline (gradebook, cell checksums, SaveAutoGrades), with the kit's "
        "SandboxGrade in place of Execute; one notebook at a time (nbgrader's only mode), each "
        f"graded by the engine and sandbox of (1)-(2). nbgrader's own cost beyond the sandboxed grading: "
        f"{overhead3:.2f} s per submission (wall minus the sum of per-submission grading times).",
        "(4): `nbgrader autograde` with nbgrader's default Execute: every cell of every notebook runs "
        "in a Jupyter kernel, the demo cells (training on six datasets, plots) included; the grade "
        "cells only raise (grading happens in the sandbox now), so every score there is 0. It "
        "measures only what executing the notebooks in a kernel costs. Notebooks in which a "
        "public check or a demo cell raised (it catches the mistake, or the demo fails early): "
        f"{_counts(s4['other_cells_raised_by_kind']) or 'none'} of {report['n_kernel']}.",
        ("the throughput ratio is (1')/(4): side 1 run again on exactly the submissions of side 4 "
         "(side 1 also grades the hostile and invalid ones, which took "
         f"{_mean_s(report['mean_duration_s'], 'hostile')} each in (2), against "
         f"{_mean_s(report['mean_duration_s'], 'honest')} for the others).")
        if left_out else "the throughput ratio (1')/(4) is over the same set as every side.",
        "wall times cover the one grading command of each side (interpreter start and imports "
        f"included). Not counted: generating the class, `grader nbgrader setup` + generate_assignment "
        f"+ copying the notebooks ({s3['setup_s']} s for 3, {s4['setup_s']} s for 4).",
        "the grader's wall also holds its fixed cost per run (interpreter, worker pool start, CSV), "
        "which weighs more in a small class: sum of per-submission durations / jobs = "
        f"{s1['sum_duration_s'] / s1['jobs']:.1f} s of {s1['wall_s']} s (--jobs {s1['jobs']}), "
        f"{s2['sum_duration_s']:.1f} s of {s2['wall_s']} s (--jobs 1).",
        f"--nbgrader-timeout is side 4's Execute.timeout, a limit per cell ({s4['cell_timeout_s']} "
        "s); sides 1-3 use the kit's limits (per call and per submission).",
        "agreement: for every submission of sides 1-3, the gradebook total of (3) equals the "
        "total of (1), and the result (3) writes in the grader's format (COURSE/nnkit-results/) "
        "equals (1)'s check by check, status and reason included; (2) is compared with (1) the "
        "same way.",
        (f"files that are no valid notebook ({len(unreadable)}: {', '.join(unreadable)}): the "
         "grader gives them the status invalid (0 points); nbgrader cannot process them (the "
         "kit's preprocessor may have written its own 'invalid' result first), flags their grade "
         "cells for manual grading (0 points) and exits non-zero. Their totals are compared, "
         "their per-check results are not."
         if unreadable else "every file is a notebook: nbgrader processed all of them."),
        "machine possibly shared: 1-min load average before/after: "
        + ", ".join(f"({i}) {s['loadavg_before']}/{s['loadavg_after']}"
                    for i, s in enumerate((s1, s2, s3, s4), 1)) + ".",
    ]


def print_table(report: dict) -> None:
    sides, a, r = report["sides"], report["agreement"], report["ratios"]
    print(f"\n== {report['n_graded']} submissions (in-kernel: {report['n_kernel']}), run seed "
          f"{report['run_seed']}, {report['machine']['cpus']} cpus, kinds {report['kinds']}")
    print(f"  {'':<36}{'n':>5}{'wall s':>9}{'subs/s':>9}{'s/sub':>8}  rc")
    for i, key in enumerate(SIDES, 1):
        s = sides[key]
        print(f"  {f'({i}) ' + s['label']:<36}{s['n']:>5}{s['wall_s']:>9.1f}{s['subs_per_s']:>9.3f}"
              f"{s['per_sub_s']:>8.2f}  {s['returncode']}")
    ok3 = r["sandbox_over_grader_1"] <= GOAL_SANDBOX_OVERHEAD
    ok1 = r["grader_jobs_over_kernel"] >= GOAL_RATIO
    s = sides["grader_jobs_same_set"]
    label = "(1') " + s["label"] + ", set of 4"
    print(f"  {label:<36}{s['n']:>5}{s['wall_s']:>9.1f}"
          f"{s['subs_per_s']:>9.3f}{s['per_sub_s']:>8.2f}  {s['returncode']}")
    print(f"  (3)/(2) s per submission: {r['sandbox_over_grader_1']:.2f} "
          f"(goal <= {GOAL_SANDBOX_OVERHEAD:g}: {'met' if ok3 else 'NOT met'})")
    print(f"  (1')/(4) submissions per s: {r['grader_jobs_over_kernel']:.2f}x "
          f"(goal >= {GOAL_RATIO:g}: {'met' if ok1 else 'NOT met'})")
    print(f"  agreement over {a['compared']}: totals (3)=(1) {a['totals_equal']}/{a['compared']}, "
          f"per-check results (3)=(1) {a['results_equal']}/{a['results_compared']} (+"
          f"{len(a['unreadable_both'])} invalid files neither reads), (2)=(1) "
          f"{a['jobs_equal']}/{a['compared']}; grader statuses {a['statuses']}")
    for s in ("nbgrader_sandbox", "nbgrader_kernel"):
        if sides[s]["failed"]:
            print(f"  {sides[s]['label']}: nbgrader could not process {', '.join(sides[s]['failed'])}")
    _print_some([f"{m['student']} {m['kind']} {m['detail']}: grader {m['grader']} "
                 f"({m['grader_status']}), gradebook {m['gradebook']} ({m['gradebook_status']}); "
                 f"differs {m['result_differs']}; cells {m.get('cells_differ', {})}"
                 for m in a["mismatches"]])
    _print_some([f"--jobs {sides['grader_jobs']['jobs']} vs --jobs 1, {m['student']}: {m['differs']}"
                 for m in a["jobs_mismatches"]])
    _print_some([f"(info) {m['student']} {m['detail']}: grader {m['grader']}, make_class expected "
                 f"{m['expected']}" for m in a["expected_score_differs"]])


def _print_some(lines: list[str]) -> None:
    for line in lines[:PRINT_MAX]:
        print(f"    {line}")
    if len(lines) > PRINT_MAX:
        print(f"    ... and {len(lines) - PRINT_MAX} more (all in the JSON)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="students generated (default 200)")
    parser.add_argument("--class-seed", type=int, default=0, help="seed of the class mix (default 0)")
    parser.add_argument("--seed", type=int, default=7, help="run seed of every side (default 7)")
    parser.add_argument("--jobs", type=int, default=2, help="grader autograde --jobs of side 1 (default 2)")
    parser.add_argument("--nbgrader-timeout", type=int, default=120,
                        help="Execute.timeout of the in-kernel side, seconds per cell (default 120)")
    parser.add_argument("--include-hostile", action="store_true",
                        help="also run hostile and invalid submissions in the in-kernel side (sides "
                             "1-3 always grade them)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    parser.add_argument("--out", type=Path, default=HERE / "results" / (
        "throughput.json" if ASSIGNMENT == "nn_from_scratch" else f"throughput-{ASSIGNMENT}.json"))
    args = parser.parse_args(argv)
    if args.n < 1 or args.jobs < 1 or args.nbgrader_timeout < 1:
        parser.error("--n, --jobs and --nbgrader-timeout must be at least 1")

    started = time.monotonic()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="nnkit-throughput-"))).resolve()
    names = ("class", "submissions", "grader-jobs", "grader-1", "nbgrader-sandbox", "nbgrader-kernel",
             "same-set", "grader-same-set")
    try:
        if work.exists() and args.keep:   # a fresh run: old outputs would be mixed into the new one
            for name in names:
                shutil.rmtree(work / name, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        expected = make_class.write_class(work / "class", args.n, args.class_seed)["students"]
        students = sorted(expected)
        kernel_students = select(expected, args.include_hostile)
        if not kernel_students:
            raise SystemExit("nothing for the in-kernel side: every generated submission is hostile "
                             "or invalid (raise --n, or pass --include-hostile)")
        subs = work / "submissions"
        copy_class(work / "class", subs, students)
        print(f"grading {len(students)} submissions ({len(kernel_students)} in a kernel) in {work}",
              flush=True)
        out_jobs, out_1 = work / "grader-jobs", work / "grader-1"
        sandbox_course, kernel_course = work / "nbgrader-sandbox", work / "nbgrader-kernel"
        sides: dict[str, dict] = {}
        sides["grader_jobs"] = run_grader(subs, out_jobs, args.jobs, args.seed,
                                          work / "grader-jobs.log", students)
        print(f"  (1) grader --jobs {args.jobs}: {sides['grader_jobs']['wall_s']} s", flush=True)
        sides["grader_1"] = run_grader(subs, out_1, 1, args.seed, work / "grader-1.log", students)
        print(f"  (2) grader --jobs 1: {sides['grader_1']['wall_s']} s", flush=True)
        sides["nbgrader_sandbox"] = run_nbgrader_sandbox(subs, sandbox_course, args.seed, work,
                                                         students)
        print(f"  (3) nbgrader, kit sandbox: {sides['nbgrader_sandbox']['wall_s']} s "
              f"(+ setup {sides['nbgrader_sandbox']['setup_s']} s)", flush=True)
        sides["nbgrader_kernel"] = run_nbgrader_kernel(
            subs, kernel_course, sandbox_course / "source" / ASSIGNMENT, args.nbgrader_timeout,
            work, kernel_students, expected)
        print(f"  (4) nbgrader in a kernel: {sides['nbgrader_kernel']['wall_s']} s "
              f"(+ setup {sides['nbgrader_kernel']['setup_s']} s)", flush=True)
        # The throughput ratio compares like with like: side 1 again, on exactly the submissions
        # the in-kernel side graded (hostile ones cost their time limits on side 1 only).
        same_set = work / "same-set"
        copy_class(work / "class", same_set, kernel_students)
        sides["grader_jobs_same_set"] = run_grader(same_set, work / "grader-same-set", args.jobs,
                                                   args.seed, work / "grader-same-set.log",
                                                   kernel_students)
        print(f"  (1') grader --jobs {args.jobs} on the in-kernel set: "
              f"{sides['grader_jobs_same_set']['wall_s']} s", flush=True)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "assignment": ASSIGNMENT, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
            "n_generated": args.n, "n_graded": len(students), "n_kernel": len(kernel_students),
            "class_seed": args.class_seed, "run_seed": args.seed,
            "include_hostile": args.include_hostile,
            "kinds": kinds_of(expected, students), "kinds_kernel": kinds_of(expected, kernel_students),
            "sides": sides,
            "ratios": {
                "sandbox_over_grader_1": round(sides["nbgrader_sandbox"]["per_sub_s"]
                                               / sides["grader_1"]["per_sub_s"], 3),
                "grader_jobs_over_kernel": round(sides["grader_jobs_same_set"]["subs_per_s"]
                                                 / sides["nbgrader_kernel"]["subs_per_s"], 3),
            },
            "goals": {"sandbox_over_grader_1_max": GOAL_SANDBOX_OVERHEAD,
                      "grader_jobs_over_kernel_min": GOAL_RATIO},
            "mean_duration_s": mean_durations(expected, students, out_1),
            "agreement": agreement(expected, students, out_jobs, out_1, sandbox_course),
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
    failed = [k for k in ("grader_jobs", "grader_1", "grader_jobs_same_set")
              if sides[k]["returncode"] != 0]
    if not sandbox_failures_expected(report):
        failed.append("nbgrader_sandbox")
    if failed:
        print(f"unexpected non-zero exit of: {', '.join(failed)} (logs in the work folder: --keep)")
    if not agreement_ok(report["agreement"]):
        print("the grading paths disagree (see above)")
    return 0 if agreement_ok(report["agreement"]) and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
