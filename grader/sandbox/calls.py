"""What a load and a call of the sandbox are given and give back.

The limits of one submission, the reports of a load and of a call, and how what goes wrong
becomes a contract `CallFailed`: a student process that died, a worker's error report, a
callback asking for more reference work than the call's own size. Used by the session
(session.py), the template (template.py) and the call protocol (protocol.py).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.sandbox import wire
from grader.sandbox.serving import (
    EXIT_INTERNAL,
    EXIT_MEMORY,
    EXIT_PROTOCOL,
)
from nnkit_contract.outcomes import (
    BadAnswer,
    CallFailed,
    CallTimedOut,
    Crashed,
    Missing,
    NotImplementedYet,
    OutOfMemory,
    StudentRaised,
    not_implemented_message,
)
from nnkit_contract.values import MAX_DEPTH, Callback, RngSeed, Unrepresentable

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORKER_EXITS = {EXIT_MEMORY: "ran out of memory", EXIT_PROTOCOL: "broke the grader's protocol",
                 EXIT_INTERNAL: "hit an internal error of the worker"}
_SIGNAL_REASONS = {
    signal.SIGKILL: "killed",
    signal.SIGXCPU: "CPU time limit",
    signal.SIGXFSZ: "file size limit",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGBUS: "bus error",
    signal.SIGABRT: "aborted",
    signal.SIGSYS: "forbidden system call",
    signal.SIGFPE: "arithmetic fault",
}
#: Largest JSON header of a frame from the sandbox (arrays travel apart, as payloads).
_ANSWER_HEADER_BYTES = 4 << 20
#: Deepest nesting of values in a frame from the sandbox (the contract's normalize stops at
#: MAX_DEPTH; a little room for the message around the value).
_ANSWER_DEPTH = MAX_DEPTH + 4

#: Waiting a load or a call may still do once the submission's `total_idle` is used up: the
#: calls that do not wait keep working, and each one that does ends at once.
IDLE_GRACE = 0.1



@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times are CPU seconds of the student's processes (plus the
    grader's own work for the submission); each has a wall-clock backstop of `wall_factor` × the
    CPU limit + `wall_grace`. Waiting without using the CPU (sleeping, blocking) is bounded by
    `total_idle` for the whole submission (then by IDLE_GRACE per load or call)."""

    call_cpu: float = 10.0            # per call of a student function
    load_cpu: float = 30.0            # running the notebook's code, once per check
    total_cpu: float = 300.0          # the whole submission: loads, calls and the grader's work
    total_idle: float = 5.0           # wall seconds the submission may wait (sleep, block) in all
    wall_factor: float = 5.0
    wall_grace: float = 10.0
    memory_bytes: int = 1 << 30       # address space of each student process
    file_bytes: int = 16 << 20        # one file; a check's /tmp holds 4 × this (at least 16 MiB)
    tmp_inodes: int = 4096            # files and folders in a check's /tmp
    max_processes: int = 32           # only when the seccomp filter is missing
    output_bytes: int = 64 << 10      # student stdout+stderr kept per phase (rest dropped)
    answer_bytes: int = 64 << 20      # largest accepted frame
    answer_values: int = 100_000      # values (numbers, strings, lists...) in one answer frame
    callbacks: int = 20_000           # reference callbacks per call

    def wall(self, cpu: float) -> float:
        """The wall-clock backstop for a CPU limit."""
        return self.wall_factor * cpu + self.wall_grace

    @property
    def tmp_bytes(self) -> int:
        return max(4 * self.file_bytes, 16 << 20)

    def wire_limits(self) -> tuple[wire.WireLimits, wire.WireLimits]:
        """(requests to the sandbox, frames from it). A frame from the sandbox is bounded in
        size, header, number of values and nesting before the grader parses it: decoding is the
        grader's work, and a frame of a million tiny lists once cost it a second per call."""
        request = wire.WireLimits(max_frame=self.answer_bytes)
        answer = wire.WireLimits(max_frame=self.answer_bytes,
                                 max_header=min(self.answer_bytes, _ANSWER_HEADER_BYTES),
                                 max_nodes=self.answer_values, max_depth=_ANSWER_DEPTH)
        return request, answer


@dataclass(frozen=True)
class LoadReport:
    """How running the code cells went (for the first check; every check runs them again).

    ok: the cells ran and the process accepts calls. Cells that raised do not make ok False
    (like a notebook, execution continued); they are listed in cell_errors. ok is False when the
    process died, ran out of time or misbehaved while loading; cell_errors then ends with that
    reason and every later call raises the same error (`SubmissionSession.load_failure`).
    """

    ok: bool
    defined: list[str]
    cell_errors: list[str]
    output: str
    duration: float


@dataclass(frozen=True)
class CallResult:
    value: Any                 # decoded answer (Unrepresentable(...) if it could not be sent)
    type_name: str             # type of the returned object as reported by the worker
    args_after: tuple | None   # the arguments after the call, if return_args=True
    output: str                # student output during the call (capped)
    duration: float            # wall seconds
    cpu: float                 # CPU seconds charged to the call


def _crash_reason(status: int | None, sig: int | None) -> str:
    if sig is not None:
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return f"was ended by a signal: {_SIGNAL_REASONS.get(sig, 'killed')} ({name})"
    if status is None:
        return "stopped answering"
    if status in _WORKER_EXITS:
        return _WORKER_EXITS[status]
    return f"exited with status {status} (sys.exit, os._exit or a crash)"


def _death(status: int | None, sig: int | None, when: str) -> CallFailed:
    """The failure for a student process that died `when` ("during fn", "while loading")."""
    text = f"the process running your code {_crash_reason(status, sig)} {when}"
    if status == EXIT_MEMORY:
        return OutOfMemory(text)
    if sig == signal.SIGXCPU:
        return CallTimedOut(f"{text}: it used up its CPU time")
    return Crashed(text, status=status, signal=sig)


@dataclass(frozen=True)
class _CallBound:
    """How much reference work a call may ask for through callbacks: no array dimension (and no
    number inside a list, such as a layer size) larger than any of the call's own, and no more
    dimensions than its arrays have. So a callback's work and result stay of the size of the
    call's own inputs, whatever the student asks for. Plain numbers among the call's arguments
    or in a dict (a seed, a learning rate, an epoch count) are not sizes and set no bound: a seed
    of 2**31 would otherwise allow any callback at all."""

    dim: int
    ndim: int

    @classmethod
    def of(cls, args: tuple) -> _CallBound:
        dims, ndims = [1], [2]

        def walk(value: Any, in_list: bool) -> None:
            if type(value) is np.ndarray:
                dims.extend(int(d) for d in value.shape)
                ndims.append(value.ndim)
            elif type(value) in (list, tuple):
                for v in value:
                    walk(v, True)
            elif type(value) is dict:
                for v in value.values():
                    walk(v, False)
            elif type(value) is int and in_list:
                dims.append(value)

        for value in args:
            walk(value, False)
        return cls(max(dims), max(ndims))

    def refuse(self, args: Any) -> str | None:
        """Why a callback with these arguments is refused, or None."""
        problem: list[str] = []

        def walk(value: Any, in_list: bool, depth: int) -> None:
            if problem:
                return
            if depth > 8:
                problem.append("arguments nested this deeply")
                return
            if type(value) is np.ndarray:
                if value.ndim > self.ndim:
                    problem.append(f"an array with {value.ndim} dimensions")
                elif value.shape and max(value.shape) > self.dim:
                    problem.append(f"an array of shape {value.shape}")
            elif type(value) in (list, tuple):
                if len(value) > self.dim:
                    problem.append(f"a list of {len(value)} items")
                for v in value:
                    walk(v, True, depth + 1)
            elif type(value) is dict:
                for v in value.values():
                    walk(v, False, depth + 1)
            elif type(value) is int and in_list and value > self.dim:
                problem.append(f"the size {value}")

        for value in args:
            for item in (value.values() if type(value) is dict else value):
                walk(item, False, 1)
        if problem:
            return (f"the grader's reference refuses {problem[0]}: it only works on data of the "
                    f"size of this call's inputs (at most {self.dim} per dimension)")
        return None




def worker_error(fn: str, msg: dict, limits: Limits) -> CallFailed:
    """The failure a worker's error report `msg` about a call of `fn` stands for."""
    error = msg.get("error")
    text = msg.get("message")
    text = text[:2000] if type(text) is str else ""
    if error == "not_defined":
        return Missing(text[:300] or f"{fn} is not defined")
    if error == "exception":
        exc_type = msg.get("exc_type")
        exc_type = exc_type[:200] if type(exc_type) is str else "?"
        where = msg.get("where")
        where = where[:300] if type(where) is str else ""
        if exc_type == "MemoryError":
            return OutOfMemory(f"memory limit ({limits.memory_bytes >> 20} MiB) "
                               "exceeded (MemoryError)")
        if exc_type == "NotImplementedError":
            return NotImplementedYet(not_implemented_message(fn))
        return StudentRaised(exc_type, text, where)
    if error == "exit":
        code = msg.get("code")
        return Crashed(f"student code called sys.exit({code if type(code) is int else ''})",
                       status=code if type(code) is int else None)
    if error == "too_large":
        return BadAnswer(f"answer too large: {text}")
    if error == "encode":
        return BadAnswer(f"the returned value could not be read: {text}")
    return BadAnswer("unknown error report from the worker")


_FP_ERRORS = (None, "raise", "warn", "ignore")


def _idle_what(limits: Limits, allowed: float) -> str:
    if allowed <= IDLE_GRACE:
        return (f"waited (slept or blocked) once more after the submission had used up its time "
                f"for waiting ({limits.total_idle:g} s in all): is it sleeping?")
    return (f"waited (slept or blocked) for more than {limits.total_idle:g} s, all of the "
            "submission's loads and calls together: is it sleeping or waiting for something?")


def _name_shared(offset: int, dtype: np.dtype, shape: tuple[int, ...]) -> wire.SharedArray:
    """How the grader decodes a shared array the worker names in its report of the arguments:
    by the name alone (it reads the array itself)."""
    return wire.SharedArray(offset, dtype.str, shape)


def _marker_values(markers: dict[str, dict]) -> dict[str, Any]:
    """What stands in the arguments after a call where the grader sent a marker (never compared:
    the student's generator or the proxy of a reference function)."""
    return {index: Unrepresentable("function" if "callback" in marker else "numpy.random.Generator")
            for index, marker in markers.items()}


def _labelled(cells: list | tuple, prefix: str = "") -> list[list[str]]:
    """Cells as [label, source] pairs (a plain source gets its position as label)."""
    out = []
    for index, cell in enumerate(cells, 1):
        if isinstance(cell, str):
            out.append([f"{prefix}{index}", cell])
        elif isinstance(cell, (tuple, list)) and len(cell) == 2 and all(isinstance(x, str) for x in cell):
            out.append([cell[0], cell[1]])
        else:
            raise TypeError("a cell is a source string or a (label, source) pair of strings")
    return out


def _split_markers(args: tuple, substitute: dict[str, Callable]) -> tuple[tuple, dict[str, dict]]:
    """Replace RngSeed/Callback arguments by None plus a marker the worker reads."""
    plain, markers = list(args), {}
    for i, arg in enumerate(args):
        if isinstance(arg, RngSeed):
            if type(arg.seed) is not int:
                raise TypeError(f"RngSeed needs an int seed, got {arg.seed!r}")
            plain[i], markers[str(i)] = None, {"rng": arg.seed}
        elif isinstance(arg, Callback):
            if arg.name not in substitute:
                raise ValueError(f"Callback({arg.name!r}) needs substitute[{arg.name!r}]")
            plain[i], markers[str(i)] = None, {"callback": arg.name}
    return tuple(plain), markers


def _str_list(value: Any, max_items: int, max_len: int) -> list[str]:
    if type(value) is not list or len(value) > max_items:
        raise wire.WireError("malformed list in the load report")
    out = []
    for item in value:
        if type(item) is not str:
            raise wire.WireError("malformed list in the load report")
        out.append(item[:max_len])
    return out
