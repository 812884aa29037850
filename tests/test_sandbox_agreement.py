"""computation_graphs in the sandbox: `grader autograde` gives every mutant and honest variant the
check results the in-process double gives (what tests/test_mutants.py and test_variants.py
assert), the reference and the independent solution full marks.

Its checks send 0-d arrays and NumPy scalars (the upstream gradient of a sum, a scalar input of a
broadcast) and graph descriptions that the sandbox's worker builds with the student's Tensor
(nnkit_contract.graphs): paths the in-process double takes without the wire, the shared argument
memory or the worker's normalizer. Every file of the corpus is one submission (its code appended
to the reference answers, as check.py's tests do); one `grader autograde` run grades them all.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import corpus as sol
import pytest
from inprocess import InProcessStudent

from autograde_tests import engine
from grader.cli import main
from grader.paths import course
from grader.release import example_class
from grader.release.classgen import make_submission, reference_answers, write_submission

pytestmark = pytest.mark.slow

A = "computation_graphs"
#: The run seed of the example class (examples/computation_graphs/expected.json), as `make demo`.
SEED = example_class.load_expected(course(), A)["seed"]


def _submissions() -> dict[str, tuple[str, Callable[[], dict]]]:
    """student -> (code appended to the reference answers, a maker of its in-process namespace)."""
    subs = {"reference": ("", lambda: sol.reference_namespace(A)),
            "independent": (sol.independent_path(A).read_text(encoding="utf-8"),
                            lambda: sol.independent_namespace(A))}
    for name in sol.mutants(A):
        subs[f"mutant_{name}"] = (sol.code_of(sol.mutant_source(A, name)),
                                  lambda name=name: sol.load_mutant(A, name)[0])
    for name in sol.variants(A):
        subs[f"variant_{name}"] = (sol.code_of(sol.variant_source(A, name)),
                                   lambda name=name: sol.load_variant(A, name)[0])
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[dict, dict]:
    kit = course()
    root = tmp_path_factory.mktemp("cg")
    release_nb = kit.assignments / A / f"{A}.ipynb"
    answers = reference_answers(kit.solution_notebook(A))
    subs = _submissions()
    for student, (code, _) in subs.items():
        changes = {"cell:append": code} if code else {}
        write_submission(root / "submitted", student, A, release_nb.name,
                         make_submission(release_nb, answers, changes))
    out = root / "out"
    assert main(["autograde", str(root / "submitted"), "--assignment", A, "--out", str(out),
                 "--seed", str(SEED), "--jobs", "2", "--no-progress"]) == 0
    found = {p.parent.name: json.loads(p.read_text()) for p in (out / "students").glob(f"*/{A}.json")}
    return subs, found


def _rows(results) -> list[tuple]:
    return [(r["id"], r["status"], r["points"], r.get("diagnosis_id")) if isinstance(r, dict) else
            (r.id, r.status, r.points, r.diagnosis_id) for r in results]


def test_every_file_of_the_corpus_is_graded_like_in_process(graded):
    subs, found = graded
    ref = sol.ref(A)
    differ = []
    for student, (_, make) in subs.items():
        double = engine.run_checks(InProcessStudent(make(), fresh=make), SEED, ref)
        sandboxed = found[student]["tests"]
        if _rows(double) != _rows(sandboxed):
            differ.append((student, sorted(set(_rows(sandboxed)) - set(_rows(double)))))
    assert not differ, differ


def test_the_reference_and_the_independent_solution_get_full_marks(graded):
    _, found = graded
    for student in ("reference", "independent"):
        lost = [(t["id"], t["status"], t["message"][:120]) for t in found[student]["tests"]
                if t["status"] != "passed"]
        assert not lost and found[student]["score"] == engine.total_points(A), (student, lost)


def test_the_honest_variants_get_full_marks(graded):
    _, found = graded
    lost = [(s, t["id"], t["message"][:120]) for s, r in found.items() if s.startswith("variant_")
            for t in r["tests"] if t["status"] != "passed" or t.get("diagnosis_id")]
    assert not lost, lost
