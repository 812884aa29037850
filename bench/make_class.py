"""Generate a synthetic class of submissions for scale runs of `grader autograde`.

    python bench/make_class.py OUT_DIR --n 200 --seed 0

writes OUT_DIR/<student>/<a>/<a>.ipynb for N students (nbgrader layout) and OUT_DIR/expected.json,
for the assignment <a> in $NNKIT_BENCH_ASSIGNMENT (default nn_from_scratch). The mix is deterministic for a given seed:

- correct  (~40%): every solution cell holds the reference code;
- mutant   (~35%): one file of tests/mutants/ (a typical single mistake); each function it
  redefines goes into the solution cell of that function (grade_id "solution-<name>");
- stubs    (~10%): the released notebook as handed out, nothing implemented;
- hostile  (~15%): an infinite loop in a function, os._exit() or a memory bomb inside a call,
  fork attempts, fake score lines on stdout/stderr, np.allclose & co. patched next to a wrong
  function, a file that is not JSON, an empty file.

Hostile code only ever targets functions that no other check reaches through the student's own
code (standardize, sigmoid, predict, accuracy, numerical_gradient; `train` calls none of them),
so the points its honest part earns do not depend on the run seed.

expected.json: {"n", "seed", "assignment", "students": {student: entry}}, where an entry holds
  kind, detail          what the submission is;
  score, status         the expected result;
  exact                 true when the score is known for every run seed; false for mutants that
                        lose train.accuracy (it trains on two datasets drawn by the run seed, and a
                        slow-learning mistake may pass on the easy ones): then "approx" is true;
  honest_code           (not for invalid files) Python source that, executed over the reference
                        solution, gives the same honest work without anything hostile: the
                        mutant, the wrong function, or stubs of the functions that were
                        sabotaged (an oracle for the score; no bench script grades it today).
  sabotaged             (hostile only) functions whose checks must all fail.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The assignment the class is of: $NNKIT_BENCH_ASSIGNMENT (default nn_from_scratch), read once so
#: that every bench script that imports this module works on the same assignment.
ASSIGNMENT = os.environ.get("NNKIT_BENCH_ASSIGNMENT", "nn_from_scratch")
MUTANTS_DIR = ROOT / "tests" / "mutants" / ASSIGNMENT

#: Share of each kind (hostile gets the rest).
MIX = {"correct": 0.40, "mutant": 0.35, "stubs": 0.10}
HOSTILE_KINDS = ("loop", "exit_in_call", "memory_bomb", "fork", "fake_score", "patched_allclose",
                 "not_json", "empty")

#: Per assignment, the functions outside `train`'s call graph (sabotaging one costs exactly its
#: own checks) and wrong but honest versions of some of them (failing every check of their
#: function).
SAFE_TARGETS_OF = {
    "nn_from_scratch": ("standardize", "sigmoid", "predict", "accuracy", "numerical_gradient"),
    "training_networks": ("mse", "mse_backward", "bce_with_logits", "bce_with_logits_backward"),
    "computation_graphs": ("nesterov_step", "adagrad_step", "rmsprop_step", "clip_by_global_norm",
                           "l1_penalty", "l1_gradient"),
}
WRONG_OF = {"nn_from_scratch": {
    "standardize": (
        "def standardize(X, mean=None, std=None):\n"
        "    if mean is None:\n"
        "        mean = X.mean(axis=0)\n"
        "    if std is None:\n"
        "        std = X.std(axis=0)\n"
        "    return X - mean, mean, std\n"),
    "sigmoid": "def sigmoid(Z):\n    return np.tanh(Z)\n",
    "predict": "def predict(params, X):\n    return np.argmax(forward(params, X)[0], axis=0)\n",
    "accuracy": "def accuracy(y_pred, y):\n    return float(np.sum(np.asarray(y_pred) == np.asarray(y)))\n",
}, "training_networks": {
    "mse": "def mse(y_pred, y):\n    return float(np.mean(np.abs(y_pred - y)))\n",
    "mse_backward": "def mse_backward(y_pred, y):\n    return y_pred - y\n",
    "bce_with_logits": "def bce_with_logits(z, y):\n    return float(np.mean(z))\n",
    "bce_with_logits_backward": "def bce_with_logits_backward(z, y):\n    return z - y\n",
}, "computation_graphs": {
    "l1_penalty": "def l1_penalty(params, lam):\n    return float(lam * sum(np.sum(W ** 2) for W, _ in params))\n",
    "l1_gradient": "def l1_gradient(params, lam):\n    return [(lam * W, np.zeros_like(b)) for W, b in params]\n",
    "clip_by_global_norm": ("def clip_by_global_norm(grads, max_norm):\n"
                            "    return [tuple(g / max_norm for g in layer) for layer in grads], float(max_norm)\n"),
    "nesterov_step": ("def nesterov_step(params, grads, velocity, lr, beta=0.9):\n"
                      "    return [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)], velocity\n"),
}}
SAFE_TARGETS = SAFE_TARGETS_OF[ASSIGNMENT]
WRONG = WRONG_OF[ASSIGNMENT]

ALLCLOSE_PATCH = (
    "import numpy as np\n"
    "np.allclose = lambda *a, **k: True\n"
    "np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)\n"
    "np.array_equal = lambda *a, **k: True\n"
    "np.testing.assert_allclose = lambda *a, **k: None\n"
    "np.testing.assert_array_equal = lambda *a, **k: None\n")


def _stub(name: str) -> str:
    return f"def {name}(*args, **kwargs):\n    raise NotImplementedError\n"


def _hostile_body(kind: str, name: str) -> str:
    """Source of a hostile `name` for the kinds that sabotage a function inside its calls."""
    if kind == "loop":
        return (f"def {name}(*args, **kwargs):\n"
                "    n = 0\n"
                "    while True:\n"
                "        try:\n"
                "            n += 1\n"
                "        except BaseException:\n"
                "            pass\n")
    if kind == "exit_in_call":
        return f"def {name}(*args, **kwargs):\n    import os\n    os._exit(3)\n"
    if kind == "memory_bomb":
        return (f"def {name}(*args, **kwargs):\n"
                "    hoard = []\n"
                "    while True:\n"
                "        hoard.append(bytearray(1 << 27))\n")
    if kind == "fork":
        return (f"def {name}(*args, **kwargs):\n"
                "    import os\n"
                "    while True:\n"
                "        if os.fork() == 0:\n"
                "            os._exit(0)\n")
    raise ValueError(kind)


FORK_AT_IMPORT = (
    "import os, subprocess\n"
    "for _ in range(50):\n"
    "    try:\n"
    "        if os.fork() == 0:\n"
    "            os._exit(0)\n"
    "    except OSError:\n"
    "        break\n"
    "try:\n"
    "    subprocess.run(['sh', '-c', 'echo escaped'])\n"
    "except Exception:\n"
    "    pass\n")

FAKE_SCORE = (
    "import sys, json\n"
    "print('score: 100/100')\n"
    "print(json.dumps({'score': 100, 'max_score': 100, 'status': 'graded'}))\n"
    "sys.stderr.write('{\"score\": 100}\\n')\n"
    "sys.stdout.flush()\n")


# ------------------------------------------------------------------------------------ mutants

def mutant_names() -> list[str]:
    return sorted(p.stem for p in MUTANTS_DIR.glob("*.py"))


def load_mutant(name: str) -> tuple[str, dict[str, str], dict]:
    """(file text, function name -> cell code, EXPECT) of one mutant file."""
    path = MUTANTS_DIR / f"{name}.py"
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    imports, functions, other = [], {}, []
    expect = None
    for node in tree.body:
        segment = ast.get_source_segment(text, node)
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(segment)
        elif isinstance(node, ast.FunctionDef):
            functions[node.name] = segment
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "EXPECT" for t in node.targets):
            expect = ast.literal_eval(node.value)
        else:
            other.append(segment)
    if not functions or expect is None:
        raise ValueError(f"{path}: expected function definitions and an EXPECT dict")
    comment = "\n".join(line for line in text.splitlines()[:3] if line.startswith("#"))
    head = "\n".join(imports)
    cells = {}
    for i, (fn, source) in enumerate(functions.items()):
        parts = [comment if i == 0 else "", head, *(other if i == 0 else []), source]
        cells[fn] = "\n\n".join(p for p in parts if p) + "\n"
    return text, cells, expect


# ------------------------------------------------------------------------------------ class

def _counts(n: int) -> dict[str, int]:
    counts = {kind: round(share * n) for kind, share in MIX.items()}
    counts["hostile"] = max(0, n - sum(counts.values()))
    return counts


def _points_by_function() -> dict[str, dict[str, float]]:
    from autograde_tests import engine

    table: dict[str, dict[str, float]] = {}
    for c in engine.all_checks(ASSIGNMENT):
        table.setdefault(c.function, {})[c.id] = c.points
    return table


def plan(n: int, seed: int) -> dict[str, dict]:
    """student -> entry (see the module docstring), plus the private key "_variant"."""
    from autograde_tests import engine

    rng = random.Random(seed)
    counts = _counts(n)
    kinds = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(kinds)
    mutants = mutant_names()
    rng.shuffle(mutants)
    hostile = list(HOSTILE_KINDS)
    rng.shuffle(hostile)
    points = _points_by_function()
    total = float(engine.total_points(ASSIGNMENT))
    all_functions = list(points)
    width = max(3, len(str(n - 1)))
    used = {"mutant": 0, "hostile": 0}
    students: dict[str, dict] = {}
    for i, kind in enumerate(kinds):
        student = f"s{i:0{width}d}"
        entry: dict = {"kind": kind, "status": "graded", "exact": True}
        if kind == "correct":
            entry.update(detail="reference", score=total, honest_code="", _variant={})
        elif kind == "stubs":
            entry.update(detail="nothing implemented", score=0.0,
                         honest_code="\n\n".join(_stub(f) for f in all_functions), _variant=None)
        elif kind == "mutant":
            name = mutants[used["mutant"] % len(mutants)]
            used["mutant"] += 1
            text, cells, expect = load_mutant(name)
            lost = expect["lost"]
            approx = "train.accuracy" in lost
            entry.update(detail=name, score=total - float(sum(lost.values())), exact=not approx,
                         lost=lost, honest_code=text,
                         _variant={f"solution-{fn}": code for fn, code in cells.items()})
            if approx:
                entry["approx"] = True
        else:
            kind_h = hostile[used["hostile"] % len(hostile)]
            used["hostile"] += 1
            entry.update(_hostile(kind_h, rng, points, total))
        students[student] = entry
    return students


def _hostile(kind: str, rng: random.Random, points: dict[str, dict[str, float]],
             total: float) -> dict:
    if kind in ("not_json", "empty"):
        return {"detail": kind, "status": "invalid", "score": 0.0,
                "_file": b"{ this is not json" if kind == "not_json" else b""}
    if kind == "patched_allclose":
        target = rng.choice(sorted(WRONG))
        variant = {f"solution-{target}": ALLCLOSE_PATCH + "\n\n" + WRONG[target]}
        honest = WRONG[target]
        detail = f"np.allclose, np.isclose, np.array_equal, np.testing patched; wrong {target}"
    elif kind == "fake_score":
        target = rng.choice(SAFE_TARGETS)
        variant = {f"stub:solution-{target}": "", "cell:append": FAKE_SCORE}
        honest = _stub(target)
        detail = f"prints fake scores; {target} left as a stub"
    else:
        target = rng.choice(SAFE_TARGETS)
        variant = {f"solution-{target}": _hostile_body(kind, target)}
        if kind == "fork":
            variant["cell:append"] = FORK_AT_IMPORT
        honest = _stub(target)
        detail = {"loop": "endless loop (swallows BaseException)",
                  "exit_in_call": "os._exit(3)",
                  "memory_bomb": "allocates until the memory limit",
                  "fork": "fork loop in the call, fork and subprocess at import"}[kind]
        detail = f"{target}: {detail}"
    lost = points[target]
    return {"detail": f"{kind}: {detail}", "score": total - float(sum(lost.values())),
            "sabotaged": [target], "lost": lost, "honest_code": honest, "_variant": variant}


def write_class(out: Path, n: int = 200, seed: int = 0) -> dict:
    """Write the class and expected.json into `out`; return the expected.json content."""
    sys.path.insert(0, str(ROOT))
    from grader.paths import course
    from grader.release.classgen import make_submission, reference_answers, write_submission

    the_course = course()
    release_nb = the_course.assignments / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    answers = reference_answers(the_course.solution_notebook(ASSIGNMENT))
    release_ids = set(answers)
    name = f"{ASSIGNMENT}.ipynb"
    out.mkdir(parents=True, exist_ok=True)
    students = plan(n, seed)
    for student, entry in students.items():
        if "_file" in entry:
            write_submission(out, student, ASSIGNMENT, name, entry.pop("_file"))
            continue
        variant = entry.pop("_variant")
        for key in variant or {}:
            gid = key.split(":", 1)[1] if key.startswith("stub:") else key
            if key != "cell:append" and gid not in release_ids:
                raise ValueError(f"{student}: no solution cell {gid} in the release")
        nb = make_submission(release_nb, answers, variant, all_stubs=variant is None)
        if variant and "cell:append" in variant:
            nb.cells[-1]["id"] = "student-added-cell"   # a fixed id: the class is byte-identical
        write_submission(out, student, ASSIGNMENT, name, nb)
    expected = {"n": n, "seed": seed, "assignment": ASSIGNMENT, "students": students}
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--n", type=int, default=200, help="number of students (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mix (default 0)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    expected = write_class(args.out, args.n, args.seed)
    kinds: dict[str, int] = {}
    for entry in expected["students"].values():
        kinds[entry["kind"]] = kinds.get(entry["kind"], 0) + 1
    exact = sum(e["exact"] for e in expected["students"].values())
    print(f"{args.n} submissions in {args.out}: "
          + ", ".join(f"{c} {k}" for k, c in sorted(kinds.items()))
          + f"; {exact} with an exact expected score")
    return 0


if __name__ == "__main__":
    sys.exit(main())
