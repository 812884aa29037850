"""Errors of the sandbox.

A failed call raises one of the contract's `CallFailed` subclasses (nnkit_contract:
`Missing`, `NotImplementedYet`, `StudentRaised`, `CallTimedOut`, `OutOfMemory`, `Crashed`,
`BadAnswer`); each has a short message fit to show to a student and the student's output of that
call in `.output`. Only `SandboxUnavailable` is the sandbox's own: it is about the machine, not
about a submission.
"""

from __future__ import annotations


class SandboxUnavailable(RuntimeError):
    """strict=True was asked for, but bubblewrap (or the seccomp filter) cannot be used here."""
