"""Run untrusted submission code in a sandboxed worker process and call its functions.

See docs/sandbox.md for the threat model. The grader process never imports or executes student
code; it talks to the worker over a private pipe pair with a validated wire format (`wire`). A
failed call raises one of the contract's `CallFailed` subclasses (nnkit_contract).
"""

from grader.sandbox.calls import CallResult, Limits, LoadReport
from grader.sandbox.errors import SandboxUnavailable
from grader.sandbox.isolation import isolation_mode
from grader.sandbox.session import SubmissionSession
from grader.sandbox.template import SandboxTemplate

__all__ = [
    "CallResult",
    "Limits",
    "LoadReport",
    "SandboxTemplate",
    "SandboxUnavailable",
    "SubmissionSession",
    "isolation_mode",
]
