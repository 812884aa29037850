"""Outcomes: what a check and a submission can end as, and the failures a student call raises.

One vocabulary for every level and every path (results, reports, check.py, nbgrader export):
`Status` for one check, `SubmissionStatus` for a submission as a whole. `CallFailed` and its
subclasses are raised by whatever runs a student call; each carries the check `Status` it ends in.
"""

from __future__ import annotations

import enum

# ---------------------------------------------------------------------------------- failures

class Status(str, enum.Enum):  # noqa: UP042 - check.py includes this file: Python < 3.11 too
    """Outcome of one check. Every status but PASSED scores 0."""

    PASSED = "passed"
    FAILED = "failed"                     # ran, wrong answer (message + diagnosis)
    NOT_IMPLEMENTED = "not_implemented"   # still the stub (NotImplementedError)
    MISSING = "missing"                   # the function is not defined
    ERROR = "error"                       # the student's code raised
    TIMEOUT = "timeout"                   # a time limit (CPU, or the wall-clock backstop)
    MEMORY = "memory"                     # the memory limit
    CRASH = "crash"                       # the process died or exited (sys.exit, a signal)
    BAD_ANSWER = "bad_answer"             # an answer that could not be read
    NOT_RUN = "not_run"                   # never ran: the notebook was not graded (or, in
                                          # check.py, a setup cell before it failed)

    def __str__(self) -> str:
        return self.value


#: Statuses of one check, in the order reports list them.
CHECK_STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
#: Check statuses that mean running the code went wrong, rather than the answer being wrong.
RUN_PROBLEM_STATUSES: tuple[str, ...] = tuple(s.value for s in (
    Status.TIMEOUT, Status.MEMORY, Status.ERROR, Status.CRASH, Status.BAD_ANSWER))


#: How a status reads in a table a student sees (check.py's one line per exercise).
STATUS_WORDS: dict[Status, str] = {
    Status.PASSED: "passed", Status.FAILED: "FAILED", Status.NOT_IMPLEMENTED: "not implemented",
    Status.MISSING: "missing", Status.ERROR: "error", Status.TIMEOUT: "timed out",
    Status.MEMORY: "out of memory", Status.CRASH: "crashed", Status.BAD_ANSWER: "unusable answer",
    Status.NOT_RUN: "not run",
}


def not_implemented_message(function: str) -> str:
    """What a check of a function that is still the released stub says."""
    return f"`{function}` is not implemented yet"


class SubmissionStatus(str, enum.Enum):  # noqa: UP042
    """Outcome of one submission as a whole."""

    GRADED = "graded"     # the checks ran (each has its own status)
    ERROR = "error"       # the notebook's code could not run, or grading itself failed
    TIMEOUT = "timeout"   # the notebook's code did not finish loading in time
    MEMORY = "memory"     # loading the notebook's code ran out of memory
    INVALID = "invalid"   # the file is not a readable notebook
    MISSING = "missing"   # nothing was submitted

    def __str__(self) -> str:
        return self.value


SUBMISSION_STATUSES: tuple[str, ...] = tuple(s.value for s in SubmissionStatus)
#: The status every check of a submission that was not graded gets (each scores 0): the problem
#: that stopped its code, where it is one a check can have too, else NOT_RUN (an unreadable or
#: absent notebook ran nothing; a check is `missing` only when its function is not defined).
CHECK_STATUS_WHEN_UNGRADED: dict[SubmissionStatus, Status] = {
    SubmissionStatus.ERROR: Status.ERROR, SubmissionStatus.TIMEOUT: Status.TIMEOUT,
    SubmissionStatus.MEMORY: Status.MEMORY, SubmissionStatus.INVALID: Status.NOT_RUN,
    SubmissionStatus.MISSING: Status.NOT_RUN,
}


class CallFailed(Exception):
    """A call of a student function produced no usable answer.

    `kind` (a Status) becomes the check's status; `feedback` is the line a student reads;
    `output` holds what the student's code printed during the call (capped).
    """

    kind: Status = Status.ERROR
    #: Put before the message in the student's feedback.
    prefix: str = ""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
        self.output = ""

    @property
    def feedback(self) -> str:
        return f"{self.prefix}{self.message}"


class NotImplementedYet(CallFailed):
    """The function still raises NotImplementedError (the released stub)."""

    kind = Status.NOT_IMPLEMENTED


class Missing(CallFailed):
    """The function is not defined, or the name is bound to something that is not callable."""

    kind = Status.MISSING


class StudentRaised(CallFailed):
    """The student's code raised `exc_type`; `where` names the notebook cell, line and function."""

    kind = Status.ERROR

    def __init__(self, exc_type: str, message: str, where: str = ""):
        text = f"{exc_type}: {message}" if message else exc_type
        if len(text) > 300:
            text = text[:297] + "..."
        super().__init__(f"{text} ({where})" if where else text)
        self.exc_type = exc_type
        self.detail = message
        self.where = where


class CallTimedOut(CallFailed):
    """The call used up its CPU time, or reached the wall-clock backstop."""

    kind = Status.TIMEOUT
    prefix = "timed out: "


class OutOfMemory(CallFailed):
    """The call went over the memory limit."""

    kind = Status.MEMORY
    prefix = "out of memory: "


class Crashed(CallFailed):
    """The process running the student's code died or exited (sys.exit, os._exit, a signal).

    `status` is the exit status (None when killed by a signal), `signal` the signal number.
    """

    kind = Status.CRASH
    prefix = "crash: "

    def __init__(self, reason: str, *, status: int | None = None, signal: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.signal = signal


class BadAnswer(CallFailed):
    """What came back could not be accepted: malformed, forged, stale, too large."""

    kind = Status.BAD_ANSWER
    prefix = "unusable answer: "
