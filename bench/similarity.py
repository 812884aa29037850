"""Time `grader similarity` on a generated class of N students (default 500) against reading
the same notebooks, and write bench/results/similarity.json.

    python bench/similarity.py [--n 500] [--jobs 2] [--seed 0]

The class (deterministic for a seed): each student writes each function in one of three styles
(the reference's, tests/independent/'s, tests/similarity/original_...'s), with comments,
whitespace and dead code of their own, so that many pairs share some code (the costly case); one
student in twenty copies another with a disguise (tests/similarity/make_class.py). The peer is
the time to merely read and parse the N notebooks (grader.grading.submission.read_notebook and
code_to_run, one process): what any tool that looks at every submission pays. The goal: a class
of 500 in under a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "similarity"))

import make_class  # noqa: E402

NAME = "nn_from_scratch"
GOAL_S = 60.0


def build(root: Path, n: int, seed: int) -> None:
    from grader.release.classgen import reference_answers

    release = ROOT / "assignments" / NAME / f"{NAME}.ipynb"
    source = ROOT / "solutions" / NAME / f"{NAME}.ipynb"
    owner = make_class.reference_cells(source)
    reference = {}
    for code in reference_answers(source).values():
        try:
            reference.update(make_class.functions(code))
        except SyntaxError:   # a written answer's text
            continue
    styles = [reference, make_class.functions(make_class.INDEPENDENT.read_text(encoding="utf-8")),
              make_class.functions(make_class.ORIGINAL.read_text(encoding="utf-8"))]
    rng = random.Random(seed)
    made: list[dict[str, str]] = []
    for i in range(n):
        if made and rng.random() < 0.05:
            funcs, reordered = make_class.disguised(rng.choice(made), rng.choice(make_class.DISGUISES),
                                                    seed=i)
        else:
            funcs, reordered = {}, False
            for name in styles[0]:
                style = rng.choice(styles)
                src = style.get(name, styles[0][name])
                src = make_class.recomment(src, rng)
                funcs[name] = make_class.add_dead_code(src, rng) if rng.random() < 0.3 else src
            made.append(funcs)
        nb = make_class.notebook(release, owner, funcs, reordered)
        make_class.write(nb, root, f"s{i:04d}", NAME, release.name)


def read_all(root: Path) -> float:
    """Seconds to read and parse every notebook and take its student code (one process)."""
    from grader.grading.submission import code_to_run, read_notebook
    from grader.similarity import extract

    release = extract.release_cells(ROOT / "assignments" / NAME / f"{NAME}.ipynb")
    start = time.perf_counter()
    for nb in sorted(root.glob(f"*/{NAME}/{NAME}.ipynb")):
        code_to_run(read_notebook(nb), release)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "similarity.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        klass, out = Path(tmp) / "class", Path(tmp) / "out"
        build(klass, args.n, args.seed)
        read_s = read_all(klass)
        start = time.perf_counter()
        run = subprocess.run([str(Path(sys.executable).with_name("grader")), "similarity", str(klass),
                              "--assignment", NAME, "--out", str(out), "--jobs", str(args.jobs)],
                             capture_output=True, text=True)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            sys.stderr.write(run.stderr)
            return 1
        summary = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
        pairs_listed = sum(1 for _ in (out / "similarity.csv").open()) - 1
    result = {"n": args.n, "jobs": args.jobs, "seed": args.seed, "assignment": NAME,
              "similarity_wall_s": round(wall, 2), "read_parse_s": round(read_s, 2),
              "ratio_similarity_over_read": round(wall / read_s, 2),
              "pairs_compared": summary["pairs_compared"], "pairs_above_0": pairs_listed,
              "flagged": len(summary["flagged"]), "goal_s": GOAL_S}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
