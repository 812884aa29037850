"""How a check talks to a submission: the `Student` interface.

A check never touches student objects. It asks `student.call(...)` and gets back an `Answer`
holding plain data (nnkit_contract.normalize) or one of the contract's `CallFailed`
exceptions. The grader's implementation (grader.grading.grade.SandboxStudent) runs the call in the
sandboxed worker; the only other implementation is a test double in tests/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class Answer:
    """What one call returned: the value as plain data, the original type name, the arguments
    as they are after the call (when asked for), and what the call printed."""

    value: Any
    type_name: str
    args_after: tuple | None = None
    output: str = ""


class Student(Protocol):
    def new_check(self) -> None:
        """Start a check: from now on calls run on a freshly loaded submission, so that nothing
        of an earlier check (state, caches, files) can reach this one."""
        ...

    def call(self, fn: str, args: tuple, *, substitute: Mapping[str, Callable] | None = None,
             return_args: bool = False, fp_errors: str | None = None,
             timeout: float | None = None) -> Answer:
        """Call student function `fn(*args)`.

        - args: plain data, plus the contract's markers RngSeed(seed) and Callback(name).
        - substitute: names in the student's namespace replaced by these (reference) callables for
          the duration of the call; `Callback(name)` arguments resolve here too.
        - return_args: also return the arguments as they are after the call (mutation checks).
        - fp_errors: "raise" runs the call with overflow/invalid/divide-by-zero as errors
          (underflow stays quiet), to check numerical stability.
        - timeout: the time limit of this call, in seconds.
        Raises nnkit_contract.CallFailed (or a subclass).
        """
        ...
