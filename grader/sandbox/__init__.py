"""Run untrusted submission code in a sandboxed worker process and call its functions.

See docs/sandbox.md for the threat model. The grader process never imports or executes student
code; it talks to the worker over a private pipe pair with a validated wire format (`wire`).
"""

from grader.sandbox.args import Callback, RngSeed
from grader.sandbox.errors import (
    BadAnswer,
    CallTimeout,
    NotDefined,
    SandboxError,
    SandboxUnavailable,
    StudentException,
    StudentNotImplemented,
    WorkerCrashed,
)
from grader.sandbox.isolation import isolation_mode
from grader.sandbox.session import CallResult, Limits, LoadReport, SubmissionSession
from grader.sandbox.wire import Unrepresentable

__all__ = [
    "BadAnswer",
    "Callback",
    "CallResult",
    "CallTimeout",
    "Limits",
    "LoadReport",
    "NotDefined",
    "RngSeed",
    "SandboxError",
    "SandboxUnavailable",
    "StudentException",
    "StudentNotImplemented",
    "SubmissionSession",
    "Unrepresentable",
    "WorkerCrashed",
    "isolation_mode",
]
