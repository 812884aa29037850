"""Failures of a sandboxed call. Each has a short message fit to show to a student."""

from __future__ import annotations


class SandboxError(Exception):
    """Base class. `output` holds the student's (capped) output printed during the call."""

    output: str = ""


class SandboxUnavailable(SandboxError):
    """strict=True was asked for, but bubblewrap cannot be used on this machine."""


class NotDefined(SandboxError):
    """The submission does not define `fn`, or defines it as something that is not callable."""

    def __init__(self, fn: str, detail: str = ""):
        self.fn = fn
        super().__init__(detail or f"{fn} is not defined")


class StudentException(SandboxError):
    """Student code raised. `exc_type` is the exception's type name, e.g. "ValueError"."""

    def __init__(self, exc_type: str, message: str, where: str = ""):
        self.exc_type = exc_type
        self.message = message
        self.where = where
        text = f"{exc_type}: {message}" if message else exc_type
        if len(text) > 300:
            text = text[:297] + "..."
        super().__init__(f"{text} ({where})" if where else text)

    @property
    def not_implemented(self) -> bool:
        return self.exc_type == "NotImplementedError"


class StudentNotImplemented(StudentException):
    """Student code raised NotImplementedError: the function is still the template stub."""


class CallTimeout(SandboxError):
    """The call (or the loading of the code, or the whole submission's budget) ran out of time."""


class WorkerCrashed(SandboxError):
    """The worker died or exited: a limit killed it, it crashed, or student code exited it.

    `status` is the exit status (None if killed by a signal), `signal` the signal number (or
    None), `reason` a short explanation such as "memory limit".
    """

    def __init__(self, reason: str, *, status: int | None = None, signal: int | None = None):
        self.reason = reason
        self.status = status
        self.signal = signal
        super().__init__(reason)


class BadAnswer(SandboxError):
    """What came back could not be accepted: malformed, forged, stale, too large, wrong kind."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)
