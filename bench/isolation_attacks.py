"""Students who attack the students graded before or after them: what each attack gained and
cost, with the baseline commit and with the current code, in one run.

    python bench/isolation_attacks.py [--base REV] [--current REV] [--user USER --python PY]
        [--out bench/results/isolation_attacks.json]

The class (tests/isolation_attacks.py: memory scans for other students' functions, extended
attributes, modes and planted modules left for the next student, a forged report of the
arguments, a forged answer frame of 700k lists, a sleeping function; each next to its honest
twin, with an honest student after every attacker) is graded with `--jobs 1`, so that one sandbox
serves the submissions one after the other, as a course server grading a class does. Both sides
are `git archive` exports (bench/baseline.py) run with the same interpreter.

Then, for each side, three submissions are graded alone to measure what they cost: the frame bomb
and its stub twin (CPU seconds of the whole grading, grader and sandbox), the extended attributes
(how far unreclaimable kernel memory, /proc/meminfo SUnreclaim, grew during the run, sampled
every 0.1 s).

--user runs every grading as that (unprivileged) user with --python, an interpreter that user can
run and whose environment holds the kit's dependencies (e.g. a venv made from /usr/bin/python3):
the attacks on modes and planted files behave differently for a grader that is not root.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import baseline  # noqa: E402
import isolation_attacks as attacks  # noqa: E402

from grader.grading import results  # noqa: E402

ASSIGNMENT = attacks.ASSIGNMENT
SEED = attacks.SEED
TIMEOUT = attacks.TIMEOUT

CLASS = attacks.CLASS
ALONE = ("g1_frame_bomb", "g2_stubs", "c1_xattr")
write_class = attacks.write_class


def _kernel_memory() -> int:
    """Unreclaimable kernel memory (SUnreclaim): where extended attributes on tmpfs live."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("SUnreclaim:"):
            return int(line.split()[1]) << 10
    return 0


def grade(root: Path, subs: Path, out: Path, user: str | None, python: str | None) -> dict:
    """Grade SUBS with the export at `root`; wall, CPU (the whole process tree) and how far
    unreclaimable kernel memory grew."""
    argv, env, cwd = baseline.side(root)
    if python:
        argv[0] = python
    argv = [*argv, "autograde", str(subs), "--assignment", ASSIGNMENT, "--out", str(out),
            "--jobs", "1", "--seed", str(SEED), "--timeout", TIMEOUT, "--no-progress"]
    if user:
        env["HOME"] = str(out.parent)
        argv = ["runuser", "-u", user, "--", *argv]
    seen = [_kernel_memory()]
    start = seen[0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            seen.append(_kernel_memory())

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"grading failed ({proc.returncode}): {proc.stderr[-2000:]}")
    found = {r["student"]: r for r in results.load_results(out)}
    return {"wall_s": round(wall, 2),
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
            "kernel_memory_growth_mb": round((max(seen) - start) / 2**20),
            "students": {s: {"score": r["score"], "status": r["status"], "duration_s": r["duration"],
                             "lost": sorted(t["id"] for t in r["tests"] if t["status"] != "passed"),
                             "messages": sorted({t["message"][:160] for t in r["tests"]
                                                 if t["status"] != "passed"})[:6]}
                         for s, r in sorted(found.items())}}


def run_side(label: str, rev: str, work: Path, user: str | None, python: str | None) -> dict:
    root = baseline.export(rev, work / label / "code")
    if not python:
        baseline.check_import(root)
    report = {"rev": baseline.short_hash(rev)}
    subs = work / label / "class"
    write_class(subs, list(CLASS))
    _open_up(work)
    report["class"] = grade(root, subs, _out(work / label / "out-class"), user, python)
    for student in ALONE:
        alone = work / label / f"alone-{student}"
        write_class(alone, [student])
        _open_up(work)
        report[f"alone:{student}"] = grade(root, alone, _out(work / label / f"out-{student}"),
                                           user, python)
    return report


def _out(path: Path) -> Path:
    path.mkdir(parents=True)
    path.chmod(0o777)
    return path


def _open_up(path: Path) -> None:
    """Everything readable (and folders passable) for an unprivileged grading user."""
    for folder, _dirs, files in os.walk(path):
        os.chmod(folder, 0o777 if Path(folder).name.startswith("out") else 0o755)
        for f in files:
            p = Path(folder, f)
            if not p.is_symlink():
                p.chmod(p.stat().st_mode | 0o444)


def summary(report: dict) -> list[str]:
    lines = []
    for side in ("baseline", "current"):
        data = report[side]["class"]["students"]
        lines.append(f"{side} ({report[side]['rev']}): class graded in {report[side]['class']['wall_s']} s")
        for student, (_, twin) in CLASS.items():
            r = data[student]
            vs = f" (twin {twin}: {data[twin]['score']:g})" if twin else ""
            lines.append(f"  {student:24} {r['score']:6g} {r['status']:8} {r['duration_s']:7.1f} s{vs}")
        for student in ALONE:
            a = report[side][f"alone:{student}"]
            lines.append(f"  alone {student:18} wall {a['wall_s']} s, cpu {a['cpu_s']} s, "
                         f"unreclaimable kernel memory +{a['kernel_memory_growth_mb']} MB")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=baseline.BASELINE)
    parser.add_argument("--current", default="HEAD")
    parser.add_argument("--user", help="grade as this unprivileged user (needs --python)")
    parser.add_argument("--python", help="interpreter for --user")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "isolation_attacks.json")
    parser.add_argument("--keep", type=Path, help="keep the work folder here")
    args = parser.parse_args(argv)
    if args.user and not args.python:
        parser.error("--user needs --python")
    work = Path(tempfile.mkdtemp(prefix="nnkit-attacks-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    work.chmod(0o755)
    try:
        report = {"user": args.user or f"uid {os.getuid()}",
                  "baseline": run_side("baseline", args.base, work, args.user, args.python),
                  "current": run_side("current", args.current, work, args.user, args.python)}
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print("\n".join(summary(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
