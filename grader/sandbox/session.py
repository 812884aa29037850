"""The grader side of the sandbox: one `SubmissionSession` per submission.

The grader never imports or executes student code. The session starts a worker process (in a
bubblewrap sandbox when available), sends it the submission's code cells, then asks it to call
functions. Every byte that comes back is validated by `wire`; every wait has a deadline; any
failure ends as a `CallFailed` (autograde_tests.contract) for that one call, and the next call gets a fresh worker.

Not thread-safe: use one session from one thread at a time (different sessions in different
threads are fine). With bubblewrap, the sandbox is killed when the thread that started the
worker exits (``--die-with-parent`` follows the starting thread), so start and use a session
from the same long-lived thread.
"""

from __future__ import annotations

import copy
import fcntl
import math
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
from dataclasses import dataclass
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
_EXIT_GRACE = 0.5       # seconds to wait for a worker that closed its channel to exit
_EXIT_MEMORY = 86       # the worker's own exit status for a MemoryError outside student code
_WORKER_EXITS = {_EXIT_MEMORY: "memory limit (out of memory)", 87: "protocol violation",
                 88: "internal error in the worker"}
_SIGNAL_REASONS = {
    signal.SIGKILL: "killed (CPU time limit or out of memory)",
    signal.SIGXCPU: "CPU time limit",
    signal.SIGXFSZ: "file size limit",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGBUS: "bus error",
    signal.SIGABRT: "aborted",
    signal.SIGSYS: "forbidden system call",
    signal.SIGFPE: "arithmetic fault",
}

_warned = False


@dataclass(frozen=True)
class Limits:
    call_timeout: float = 10.0        # wall-clock seconds per call
    total_timeout: float = 120.0      # wall-clock per submission (all calls + loads + restarts)
    load_timeout: float = 30.0        # running the notebook code
    memory_bytes: int = 1 << 30       # address space / memory cap
    cpu_seconds: int = 120
    file_bytes: int = 16 << 20
    max_processes: int = 32
    output_bytes: int = 64 << 10      # student stdout+stderr kept (rest dropped, counted)
    answer_bytes: int = 64 << 20      # largest accepted answer frame


@dataclass(frozen=True)
class LoadReport:
    """How running the code cells went.

    ok: the worker finished running every cell and now accepts calls. Cells that raised do not
    make ok False (like a notebook, execution continued); they are listed in cell_errors.
    ok is False when the worker died, timed out or misbehaved while loading; cell_errors then
    ends with that reason and every later call raises the same error.
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
    duration: float


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
    pass


class _ChannelClosed(Exception):
    pass


class _Worker:
    """One worker process and the three pipes to it."""

    def __init__(self, mode: str, limits: Limits, workdir_files: dict[str, Path],
                 tmpdir: str | None):
        self.mode = mode
        self.wire_limits = wire.WireLimits(max_frame=limits.answer_bytes)
        req_r, self.req_w = os.pipe()
        self.ans_r, ans_w = os.pipe()
        self.out_r, out_w = os.pipe()
        for fd in (self.req_w, self.ans_r):
            try:
                fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_SIZE)
            except OSError:
                pass
        try:
            if mode == isolation.BUBBLEWRAP:
                cmd = isolation.bwrap_command(
                    pass_fds=(req_r, ans_w), max_frame=limits.answer_bytes,
                    tmp_bytes=max(4 * limits.file_bytes, 16 << 20), workdir_files=workdir_files)
                env = isolation.worker_env(home=isolation.BOX_WORKDIR, tmp=isolation.BOX_TMP)
                cwd = None
            else:
                cmd = isolation.fallback_command(pass_fds=(req_r, ans_w),
                                                 max_frame=limits.answer_bytes)
                env = isolation.worker_env(home=f"{tmpdir}/work", tmp=tmpdir)
                cwd = f"{tmpdir}/work"
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, env=env, cwd=cwd,
                pass_fds=(req_r, ans_w), start_new_session=True, close_fds=True)
        except BaseException:
            for fd in (req_r, ans_w, out_w, self.req_w, self.ans_r, self.out_r):
                os.close(fd)
            raise
        for fd in (req_r, ans_w, out_w):
            os.close(fd)
        for fd in (self.req_w, self.ans_r, self.out_r):
            os.set_blocking(fd, False)
        self.reader = wire.FrameReader(self.wire_limits)
        self.poller = select.poll()
        self.poller.register(self.ans_r, select.POLLIN)
        self.poller.register(self.out_r, select.POLLIN)
        self.out_open = True
        self.closed = False

    # -------------------------------------------------------------------------------- I/O

    def _read_output(self, sink: _Output | None, max_reads: int = 16) -> None:
        # Bounded, so that a worker that prints without pause cannot keep us here forever.
        for _ in range(max_reads):
            if not self.out_open:
                return
            try:
                chunk = os.read(self.out_r, _READ_CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                self.poller.unregister(self.out_r)
                self.out_open = False
                return
            if sink is not None:
                sink.add(chunk)

    def drain_output(self, sink: _Output | None) -> None:
        if not self.closed:
            self._read_output(sink)

    def send(self, data: bytes, deadline: float, sink: _Output | None) -> None:
        view = memoryview(data)
        poller = None
        while view:
            try:
                n = os.write(self.req_w, view)
                view = view[n:]
                continue
            except BlockingIOError:
                pass
            except BrokenPipeError:
                raise _ChannelClosed from None
            if poller is None:
                poller = select.poll()
                poller.register(self.req_w, select.POLLOUT)
                if self.out_open:
                    poller.register(self.out_r, select.POLLIN)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            for fd, _ in poller.poll(math.ceil(remaining * 1000)):
                if fd == self.out_r:
                    self._read_output(sink)
                    if not self.out_open:
                        poller.unregister(self.out_r)

    def receive(self, deadline: float, sink: _Output | None) -> wire.Frame:
        """The next frame from the worker. Raises _Timeout, _ChannelClosed, wire.WireError."""
        while True:
            frame = self.reader.next_frame()
            if frame is not None:
                return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            events = self.poller.poll(math.ceil(remaining * 1000))
            # Output first, so that everything printed before an answer is attributed to it.
            if any(fd == self.out_r for fd, _ in events):
                self._read_output(sink)
            if any(fd == self.ans_r for fd, _ in events):
                try:
                    data = os.read(self.ans_r, _READ_CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    raise _ChannelClosed
                self.reader.feed(data)

    def has_stray_data(self) -> bool:
        """Bytes (or EOF) on the answer channel while no call is running."""
        if self.reader.pending:
            return True
        poller = select.poll()
        poller.register(self.ans_r, select.POLLIN)
        return bool(poller.poll(0))

    # -------------------------------------------------------------------------------- end

    def exit_status(self, wait: float, sink: _Output | None) -> tuple[int | None, int | None]:
        """(status, signal) of a worker that closed its channel; killed if not gone in `wait` s.

        (None, None) means it was still running and had to be killed.
        """
        pid = self.proc.pid
        end = time.monotonic() + wait
        exited = False
        while True:
            try:
                exited = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) \
                    is not None
            except ChildProcessError:
                exited = True
            if exited or time.monotonic() >= end:
                break
            time.sleep(0.005)
        self.kill(sink)
        rc = self.proc.returncode
        if not exited or rc is None:
            return None, None
        if rc < 0:
            return None, -rc
        if self.mode == isolation.BUBBLEWRAP and rc > 128 and rc - 128 < signal.NSIG:
            return None, rc - 128   # bwrap reports a child killed by a signal as 128 + signal
        return rc, None

    def kill(self, sink: _Output | None = None) -> None:
        """Kill the worker and everything it started, reap, close the pipes. Idempotent.

        Output still in the pipe goes to `sink` (the process is dead, so that read ends).
        """
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
                # Not reaped yet, so its process group id cannot have been reused.
                _killpg(proc.pid)
                proc.wait()
            if sink is not None:
                self._read_output(sink, max_reads=64)
        finally:
            for fd in (self.req_w, self.ans_r, self.out_r):
                try:
                    os.close(fd)
                except OSError:
                    pass


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except (OSError, ValueError):
        return []


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
        return f"{_SIGNAL_REASONS.get(sig, 'killed')} ({name})"
    if status is None:
        return "stopped answering (closed its channel)"
    if status in _WORKER_EXITS:
        return _WORKER_EXITS[status]
    return f"exited with status {status} (sys.exit, os._exit or a crash)"


def _death(status: int | None, sig: int | None, when: str) -> CallFailed:
    """The failure for a worker that died `when` ("during fn", "while loading (cell 3)")."""
    text = f"the worker {_crash_reason(status, sig)} {when}"
    if status == _EXIT_MEMORY:
        return OutOfMemory(text)
    return Crashed(text, status=status, signal=sig)


def _cleanup(holder: list, tmpdir: str | None) -> None:
    for worker in holder:
        worker.kill()
    holder.clear()
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
        shutil.rmtree(path, onerror=retry)
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


class SubmissionSession:
    """Runs one submission's code in a sandboxed worker and calls its functions.

    Usage::

        with SubmissionSession(cells, workdir_files={"toy2d.py": path}) as s:
            report = s.start()
            result = s.call("relu", (np.array([-1.0, 2.0]),))
    """

    def __init__(self, code_cells: list[str], *, limits: Limits = Limits(),
                 workdir_files: dict[str, Path] | None = None, strict: bool | None = None):
        if not all(isinstance(c, str) for c in code_cells):
            raise TypeError("code_cells must be a list of str")
        self._cells = list(code_cells)
        self._limits = limits
        self._files = _check_files(workdir_files)
        self.mode = _choose_mode(strict)
        self._strict = strict
        self._tmpdir: str | None = None
        self._worker: _Worker | None = None
        self._holder: list[_Worker] = []
        self._spent = 0.0
        self._need_restart = False
        self._fatal: CallFailed | None = None
        self._closed = False
        self.load_report: LoadReport | None = None
        self.restarts = 0
        self.seccomp_active: bool | None = None
        if self.mode == isolation.RLIMITS_ONLY:
            self._tmpdir = tempfile.mkdtemp(prefix="nnkit-sandbox-")
        self._finalizer = weakref.finalize(self, _cleanup, self._holder, self._tmpdir)

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
    def time_left(self) -> float:
        return max(0.0, self._limits.total_timeout - self._spent)

    def start(self) -> LoadReport:
        """Start the worker and run the code cells (once; later calls return the same report)."""
        self._check_open()
        if self.load_report is None:
            t0 = time.monotonic()
            try:
                self.load_report = self._spawn_and_load()
            finally:
                self._spent += time.monotonic() - t0
        return self.load_report

    def call(self, fn: str, args: tuple = (), *,
             substitute: dict[str, Callable] | None = None, return_args: bool = False,
             timeout: float | None = None, fp_errors: str | None = None) -> CallResult:
        """Call the submission's `fn(*args)` in the worker. Raises a CallFailed subclass.

        substitute: names replaced, for this call only, by proxies that call back into these
        (trusted, grader-side) callables. Only these names may be called back.
        return_args: also return the arguments as they are after the call.
        timeout: wall-clock seconds for this call (default: limits.call_timeout).
        fp_errors: "raise" runs the call under np.errstate(over/invalid/divide="raise",
        under="ignore"), so that numerical overflow fails the call; None leaves NumPy's default.
        Warnings raised by student code during a call are ignored in any case.

        Top-level arguments may also be the hidden-test engine's markers
        (autograde_tests.contract): RngSeed(seed) reaches the student as
        np.random.default_rng(seed), Callback(name) as a function that calls substitute[name].
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
        if self.time_left <= 0:
            raise CallTimedOut(f"the submission's time budget ({self._limits.total_timeout:g} s) "
                              "is used up")
        t0 = time.monotonic()
        try:
            if self._worker is not None and not self._need_restart \
                    and self._worker.has_stray_data():
                self._need_restart = True   # forged/stale bytes or a dead worker: start afresh
            if self._need_restart:
                self._restart()
            return self._call(fn, args, markers, substitute, return_args, timeout, fp_errors)
        finally:
            self._spent += time.monotonic() - t0

    def close(self) -> None:
        """Kill the worker and everything it started, reap it, remove the temporary dir."""
        self._closed = True
        self._worker = None
        self._finalizer()

    # -------------------------------------------------------------------------------- internals

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the session is closed")

    def _budget_deadline(self, start: float, seconds: float) -> tuple[float, bool]:
        """(deadline, limited_by_budget) for an operation of `seconds` starting at `start`."""
        left = self.time_left - (time.monotonic() - start)
        return start + min(seconds, max(left, 0.0)), left < seconds

    def _kill_worker(self, sink: _Output | None = None) -> None:
        if self._worker is not None:
            self._worker.kill(sink)
            self._holder.remove(self._worker)
            self._worker = None

    def _new_worker(self) -> _Worker:
        self._kill_worker()
        workdir = None
        if self._tmpdir is not None:
            for old in Path(self._tmpdir).iterdir():
                _rmtree(old)
            workdir = tempfile.mkdtemp(dir=self._tmpdir)
            work = Path(workdir, "work")
            work.mkdir()
            font_cache = isolation.matplotlib_font_cache()
            if font_cache is not None:  # see matplotlib_font_cache: saves each worker a rebuild
                mpl = Path(workdir, isolation.MPL_DIR)
                mpl.mkdir()
                shutil.copyfile(font_cache, mpl / font_cache.name)
            for rel, src in self._files.items():
                dest = work / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                if src.is_dir():
                    shutil.copytree(src, dest)
                else:
                    shutil.copyfile(src, dest)
                    dest.chmod(0o444)
        worker = _Worker(self.mode, self._limits, self._files, workdir)
        self._holder.append(worker)
        self._worker = worker
        return worker

    def _spawn_and_load(self) -> LoadReport:
        t0 = time.monotonic()
        out = _Output(self._limits.output_bytes)
        worker = self._new_worker()
        self._need_restart = False
        deadline, by_budget = self._budget_deadline(t0, self._limits.load_timeout)
        load_id = secrets.token_hex(8)
        lim = self._limits
        message = {"op": "load", "id": load_id, "cells": self._cells, "limits": {
            "as": lim.memory_bytes, "cpu": lim.cpu_seconds, "fsize": lim.file_bytes,
            "nofile": 256, "nproc": lim.max_processes,
            "seccomp": True}}
        cell = 0
        error: CallFailed | None = None
        try:
            worker.send(wire.pack(message, limits=worker.wire_limits), deadline, out)
            ready = worker.receive(deadline, out).message
            if ready.get("id") != load_id or ready.get("kind") != "ready":
                raise wire.WireError("the worker did not report ready")
            self.seccomp_active = ready.get("seccomp") is True
            if self._strict and not self.seccomp_active:
                worker.kill()
                raise SandboxUnavailable("the worker could not install its seccomp filter")
            while True:
                frame = worker.receive(deadline, out)
                msg = frame.message
                if msg.get("id") != load_id:
                    raise wire.WireError("a frame that does not belong to the load")
                kind = msg.get("kind")
                if kind == "cell" and type(msg.get("index")) is int:
                    cell = msg["index"]
                    continue
                if kind != "loaded":
                    raise wire.WireError(f"unexpected message {str(kind)[:40]!r} while loading")
                defined = _str_list(msg.get("defined"), 2000, 200)
                cell_errors = _str_list(msg.get("cell_errors"), 10_000, 400)
                break
        except _Timeout:
            worker.kill(out)
            what = "the submission's time budget ran out" if by_budget else \
                f"it did not finish within {self._limits.load_timeout:g} s"
            error = CallTimedOut(f"loading the code timed out: {what}" +
                                (f" (cell {cell})" if cell else ""))
        except _ChannelClosed:
            status, sig = worker.exit_status(_EXIT_GRACE, out)
            error = _death(status, sig, "while loading" + (f" (cell {cell})" if cell else ""))
        except wire.WireError as e:
            worker.kill(out)
            error = BadAnswer(f"while loading: {e}")
        worker.drain_output(out)
        duration = time.monotonic() - t0
        if error is not None:
            self._kill_worker()
            self._fatal = error
            error.output = out.text()
            return LoadReport(False, [], [f"load: {error}"], out.text(), duration)
        return LoadReport(True, defined, cell_errors, out.text(), duration)

    def _restart(self) -> None:
        self.restarts += 1
        report = self._spawn_and_load()
        if not report.ok:
            fatal = self._fatal
            assert fatal is not None
            raise fatal

    def _call(self, fn: str, args: tuple, markers: dict[str, dict], substitute: dict[str, Callable],
              return_args: bool, timeout: float | None, fp_errors: str | None) -> CallResult:
        worker = self._worker
        assert worker is not None
        t0 = time.monotonic()
        seconds = self._limits.call_timeout if timeout is None else float(timeout)
        deadline, by_budget = self._budget_deadline(t0, seconds)
        call_id = secrets.token_hex(8)
        enc = wire.Encoder(limits=worker.wire_limits)
        message = {"op": "call", "id": call_id, "fn": fn, "args": enc.value(normalize(args)),
                   "markers": markers, "subst": sorted(substitute),
                   "ret_args": bool(return_args), "fp_errors": fp_errors}
        request = enc.frame(message)
        worker.drain_output(None)   # output of leftover threads between calls is not kept
        out = _Output(self._limits.output_bytes)
        try:
            try:
                worker.send(request, deadline, out)
                while True:
                    frame = worker.receive(deadline, out)
                    msg = frame.message
                    if msg.get("id") != call_id:
                        raise BadAnswer("a stale or forged frame arrived instead of the answer")
                    kind = msg.get("kind")
                    if kind == "callback":
                        self._callback(worker, frame, call_id, substitute, deadline, out)
                        continue
                    if kind == "result":
                        dec = wire.Decoder(frame, worker.wire_limits)
                        value = dec.value(msg.get("value"))
                        tname = msg.get("type_name")
                        if type(tname) is not str:
                            raise BadAnswer("answer without a type name")
                        args_after = None
                        if return_args:
                            args_after = dec.value(msg.get("args_after"))
                            if type(args_after) is not tuple:
                                raise BadAnswer("the arguments after the call are missing")
                        worker.drain_output(out)
                        return CallResult(value, tname[:200], args_after, out.text(),
                                          time.monotonic() - t0)
                    if kind == "error":
                        raise self._error(fn, msg)
                    raise BadAnswer(f"unexpected message {str(kind)[:40]!r} from the worker")
            except _Timeout:
                what = "the submission's time budget ran out" if by_budget else \
                    f"did not return within {seconds:g} s"
                raise CallTimedOut(f"{fn} {what}") from None
            except _ChannelClosed:
                status, sig = worker.exit_status(_EXIT_GRACE, out)
                raise _death(status, sig, f"during {fn}") from None
            except wire.WireError as e:
                raise BadAnswer(f"malformed answer from the worker: {e}") from None
        except CallFailed as e:
            if isinstance(e, (CallTimedOut, OutOfMemory, Crashed, BadAnswer)):
                self._kill_worker(out)
                self._need_restart = True
            else:
                worker.drain_output(out)
            e.output = out.text()
            raise
        except BaseException:
            # A bug or an interrupt on our side: the worker is mid-call, so it cannot be reused.
            self._kill_worker()
            self._need_restart = True
            raise

    def _callback(self, worker: _Worker, frame: wire.Frame, call_id: str,
                  substitute: dict[str, Callable], deadline: float, out: _Output) -> None:
        msg = frame.message
        name = msg.get("name")
        if type(name) is not str or name not in substitute:
            raise BadAnswer(f"the worker asked the grader to run {str(name)[:60]!r}, which this "
                            "call does not substitute")
        cb = msg.get("cb")
        if type(cb) is not int:
            raise BadAnswer("callback without a sequence number")
        dec = wire.Decoder(frame, worker.wire_limits)
        args = dec.value(msg.get("args"))
        kwargs = dec.value(msg.get("kwargs", {"d": []}))
        if type(args) is not tuple or type(kwargs) is not dict:
            raise BadAnswer("malformed callback arguments")
        enc = wire.Encoder(limits=worker.wire_limits)
        try:
            result = substitute[name](*args, **kwargs)
        except Exception as e:  # the reference rejected the student's arguments
            reply = {"op": "reply", "id": call_id, "cb": cb, "ok": False,
                     "exc_type": type(e).__name__, "message": str(e)[:500]}
        else:
            reply = {"op": "reply", "id": call_id, "cb": cb, "ok": True,
                     "value": enc.value(normalize(result))}
        # Random generators passed to the reference are shared with the student, as in one
        # process: send back how far the reference advanced them.
        reply["rng_args"] = {str(i): enc.value(a.bit_generator.state)
                             for i, a in enumerate(args) if type(a) is np.random.Generator}
        reply["rng_kwargs"] = {k: enc.value(a.bit_generator.state)
                               for k, a in kwargs.items() if type(a) is np.random.Generator}
        worker.send(enc.frame(reply), deadline, out)

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

