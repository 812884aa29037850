"""Write docs/benchmarks.md from the JSON files in bench/results/ (run last by `make bench`).

    python bench/report.py [--results bench/results] [--out docs/benchmarks.md]

Every figure in the page is read from a result file; a benchmark that has not been run is listed
as such. Goals are those the project reports against; "met" is computed, never written by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

GOALS = {
    "throughput_ratio": 10.0,     # grader --jobs J subs/s over in-kernel nbgrader subs/s, at least
    "sandbox_overhead": 1.5,      # nbgrader+sandbox s/sub over grader --jobs 1 s/sub, at most
    "overhead_ms": 20.0,          # per submission beyond the tests' own work, at most
    "parent_memory_ratio": 1.25,  # parent peak at the largest N over the smallest, at most ("flat")
    "check_s": 3.0,               # grader check on a complete notebook, at most
    "isolation_ratio": 1.10,      # grading wall time with the isolation between students over before
    "cluster_overhead": 1.10,     # dask cluster wall time over --jobs at the same parallelism, at most
}


def _load(results: Path, name: str) -> dict | None:
    path = results / f"{name}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    bwrap = subprocess.run(["sh", "-c", "bwrap --version 2>/dev/null || echo no bubblewrap"],
                           capture_output=True, text=True).stdout.strip()
    return [f"- {os.cpu_count()} CPUs ({cpu}){mem}; {platform.platform()}",
            f"- Python {platform.python_version()}, {bwrap}", ""]


THROUGHPUT_ROWS = (
    ("grader_jobs", "grader autograde --jobs {jobs}"),
    ("grader_1", "grader autograde --jobs 1"),
    ("nbgrader_sandbox", "nbgrader autograde with the kit's sandbox (one notebook at a time)"),
    ("nbgrader_kernel", "nbgrader autograde in a kernel (one notebook at a time; cost only, scores 0)"),
)


def throughput_sections(results: Path) -> list[str]:
    """Section 1: one subsection per assignment with a throughput result file."""
    out = ["## 1. Class grading throughput: `grader autograde` vs nbgrader", ""]
    files = sorted(results.glob("throughput-*.json"),
                   key=lambda p: _course_position(p.stem.removeprefix("throughput-")))
    out += ["### nn_from_scratch", ""] + throughput(_load(results, "throughput"))
    for path in files:
        name = path.stem.removeprefix("throughput-")
        out += [f"### {name}", ""] + throughput(_load(results, path.stem), name)
    return out


def _course_position(assignment: str) -> tuple[int, str]:
    """Sort key: the assignment's place in solutions/course.json (unlisted ones last, by name)."""
    try:
        names = list(json.loads((ROOT / "solutions" / "course.json").read_text())["assignments"])
    except (OSError, ValueError, KeyError):
        names = []
    return (names.index(assignment) if assignment in names else len(names), assignment)


def throughput(d: dict | None, assignment: str | None = None) -> list[str]:
    """The table, ratios and agreement of one throughput result file."""
    out: list[str] = []
    env = f"NNKIT_BENCH_ASSIGNMENT={assignment} " if assignment else ""
    if d is None:
        return out + [f"Not run (`{env}python bench/throughput.py`).", ""]
    if "sides" not in d:
        return out + ["bench/results/throughput.json was written by an older bench/throughput.py "
                      "(before nbgrader graded through the kit's sandbox); run "
                      "`python bench/throughput.py` again.", ""]
    sides, ratios = d["sides"], d["ratios"]

    def kinds(counts: dict) -> str:
        return ", ".join(f"{c} {k}" for k, c in sorted(counts.items()))

    name = d.get("assignment", "nn_from_scratch")
    out += [f"One generated class of the full assignment ({name}), run seed {d['run_seed']} on every side: "
            f"{d['n_graded']} submissions ({kinds(d['kinds'])}) on sides 1-3; the in-kernel side "
            + (f"grades {d['n_kernel']} of them ({kinds(d['kinds_kernel'])})."
               if d["n_kernel"] != d["n_graded"] else "grades all of them."), ""]
    rows = []
    for i, (key, label) in enumerate(THROUGHPUT_ROWS, 1):
        s = sides[key]
        rows.append([f"({i}) {label.format(jobs=s.get('jobs'))}", s["n"], s["wall_s"],
                     f"{s['subs_per_s']:.3f}", f"{s['per_sub_s']:.2f}"])
    if "grader_jobs_same_set" in sides:
        s = sides["grader_jobs_same_set"]
        rows.append([f"(1') grader autograde --jobs {s.get('jobs')} on the submissions of (4)",
                     s["n"], s["wall_s"], f"{s['subs_per_s']:.3f}", f"{s['per_sub_s']:.2f}"])
    out += _table(["", "submissions", "wall s", "submissions / s", "s / submission"], rows)
    over, ratio = ratios["sandbox_over_grader_1"], ratios["grader_jobs_over_kernel"]
    agree = d["agreement"]
    jobs = sides["grader_jobs"]["jobs"]
    out += [f"- nbgrader with the kit's sandbox over `grader autograde --jobs 1`, seconds per "
            f"submission (3)/(2): **{over:.2f}** (goal ≤ {GOALS['sandbox_overhead']:g}: "
            f"{_met(over <= GOALS['sandbox_overhead'])}).",
            f"- `grader autograde --jobs {jobs}` over nbgrader in a kernel, submissions per second "
            f"on the same submissions (1')/(4): **{ratio:.1f}×** (goal ≥ {GOALS['throughput_ratio']:g}×: "
            f"{_met(ratio >= GOALS['throughput_ratio'])}).",
            f"- Agreement over all {agree['compared']} submissions of sides 1-3, hostile ones "
            f"included: gradebook total of (3) equal to (1): {agree['totals_equal']} / "
            f"{agree['compared']}; per-check results of (3) equal to (1): {agree['results_equal']} / "
            f"{agree['results_compared']}"
            + (f" (files that are no valid notebook, not compared: {len(agree['unreadable_both'])})"
               if agree["unreadable_both"] else "")
            + f"; (2) equal to (1): {agree['jobs_equal']} / {agree['compared']}."
            + ("" if not agree["mismatches"] else
               " Differences: " + "; ".join(f"{m['student']} ({m['detail']}): grader {m['grader']}, "
                                            f"gradebook {m['gradebook']}, {m['result_differs']}"
                                            for m in agree["mismatches"][:5])), ""]
    out += [f"- {note}" for note in d.get("notes", [])] + [""]
    return out


def overhead(d: dict | None) -> list[str]:
    out = ["## 2. Per-submission overhead", ""]
    if d is None:
        return out + ["Not run (`python bench/overhead.py`).", ""]
    out += _table(["case", "median ms", "min ms"],
                  [[name, s["median_ms"], s["min_ms"]] for name, s in d["cases"].items()])
    ov = d["overhead_ms"]
    release = ov["release stubs"]
    floor = ov["sandbox floor over python -c 'import numpy'"]
    out += [f"Overhead of grading a submission whose {d['checks']} tests are trivial, beyond its own "
            f"code run in a fresh interpreter: **{release:g} ms** (goal ≤ {GOALS['overhead_ms']:g} ms: "
            f"{_met(release <= GOALS['overhead_ms'])}); a median difference, so a few ms either way are noise. "
            f"The sandbox alone (bubblewrap, worker, `import numpy`, close) costs {floor:g} ms more than "
            f"`python -c \"import numpy\"` ({d['isolation']}, warm grading process, {d['repeats']} rounds).", ""]
    return out


def freshness(d: dict | None) -> list[str]:
    out = ["## 2b. A fresh process per check", ""]
    if d is None:
        return out + ["Not run (`python bench/freshness.py`).", ""]
    per = d["per_submission_s"]
    out += _table(["grading", "s / submission (median)"], [[k, v] for k, v in per.items()])
    out += [f"{d['submissions']} honest generated submissions, {d['checks']} checks each, "
            f"{d['rounds']} interleaved rounds in one warm process ({d['machine']['isolation']}). "
            f"Running every check in a process of its own, freshly forked from the submission's host with the "
            f"student's cells run again, costs **{d['difference_per_submission_s']:g} s per "
            f"submission** ({d['difference_per_check_ms']:g} ms per check; ratio "
            f"{d['ratio_fresh_over_shared']:.2f}) over serving every check from one process, "
            "which let state carry from one check to the next. Same scores on both sides: "
            f"{'yes' if d['same_scores'] else '**no**'}.", ""]
    return out


def isolation_cost(d: dict | None) -> list[str]:
    out = ["## 2c. Isolation between students: what it costs", ""]
    if d is None:
        return out + ["Not run (`python bench/isolation_cost.py`).", ""]
    rows, notes = [], []
    for name, a in d["assignments"].items():
        med = a["median_wall_s"]
        rows.append([name, a["n"], med["baseline"], med["current"], f"{a['ratio']:.3f}",
                     ", ".join(f"{r:.3f}" for r in a["round_ratios"]),
                     f"{a['cpu_ratio']:.3f}" if "cpu_ratio" in a else "-",
                     _met(a["ratio"] <= GOALS["isolation_ratio"])])
        for diff in a["differences"]:
            notes.append(f"- {name} {diff['student']} ({diff['kind']}: {diff['detail']}): "
                         f"{diff['baseline']} before, {diff['current']} now")
    out += _table(["assignment", "submissions", "before: wall s (median)", "now: wall s (median)",
                   "now / before", "per round", "CPU now / before", f"goal ≤ {GOALS['isolation_ratio']:g}"],
                  rows)
    out += [f"`grader autograde --jobs {d['jobs']}` on the same generated classes, {d['rounds']} rounds "
            f"alternating the order of the two sides, run seed {d['run_seed']}: before = commit "
            f"{d['base']} (one sandbox zygote that received every submission's cells, storage wiped "
            f"file by file), now = {d['current']} (a pristine template, a host per submission, a new "
            "mount namespace and tmpfs per check, the grader's work and waiting charged per "
            "submission).", ""]
    out += (["Scores that differ between the two sides (the hidden tests changed between the two "
             "commits too: in-place checks in every call, the tie of the training checks to the "
             "student's own functions; the isolation itself changes no score):", ""]
            + notes + [""]) if notes else \
        ["Every submission's score and status are the same on both sides.", ""]
    return out


def isolation_attacks(d: dict | None) -> list[str]:
    out = ["## 2d. Students who attack the students graded around them: before and now", ""]
    if d is None:
        return out + ["Not run (`python bench/isolation_attacks.py`).", ""]
    before, now = d["baseline"]["class"]["students"], d["current"]["class"]["students"]
    rows = [[s, f"{before[s]['score']:g}", f"{now[s]['score']:g}", f"{before[s]['duration_s']:.1f}",
             f"{now[s]['duration_s']:.1f}"] for s in before]
    out += _table(["student (graded in this order, --jobs 1)", "score before", "score now",
                   "s before", "s now"], rows)
    alone = [[name.split(":", 1)[1], d["baseline"][name]["cpu_s"], d["current"][name]["cpu_s"],
              d["baseline"][name]["kernel_memory_growth_mb"], d["current"][name]["kernel_memory_growth_mb"]]
             for name in d["baseline"] if name.startswith("alone:")]
    out += ["Graded alone (CPU seconds of the whole grading, grader and sandbox; how far the "
            "machine's unreclaimable kernel memory grew during the run, where extended attributes "
            "on tmpfs live; other processes of the machine move it a little too):", ""]
    out += _table(["student", "CPU s before", "CPU s now", "kernel memory MB before",
                   "kernel memory MB now"], alone)
    out += [f"Grader user: {d['user']}; before = {d['baseline']['rev']}, now = {d['current']['rev']}. "
            "The attacks are in tests/isolation_attacks.py: `*_victim` is an honest student (full "
            "marks) graded after an attacker; each attacker's honest twin is named there.", ""]
    return out


def scale(d: dict | None) -> list[str]:
    out = ["## 3. Scale: time and grader-parent memory against class size", ""]
    if d is None:
        return out + ["Not run (`python bench/scale.py`).", ""]
    rows = [[s["n"], s["wall_s"], f"{s['s_per_sub']:.3f}", f"{s['subs_per_s']:.2f}", s["parent_peak_mib"],
             s["pool_peak_mib"], s["lost"]] for s in d["sizes"]]
    out += _table(["N", "wall s", "s / submission", "submissions / s", "parent peak MiB",
                   "pool workers MiB (sum)", "lost"], rows)
    lin = d["linearity"]["s_per_sub_ratio_largest_over_smallest"]
    mem = d["memory"]["parent_peak_ratio_largest_over_smallest"]
    out += [f"Seconds per submission, largest N over smallest: {lin:.2f} (1.0 = linear time). "
            f"Parent peak memory, largest N over smallest: {mem:.2f} (goal ≤ {GOALS['parent_memory_ratio']:g}, "
            f"flat: {_met(mem <= GOALS['parent_memory_ratio'])}). `--jobs {d['jobs']}`; the sandboxed "
            "student processes are not part of either memory column.", ""]
    return out


def check_latency(d: dict | None) -> list[str]:
    out = ["## 4. Student check latency: `grader check` vs `nbgrader validate`", ""]
    if d is None:
        return out + ["Not run (`python bench/check_latency.py`).", ""]
    rows = []
    for name, c in d["cases"].items():
        outcome = c.get("summary") or ("Success" if c.get("passed") else f"exit {c.get('returncode')}")
        rows.append([name, c["median_s"], c["min_s"], c["n"], outcome])
    out += _table(["case (complete notebook unless noted)", "median s", "min s", "runs", "outcome"], rows)
    check = d["cases"]["grader check"]["median_s"]
    out += [f"`nbgrader validate` / `grader check`: **{d['ratio_nbgrader_over_check']:.1f}×**. "
            f"`grader check` median {check} s (goal ≤ {GOALS['check_s']:g} s: {_met(check <= GOALS['check_s'])}).",
            "nbgrader runs the whole notebook in a kernel, demo cells (training on six datasets) included; "
            "the check runs the setup, solution and student cells and the check cells.", ""]
    return out


def training(d: dict | None) -> list[str]:
    out = ["## 5. Reference training speed: NumPy vs PyTorch CPU", ""]
    if d is None:
        return out + ["Not run (`python bench/training.py`).", ""]
    have_torch = d["torch"]["available"]
    head = ["dataset", "epochs", "NumPy ms / epoch", "NumPy test acc."]
    if have_torch:
        head += ["PyTorch ms / epoch", "PyTorch test acc.", "PyTorch / NumPy"]
    rows = []
    for name, s in d["datasets"].items():
        row = [name, s["epochs"], f"{s['numpy_ms_per_epoch']:.2f}", f"{s['numpy_test_accuracy']:.3f}"]
        if have_torch:
            row += [f"{s['torch_ms_per_epoch']:.2f}", f"{s['torch_test_accuracy']:.3f}",
                    f"{s['ratio_torch_over_numpy']:.2f}"]
        rows.append(row)
    out += _table(head, rows)
    machine = d["machine"]
    note = (f"NumPy {machine.get('numpy')}, PyTorch {machine.get('torch')}, {d['threads']} thread each, "
            f"median of {d.get('repeats', '?')} runs; same network, initial weights, batch size and learning "
            "rate on both sides.") if have_torch else f"PyTorch column skipped: {d['torch'].get('note', '')}"
    return out + [note, ""]


def similarity(d: dict | None) -> list[str]:
    out = ["## 6. Similarity: `grader similarity` on a class vs reading its notebooks", ""]
    if d is None:
        return out + ["Not run (`python bench/similarity.py`).", ""]
    out += _table(["N", "pairs", "`grader similarity` s", "read + parse s", "ratio", "goal s"],
                  [[d["n"], d["pairs_compared"], d["similarity_wall_s"], d["read_parse_s"],
                    f"{d['ratio_similarity_over_read']:.1f}", d["goal_s"]]])
    ok = d["similarity_wall_s"] <= d["goal_s"]
    out += [f"`grader similarity --jobs {d['jobs']}` (the whole command: start, fingerprinting, every "
            f"pair, CSV, page, histogram) took **{d['ratio_similarity_over_read']:.1f}×** the time to "
            "merely read and parse the same notebooks in one process (grader.grading.submission's reader). "
            f"Goal: a class of {d['n']} in under {d['goal_s']:g} s: {_met(ok)}. The generated class "
            "mixes three styles per function, so most pairs share some code (the costly case).", ""]
    return out


def cluster(d: dict | None) -> list[str]:
    out = ["## 7. Beyond one machine: grading on a dask cluster against `--jobs`", ""]
    if d is None:
        return out + ["Not run (`python bench/cluster.py`).", ""]
    rows = []
    for p in (1, 2):
        for side, label in ((f"jobs {p}", f"`--jobs {p}`"), (f"dask {p}", f"`--dask`, {p} worker{'s' * (p > 1)}")):
            s = d["sides"][side]
            rows.append([label, s["best_wall_s"], s["subs_per_s"], ", ".join(f"{w:g}" for w in s["wall_s"])])
    out += _table(["side", "wall s (best)", "submissions / s", "every round (s)"], rows)
    worst = max(d["overhead"].values())
    out += [f"Cluster over `--jobs` at the same parallelism: 1 worker {d['overhead']['1']:.2f}×, "
            f"2 workers {d['overhead']['2']:.2f}× (goal ≤ {GOALS['cluster_overhead']:g}×: "
            f"{_met(worst <= GOALS['cluster_overhead'])}). Two at a time over one at a time: "
            f"`--jobs` {d['speedup_2_over_1']['jobs']:.2f}×, dask {d['speedup_2_over_1']['dask']:.2f}×.",
            f"{d['n']} submissions of {d['assignment']} (bench/make_class.py, class seed {d['class_seed']}), "
            f"run seed {d['seed']}, {d['rounds']} round(s), sides interleaved; the scheduler and workers run on "
            f"the same {d['machine']['cpus']}-core machine, workers started fresh before each dask side "
            f"(at most {d['worker_start_s']} s, not timed). Results that differ from `--jobs`: "
            f"{sum(len(v) for v in d['mismatches'].values())}.", ""]
    return out


def render(results: Path) -> str:
    lines = ["# Benchmarks", "",
             "What the kit costs, each figure measured against a peer in the same run (the machine is "
             "noisy; compare ratios, not absolute times). Regenerate everything with `make bench` "
             "(about an hour with the default sizes; `make bench BENCH_N=50 SCALE_SIZES=\"50 100\"` for a "
             "quick look); this page is written by `bench/report.py` from `bench/results/*.json`.", "",
             "Machine of the last run:", ""]
    lines += _machine()
    lines += throughput_sections(results)
    lines += overhead(_load(results, "overhead"))
    lines += freshness(_load(results, "freshness"))
    lines += isolation_cost(_load(results, "isolation_cost"))
    lines += isolation_attacks(_load(results, "isolation_attacks"))
    lines += scale(_load(results, "scale_n"))
    lines += check_latency(_load(results, "check_latency"))
    lines += training(_load(results, "training"))
    lines += similarity(_load(results, "similarity"))
    lines += cluster(_load(results, "cluster"))
    lines += ["## Reproduce", "",
              "```", "make bench                      # all of them, then this page",
              "make bench BENCH_N=200 SCALE_SIZES=\"100 500 2000\"   # the defaults", "```", "",
              "Each script also runs alone (`python bench/<name>.py --help`) and writes "
              "`bench/results/<name>.json`. The PyTorch column appears when `torch` imports in `.venv` "
              "(`.venv/bin/pip install torch==2.13.0` installs the CPU build).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    args.out.write_text(render(args.results))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
