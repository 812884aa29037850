"""Grade one submission: run its code in the sandbox, run every hidden check, build the result.

Runs in a grader process (never in the sandbox): the hidden checks, the reference and all
comparisons live here; student code only ever runs in the sandboxed worker behind
`SandboxStudent`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from autograde_tests import engine, student
from grader import __version__, sandbox
from grader.submission import InvalidSubmission, ReleaseCells, code_to_run

#: How each sandbox failure is reported by the hidden-test engine.
_ERRORS: tuple[tuple[type, Callable[[Exception], student.CallFailed]], ...] = (
    (sandbox.StudentNotImplemented, lambda e: student.NotImplementedYet(str(e))),
    (sandbox.StudentException, lambda e: student.StudentRaised(e.exc_type, e.message)),
    (sandbox.NotDefined, lambda e: student.Missing(str(e))),
    (sandbox.CallTimeout, lambda e: student.CallTimedOut(f"timed out: {e}")),
    (sandbox.WorkerCrashed, lambda e: student.Crashed(f"your code stopped the process: {e}")),
    (sandbox.BadAnswer, lambda e: student.BadAnswer(f"unusable answer: {e}")),
)


@dataclass
class SandboxStudent:
    """The engine's Student interface over a sandboxed session."""

    session: sandbox.SubmissionSession

    def call(self, fn: str, args: tuple, *, substitute: Mapping[str, Callable] | None = None,
             return_args: bool = False, fp_errors: str | None = None,
             timeout: float | None = None) -> student.Answer:
        try:
            result = self.session.call(fn, args, substitute=dict(substitute or {}),
                                       return_args=return_args, timeout=timeout,
                                       fp_errors=fp_errors)
        except sandbox.SandboxError as exc:
            for kind, convert in _ERRORS:
                if isinstance(exc, kind):
                    raise convert(exc) from None
            raise student.BadAnswer(str(exc)) from None
        return student.Answer(result.value, result.type_name, result.args_after, result.output)


@dataclass(frozen=True)
class Assignment:
    """What grading one assignment needs from the release."""

    name: str
    notebook_name: str
    release: ReleaseCells
    workdir_files: dict[str, Path]

    @classmethod
    def from_release(cls, release_dir: Path) -> Assignment:
        notebooks = sorted(release_dir.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise FileNotFoundError(f"{release_dir} must hold exactly one released notebook")
        files = {p.relative_to(release_dir).as_posix(): p for p in sorted(release_dir.rglob("*"))
                 if p.is_file() and p.suffix != ".ipynb" and "__pycache__" not in p.parts}
        return cls(release_dir.name, notebooks[0].name, ReleaseCells.from_notebook(notebooks[0]),
                   files)


def base_result(student_id: str, assignment: str, seed: int) -> dict:
    return {"student": student_id, "assignment": assignment, "status": "graded", "score": 0.0,
            "max_score": float(engine.TOTAL_POINTS), "seed": seed, "grader_version": __version__,
            "reason": "", "load_errors": [], "tests": [], "duration": 0.0}


def ungraded(result: dict, status: str, reason: str, test_message: str | None = None) -> dict:
    """Mark `result` as not graded (score 0): every check gets `status` and the message."""
    result.update(status=status, reason=reason, score=0.0)
    message = test_message or reason
    result["tests"] = [engine.TestResult(c.id, c.function, 0.0, c.points, status, message).to_json()
                       for c in engine.all_checks()]
    return result


def grade_notebook(notebook: Path | None, student_id: str, assignment: Assignment, seed: int,
                   limits: sandbox.Limits, strict: bool | None = None) -> dict:
    """Grade one submitted notebook (None = missing) and return its result record."""
    start = time.monotonic()
    result = base_result(student_id, assignment.name, seed)
    try:
        if notebook is None:
            return ungraded(result, "missing", f"no {assignment.notebook_name} submitted",
                            "no notebook was submitted")
        try:
            code = code_to_run(notebook, assignment.release)
        except InvalidSubmission as exc:
            return ungraded(result, "invalid", str(exc))
        with sandbox.SubmissionSession(code, limits=limits, workdir_files=assignment.workdir_files,
                                       strict=strict) as session:
            report = session.start()
            result["load_errors"] = list(report.cell_errors)[:20]
            if not report.ok:
                reason = report.cell_errors[-1] if report.cell_errors else "the notebook did not load"
                status = "timeout" if "time" in reason.lower() else "error"
                return ungraded(result, status, f"your notebook's code could not run: {reason}")
            tests = engine.run_checks(SandboxStudent(session), seed)
        result["tests"] = [t.to_json() for t in tests]
        result["score"] = float(sum(t.points for t in tests))
        return result
    finally:
        result["duration"] = round(time.monotonic() - start, 3)
