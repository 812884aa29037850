"""The limits a submission is graded under: the one place every grading path takes them from.

`grader autograde` (with its --timeout) and the nbgrader preprocessor (with its `timeout`
setting, which `grader nbgrader setup --timeout` records) both call `grading_limits`, so the same
setting gives the same limits whichever path grades. Limits are CPU seconds of the student's own
processes (grader.sandbox.Limits); wall-clock time is only a generous backstop.
"""

from __future__ import annotations

from dataclasses import replace

from grader.sandbox import Limits

#: A submission's total CPU budget, in multiples of the per-call limit (at least the default).
TOTAL_BUDGET_FACTOR = 30


def grading_limits(call_timeout: float | None = None) -> Limits:
    """The sandbox limits for grading; `call_timeout` (CPU seconds per call of a student
    function) replaces the default and scales the submission's total budget with it."""
    limits = Limits()
    if call_timeout is None:
        return limits
    if call_timeout <= 0:
        raise ValueError("the time limit per call must be positive")
    return replace(limits, call_cpu=call_timeout,
                   total_cpu=max(limits.total_cpu, TOTAL_BUDGET_FACTOR * call_timeout))
