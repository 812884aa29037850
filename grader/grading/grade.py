"""Grade one submission: run its code in the sandbox, run every hidden check, build the result.

This is the one engine every grading path uses: `grader autograde` calls `grade_notebook` from its
pool processes, and the nbgrader preprocessor (grader.nbgrader.plugin) calls it for each notebook
that nbgrader autogrades. Runs in a grader process (never in the sandbox): the hidden checks, the
reference and all comparisons live here; student code only ever runs in the sandboxed worker
behind `SandboxStudent`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autograde_tests import engine, reference
from autograde_tests.student import Answer
from grader import __version__, sandbox
from grader.errors import UsageError
from grader.grading import numpy_version
from grader.grading.submission import (
    InvalidSubmission,
    ReleaseCells,
    cell_notes,
    code_to_run,
    read_notebook,
    written_answers,
)
from nnkit_contract.outcomes import CHECK_STATUS_WHEN_UNGRADED, SubmissionStatus


@dataclass
class SandboxStudent:
    """The engine's Student interface over a sandboxed session (failures are the contract's
    CallFailed exceptions, raised by the session as they are)."""

    session: sandbox.SubmissionSession

    def new_check(self) -> None:
        self.session.new_check()

    def call(self, fn: str, args: tuple, *, substitute: Mapping[str, Callable] | None = None,
             return_args: bool = False, fp_errors: str | None = None,
             timeout: float | None = None) -> Answer:
        result = self.session.call(fn, args, substitute=dict(substitute or {}),
                                   return_args=return_args, timeout=timeout, fp_errors=fp_errors)
        return Answer(result.value, result.type_name, result.args_after, result.output)


@dataclass(frozen=True)
class Assignment:
    """What grading one assignment needs.

    name: the assignment id; notebook_name: the student notebook's file name; release: the roles
    and setup code of the released cells; workdir_files: the files next to the notebook that the
    student's code may read (toy2d.py, data/, hyperparameters.json, check.py); reference: the
    nbgrader source notebook whose solution cells are the reference; answer_stubs: texts that
    leave a written answer blank besides nbgrader's default stub and the released text (the
    course's configured stub, grader.grading.answers).
    """

    name: str
    notebook_name: str
    release: ReleaseCells
    workdir_files: dict[str, Path]
    reference: Path
    answer_stubs: tuple[str, ...] = ()

    @classmethod
    def from_folders(cls, release_dir: Path, reference_notebook: Path) -> Assignment:
        """From a folder holding the student files (the release, or an nbgrader course's
        source/<a>/, which holds the same files) and the source notebook."""
        if not release_dir.is_dir():
            raise UsageError(f"assignment folder not found: {release_dir}")
        notebooks = sorted(p for p in release_dir.glob("*.ipynb") if not p.name.startswith("."))
        if len(notebooks) != 1:
            raise UsageError(f"{release_dir} must hold exactly one notebook, found {len(notebooks)}")
        if not reference_notebook.is_file():
            raise UsageError(f"reference solution not found: {reference_notebook}")
        files = {p.relative_to(release_dir).as_posix(): p for p in sorted(release_dir.rglob("*"))
                 if p.is_file() and p.suffix != ".ipynb" and "__pycache__" not in p.parts
                 and not p.relative_to(release_dir).as_posix().startswith(".")}
        return cls(release_dir.name, notebooks[0].name, ReleaseCells.from_notebook(notebooks[0]),
                   files, reference_notebook.resolve())

    def load_reference(self):
        """The live reference (cached); UsageError with one line when it cannot be loaded."""
        try:
            return reference.load(self.reference)
        except reference.ReferenceError as exc:
            raise UsageError(str(exc)) from None


#: The sandbox template of this grading process: it ran the release's setup cells, has never
#: received a byte of any submission, and forks a fresh host for each (see
#: grader.sandbox.SandboxTemplate: the host is gone before the next submission starts).
_TEMPLATES: dict[tuple, sandbox.SandboxTemplate] = {}


def _template(assignment: Assignment, limits: sandbox.Limits, strict: bool | None
              ) -> sandbox.SandboxTemplate:
    key = (assignment.name, assignment.release.setup_sources,
           tuple(sorted((k, str(v)) for k, v in assignment.workdir_files.items())), limits, strict)
    template = _TEMPLATES.get(key)
    if template is None:
        for old in _TEMPLATES.values():   # another assignment or other limits: one at a time
            old.close()
        _TEMPLATES.clear()
        template = _TEMPLATES[key] = sandbox.SandboxTemplate(
            list(assignment.release.setup_sources), limits=limits,
            workdir_files=assignment.workdir_files, strict=strict)
    return template


def close_templates() -> None:
    """End this process's sandbox templates (and so every process of the sandbox)."""
    for template in _TEMPLATES.values():
        template.close()
    _TEMPLATES.clear()


def base_result(student_id: str, assignment: str, seed: int) -> dict:
    """A result record. `score` and `max_score` are the hidden tests' (autograded); written
    answers, graded by hand, are listed apart in `manual` and never counted here; `notes` says
    what the grader ignored in the notebook's cells (grader.grading.submission.cell_notes)."""
    return {"student": student_id, "assignment": assignment, "status": SubmissionStatus.GRADED.value,
            "score": 0.0, "max_score": engine.total_points(assignment), "seed": seed,
            "grader_version": __version__, "environment": numpy_version.grading_environment(),
            "reason": "", "load_errors": [], "notes": [], "tests": [], "manual": [],
            "duration": 0.0}


def ungraded(result: dict, status: SubmissionStatus | str, reason: str,
             test_message: str | None = None) -> dict:
    """Mark `result` as not graded (score 0): every check gets the check status the contract
    gives this submission status (outcomes.CHECK_STATUS_WHEN_UNGRADED) and the message."""
    status = SubmissionStatus(status)
    result.update(status=status.value, reason=reason, score=0.0)
    message = test_message or reason
    check_status = CHECK_STATUS_WHEN_UNGRADED[status].value
    result["tests"] = [engine.TestResult(c.id, c.function, 0.0, c.points, check_status, message).to_json()
                       for c in engine.all_checks(result["assignment"])]
    return result


def grade_notebook(notebook: Path | None, student_id: str, assignment: Assignment, seed: int,
                   limits: sandbox.Limits, strict: bool | None = None) -> dict:
    """Grade one submitted notebook (None = missing) and return its result record."""
    start = time.monotonic()
    result = base_result(student_id, assignment.name, seed)
    try:
        if notebook is None:
            return ungraded(result, SubmissionStatus.MISSING,
                            f"no {assignment.notebook_name} submitted", "no notebook was submitted")
        ref = assignment.load_reference()
        try:
            nb = read_notebook(notebook)
        except InvalidSubmission as exc:
            result["manual"] = written_answers(notebook, assignment.release,
                                               assignment.answer_stubs)
            return ungraded(result, SubmissionStatus.INVALID, str(exc))
        result["manual"] = written_answers(nb, assignment.release, assignment.answer_stubs)
        result["notes"] = cell_notes(nb, assignment.release)
        code = code_to_run(nb, assignment.release)
        with sandbox.SubmissionSession(code, template=_template(assignment, limits, strict)) as session:
            report = session.start()
            result["load_errors"] = list(report.cell_errors)[:20]
            if not report.ok:
                failure = session.load_failure
                reason = report.cell_errors[-1] if report.cell_errors else "the notebook did not load"
                status = {"timeout": SubmissionStatus.TIMEOUT, "memory": SubmissionStatus.MEMORY}.get(
                    failure.kind.value if failure is not None else "", SubmissionStatus.ERROR)
                return ungraded(result, status, f"your notebook's code could not run: {reason}")
            tests = engine.run_checks(SandboxStudent(session), seed, ref)
        result["tests"] = [t.to_json() for t in tests]
        numpy_version.add_numpy_notes(result["tests"], code)   # a NumPy of another version?
        result["score"] = float(sum(t.points for t in tests))
        return result
    finally:
        result["duration"] = round(time.monotonic() - start, 3)
