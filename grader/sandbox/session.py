"""The grader side of the sandbox: one `SubmissionSession` per submission.

The grader never imports or executes student code. The session starts a sandbox (bubblewrap when
available) whose first process is a trusted zygote (see worker.py): it runs the release's setup
cells and then forks one fresh child per check. A child runs the student's cells and answers
calls; `new_check()` kills it, so no state of one check survives into the next: memory is gone with
the process, and the sandbox's writable files and the shared argument memory are wiped by the
grader itself before the next child starts.

Every byte that comes back is validated by `wire`; every wait has a deadline; any failure ends as
a contract `CallFailed` for that one call, and the next call gets a fresh child.

Limits are measured in CPU time of the student's process (read by the grader from /proc), plus
the grader's own time spent in reference callbacks of that call, so a busy machine does not turn
a correct, slow submission into a timeout. A generous wall-clock backstop (`Limits.wall_factor`)
catches code that hangs or sleeps without using the CPU.

In-place changes to argument arrays are seen by the grader itself: with `return_args=True` the
arrays are placed in a memory region shared with the sandbox (`ArgMemory`), and the grader reads
them back after the call instead of trusting the worker's report.

Not thread-safe: use one session from one thread at a time. With bubblewrap, the sandbox is killed
when the thread that started it exits (``--die-with-parent`` follows the starting thread).
"""

from __future__ import annotations

import copy
import fcntl
import math
import mmap
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from autograde_tests.contract import (
    BadAnswer,
    Callback,
    CallFailed,
    CallTimedOut,
    Crashed,
    Missing,
    NotImplementedYet,
    OutOfMemory,
    RngSeed,
    StudentRaised,
    Unrepresentable,
    normalize,
)
from grader.sandbox import isolation, wire
from grader.sandbox.errors import SandboxUnavailable

__all__ = ["CallResult", "Limits", "LoadReport", "SubmissionSession", "Unrepresentable"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_F_SETPIPE_SZ = 1031
_PIPE_SIZE = 1 << 20
_READ_CHUNK = 1 << 20
_TICK = 0.05            # seconds between CPU samples while waiting for the student's process
_END_WAIT = 5.0         # seconds to wait for the zygote to report a killed child
_EXIT_MEMORY = 86       # the worker's own exit status for a MemoryError outside student code
_WORKER_EXITS = {_EXIT_MEMORY: "ran out of memory", 87: "broke the grader's protocol",
                 88: "hit an internal error of the worker"}
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
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_PAGE = mmap.ALLOCATIONGRANULARITY

_warned = False


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times are CPU seconds of the student's processes (plus the
    grader's reference callbacks of a call); each has a wall-clock backstop of
    `wall_factor` × the CPU limit + `wall_grace`, which only code that waits or sleeps reaches."""

    call_cpu: float = 10.0            # per call of a student function
    load_cpu: float = 30.0            # running the notebook's code, once per check
    total_cpu: float = 300.0          # the whole submission: loads, calls and callbacks
    wall_factor: float = 5.0
    wall_grace: float = 10.0
    memory_bytes: int = 1 << 30       # address space of each student process
    file_bytes: int = 16 << 20
    max_processes: int = 32           # only when the seccomp filter is missing
    output_bytes: int = 64 << 10      # student stdout+stderr kept per phase (rest dropped)
    answer_bytes: int = 64 << 20      # largest accepted frame
    callbacks: int = 20_000           # reference callbacks per call

    def wall(self, cpu: float) -> float:
        """The wall-clock backstop for a CPU limit."""
        return self.wall_factor * cpu + self.wall_grace


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


class _Output:
    """Student output of one phase, capped; the rest is counted and dropped."""

    def __init__(self, cap: int):
        self.cap = cap
        self.data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = self.data.decode("utf-8", errors="replace")
        if self.dropped:
            out += f"\n[... {self.dropped} more bytes of output dropped]"
        return out


class _Timeout(Exception):
    def __init__(self, cpu: bool):
        super().__init__("cpu" if cpu else "wall")
        self.cpu = cpu


class _ChannelClosed(Exception):
    """The sandbox itself (the zygote) is gone."""


class _ChildExited(Exception):
    def __init__(self, status: int | None, sig: int | None):
        super().__init__(f"status {status}, signal {sig}")
        self.status = status
        self.signal = sig


# ------------------------------------------------------------------------------------ processes

def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a live process (its threads included), from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        fields = data[data.rindex(b")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        _kill(pgid)


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
    if status == _EXIT_MEMORY:
        return OutOfMemory(text)
    if sig == signal.SIGXCPU:
        return CallTimedOut(f"{text}: it used up its CPU time")
    return Crashed(text, status=status, signal=sig)


# ------------------------------------------------------------------------------------ arguments

class ArgMemory:
    """A memory region shared with the sandbox, for argument arrays whose state after the call
    the grader must see for itself (mutation checks).

    The grader lays the arrays out page by page, sends the worker only where they are, and reads
    them back after the call. It empties the region between checks, so it carries nothing from
    one check to the next.
    """

    #: Bytes at the start of the region where a loading process writes which cell it runs.
    PROGRESS = _PAGE

    def __init__(self) -> None:
        self.fd = os.memfd_create("nnkit-args", 0) if hasattr(os, "memfd_create") else \
            _tempfile_fd()
        self.size = 0
        self.wipe()

    def place(self, args: tuple) -> tuple[tuple, list[tuple[wire.SharedArray, np.ndarray]]]:
        """(args with every ndarray replaced by its SharedArray marker, [(marker, original)])."""
        layout: list[tuple[wire.SharedArray, np.ndarray]] = []
        offset = self.PROGRESS

        def walk(value: Any) -> Any:
            nonlocal offset
            if type(value) is np.ndarray and value.dtype.fields is None and \
                    (value.dtype.kind, value.dtype.itemsize) in wire._ALLOWED_DTYPES:
                arr = np.ascontiguousarray(value)
                marker = wire.SharedArray(offset, arr.dtype.str, tuple(int(d) for d in arr.shape))
                layout.append((marker, arr))
                offset += -(-max(arr.nbytes, 1) // _PAGE) * _PAGE
                return marker
            if type(value) is list:
                return [walk(v) for v in value]
            if type(value) is tuple:
                return tuple(walk(v) for v in value)
            if type(value) is dict:
                return {k: walk(v) for k, v in value.items()}
            return value

        placed = walk(args)
        if offset > self.size:
            os.ftruncate(self.fd, offset)
            self.size = offset
        for marker, arr in layout:
            if arr.nbytes:
                os.pwrite(self.fd, arr.tobytes(), marker.offset)
        return placed, layout

    def read_back(self, args: tuple, layout: list[tuple[wire.SharedArray, np.ndarray]]) -> tuple:
        """`args` with every placed array replaced by its current content in the region."""
        current = {}
        for marker, arr in layout:
            data = os.pread(self.fd, arr.nbytes, marker.offset) if arr.nbytes else b""
            current[id(arr)] = np.frombuffer(data, dtype=arr.dtype).reshape(arr.shape).copy() \
                if len(data) == arr.nbytes else None
        order = iter(layout)

        def walk(value: Any) -> Any:
            if type(value) is np.ndarray and value.dtype.fields is None and \
                    (value.dtype.kind, value.dtype.itemsize) in wire._ALLOWED_DTYPES:
                _, arr = next(order)
                return current[id(arr)]
            if type(value) is list:
                return [walk(v) for v in value]
            if type(value) is tuple:
                return tuple(walk(v) for v in value)
            if type(value) is dict:
                return {k: walk(v) for k, v in value.items()}
            return value

        return walk(args)

    def wipe(self) -> None:
        """Empty the region (its pages are freed; nothing of the last check is left); only the
        zeroed progress page remains."""
        os.ftruncate(self.fd, 0)
        os.ftruncate(self.fd, self.PROGRESS)
        self.size = self.PROGRESS

    def cell(self) -> int:
        """The cell a loading process said it runs (1-based; 0: none yet). Untrusted: it only
        names a cell in a message."""
        data = os.pread(self.fd, 4, 0)
        return int.from_bytes(data, "little") if len(data) == 4 else 0

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def _tempfile_fd() -> int:
    fd, path = tempfile.mkstemp(prefix="nnkit-args-")
    os.unlink(path)
    return fd


def _merge(reported: Any, trusted: Any, before: Any) -> Any:
    """The arguments after the call: wherever the worker reports a change, its report; wherever it
    reports none, what the grader read from the shared memory (`trusted`), which no student code
    can forge. A reported change can only make the submission's own code look worse: a value or a
    structure that differs from `before` fails the checks that inputs stay unchanged
    (compare.expect_unchanged), and the top level, the argument tuple, must keep its length
    (checked by the caller)."""
    if type(before) is np.ndarray:
        return reported if _differs(reported, before) else trusted
    if type(before) in (list, tuple) and type(reported) is type(before) and \
            len(reported) == len(before):
        return type(before)(_merge(r, t, b) for r, t, b in zip(reported, trusted, before))
    if type(before) is dict and type(reported) is dict and reported.keys() == before.keys():
        return {k: _merge(reported[k], trusted[k], before[k]) for k in before}
    return reported


def _differs(reported: Any, before: Any) -> bool:
    """True when the worker reports the arguments changed in any way (an element of a list
    replaced, appended or removed, a value changed). Such a report is believed: a worker can only
    make its own code look worse by it. A report of no change is not: then the grader takes the
    arrays from the shared memory."""
    if type(before) is np.ndarray:
        return not (type(reported) is np.ndarray and reported.shape == before.shape
                    and reported.dtype == before.dtype
                    and bool(np.array_equal(reported, before, equal_nan=before.dtype.kind == "f")))
    if type(before) in (list, tuple):
        return type(reported) is not type(before) or len(reported) != len(before) or any(
            _differs(r, b) for r, b in zip(reported, before))
    if type(before) is dict:
        return type(reported) is not dict or reported.keys() != before.keys() or any(
            _differs(reported[k], before[k]) for k in before)
    return not (type(reported) is type(before) and reported == before)


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


# ------------------------------------------------------------------------------------ the sandbox

class _Sandbox:
    """The sandboxed zygote process and the pipes to it and its children."""

    def __init__(self, mode: str, limits: Limits, files: dict[str, Path], tmpdir: str | None,
                 args_fd: int):
        self.mode = mode
        self.wire_limits = wire.WireLimits(max_frame=limits.answer_bytes)
        self.tmpdir = tmpdir
        req_r, self.req_w = os.pipe()
        self.ans_r, ans_w = os.pipe()
        self.ctl_r, ctl_w = os.pipe()
        self.out_r, out_w = os.pipe()
        for fd in (self.req_w, self.ans_r):
            try:
                fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_SIZE)
            except OSError:
                pass
        fds = (req_r, ans_w, ctl_w, args_fd)
        try:
            if mode == isolation.BUBBLEWRAP:
                cmd = isolation.bwrap_command(
                    pass_fds=fds, max_frame=limits.answer_bytes,
                    tmp_bytes=max(4 * limits.file_bytes, 16 << 20), workdir_files=files)
                env = isolation.worker_env(home=isolation.BOX_WORKDIR, tmp=isolation.BOX_TMP)
                cwd = None
            else:
                cmd = isolation.fallback_command(pass_fds=fds, max_frame=limits.answer_bytes)
                env = isolation.worker_env(home=f"{tmpdir}/work", tmp=tmpdir)
                cwd = f"{tmpdir}/work"
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, env=env, cwd=cwd,
                pass_fds=fds, start_new_session=True, close_fds=True)
        except BaseException:
            for fd in (req_r, ans_w, ctl_w, out_w, self.req_w, self.ans_r, self.ctl_r, self.out_r):
                os.close(fd)
            raise
        for fd in (req_r, ans_w, ctl_w, out_w):
            os.close(fd)
        for fd in (self.req_w, self.ans_r, self.ctl_r, self.out_r):
            os.set_blocking(fd, False)
        self.reader = wire.FrameReader(self.wire_limits)
        self.ctl_reader = wire.FrameReader(self.wire_limits)
        self.out_open = True
        self.closed = False
        self.zygote_pid: int | None = None if mode == isolation.BUBBLEWRAP else self.proc.pid
        self.keep_paths: set[str] = set()   # bound, read-only paths inside the sandbox's /tmp

    # -------------------------------------------------------------------------------- pids

    def zygote(self) -> int | None:
        """Host pid of the zygote (the sandbox's pid 1 under bubblewrap)."""
        if self.zygote_pid is None:
            found = _children(self.proc.pid)
            if len(found) == 1:
                self.zygote_pid = found[0]
        return self.zygote_pid

    def child(self) -> int | None:
        """Host pid of the zygote's one child, if there is exactly one."""
        zygote = self.zygote()
        if zygote is None:
            return None
        found = _children(zygote)
        return found[0] if len(found) == 1 else None

    # -------------------------------------------------------------------------------- I/O

    def _read_output(self, sink: _Output | None, max_reads: int = 16) -> None:
        # Bounded, so that a process that prints without pause cannot keep us here forever.
        for _ in range(max_reads):
            if not self.out_open:
                return
            try:
                chunk = os.read(self.out_r, _READ_CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                self.out_open = False
                return
            if sink is not None:
                sink.add(chunk)

    def drain_output(self, sink: _Output | None) -> None:
        if not self.closed:
            self._read_output(sink)

    def send(self, data: bytes, deadline: float, sink: _Output | None) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.req_w, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError:
                raise _ChannelClosed from None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout(cpu=False)
            poller = select.poll()
            poller.register(self.req_w, select.POLLOUT)
            if self.out_open:
                poller.register(self.out_r, select.POLLIN)
            for fd, _ in poller.poll(math.ceil(min(remaining, _TICK) * 1000)):
                if fd == self.out_r:
                    self._read_output(sink)

    def receive(self, deadline: float, sink: _Output | None, fork_id: str | None,
                watch: Callable[[], None] | None = None) -> wire.Frame:
        """The next frame from the current child. Raises _Timeout (wall deadline, or `watch`'s
        CPU limit), _ChildExited (the zygote reported the child gone, and every frame it wrote
        before has been returned), _ChannelClosed (the sandbox is gone), wire.WireError."""
        while True:
            frame = self.reader.next_frame()
            if frame is not None:
                return frame
            exited = self.pending_exit
            if exited is not None and exited.get("id") == fork_id:
                self.pending_exit = None
                raise _ChildExited(_int_or_none(exited.get("status")),
                                   _int_or_none(exited.get("signal")))
            if watch is not None:
                watch()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout(cpu=False)
            poller = select.poll()
            poller.register(self.ans_r, select.POLLIN)
            poller.register(self.ctl_r, select.POLLIN)
            if self.out_open:
                poller.register(self.out_r, select.POLLIN)
            events = dict(poller.poll(math.ceil(min(remaining, _TICK) * 1000)))
            # Output first, so that everything printed before an answer is attributed to it.
            if self.out_r in events:
                self._read_output(sink)
            if self.ans_r in events:
                try:
                    data = os.read(self.ans_r, _READ_CHUNK)
                except BlockingIOError:
                    data = None
                if data == b"":
                    raise _ChannelClosed
                if data:
                    self.reader.feed(data)
                    continue
            if self.ctl_r in events:
                report = self.read_control(0.0)
                if report is not None and report.get("kind") == "exited":
                    # Frames the child wrote before it died are still in the answer pipe:
                    # they come first.
                    self._read_answers()
                    self.pending_exit = report

    pending_exit: dict | None = None

    def _read_answers(self) -> None:
        for _ in range(64):
            try:
                data = os.read(self.ans_r, _READ_CHUNK)
            except BlockingIOError:
                return
            if not data:
                return
            self.reader.feed(data)

    def read_control(self, timeout: float) -> dict | None:
        """The next report of the zygote (within `timeout` seconds), or None."""
        end = time.monotonic() + timeout
        while True:
            frame = self.ctl_reader.next_frame()
            if frame is not None:
                return frame.message
            try:
                data = os.read(self.ctl_r, _READ_CHUNK)
            except BlockingIOError:
                data = None
            if data == b"":
                raise _ChannelClosed
            if data:
                self.ctl_reader.feed(data)
                continue
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            poller = select.poll()
            poller.register(self.ctl_r, select.POLLIN)
            poller.poll(math.ceil(min(remaining, _TICK) * 1000))

    def discard_answers(self) -> None:
        """Drop everything on the answer pipe (only a dead child wrote there)."""
        self._read_answers()
        self.reader = wire.FrameReader(self.wire_limits)

    # -------------------------------------------------------------------------------- storage

    def wipe_storage(self) -> None:
        """Remove every file a student process could have written in the sandbox (its /tmp but
        the read-only bound files, and /dev/shm), from outside: nothing carries over to the next
        check. Under bubblewrap the sandbox's files are reached through /proc/<zygote>/root.

        Raises _StorageLeft when that storage holds more than a few files or folders nested
        deeply (or anything fails): the caller then replaces the whole sandbox, whose storage the
        kernel frees with it, instead of spending the grader's time on the student's files."""
        if self.mode == isolation.BUBBLEWRAP:
            zygote = self.zygote()
            if zygote is None:
                return
            root = Path(f"/proc/{zygote}/root")
            folders = [(root / isolation.BOX_TMP.lstrip("/"), self.keep_paths),
                       (root / "dev" / "shm", set())]
        elif self.tmpdir:
            folders = [(Path(self.tmpdir), self.keep_paths)]
        else:
            return
        try:
            for folder, keep in folders:
                if not _small_tree(folder):
                    raise _StorageLeft(f"{folder} holds too much to wipe file by file")
                _wipe(folder, keep)
        except _StorageLeft:
            raise
        except Exception as e:  # a tree the wipe cannot handle: start afresh
            raise _StorageLeft(f"{type(e).__name__}: {e}") from None

    # -------------------------------------------------------------------------------- end

    def kill(self, sink: _Output | None = None) -> None:
        """Kill the sandbox and everything in it, reap, close the pipes. Idempotent."""
        if self.closed:
            return
        self.closed = True
        proc = self.proc
        try:
            if proc.returncode is None and self.mode == isolation.BUBBLEWRAP:
                # Kill the sandbox's pid 1: the kernel then kills everything in its pid
                # namespace, and bwrap reaps it and exits, so nothing is left as a zombie.
                for pid in _children(proc.pid):
                    _kill(pid)
                try:
                    proc.wait(2.0)
                except subprocess.TimeoutExpired:
                    pass
            if proc.returncode is None:
                # The fallback: the zygote's child first (it is not in the process group's
                # reach once the zygote is gone), then the group.
                for pid in _children(proc.pid):
                    _kill(pid)
                _killpg(proc.pid)
                proc.wait()
            if sink is not None:
                self._read_output(sink, max_reads=64)
        finally:
            for fd in (self.req_w, self.ans_r, self.ctl_r, self.out_r):
                try:
                    os.close(fd)
                except OSError:
                    pass


#: Most entries (files and folders) and the deepest nesting that the grader wipes one by one
#: between checks; more, and the sandbox is replaced instead (an honest notebook writes a
#: handful of files, if any).
WIPE_MAX_ENTRIES = 2000
WIPE_MAX_DEPTH = 32


class _StorageLeft(Exception):
    """The sandbox's storage could not be wiped cheaply: replace the sandbox."""


def _small_tree(folder: Path) -> bool:
    """True when `folder` holds at most WIPE_MAX_ENTRIES entries, nested at most WIPE_MAX_DEPTH
    deep. Walks with an explicit stack and stops early, so a student's millions of files or a
    tree thousands of levels deep cost the grader next to nothing here."""
    count, stack = 0, [(folder, 0)]
    while stack:
        path, depth = stack.pop()
        if depth > WIPE_MAX_DEPTH:
            return False
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    count += 1
                    if count > WIPE_MAX_ENTRIES:
                        return False
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((Path(entry.path), depth + 1))
        except FileNotFoundError:
            continue
    return True


def _int_or_none(value: Any) -> int | None:
    return value if type(value) is int else None


def _wipe(folder: Path, keep: set[str]) -> None:
    """Remove everything below `folder` except the relative paths in `keep` and the folders that
    lead to them (a path ending in "/" keeps that folder, emptied)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        rel = entry.name
        path = Path(entry.path)
        inner = {k[len(rel) + 1:] for k in keep if k.startswith(rel + "/")}
        if rel in keep:
            continue
        try:
            if inner and entry.is_dir(follow_symlinks=False):
                _wipe(path, inner)
            elif entry.is_dir(follow_symlinks=False):
                _rmtree(path)
            else:
                path.unlink()
        except OSError:
            pass


def _cleanup(holder: list, tmpdir: str | None, args: ArgMemory) -> None:
    for sandbox in holder:
        sandbox.kill()
    holder.clear()
    args.close()
    if tmpdir:
        _rmtree(Path(tmpdir))


def _rmtree(path: Path) -> None:
    """Remove a tree the student may have made read-only (matters when not running as root)."""

    def retry(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass

    if path.is_dir() and not path.is_symlink():
        try:
            shutil.rmtree(path, onerror=retry)
        except RecursionError:   # thousands of levels deep: rm walks it without recursing
            subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    else:
        path.unlink(missing_ok=True)


def _check_files(files: dict[str, Path] | None) -> dict[str, Path]:
    checked: dict[str, Path] = {}
    for rel, src in (files or {}).items():
        p = PurePosixPath(rel)
        if p.is_absolute() or not p.parts or any(part in ("..", ".", "") for part in p.parts):
            raise ValueError(f"workdir file name must be a plain relative path: {rel!r}")
        src = Path(src)
        if not src.exists():
            raise FileNotFoundError(src)
        checked[str(p)] = src.resolve()
    return checked


def _choose_mode(strict: bool | None) -> str:
    global _warned
    mode = isolation.isolation_mode()
    if mode == isolation.BUBBLEWRAP:
        return mode
    if os.name != "posix":
        raise SandboxUnavailable("the sandbox needs a POSIX system (Linux, ideally)")
    if os.environ.get(isolation.MODE_ENV) == isolation.RLIMITS_ONLY:
        reason = f"{isolation.MODE_ENV}={isolation.RLIMITS_ONLY} is set"
    else:
        reason = isolation.bwrap_status()[1]
    if strict:
        raise SandboxUnavailable(f"bubblewrap sandbox required but unavailable: {reason}")
    if strict is None and not _warned:
        _warned = True
        warnings.warn(
            f"Student code runs WITHOUT the bubblewrap sandbox ({reason}): only resource "
            "limits and a seccomp filter apply; the code can read the grader's files and "
            "memory. Install bubblewrap for real isolation.", RuntimeWarning, stacklevel=3)
    return mode


# ------------------------------------------------------------------------------------ sessions

@dataclass
class _Child:
    """The student process serving the current check."""

    fork_id: str
    pid: int | None = None
    pidfd: int | None = None
    cpu_seen: float = 0.0      # its CPU seconds at the last sample
    loaded: bool = False
    calls: int = 0             # calls it has served (0: still as freshly loaded)
    extra: dict = field(default_factory=dict)

    def cpu(self) -> float:
        if self.pid is None:
            return self.cpu_seen
        now = _cpu_seconds(self.pid)
        return self.cpu_seen if now is None else max(now, self.cpu_seen)

    def close(self) -> None:
        if self.pidfd is not None:
            try:
                os.close(self.pidfd)
            except OSError:
                pass
            self.pidfd = None


class SandboxHost:
    """A sandbox whose zygote ran the release's setup cells, for the sessions of one grading
    process and one assignment, one after the other (never two at once).

    The zygote never runs student code, every check runs in a process of its own, and between
    checks (so also between submissions) the grader wipes everything a student process could have
    written; so a submission sees nothing of the one before, exactly as a check sees nothing of
    the one before. Sharing the zygote saves each submission the start of the sandbox and the
    release's imports (about 0.4 s).
    """

    def __init__(self, setup_cells: list | tuple = (), *, limits: Limits = Limits(),
                 workdir_files: dict[str, Path] | None = None, strict: bool | None = None):
        self.setup = _labelled(setup_cells, prefix="setup ")
        self.limits = limits
        self.files = _check_files(workdir_files)
        self.mode = _choose_mode(strict)
        self.strict = strict
        self.tmpdir: str | None = None
        if self.mode == isolation.RLIMITS_ONLY:
            self.tmpdir = tempfile.mkdtemp(prefix="nnkit-sandbox-")
        self.args = ArgMemory()
        self.sandbox: _Sandbox | None = None
        self.setup_errors: list[str] = []
        self.cells: list | None = None    # the student cells the zygote holds (compiled)
        self.starts = 0
        self.in_use = False
        self._holder: list[_Sandbox] = []
        self._finalizer = weakref.finalize(self, _cleanup, self._holder, self.tmpdir, self.args)

    @property
    def alive(self) -> bool:
        return self.sandbox is not None and not self.sandbox.closed and \
            self.sandbox.proc.poll() is None

    def ensure(self, out: _Output) -> CallFailed | None:
        """A running sandbox whose zygote ran the setup cells; the failure, or None."""
        if self.alive:
            return None
        self.kill()
        keep = self._prepare_tmp()
        sandbox = _Sandbox(self.mode, self.limits, self.files, self.tmpdir, self.args.fd)
        sandbox.keep_paths = keep
        self._holder.append(sandbox)
        self.sandbox = sandbox
        self.cells = None
        self.starts += 1
        lim = self.limits
        setup_id = secrets.token_hex(8)
        message = {"op": "setup", "id": setup_id, "setup": self.setup,
                   "limits": {"as": lim.memory_bytes, "cpu": int(math.ceil(lim.total_cpu)) + 1,
                              "fsize": lim.file_bytes, "nofile": 256, "nproc": lim.max_processes,
                              "seccomp": True}}
        deadline = time.monotonic() + lim.wall(lim.load_cpu)
        try:
            sandbox.send(wire.pack(message, limits=sandbox.wire_limits), deadline, out)
            while True:
                report = sandbox.read_control(max(0.0, min(_TICK, deadline - time.monotonic())))
                sandbox.drain_output(out)
                if report is not None:
                    break
                if time.monotonic() >= deadline:
                    raise _Timeout(cpu=False)
            if report.get("kind") != "setup_done" or report.get("id") != setup_id:
                raise wire.WireError("the sandbox did not report its setup")
            self.setup_errors = _str_list(report.get("cell_errors"), 1000, 400)
        except _Timeout:
            self.kill(out)
            return CallTimedOut("setting up the sandbox timed out (the release's setup cells)")
        except (_ChannelClosed, wire.WireError) as e:
            self.kill(out)
            return Crashed(f"the sandbox did not start: {e or 'it exited'}")
        return None

    def _prepare_tmp(self) -> set[str]:
        """The fallback mode's private folder (work/ with copies of the files, the font list);
        returns the paths, relative to the sandbox's tmp, that are never wiped."""
        keep = {f"work/{rel}" for rel in self.files} | {"work/", f"{isolation.MPL_DIR}/"}
        font_cache = isolation.matplotlib_font_cache()
        if font_cache is not None:
            keep.add(f"{isolation.MPL_DIR}/{font_cache.name}")
        if self.tmpdir is None:
            return keep
        for old in Path(self.tmpdir).iterdir():
            _rmtree(old)
        work = Path(self.tmpdir, "work")
        work.mkdir()
        if font_cache is not None:  # see matplotlib_font_cache: saves each sandbox a rebuild
            mpl = Path(self.tmpdir, isolation.MPL_DIR)
            mpl.mkdir()
            shutil.copyfile(font_cache, mpl / font_cache.name)
        for rel, src in self.files.items():
            dest = work / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dest)
            else:
                shutil.copyfile(src, dest)
                dest.chmod(0o444)
        return keep

    def kill(self, sink: _Output | None = None) -> None:
        """Kill the sandbox and everything in it (the next ensure() starts a new one)."""
        if self.sandbox is not None:
            self.sandbox.kill(sink)
            if self.sandbox in self._holder:
                self._holder.remove(self.sandbox)
            self.sandbox = None

    def close(self) -> None:
        self.sandbox = None
        self._finalizer()


class SubmissionSession:
    """Runs one submission's code in a sandbox and calls its functions, one fresh process per
    check.

    Usage::

        with SubmissionSession(cells, setup_cells=setup, workdir_files={"toy2d.py": path}) as s:
            report = s.start()
            s.new_check()                      # before each check: a fresh process
            result = s.call("relu", (np.array([-1.0, 2.0]),))

    `setup_cells` are the release's trusted cells (imports, settings): they run once, in the
    zygote. `code_cells` are the student's: they run in every fresh process, before its calls.
    A cell is a source string or a (label, source) pair; errors name it "cell <label>" (default
    label: its position, from 1).

    `host`: a SandboxHost to use (its setup cells, limits and files then apply); by default the
    session makes its own and closes it with itself.
    """

    def __init__(self, code_cells: list, *, setup_cells: list | tuple = (),
                 limits: Limits = Limits(), workdir_files: dict[str, Path] | None = None,
                 strict: bool | None = None, host: SandboxHost | None = None):
        self._cells = _labelled(code_cells)
        self._own_host = host is None
        if host is None:
            host = SandboxHost(setup_cells, limits=limits, workdir_files=workdir_files,
                               strict=strict)
        elif host.in_use:
            raise RuntimeError("this SandboxHost serves another session right now")
        host.in_use = True
        self._host = host
        self._limits = host.limits
        self.mode = host.mode
        self._strict = host.strict
        self._child: _Child | None = None
        self._cpu_used = 0.0
        self._wall_used = 0.0
        self._fatal: CallFailed | None = None
        self._closed = False
        self._cell_errors: list[str] = []
        self._defined: list[str] = []
        self.load_report: LoadReport | None = None
        self.restarts = 0       # fresh processes after a failure within a check
        self.forks = 0          # fresh processes in all
        self.seccomp_active: bool | None = None

    @property
    def _sandbox(self) -> _Sandbox | None:
        return self._host.sandbox

    @property
    def _args(self) -> ArgMemory:
        return self._host.args

    @property
    def _tmpdir(self) -> str | None:
        return self._host.tmpdir

    def __enter__(self) -> SubmissionSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -------------------------------------------------------------------------------- public

    @property
    def load_failure(self) -> CallFailed | None:
        """Why loading the code failed for good (a timeout, the memory limit, a crash), or None."""
        return self._fatal

    @property
    def cpu_used(self) -> float:
        return self._cpu_used

    @property
    def cpu_left(self) -> float:
        return max(0.0, self._limits.total_cpu - self._cpu_used)

    @property
    def wall_left(self) -> float:
        return max(0.0, self._limits.wall(self._limits.total_cpu) - self._wall_used)

    def start(self) -> LoadReport:
        """Start the sandbox and load the code in the first check's process (once; later calls
        return the same report)."""
        self._check_open()
        if self.load_report is None:
            t0 = time.monotonic()
            out = _Output(self._limits.output_bytes)
            try:
                error = self._start_sandbox(out)
                if error is None:
                    error = self._fork_and_load(out)
            finally:
                self._wall_used += time.monotonic() - t0
            duration = time.monotonic() - t0
            errors = self._host.setup_errors + self._cell_errors
            if error is not None:
                self._fatal = error
                error.output = out.text()
                self._kill_sandbox()
                self.load_report = LoadReport(False, [], errors + [f"load: {error}"], out.text(),
                                              duration)
            else:
                self.load_report = LoadReport(True, self._defined, errors, out.text(), duration)
        return self.load_report

    def new_check(self) -> None:
        """Forget the current check: its process is killed and the sandbox's writable storage
        and the argument memory are emptied. The next call runs in a fresh process."""
        self._check_open()
        if self._child is not None and self._child.calls:
            self._end_child(None)

    def call(self, fn: str, args: tuple = (), *,
             substitute: dict[str, Callable] | None = None, return_args: bool = False,
             timeout: float | None = None, fp_errors: str | None = None) -> CallResult:
        """Call the submission's `fn(*args)` in the current check's process. Raises a contract
        CallFailed subclass.

        substitute: names replaced, for this call only, by proxies that call back into these
        (trusted, grader-side) callables; only these names may be called back, and only with
        arguments of the size of this call's own (see _CallBound).
        return_args: also return the arguments as they are after the call; their arrays are read
        by the grader from the shared argument memory.
        timeout: the CPU seconds this call may use (default: limits.call_cpu).
        fp_errors: "raise" runs the call under np.errstate(over/invalid/divide="raise",
        under="ignore"), so that numerical overflow fails the call; None leaves NumPy's default.
        Warnings raised by student code during a call are ignored in any case.

        Top-level arguments may also be the contract's markers: RngSeed(seed) reaches the student
        as np.random.default_rng(seed), Callback(name) as a function that calls substitute[name].
        """
        self._check_open()
        if not isinstance(fn, str) or not _IDENTIFIER.match(fn):
            raise ValueError(f"not a function name: {fn!r}")
        substitute = dict(substitute or {})
        for name in substitute:
            if not isinstance(name, str) or not _IDENTIFIER.match(name):
                raise ValueError(f"not a function name: {name!r}")
        if fp_errors not in _FP_ERRORS:
            raise ValueError(f"fp_errors must be one of {sorted(map(str, _FP_ERRORS))}")
        args, markers = _split_markers(tuple(args), substitute)
        if self.load_report is None:
            self.start()
        if self._fatal is not None:
            raise copy.copy(self._fatal)
        if self.cpu_left <= 0 or self.wall_left <= 0:
            raise CallTimedOut(f"the submission used up its time ({self._limits.total_cpu:g} s "
                               "of CPU in all)")
        t0 = time.monotonic()
        try:
            out = _Output(self._limits.output_bytes)
            if self._sandbox is None or self._sandbox.closed:
                error = self._start_sandbox(out)
                if error is not None:
                    error.output = out.text()
                    raise error
            if self._child is None:
                error = self._fork_and_load(out)
                if error is not None:
                    error.output = out.text()
                    raise error
            return self._call(fn, args, markers, substitute, return_args, timeout, fp_errors, out)
        finally:
            self._wall_used += time.monotonic() - t0

    def close(self) -> None:
        """End the session: its process is killed and what it wrote is wiped; a session's own
        host is closed too (the sandbox killed and reaped, the temporary dir removed)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._child is not None:
                self._end_child(None)
        finally:
            self._host.in_use = False
            if self._own_host:
                self._host.close()

    # -------------------------------------------------------------------------------- internals

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the session is closed")

    def _kill_sandbox(self, sink: _Output | None = None) -> None:
        if self._child is not None:
            self._child.close()
            self._child = None
        self._host.kill(sink)

    def _start_sandbox(self, out: _Output) -> CallFailed | None:
        """A running sandbox (the host's, started when needed); the failure, or None."""
        return self._host.ensure(out)

    def _fork_and_load(self, out: _Output) -> CallFailed | None:
        """A fresh child process that ran the student's cells; the failure, or None."""
        sandbox = self._sandbox
        assert sandbox is not None
        lim = self._limits
        child = _Child(secrets.token_hex(8))
        self._child = child
        self.forks += 1
        cpu_limit = min(lim.load_cpu, self.cpu_left)
        deadline = time.monotonic() + lim.wall(cpu_limit)
        cell = 0
        self._cell_errors: list[str] = []
        self._defined: list[str] = []

        def watch() -> None:
            self._sample(child)
            if child.cpu_seen > cpu_limit:
                raise _Timeout(cpu=True)

        request = {"op": "fork", "id": child.fork_id}
        if self._host.cells is not self._cells:   # the zygote compiles them once per submission
            request["cells"] = self._cells
        try:
            sandbox.send(wire.pack(request, limits=sandbox.wire_limits), deadline, out)
            self._host.cells = self._cells
            ready = sandbox.receive(deadline, out, child.fork_id).message
            if ready.get("id") != child.fork_id or ready.get("kind") != "ready":
                raise wire.WireError("the worker did not report ready")
            self._attach(child)
            self.seccomp_active = ready.get("seccomp") is True
            if self._strict and not self.seccomp_active:
                raise SandboxUnavailable("the worker could not install its seccomp filter")
            while True:
                msg = sandbox.receive(deadline, out, child.fork_id, watch).message
                if msg.get("id") != child.fork_id:
                    raise wire.WireError("a frame that does not belong to the load")
                kind = msg.get("kind")
                if kind == "cell" and type(msg.get("index")) is int:
                    cell = msg["index"]
                    continue
                if kind != "loaded":
                    raise wire.WireError(f"unexpected message {str(kind)[:40]!r} while loading")
                self._defined = _str_list(msg.get("defined"), 2000, 200)
                self._cell_errors = _str_list(msg.get("cell_errors"), 10_000, 400)
                break
        except SandboxUnavailable:
            self._kill_sandbox()
            raise
        except _Timeout as t:
            cell = max(cell, self._args.cell())
            where = f" (cell {self._cells[cell - 1][0]})" if 0 < cell <= len(self._cells) else ""
            what = (f"it used more than {cpu_limit:g} s of CPU time" if t.cpu else
                    f"it did not finish within {lim.wall(cpu_limit):g} s")
            if cpu_limit < lim.load_cpu and t.cpu:
                what = "the submission's time budget ran out"
            self._end_child(out)
            return CallTimedOut(f"loading the code timed out: {what}{where}")
        except _ChildExited as e:
            cell = max(cell, self._args.cell())
            where = f" (cell {self._cells[cell - 1][0]})" if 0 < cell <= len(self._cells) else ""
            self._end_child(out, exited=True)
            return _death(e.status, e.signal, "while loading" + where)
        except (_ChannelClosed, wire.WireError) as e:
            self._kill_sandbox(out)
            return BadAnswer(f"while loading: {e or 'the sandbox stopped'}")
        finally:
            self._sample(child)
            sandbox.drain_output(out)
        child.loaded = True
        self._reap_if_exited(child, out)
        return None

    def _reap_if_exited(self, child: _Child, out: _Output) -> None:
        """The child answered and then died (the zygote reported it): end it now, so that the
        next call starts a fresh one."""
        sandbox = self._sandbox
        exited = sandbox.pending_exit if sandbox is not None else None
        if exited is not None and exited.get("id") == child.fork_id and self._child is child:
            sandbox.pending_exit = None
            self._end_child(out, exited=True)

    def _attach(self, child: _Child) -> None:
        """Find the child's host pid (the zygote's one child) and hold it by a pidfd, so that a
        signal can never reach another process that later gets the same pid."""
        sandbox = self._sandbox
        assert sandbox is not None
        for _ in range(200):
            pid = sandbox.child()
            if pid is not None:
                try:
                    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
                except OSError:
                    pidfd = None
                if sandbox.child() == pid:  # still the zygote's child: the pidfd is the child's
                    child.pid, child.pidfd = pid, pidfd
                    return
                if pidfd is not None:
                    os.close(pidfd)
            time.sleep(0.005)

    def _sample(self, child: _Child) -> None:
        """Charge the child's CPU seconds since the last sample to the submission."""
        now = child.cpu()
        if now > child.cpu_seen:
            self._cpu_used += now - child.cpu_seen
            child.cpu_seen = now

    def _signal_child(self, child: _Child) -> None:
        if child.pidfd is not None:
            try:
                signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
            except (ProcessLookupError, OSError):
                pass
        elif child.pid is not None and self._sandbox is not None and \
                self._sandbox.child() == child.pid:
            _kill(child.pid)

    def _end_child(self, sink: _Output | None, exited: bool = False) -> None:
        """Kill the current child, wait for the zygote to report it gone, then wipe what it may
        have written. If the zygote does not answer, the whole sandbox goes."""
        child, sandbox = self._child, self._sandbox
        self._child = None
        if child is None or sandbox is None or sandbox.closed:
            return
        self._sample(child)
        try:
            if not exited:
                self._signal_child(child)
                end = time.monotonic() + _END_WAIT
                while True:
                    report = sandbox.read_control(max(0.0, end - time.monotonic()))
                    if report is None:
                        raise _ChannelClosed
                    if report.get("kind") == "exited" and report.get("id") == child.fork_id:
                        break
            zygote = sandbox.zygote()
            if zygote is not None and _children(zygote):
                raise _ChannelClosed   # a child the zygote did not report: start afresh
            sandbox.discard_answers()
            sandbox.drain_output(sink)
            start = time.thread_time()
            try:
                sandbox.wipe_storage()
            finally:
                # The grader's time on the student's files is the submission's.
                self._cpu_used += time.thread_time() - start
        except (_ChannelClosed, wire.WireError, _StorageLeft):
            self._kill_sandbox(sink)
        finally:
            child.close()
            self._args.wipe()   # also when the sandbox was replaced: the next one shares it

    def _fail_child(self, sink: _Output, exited: bool = False) -> None:
        """After a failed call: end the child; the next call of this check gets a fresh one."""
        self._end_child(sink, exited)
        self.restarts += 1

    def _call(self, fn: str, args: tuple, markers: dict[str, dict], substitute: dict[str, Callable],
              return_args: bool, timeout: float | None, fp_errors: str | None,
              out: _Output) -> CallResult:
        sandbox, child = self._sandbox, self._child
        assert sandbox is not None and child is not None
        child.calls += 1
        lim = self._limits
        t0 = time.monotonic()
        asked = lim.call_cpu if timeout is None else float(timeout)
        cpu_limit = min(asked, self.cpu_left)
        by_budget = cpu_limit < asked
        deadline = t0 + min(lim.wall(cpu_limit), self.wall_left)
        self._sample(child)
        cpu_start = child.cpu_seen
        used = {"callbacks": 0.0, "count": 0}

        def charged() -> float:
            return child.cpu_seen - cpu_start + used["callbacks"]

        def watch() -> None:
            self._sample(child)
            if charged() > cpu_limit:
                raise _Timeout(cpu=True)

        call_id = secrets.token_hex(8)
        layout: list = []
        sent_args = args
        if return_args:
            sent_args, layout = self._args.place(args)
        enc = wire.Encoder(limits=sandbox.wire_limits)
        message = {"op": "call", "id": call_id, "fn": fn,
                   "args": enc.value(normalize(sent_args, (wire.SharedArray,))),
                   "markers": markers, "subst": sorted(substitute),
                   "ret_args": bool(return_args), "fp_errors": fp_errors}
        request = enc.frame(message)
        sandbox.drain_output(None)   # output of leftover threads between calls is not kept
        bound = _CallBound.of(args)
        try:
            try:
                sandbox.send(request, deadline, out)
                while True:
                    frame = sandbox.receive(deadline, out, child.fork_id, watch)
                    msg = frame.message
                    if msg.get("id") != call_id:
                        raise BadAnswer("a stale or forged frame arrived instead of the answer")
                    kind = msg.get("kind")
                    if kind == "callback":
                        self._callback(frame, call_id, substitute, deadline, out, bound, used,
                                       cpu_limit, charged)
                        continue
                    if kind == "result":
                        args_after = self._args.read_back(args, layout) if return_args else None
                        dec = wire.Decoder(frame, sandbox.wire_limits)
                        value = dec.value(msg.get("value"))
                        tname = msg.get("type_name")
                        if type(tname) is not str:
                            raise BadAnswer("answer without a type name")
                        if return_args:
                            reported = dec.value(msg.get("args_after"))
                            # A call cannot change how many arguments it was given: a report
                            # of another length is forged (it would hide the arrays the
                            # grader read back), and costs the check.
                            if type(reported) is not tuple or len(reported) != len(args):
                                raise BadAnswer("the arguments after the call were misreported")
                            args_after = _merge(reported, args_after, args)
                        sandbox.drain_output(out)
                        self._sample(child)
                        result = CallResult(value, tname[:200], args_after, out.text(),
                                            time.monotonic() - t0, charged())
                        self._reap_if_exited(child, out)
                        return result
                    if kind == "error":
                        raise self._error(fn, msg)
                    raise BadAnswer(f"unexpected message {str(kind)[:40]!r} from the worker")
            except _Timeout as t:
                if by_budget:
                    what = f"the submission used up its time ({lim.total_cpu:g} s of CPU in all)"
                elif t.cpu:
                    what = (f"{fn} used more than {cpu_limit:g} s of CPU time: make it faster "
                            "(vectorize with NumPy instead of looping over examples in Python) "
                            "or look for an endless loop")
                else:
                    what = (f"{fn} did not return within {lim.wall(cpu_limit):g} s while hardly "
                            "using the CPU: is it waiting or sleeping?")
                raise CallTimedOut(what) from None
            except _ChildExited as e:
                self._fail_child(out, exited=True)
                raise _death(e.status, e.signal, f"during {fn}") from None
            except _ChannelClosed:
                self._kill_sandbox(out)
                raise Crashed(f"the sandbox stopped during {fn}") from None
            except wire.WireError as e:
                raise BadAnswer(f"malformed answer from the worker: {e}") from None
        except CallFailed as e:
            if isinstance(e, (CallTimedOut, OutOfMemory, Crashed, BadAnswer)):
                if self._child is child:
                    self._fail_child(out)
            else:
                sandbox.drain_output(out)
            e.output = out.text()
            raise
        except BaseException:
            # A bug or an interrupt on our side: the child is mid-call, so it cannot be reused.
            if self._child is child:
                self._fail_child(out)
            raise

    def _callback(self, frame: wire.Frame, call_id: str, substitute: dict[str, Callable],
                  deadline: float, out: _Output, bound: _CallBound, used: dict,
                  cpu_limit: float, charged: Callable[[], float]) -> None:
        sandbox = self._sandbox
        assert sandbox is not None
        msg = frame.message
        name = msg.get("name")
        if type(name) is not str or name not in substitute:
            raise BadAnswer(f"the worker asked the grader to run {str(name)[:60]!r}, which this "
                            "call does not substitute")
        cb = msg.get("cb")
        if type(cb) is not int:
            raise BadAnswer("callback without a sequence number")
        dec = wire.Decoder(frame, sandbox.wire_limits)
        args = dec.value(msg.get("args"))
        kwargs = dec.value(msg.get("kwargs", {"d": []}))
        if type(args) is not tuple or type(kwargs) is not dict:
            raise BadAnswer("malformed callback arguments")
        enc = wire.Encoder(limits=sandbox.wire_limits)
        used["count"] += 1
        refused = bound.refuse((args, kwargs))  # positional and keyword arguments
        if used["count"] > self._limits.callbacks:
            refused = (f"the grader's reference refuses more than {self._limits.callbacks} calls "
                       "from one call of yours")
        if refused is None and charged() > cpu_limit:
            raise _Timeout(cpu=True)
        if refused is not None:
            reply = {"op": "reply", "id": call_id, "cb": cb, "ok": False,
                     "exc_type": "ValueError", "message": refused}
        else:
            start = time.thread_time()
            try:
                result = substitute[name](*args, **kwargs)
            except Exception as e:  # the reference rejected the student's arguments
                reply = {"op": "reply", "id": call_id, "cb": cb, "ok": False,
                         "exc_type": type(e).__name__,
                         "message": f"{name} (the grader's, standing in for yours) got arguments "
                                    f"it cannot use: {str(e)[:400]}"}
            else:
                reply = {"op": "reply", "id": call_id, "cb": cb, "ok": True,
                         "value": enc.value(normalize(result))}
            finally:
                spent = time.thread_time() - start
                used["callbacks"] += spent     # against the call's limit ...
                self._cpu_used += spent        # ... and the submission's total
        # Random generators passed to the reference are shared with the student, as in one
        # process: send back how far the reference advanced them.
        reply["rng_args"] = {str(i): enc.value(a.bit_generator.state)
                             for i, a in enumerate(args) if type(a) is np.random.Generator}
        reply["rng_kwargs"] = {k: enc.value(a.bit_generator.state)
                               for k, a in kwargs.items() if type(a) is np.random.Generator}
        sandbox.send(enc.frame(reply), deadline, out)

    def _error(self, fn: str, msg: dict) -> CallFailed:
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
                return OutOfMemory(f"memory limit ({self._limits.memory_bytes >> 20} MiB) "
                                   "exceeded (MemoryError)")
            if exc_type == "NotImplementedError":
                return NotImplementedYet(f"`{fn}` is not implemented yet")
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
