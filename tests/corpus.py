"""What the assignment-level tests grade, for any assignment: the reference's solution cells, the
released stubs, the independent solution tests/independent/<a>.py and the mutant corpus
tests/mutants/<a>/*.py, each as a namespace of this process (for tests/inprocess.py).

Every assignment with hidden tests is listed by `ASSIGNMENTS`; the test modules parametrize over
it, so a new assignment is tested as soon as its folders exist.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import nbformat

from autograde_tests import engine, reference
from grader.paths import course
from nnkit_contract.cells import Role

TESTS = Path(__file__).resolve().parent
#: Every assignment with hidden tests, in name order.
ASSIGNMENTS = engine.assignments()
#: The end-to-end training checks of every assignment: they train the student's whole network
#: (about a second each), so the corpus tests run them on fewer run seeds.
END_TO_END = ("train.accuracy", "train.loss-decreases")


def diagnosis_ids(declared: str | tuple[str, ...]) -> tuple[str, ...]:
    """A mutant's declared diagnosis of one check as a tuple: a check lost on some run seeds only
    ("maybe") may declare the one it shows on each kind of draw, as a tuple."""
    return declared if isinstance(declared, tuple) else (declared,)


def notebook_path(assignment: str) -> Path:
    return course().solution_notebook(assignment)


def notebook(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path(assignment), as_version=4)


def ref(assignment: str):
    return reference.load(notebook_path(assignment))


@functools.cache
def solution_sources(assignment: str) -> tuple[str, ...]:
    return tuple(reference.solution_sources(notebook_path(assignment)))


@functools.cache
def cells(assignment: str) -> tuple[tuple[Role, str], ...]:
    """(role, source) of the setup and solution cells: what the reference runs."""
    return tuple(reference.reference_cells(notebook_path(assignment)))


def setup_sources(assignment: str) -> list[str]:
    return [source for role, source in cells(assignment) if role is Role.SETUP]


def reference_sources(assignment: str) -> list[str]:
    return [source for _, source in cells(assignment)]


def namespace(sources, assignment: str, name: str = "submission") -> dict:
    """A fresh notebook-like namespace with `sources` executed in order, in the folder of the
    assignment's source notebook (setup cells read hyperparameters.json there)."""
    return reference.execute(list(sources), notebook_path(assignment).parent, name)


def stub(source: str) -> str:
    """A solution cell as released: its solution region replaced by a NotImplementedError."""
    lines, inside, regions = [], False, 0
    for line in source.splitlines():
        marker = line.strip()
        if marker == "### BEGIN SOLUTION":
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            inside, regions = True, regions + 1
        elif marker == "### END SOLUTION":
            inside = False
        elif not inside:
            lines.append(line)
    assert regions >= 1 and not inside, f"no complete solution region in:\n{source[:200]}"
    return "\n".join(lines) + "\n"


def reference_namespace(assignment: str) -> dict:
    return namespace(reference_sources(assignment), assignment)


def stub_namespace(assignment: str) -> dict:
    return namespace([stub(source) if role is Role.SOLUTION else source
                      for role, source in cells(assignment)], assignment)


def independent_path(assignment: str) -> Path:
    return TESTS / "independent" / f"{assignment}.py"


def independent_namespace(assignment: str) -> dict:
    """The given code of the setup cells, then the independent solution."""
    return namespace([*setup_sources(assignment), independent_path(assignment).read_text(encoding="utf-8")],
                     assignment, "independent")


def mutants_dir(assignment: str) -> Path:
    return TESTS / "mutants" / assignment


def mutants(assignment: str) -> list[str]:
    return sorted(p.stem for p in mutants_dir(assignment).glob("*.py"))


def mutant_source(assignment: str, name: str) -> str:
    return (mutants_dir(assignment) / f"{name}.py").read_text(encoding="utf-8")


def load_mutant(assignment: str, name: str) -> tuple[dict, dict]:
    """(namespace, EXPECT): the reference functions executed afresh, then the mutant over them.

    The reference is executed again rather than its namespace copied: functions look names up in
    the namespace they were defined in, so only a fresh one makes e.g. the reference `train` call
    a mutated `sgd_step`.
    """
    return _load(mutants_dir(assignment) / f"{name}.py", assignment, f"mutant_{name}")


def variants_dir(assignment: str) -> Path:
    """tests/variants/<a>/: honest rewrites (other styles, other formulas with the same answers)."""
    return TESTS / "variants" / assignment


def variants(assignment: str) -> list[str]:
    return sorted(p.stem for p in variants_dir(assignment).glob("*.py"))


def variant_source(assignment: str, name: str) -> str:
    return (variants_dir(assignment) / f"{name}.py").read_text(encoding="utf-8")


def load_variant(assignment: str, name: str) -> tuple[dict, dict]:
    """(namespace, EXPECT) of an honest variant, built like load_mutant."""
    return _load(variants_dir(assignment) / f"{name}.py", assignment, f"variant_{name}")


def _load(path: Path, assignment: str, label: str) -> tuple[dict, dict]:
    ns = namespace([*reference_sources(assignment), path.read_text(encoding="utf-8")], assignment,
                   label)
    return ns, ns.pop("EXPECT")


def code_of(source: str) -> str:
    """A corpus file's code without its EXPECT (what goes into a student's notebook)."""
    return source.split("\nEXPECT = {", 1)[0].rstrip() + "\n"


def redefined(source: str) -> list[str]:
    """The graded-looking functions a corpus file defines (helpers start with _)."""
    tree = ast.parse(source)
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def local_diagnosis(assignment: str, hint: str) -> str | None:
    """The declared diagnosis a check cell's failure message states (None: it names no cause)."""
    from autograde_tests import diagnosis

    named = diagnosis.recognise(hint, [d for d in diagnosis.declared(assignment).values() if d.local])
    assert len(named) <= 1, f"the message matches several diagnoses: {hint}"
    return named[0].id if named else None


def solution_lines(assignment: str) -> set[str]:
    """Every line of code inside the solution regions of the source notebook."""
    lines: set[str] = set()
    for cell in notebook(assignment).cells:
        inside = False
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker == "### BEGIN SOLUTION":
                inside = True
            elif marker == "### END SOLUTION":
                inside = False
            elif inside and marker:
                lines.add(marker)
    return lines


def score(results) -> float:
    return sum(r.points for r in results)


def failures(results) -> str:
    return "\n".join(f"{r.id} [{r.status}] {r.diagnosis!r}: {r.message}"
                     for r in results if r.status != "passed")


def run_local_checks(assignment: str, code: str, tmp_path: Path):
    """check.py's report on a copy of the release whose notebook holds the reference answers with
    `code` appended as a new cell (as a student who rewrote some functions there)."""
    import shutil

    import nbformat

    from grader.paths import course
    from grader.release import student_check
    from grader.release.check_script import released_checks
    from grader.release.classgen import make_submission, reference_answers

    the_course = course()
    name = the_course.solution_notebook(assignment).name
    folder = tmp_path / assignment
    shutil.copytree(the_course.assignments / assignment, folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    notebook = make_submission(the_course.assignments / assignment / name,
                               reference_answers(the_course.solution_notebook(assignment)),
                               {"cell:append": code})
    nbformat.write(notebook, folder / name)
    return student_check.run_checks(folder / name,
                                    released=released_checks(the_course.solution_notebook(assignment)))
