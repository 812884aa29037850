"""The limits a submission is graded under: the one place every grading path takes them from.

`grader autograde` (with its --timeout) and the nbgrader preprocessor (with its `timeout`
setting, which `grader nbgrader setup --timeout` records) both call `grading_limits`, so the same
setting gives the same limits whichever path grades. Limits are CPU seconds of the student's own
processes (grader.sandbox.Limits), and waiting (sleeping, blocking) has a small budget of its own per
submission; wall-clock time is only a generous backstop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


#: Address space of a grading process (the trusted side: hidden tests, reference, comparisons).
#: An honest class needs about 400 MB (measured: peak virtual size 0.4 GB, resident 0.13 GB);
#: reference callbacks are bounded by the sizes of the call under test, so this ceiling is only
#: reached by a bug, and then it costs one submission instead of the machine.
GRADING_MEMORY_BYTES = 2 << 30


def cap_grading_process(limit: int = GRADING_MEMORY_BYTES) -> None:
    """Put this process (a grading pool process) under the memory ceiling for good."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


@contextmanager
def grading_memory_ceiling(limit: int = GRADING_MEMORY_BYTES) -> Iterator[None]:
    """The memory ceiling for the duration of one grading, in a process that is not ours alone
    (nbgrader's): only the soft limit is lowered, and it is restored afterwards."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, soft)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
