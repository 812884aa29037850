"""Grading on a dask cluster against local processes, at the same parallelism.

    python bench/cluster.py [--n 24] [--class-seed 0] [--seed 7] [--rounds 1]
        [--out bench/results/cluster.json]

bench/make_class.py writes one synthetic class of nn_from_scratch (correct / mutant / stubs /
hostile). One run grades it four ways, every side with the same run seed, in this order per round:

1. `grader autograde SUBS --jobs 1`;
2. `grader autograde SUBS --dask ADDRESS` on one `dask worker --nthreads 1`;
3. `grader autograde SUBS --jobs 2`;
4. `grader autograde SUBS --dask ADDRESS` on two such workers.

A local scheduler (127.0.0.1) is started once; the workers of each dask side are started fresh
before it (not timed: a cluster's workers are long-lived; their first submission still pays the
warm-up a --jobs pool process pays). Timed: the wall time of the one grading command (interpreter
start and imports included on both sides). Agreement: every result of the dask sides must equal
the --jobs side's (grader.grading.results.without_timing); the exit code is non-zero otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from grader.grading import results  # noqa: E402

BIN = Path(sys.executable).parent
ASSIGNMENT = "nn_from_scratch"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(argv: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _workers(address: str, n: int, cwd: Path) -> tuple[list[subprocess.Popen], float]:
    from distributed import Client

    start = time.monotonic()
    procs = [_start([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                     "--name", f"bench-{i}"], cwd) for i in range(n)]
    with Client(address, timeout=60) as client:
        client.wait_for_workers(n, timeout=120)
    return procs, time.monotonic() - start


def _grade(subs: Path, out: Path, seed: int, *where: str) -> float:
    start = time.monotonic()
    proc = subprocess.run([str(BIN / "grader"), "autograde", str(subs), "--assignment", ASSIGNMENT,
                           "--out", str(out), "--seed", str(seed), "--no-progress", *where],
                          capture_output=True, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"grader autograde {' '.join(where)} failed: {proc.stderr[-2000:]}")
    return wall


def _mismatches(a: Path, b: Path) -> list[str]:
    bad = []
    for path in results.result_files(a):
        other = b / path.relative_to(a)
        if not other.is_file() or results.without_timing(json.loads(path.read_text())) != \
                results.without_timing(json.loads(other.read_text())):
            bad.append(path.parent.name)
    if len(results.result_files(b)) != len(results.result_files(a)):
        bad.append("(a different number of results)")
    return bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=24)
    parser.add_argument("--class-seed", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "cluster.json")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    subs = tmp / "class"
    subprocess.run([sys.executable, str(HERE / "make_class.py"), str(subs), "--n", str(args.n),
                    "--seed", str(args.class_seed)], check=True, capture_output=True,
                   env={**os.environ, "NNKIT_BENCH_ASSIGNMENT": ASSIGNMENT})
    n = len([p for p in subs.iterdir() if p.is_dir()])
    address = f"tcp://127.0.0.1:{_free_port()}"
    scheduler = _start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                        address.rsplit(":", 1)[1], "--no-dashboard"], tmp)
    sides: dict[str, list[float]] = {}
    startup: list[float] = []
    mismatches: dict[str, list[str]] = {}
    try:
        for r in range(args.rounds):
            for parallel in (1, 2):
                jobs_out = tmp / f"jobs{parallel}-{r}"
                sides.setdefault(f"jobs {parallel}", []).append(
                    _grade(subs, jobs_out, args.seed, "--jobs", str(parallel)))
                workers, started = _workers(address, parallel, tmp)
                startup.append(started)
                try:
                    dask_out = tmp / f"dask{parallel}-{r}"
                    sides.setdefault(f"dask {parallel}", []).append(
                        _grade(subs, dask_out, args.seed, "--dask", address))
                finally:
                    _stop(workers)
                bad = _mismatches(jobs_out, dask_out)
                if bad:
                    mismatches[f"dask {parallel} round {r}"] = bad
                print(f"round {r}, {parallel} at a time: jobs {sides[f'jobs {parallel}'][-1]:.1f} s, "
                      f"dask {sides[f'dask {parallel}'][-1]:.1f} s", flush=True)
    finally:
        _stop([scheduler])
    best = {name: min(walls) for name, walls in sides.items()}
    data = {
        "assignment": ASSIGNMENT, "n": n, "class_seed": args.class_seed, "seed": args.seed,
        "rounds": args.rounds,
        "sides": {name: {"wall_s": [round(w, 2) for w in walls], "best_wall_s": round(best[name], 2),
                         "subs_per_s": round(n / best[name], 3)} for name, walls in sides.items()},
        "overhead": {str(p): round(best[f"dask {p}"] / best[f"jobs {p}"], 3) for p in (1, 2)},
        "speedup_2_over_1": {"jobs": round(best["jobs 1"] / best["jobs 2"], 3),
                             "dask": round(best["dask 1"] / best["dask 2"], 3)},
        "worker_start_s": round(max(startup), 2),
        "mismatches": mismatches,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_at_end": os.getloadavg()[0]},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps({k: data[k] for k in ("overhead", "speedup_2_over_1", "mismatches")}))
    print(f"wrote {args.out}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
