"""How `grader autograde` scales with the size of the class: wall time and the parent's memory.

    python bench/scale.py [--sizes 100 500 2000] [--class-seed 0] [--seed 7] [--jobs 2]
                          [--keep DIR] [--out bench/results/scale_n.json]

For each N, a class of N submissions is generated once with bench/make_class.py (in a temporary
folder that is removed afterwards, or in --keep DIR, where a class of the same N and seed is
reused), then graded by the CLI in a subprocess. While it runs, /proc is polled every 0.2 s for

- the grader parent: VmHWM (its peak RSS, as the kernel counts it) and VmRSS;
- the pool workers: the sum of VmRSS over the parent's direct children that are
  multiprocessing spawn processes (the ProcessPoolExecutor workers).

The sandboxed student processes are grandchildren (each pool worker starts its own) and are not
counted anywhere: the point is the memory of the grader itself.

Goals the numbers are read against: time linear in N (seconds per submission about constant, so
the ratio largest/smallest N is near 1) and parent memory flat in N (peak ratio near 1). After
each run, every student must have a complete result JSON ("lost" counts those that do not); the
sum of the per-submission "duration" fields is compared with wall time x jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_class  # noqa: E402

from grader.grading import results  # noqa: E402

ASSIGNMENT = make_class.ASSIGNMENT
POLL_S = 0.2


# ------------------------------------------------------------------------------- /proc readings

def _status_kib(pid: int, keys: tuple[str, ...]) -> dict[str, int] | None:
    """Selected kB fields of /proc/<pid>/status; None once the process (or its memory) is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in keys:
            found[key] = int(value.split()[0])
    # A zombie has a status file but no Vm* lines.
    return found if len(found) == len(keys) else None


def _children(pid: int) -> list[int]:
    """Direct children of `pid`. The kernel lists children per thread that forked them, so every
    thread is read: the pool may start a worker from a thread other than the main one."""
    kids: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return kids
    for task in tasks:
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def _is_pool_worker(pid: int) -> bool:
    """A spawn-started multiprocessing process; this leaves out the resource tracker, also a child."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _pool_rss_kib(pid: int) -> int:
    total = 0
    for kid in _children(pid):
        if _is_pool_worker(kid):
            reading = _status_kib(kid, ("VmRSS",))
            total += reading["VmRSS"] if reading else 0
    return total


@dataclass
class Memory:
    parent_hwm_kib: int = 0
    parent_rss_kib: int = 0
    pool_kib: int = 0
    samples: int = 0

    def sample(self, pid: int) -> None:
        parent = _status_kib(pid, ("VmHWM", "VmRSS"))
        if parent is not None:
            self.parent_hwm_kib = max(self.parent_hwm_kib, parent["VmHWM"])
            self.parent_rss_kib = max(self.parent_rss_kib, parent["VmRSS"])
            self.samples += 1
        self.pool_kib = max(self.pool_kib, _pool_rss_kib(pid))


# ------------------------------------------------------------------------------- one size

def make_or_reuse_class(subs: Path, n: int, seed: int) -> tuple[list[str], float]:
    """The students of a class of n (generated unless `subs` already holds this very class)."""
    t0 = time.monotonic()
    expected_file = subs / "expected.json"
    if expected_file.is_file():
        expected = json.loads(expected_file.read_text())
        if (expected.get("n"), expected.get("seed")) != (n, seed):
            expected = None
    else:
        expected = None
    if expected is None:
        shutil.rmtree(subs, ignore_errors=True)
        expected = make_class.write_class(subs, n, seed)
    return sorted(expected["students"]), time.monotonic() - t0


def grade(subs: Path, out: Path, jobs: int, seed: int, log: Path) -> tuple[float, int, Memory]:
    """Run the CLI once, sampling memory until it exits; (wall s, exit code, memory)."""
    cmd = [sys.executable, "-m", "grader.cli", "autograde", str(subs), "--assignment", ASSIGNMENT, "--out", str(out),
           "--jobs", str(jobs), "--seed", str(seed), "--no-progress"]
    memory = Memory()
    with log.open("w") as fh:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT)
        while proc.poll() is None:
            memory.sample(proc.pid)
            time.sleep(POLL_S)
        wall = time.monotonic() - t0
    return wall, proc.returncode, memory


def check_results(out: Path, students: list[str]) -> dict:
    """Lost students (no complete result), statuses and the per-submission durations."""
    got = {r["student"]: r for r in results.load_results(out) if r["assignment"] == ASSIGNMENT}
    lost = [s for s in students if s not in got]
    durations = [float(got[s]["duration"]) for s in students if s in got]
    return {"lost": len(lost), "lost_students": lost[:20],
            "statuses": dict(sorted(Counter(r["status"] for r in got.values()).items())),
            "duration_sum_s": round(sum(durations), 2),
            "duration_mean_s": round(sum(durations) / len(durations), 3) if durations else None}


def measure(n: int, work: Path, args: argparse.Namespace) -> dict:
    subs, out, log = work / f"class-{n}", work / f"out-{n}", work / f"autograde-{n}.log"
    students, gen_s = make_or_reuse_class(subs, n, args.class_seed)
    shutil.rmtree(out, ignore_errors=True)   # a stale result must not count as graded
    load_before = os.getloadavg()
    wall, code, mem = grade(subs, out, args.jobs, args.seed, log)
    checked = check_results(out, students)
    if code != 0:
        print(f"  N={n}: exit code {code}; end of {log}:\n"
              + "\n".join(log.read_text(errors="replace").splitlines()[-15:]), file=sys.stderr)
    row = {"n": n, "wall_s": round(wall, 2), "s_per_sub": round(wall / n, 4),
           "subs_per_s": round(n / wall, 3),
           "parent_peak_mib": round(mem.parent_hwm_kib / 1024, 1),
           "parent_rss_max_mib": round(mem.parent_rss_kib / 1024, 1),
           "pool_peak_mib": round(mem.pool_kib / 1024, 1), "memory_samples": mem.samples,
           **checked, "returncode": code,
           # Near 1 when both jobs were busy all the time; the rest is start-up, the tail, collect.
           "busy_share": round(checked["duration_sum_s"] / (wall * args.jobs), 3),
           "class_gen_s": round(gen_s, 1),
           "loadavg_before": [round(x, 2) for x in load_before],
           "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
    if args.keep is None:
        shutil.rmtree(subs, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    return row


# ------------------------------------------------------------------------------- report

def _ratio(rows: list[dict], key: str) -> float | None:
    """rows[largest N][key] / rows[smallest N][key]."""
    small, large = min(rows, key=lambda r: r["n"]), max(rows, key=lambda r: r["n"])
    return round(large[key] / small[key], 3) if small[key] else None


def table(rows: list[dict]) -> str:
    head = f"{'N':>6} {'wall s':>9} {'s/sub':>8} {'subs/s':>8} {'parent peak MiB':>16} " \
           f"{'pool workers (sum) MiB':>23} {'lost':>5}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['n']:>6} {r['wall_s']:>9.1f} {r['s_per_sub']:>8.3f} {r['subs_per_s']:>8.2f} "
                     f"{r['parent_peak_mib']:>16.1f} {r['pool_peak_mib']:>23.1f} {r['lost']:>5}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 2000], metavar="N")
    parser.add_argument("--class-seed", type=int, default=0, help="seed of the class mix")
    parser.add_argument("--seed", type=int, default=7, help="run seed of every grading run")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep classes and outputs")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale_n.json")
    args = parser.parse_args(argv)
    if min(args.sizes) < 1 or args.jobs < 1:
        parser.error("sizes and --jobs must be at least 1")

    from grader import sandbox

    work = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="nnkit-scale-n-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.sizes:
            print(f"N={n}: generating and grading in {work} ...", flush=True)
            rows.append(measure(n, work, args))
            print(f"  {rows[-1]['wall_s']} s, parent peak {rows[-1]['parent_peak_mib']} MiB, "
                  f"lost {rows[-1]['lost']}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    report = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "isolation": sandbox.isolation_mode(), "jobs": args.jobs, "run_seed": args.seed,
              "class_seed": args.class_seed, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
              "sizes": rows,
              "linearity": {"s_per_sub_ratio_largest_over_smallest": _ratio(rows, "s_per_sub")},
              "memory": {"parent_peak_ratio_largest_over_smallest": _ratio(rows, "parent_peak_mib")}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(table(rows))
    print(f"s/sub ratio largest/smallest N: {report['linearity']['s_per_sub_ratio_largest_over_smallest']}; "
          f"parent peak ratio: {report['memory']['parent_peak_ratio_largest_over_smallest']}")
    print("parent = the grader CLI process; pool workers = its ProcessPool children (sandboxed student "
          f"processes not counted); results in {args.out}")
    return 0 if all(r["lost"] == 0 and r["returncode"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
