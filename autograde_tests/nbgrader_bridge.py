"""Hidden-test entry point for nbgrader: `grade_cell("<function>", globals())` in a grade cell.

nbgrader runs hidden tests in the student's own kernel, so here the student's functions are
called in-process (InProcessStudent); the reference still comes from solutions/. The call prints a
short report and returns the cell's score, which nbgrader takes as partial credit when it is the
cell's last expression. Nothing may reach stderr: nbgrader gives 0 to a grade cell that writes
to stderr, even a correct one, so warnings are silenced and student output is captured.

The run seed comes from $NNKIT_SEED (the same variable `grader autograde --seed` documents), so
an nbgrader run and a `grader autograde` run with the same seed use the same inputs.
"""

from __future__ import annotations

import os
import random
import warnings

from autograde_tests.engine import run_checks
from autograde_tests.student import InProcessStudent

SEED_ENV = "NNKIT_SEED"
#: One seed per kernel when $NNKIT_SEED is unset, printed so the grade can be reproduced.
_KERNEL_SEED = random.SystemRandom().randrange(2**31)


def run_seed() -> int:
    value = os.environ.get(SEED_ENV)
    return int(value) if value else _KERNEL_SEED


def grade_cell(function: str, namespace: dict) -> float:
    """Run every hidden check of `function` on the functions in `namespace`; return the score."""
    seed = run_seed()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = run_checks(InProcessStudent(namespace), seed, only=[function])
    score = sum(r.points for r in results)
    total = sum(r.max_points for r in results)
    print(f"{function}: {score:g} / {total:g} points (run seed {seed})")
    for r in results:
        mark = "ok  " if r.status == "passed" else "FAIL"
        print(f"  {mark} {r.id} ({r.points:g}/{r.max_points:g})")
        if r.status != "passed":
            for line in r.message.splitlines():
                print(f"       {line}")
            if r.diagnosis:
                print(f"       likely cause: {r.diagnosis}")
    return score
