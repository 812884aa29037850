"""What one submission costs the grader beyond the work of its own code.

    python bench/overhead.py [--repeats 15] [--out bench/results/overhead.json]

A notebook whose tests are trivial (the release as handed out: every function raises
NotImplementedError at once) is graded again and again in one warm process (grader, hidden tests,
reference and the font cache loaded, as in a pool process after its first submission). Its wall
time per submission is compared with:

- the floor named by the goal: a fresh `python -c "import numpy"`;
- the notebook's own work: a fresh interpreter started the way the sandbox starts its worker
  (`-I -S`, the site-packages folder on sys.path, one BLAS thread) running, once, exactly the code
  the grader runs for that notebook (the release's setup cells, which import NumPy and
  Matplotlib, then the student's cells), with no sandbox and no tests.

overhead = graded wall time - own work: starting bubblewrap and the worker (the template runs the
setup cells), the submission's host, a fresh process forked per check that runs the student's cells again, the wire
protocol, the test calls that fail at once, killing the sandbox, and the result record. The
sandbox alone (start, `import numpy` in the first check's process, close) is also compared with
`python -c "import numpy"`.
Cases are interleaved round by round, so a busy moment of the machine spreads over all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from autograde_tests import engine  # noqa: E402
from grader import sandbox  # noqa: E402
from grader.grading.autograde import course_assignment  # noqa: E402
from grader.grading.grade import Assignment, grade_notebook  # noqa: E402
from grader.grading.submission import code_to_run  # noqa: E402
from grader.paths import course  # noqa: E402
from grader.release.classgen import make_submission, reference_answers  # noqa: E402

ASSIGNMENT = "nn_from_scratch"
GOAL_MS = 20.0
#: Same environment the sandbox gives a worker: one BLAS thread, Agg backend.
FRESH_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
             "MPLBACKEND": "Agg"}


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _fresh_python(code: str, cwd: Path, like_worker: bool = False) -> Callable[[], object]:
    argv = [sys.executable, "-c", code]
    if like_worker:
        from grader.sandbox.isolation import site_dirs

        prelude = f"import sys; sys.path[:0] = ['']; sys.path += {list(site_dirs())!r}\n"
        argv = [sys.executable, "-I", "-S", "-c", prelude + code]

    def run() -> None:
        subprocess.run(argv, cwd=cwd, env=FRESH_ENV, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return run


def _grade(notebook: Path, assignment: Assignment) -> Callable[[], object]:
    def run() -> None:
        result = grade_notebook(notebook, "bench", assignment, 7, sandbox.Limits())
        assert result["status"] == "graded", result["reason"]
    return run


def _sandbox_only(cells: list[str], assignment: Assignment) -> Callable[[], object]:
    def run() -> None:
        with sandbox.SubmissionSession(cells, workdir_files=assignment.workdir_files) as session:
            assert session.start().ok
    return run


def _stats(samples: list[float]) -> dict:
    ms = sorted(1000 * s for s in samples)
    return {"median_ms": round(statistics.median(ms), 1), "min_ms": round(ms[0], 1), "n": len(ms)}


def measure(repeats: int) -> dict:
    the_course = course()
    release_dir = the_course.assignments / ASSIGNMENT
    assignment = course_assignment(the_course, ASSIGNMENT)
    answers = reference_answers(the_course.solution_notebook(ASSIGNMENT))
    release_nb = release_dir / assignment.notebook_name
    with tempfile.TemporaryDirectory(prefix="nnkit-overhead-") as tmp:
        folder = Path(tmp)
        stubs = folder / "stubs.ipynb"
        stubs.write_text(json.dumps(make_submission(release_nb, answers, all_stubs=True)))
        own = [*assignment.release.setup_sources, *code_to_run(stubs, assignment.release)]
        stub_code = "\n\n".join(source for _label, source in own)
        # The notebook's own work runs where a student runs it: beside toy2d.py and data/.
        work = folder / "work"
        work.mkdir()
        for rel, src in assignment.workdir_files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_bytes(src.read_bytes())

        cases: dict[str, Callable[[], object]] = {
            "python -c 'import numpy'": _fresh_python("import numpy", work),
            "own work: release stubs, fresh python": _fresh_python(stub_code, work, like_worker=True),
            "graded: release stubs": _grade(stubs, assignment),
            "sandbox start+close: import numpy": _sandbox_only(["import numpy as np"], assignment),
        }
        engine.all_checks(ASSIGNMENT)
        assignment.load_reference()
        for fn in cases.values():  # warm-up round: font cache, reference, page cache
            fn()
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(repeats):
            for name, fn in cases.items():
                samples[name].append(_timed(fn))
    stats = {name: _stats(s) for name, s in samples.items()}
    overhead = {
        "release stubs": round(stats["graded: release stubs"]["median_ms"]
                               - stats["own work: release stubs, fresh python"]["median_ms"], 1),
        "sandbox floor over python -c 'import numpy'": round(
            stats["sandbox start+close: import numpy"]["median_ms"]
            - stats["python -c 'import numpy'"]["median_ms"], 1),
    }
    return {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform()},
            "isolation": sandbox.isolation_mode(), "repeats": repeats, "checks": len(engine.all_checks(ASSIGNMENT)),
            "cases": stats, "overhead_ms": overhead, "goal_ms": GOAL_MS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "overhead.json")
    args = parser.parse_args(argv)
    data = measure(args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n")
    width = max(map(len, data["cases"]))
    print(f"{'case':<{width}}  median ms  min ms")
    for name, s in data["cases"].items():
        print(f"{name:<{width}}  {s['median_ms']:>9}  {s['min_ms']:>6}")
    for name, ms in data["overhead_ms"].items():
        print(f"overhead, {name}: {ms} ms (goal <= {GOAL_MS:g} ms)")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
