"""The grader side of the sandbox: one `SubmissionSession` per submission.

The grader never imports or executes student code. A grading process keeps one sandbox per
assignment (`SandboxTemplate`, bubblewrap when available) whose first process, the *template*, ran
the release's setup cells and never receives a byte of any submission. For each submission the
template forks a *host* that receives only that submission's cells (on channels the grader made
for that submission alone), and the host forks one fresh *child* per check, which runs the cells
and answers calls (see worker.py). When the session closes, the grader kills the host with
everything below it, before the next submission starts. So no process that runs or compiles
student code has ever held another submission's data.

Every check gets new storage: under bubblewrap its process mounts a new tmpfs at /tmp in a mount
namespace of its own, freed by the kernel when it ends (worker storage.py); nothing a check writes,
no mode, timestamp or attribute, outlives it. In the fallback mode the grader makes a new folder
per check and removes it.

Every byte that comes back is validated by `wire`; every wait has a deadline; any failure ends as
a contract `CallFailed` for that one call, and the next call gets a fresh child.

Limits are measured in CPU time (`accounting`): the student's process, its host's compiling and
forking, and the grader's own work on the submission's behalf (decoding its answers, running
reference callbacks, removing its files) all count against the submission. Waiting (sleeping,
blocking) has a small budget of its own per submission (`Limits.total_idle`), told apart from
waiting for a CPU on a busy machine; a generous wall-clock backstop (`Limits.wall_factor`)
remains for the rest.

In-place changes to arguments are decided by the grader itself (`arguments`): arrays are placed in
memory shared with the submission's host and read back; the worker's report is believed only
where it agrees with what the grader can check.

Not thread-safe: use one session from one thread at a time. With bubblewrap, the sandbox is killed
when the thread that started it exits (``--die-with-parent`` follows the starting thread).
"""

from __future__ import annotations

import copy
import math
import os
import re
import secrets
import shutil
import signal
import tempfile
import time
import warnings
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from autograde_tests.contract import (
    MAX_DEPTH,
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
from grader.sandbox import accounting, isolation, wire
from grader.sandbox.arguments import ArgMemory, arguments_after
from grader.sandbox.errors import SandboxUnavailable
from grader.sandbox.processes import (
    END_WAIT,
    TICK,
    ChannelClosed,
    ChildExited,
    Host,
    Output,
    Sandbox,
    Timeout,
    close_fd,
    pidfd,
    rmtree,
    signal_kill,
)
from grader.sandbox.worker import (
    EXIT_INTERNAL,
    EXIT_MEMORY,
    EXIT_PROTOCOL,
)

__all__ = ["CallResult", "Limits", "LoadReport", "SandboxTemplate", "SubmissionSession",
           "Unrepresentable"]

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

_warned = False


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


def _copy_files(files: dict[str, Path], work: Path) -> None:
    """The fallback mode's working folder: copies of the files, read-only."""
    work.mkdir(parents=True)
    for rel, src in files.items():
        dest = work / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest)
        else:
            shutil.copyfile(src, dest)
            dest.chmod(0o444)


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


def _cleanup(holder: list, tmpdir: str | None) -> None:
    for sandbox in holder:
        sandbox.kill()
    holder.clear()
    if tmpdir:
        rmtree(Path(tmpdir))


# ------------------------------------------------------------------------------------ template

class SandboxTemplate:
    """The pristine template of a grading process and an assignment: a sandbox whose first
    process ran the release's setup cells (imports, settings) and never receives a byte of a
    submission. Sessions use it one after the other (never two at once); each gets a host of its
    own, forked from the template and killed when the session closes.

    Sharing the template saves each submission the start of the sandbox and the release's
    imports (about 0.4 s); a fresh host costs a fork.
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
        self.sandbox: Sandbox | None = None
        self.setup_errors: list[str] = []
        self.starts = 0        # sandboxes started (the template's setup ran)
        self.hosts = 0         # hosts forked (one per submission, more after a host died)
        self.in_use = False
        self._ending: set[str] = set()   # hosts killed, not yet reported gone
        self._holder: list[Sandbox] = []
        self._finalizer = weakref.finalize(self, _cleanup, self._holder, self.tmpdir)

    @property
    def alive(self) -> bool:
        return self.sandbox is not None and self.sandbox.alive

    def ensure(self, out: Output) -> CallFailed | None:
        """A running sandbox whose template ran the setup cells; the failure, or None."""
        if self.alive:
            return None
        self.kill()
        self._prepare_tmp()
        sandbox = Sandbox(self.mode, self.limits.wire_limits()[0], self.limits.tmp_bytes,
                          self.files, self.tmpdir)
        self._holder.append(sandbox)
        self.sandbox = sandbox
        self.starts += 1
        lim = self.limits
        request, answer = lim.wire_limits()
        font_cache = isolation.matplotlib_font_cache()
        setup_id = secrets.token_hex(8)
        message = {"op": "setup", "id": setup_id, "setup": self.setup,
                   "limits": {"as": lim.memory_bytes, "cpu": int(math.ceil(lim.total_cpu)) + 1,
                              "fsize": lim.file_bytes, "nofile": 256, "nproc": lim.max_processes,
                              "seccomp": True},
                   "wire": {"request": asdict(request), "answer": asdict(answer)},
                   "storage": "namespaces" if self.mode == isolation.BUBBLEWRAP else "folder",
                   "tmp_bytes": lim.tmp_bytes, "tmp_inodes": lim.tmp_inodes,
                   "files": sorted(self.files),
                   "mpl": font_cache.name if font_cache is not None else None}
        deadline = time.monotonic() + lim.wall(lim.load_cpu)
        try:
            sandbox.request(message)
            while True:
                report = sandbox.report(max(0.0, min(TICK, deadline - time.monotonic())))
                sandbox.drain_output(out)
                if report is not None:
                    break
                if time.monotonic() >= deadline:
                    raise Timeout("wall")
            if report.get("kind") != "setup_done" or report.get("id") != setup_id:
                raise wire.WireError("the sandbox did not report its setup")
            self.setup_errors = _str_list(report.get("cell_errors"), 1000, 400)
        except Timeout:
            self.kill(out)
            return CallTimedOut("setting up the sandbox timed out (the release's setup cells)")
        except (ChannelClosed, wire.WireError) as e:
            self.kill(out)
            return Crashed(f"the sandbox did not start: {e or 'it exited'}")
        return None

    def _prepare_tmp(self) -> None:
        """The fallback mode's private folder: work/ with copies of the files (the setup cells
        read them), the font list."""
        if self.tmpdir is None:
            return
        for old in Path(self.tmpdir).iterdir():
            rmtree(old)
        _copy_files(self.files, Path(self.tmpdir, "work"))
        font_cache = isolation.matplotlib_font_cache()
        if font_cache is not None:  # see matplotlib_font_cache: saves each sandbox a rebuild
            mpl = Path(self.tmpdir, isolation.MPL_DIR)
            mpl.mkdir()
            shutil.copyfile(font_cache, mpl / font_cache.name)

    def new_host(self, out: Output) -> tuple[Host | None, CallFailed | None]:
        """A fresh host for one submission (the sandbox started first when needed)."""
        error = self.ensure(out)
        if error is not None:
            return None, error
        self._await_ended()
        error = self.ensure(out)    # the wait may have found the sandbox broken
        if error is not None:
            return None, error
        sandbox = self.sandbox
        assert sandbox is not None
        folder = tempfile.mkdtemp(prefix="host-", dir=self.tmpdir) if self.tmpdir else None
        try:
            host = Host(sandbox, self.limits.wire_limits(), folder)
        except (ChannelClosed, OSError, wire.WireError) as e:
            if folder:
                rmtree(Path(folder))
            self.kill(out)
            return None, Crashed(f"the sandbox did not start a process for the submission: {e}")
        self.hosts += 1
        try:
            report = host.read_control(END_WAIT)
            if report is None or report.get("kind") != "host_ready":
                raise wire.WireError("the submission's process did not start")
            host.attach()
            if host.pid is None:
                raise wire.WireError("the submission's process cannot be found")
            host.cpu()
        except (ChannelClosed, wire.WireError) as e:
            self.end_host(host, out)
            return None, Crashed(f"the sandbox did not start a process for the submission: {e}")
        return host, None

    def end_host(self, host: Host, sink: Output | None = None) -> None:
        """Kill a host (under bubblewrap with its whole pid namespace: every process of its
        submission). The template's report that it is gone is awaited before the next host
        starts (`_await_ended`), so the kernel's clean-up overlaps the grader's own work
        between two submissions."""
        host.kill(sink)
        if self.sandbox is not None and host.sandbox is self.sandbox and self.sandbox.alive:
            self._ending.add(host.id)

    def _await_ended(self) -> None:
        """Wait until the template reported every killed host gone, or replace the sandbox:
        nothing of a submission is left when the next one starts."""
        sandbox = self.sandbox
        if not self._ending or sandbox is None or not sandbox.alive:
            self._ending.clear()
            return
        end = time.monotonic() + END_WAIT
        try:
            while self._ending:
                report = sandbox.report(max(0.0, end - time.monotonic()))
                if report is None:
                    raise ChannelClosed
                if report.get("kind") == "host_exited":
                    self._ending.discard(report.get("id"))
        except (ChannelClosed, wire.WireError):
            self.kill()

    def kill(self, sink: Output | None = None) -> None:
        """Kill the sandbox and everything in it (the next ensure() starts a new one)."""
        self._ending.clear()
        if self.sandbox is not None:
            self.sandbox.kill(sink)
            if self.sandbox in self._holder:
                self._holder.remove(self.sandbox)
            self.sandbox = None

    def close(self) -> None:
        self.sandbox = None
        self._finalizer()


# ------------------------------------------------------------------------------------ sessions

@dataclass
class _Child:
    """The student process serving the current check."""

    fork_id: str
    pid: int | None = None
    pidfd: int | None = None
    proc: accounting.ProcFiles | None = None
    cpu_seen: float = 0.0      # its CPU seconds at the last sample
    loaded: bool = False
    calls: int = 0             # calls it has served (0: still as freshly loaded)
    folder: Path | None = None  # the fallback mode's storage of this check
    extra: dict = field(default_factory=dict)

    def cpu(self) -> float:
        if self.proc is None:
            return self.cpu_seen
        now = self.proc.cpu_seconds()
        return self.cpu_seen if now is None else max(now, self.cpu_seen)

    def close(self) -> None:
        close_fd(self.pidfd)
        self.pidfd = None
        if self.proc is not None:
            self.proc.close()


class SubmissionSession:
    """Runs one submission's code in a sandbox and calls its functions, one fresh process per
    check.

    Usage::

        with SubmissionSession(cells, setup_cells=setup, workdir_files={"toy2d.py": path}) as s:
            report = s.start()
            s.new_check()                      # before each check: a fresh process
            result = s.call("relu", (np.array([-1.0, 2.0]),))

    `setup_cells` are the release's trusted cells (imports, settings): they run once, in the
    template. `code_cells` are the student's: the submission's host compiles them, and they run
    in every fresh process, before its calls. A cell is a source string or a (label, source)
    pair; errors name it "cell <label>" (default label: its position, from 1).

    `template`: a SandboxTemplate to use (its setup cells, limits and files then apply); by
    default the session makes its own and closes it with itself.
    """

    def __init__(self, code_cells: list, *, setup_cells: list | tuple = (),
                 limits: Limits = Limits(), workdir_files: dict[str, Path] | None = None,
                 strict: bool | None = None, template: SandboxTemplate | None = None):
        self._cells = _labelled(code_cells)
        self._own_template = template is None
        if template is None:
            template = SandboxTemplate(setup_cells, limits=limits, workdir_files=workdir_files,
                                       strict=strict)
        elif template.in_use:
            raise RuntimeError("this SandboxTemplate serves another session right now")
        template.in_use = True
        self._template = template
        self._limits = template.limits
        self.mode = template.mode
        self._strict = template.strict
        self._host: Host | None = None
        self._child: _Child | None = None
        self._cpu_used = 0.0
        self._idle_used = 0.0
        self._wall_used = 0.0
        self._idle_metered = accounting.schedstat_available()
        self._fatal: CallFailed | None = None
        self._closed = False
        self._cell_errors: list[str] = []
        self._defined: list[str] = []
        self.load_report: LoadReport | None = None
        self.restarts = 0       # fresh processes after a failure within a check
        self.forks = 0          # fresh processes in all
        self.seccomp_active: bool | None = None

    @property
    def _args(self) -> ArgMemory | None:
        return self._host.args if self._host is not None else None

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
    def idle_used(self) -> float:
        """Wall seconds the submission spent waiting (sleeping, blocked), loads and calls."""
        return self._idle_used

    @property
    def idle_left(self) -> float:
        return max(0.0, self._limits.total_idle - self._idle_used)

    @property
    def wall_left(self) -> float:
        return max(0.0, self._limits.wall(self._limits.total_cpu) - self._wall_used)

    def start(self) -> LoadReport:
        """Start the sandbox and load the code in the first check's process (once; later calls
        return the same report)."""
        self._check_open()
        if self.load_report is None:
            t0 = time.monotonic()
            out = Output(self._limits.output_bytes)
            try:
                error = self._start_host(out)
                if error is None:
                    error = self._fork_and_load(out)
            finally:
                self._wall_used += time.monotonic() - t0
            duration = time.monotonic() - t0
            errors = self._template.setup_errors + self._cell_errors
            if error is not None:
                self._fatal = error
                error.output = out.text()
                self._drop_host()
                self.load_report = LoadReport(False, [], errors + [f"load: {error}"], out.text(),
                                              duration)
            else:
                self.load_report = LoadReport(True, self._defined, errors, out.text(), duration)
        return self.load_report

    def new_check(self) -> None:
        """Forget the current check: its process is killed, and its storage and the argument
        memory go with it. The next call runs in a fresh process."""
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
        return_args: also return the arguments as they are after the call, as the grader decides
        them (grader.sandbox.arguments: arrays read back from the shared memory).
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
            out = Output(self._limits.output_bytes)
            if self._host is None:
                error = self._start_host(out)
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
        """End the session: its host is killed with every process of the submission (gone
        before the template forks the next host); a session's own template is closed too (the
        sandbox killed and reaped, the temporary folder removed)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._child is not None:   # killed with its host, without the host's report
                self._sample(self._child)
        finally:
            try:
                self._drop_host()
            finally:
                self._template.in_use = False
                if self._own_template:
                    self._template.close()

    # -------------------------------------------------------------------------------- internals

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the session is closed")

    def _start_host(self, out: Output) -> CallFailed | None:
        """A fresh host for this submission, holding its cells; the failure, or None."""
        host, error = self._template.new_host(out)
        if error is not None:
            return error
        assert host is not None
        self._host = host
        start = time.thread_time()
        try:
            host.send(wire.pack({"op": "cells", "cells": self._cells}, limits=host.request_limits),
                      time.monotonic() + END_WAIT, out)
        except (ChannelClosed, Timeout, wire.WireError) as e:
            self._drop_host(out)
            return Crashed(f"the submission's cells could not be sent to the sandbox: {e}")
        finally:
            self._cpu_used += time.thread_time() - start
        return None

    def _drop_host(self, sink: Output | None = None) -> None:
        """Kill the host and every process of the submission; the next call starts a new host."""
        child, self._child = self._child, None
        if child is not None:   # killed by its pidfd too: without a pid namespace (the fallback)
            signal_kill(None, child.pidfd)   # it would outlive its host
            child.close()
        host, self._host = self._host, None
        if host is not None:
            self._template.end_host(host, sink)

    def _charge_host(self) -> None:
        """The host's CPU (compiling the cells, forking) is the submission's."""
        if self._host is not None:
            self._cpu_used += self._host.cpu()

    def _fork_and_load(self, out: Output) -> CallFailed | None:
        """A fresh child process that ran the student's cells; the failure, or None."""
        host = self._host
        assert host is not None
        lim = self._limits
        child = _Child(secrets.token_hex(8))
        self._child = child
        self.forks += 1
        cpu_limit = min(lim.load_cpu, self.cpu_left)
        idle_limit = max(self.idle_left, IDLE_GRACE)
        deadline = time.monotonic() + lim.wall(cpu_limit)
        cell = 0
        self._cell_errors: list[str] = []
        self._defined: list[str] = []
        grader_start = time.thread_time()
        meter = accounting.IdleMeter([host.proc] if host.proc is not None else [])

        def watch() -> None:
            self._sample(child)
            if child.cpu_seen > cpu_limit:
                raise Timeout("cpu")
            if self._idle_metered and meter.idle() > idle_limit:
                raise Timeout("idle")

        request = {"op": "fork", "id": child.fork_id}
        if host.folder is not None:
            child.folder = Path(host.folder, f"check-{child.fork_id}")
            _copy_files(self._template.files, child.folder / "work")
            request["dir"] = str(child.folder)
        try:
            host.send(wire.pack(request, limits=host.request_limits), deadline, out)
            ready = host.receive(deadline, out, child.fork_id).message
            if ready.get("id") != child.fork_id or ready.get("kind") != "ready":
                raise wire.WireError("the worker did not report ready")
            self._attach(child)
            if child.proc is not None:
                meter.watch(child.proc, born=True)
            self.seccomp_active = ready.get("seccomp") is True
            if self._strict and not self.seccomp_active:
                raise SandboxUnavailable("the worker could not install its seccomp filter")
            while True:
                msg = host.receive(deadline, out, child.fork_id, watch).message
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
            self._drop_host()
            raise
        except Timeout as t:
            cell = max(cell, host.args.cell())
            where = f" (cell {self._cells[cell - 1][0]})" if 0 < cell <= len(self._cells) else ""
            if t.kind == "cpu":
                what = (f"it used more than {cpu_limit:g} s of CPU time" if cpu_limit >= lim.load_cpu
                        else "the submission's time budget ran out")
            elif t.kind == "idle":
                what = _idle_what(lim, idle_limit)
            else:
                what = f"it did not finish within {lim.wall(cpu_limit):g} s"
            self._end_child(out)
            return CallTimedOut(f"loading the code timed out: {what}{where}")
        except ChildExited as e:
            cell = max(cell, host.args.cell())
            where = f" (cell {self._cells[cell - 1][0]})" if 0 < cell <= len(self._cells) else ""
            self._end_child(out, exited=True)
            return _death(e.status, e.signal, "while loading" + where)
        except (ChannelClosed, wire.WireError) as e:
            self._drop_host(out)
            return BadAnswer(f"while loading: {e or 'the sandbox stopped'}")
        finally:
            self._sample(child)
            self._idle_used += meter.idle()
            self._cpu_used += time.thread_time() - grader_start
            self._charge_host()
            if self._host is host:
                host.drain_output(out)
        child.loaded = True
        self._reap_if_exited(child, out)
        return None

    def _reap_if_exited(self, child: _Child, out: Output) -> None:
        """The child answered and then died (the host reported it): end it now, so that the
        next call starts a fresh one."""
        host = self._host
        exited = host.pending_exit if host is not None else None
        if exited is not None and exited.get("id") == child.fork_id and self._child is child:
            host.pending_exit = None
            self._end_child(out, exited=True)

    def _attach(self, child: _Child) -> None:
        """Find the child's pid (the host's one child) and hold it by a pidfd, so that a signal
        can never reach another process that later gets the same pid."""
        host = self._host
        assert host is not None
        for _ in range(200):
            pid = host.child()
            if pid is not None:
                fd = pidfd(pid)
                proc = accounting.ProcFiles(pid)
                proc.sched()     # opened now, while the pid is surely the child's
                proc.cpu_seconds()
                if host.child() == pid:  # still the host's child: these are the child's
                    child.pid, child.pidfd, child.proc = pid, fd, proc
                    return
                proc.close()
                close_fd(fd)
            time.sleep(0.005)

    def _sample(self, child: _Child) -> None:
        """Charge the child's CPU seconds since the last sample to the submission."""
        now = child.cpu()
        if now > child.cpu_seen:
            self._cpu_used += now - child.cpu_seen
            child.cpu_seen = now

    def _end_child(self, sink: Output | None, exited: bool = False) -> None:
        """Kill the current child and wait for the host to report it gone (its storage goes with
        it; the fallback's folder is removed here). If the host does not answer, it goes too."""
        child, host = self._child, self._host
        self._child = None
        if child is None or host is None or host.closed:
            if child is not None:
                child.close()
            return
        self._sample(child)
        start = time.thread_time()
        try:
            if not exited:
                signal_kill(child.pid if host.child() == child.pid else None, child.pidfd)
                end = time.monotonic() + END_WAIT
                while True:
                    report = host.read_control(max(0.0, end - time.monotonic()))
                    if report is None:
                        raise ChannelClosed
                    if report.get("kind") == "exited" and report.get("id") == child.fork_id:
                        break
            if host.proc is not None and host.proc.children():
                raise ChannelClosed   # a child the host did not report: start afresh
            host.discard_answers()
            host.drain_output(sink)
            host.args.wipe()
            if child.folder is not None:
                rmtree(child.folder)
        except (ChannelClosed, wire.WireError):
            self._drop_host(sink)
        finally:
            # The grader's time on ending the check (and on the fallback's files) is the
            # submission's.
            self._cpu_used += time.thread_time() - start
            child.close()

    def _fail_child(self, sink: Output, exited: bool = False) -> None:
        """After a failed call: end the child; the next call of this check gets a fresh one."""
        self._end_child(sink, exited)
        self.restarts += 1

    def _call(self, fn: str, args: tuple, markers: dict[str, dict], substitute: dict[str, Callable],
              return_args: bool, timeout: float | None, fp_errors: str | None,
              out: Output) -> CallResult:
        host, child = self._host, self._child
        assert host is not None and child is not None
        child.calls += 1
        lim = self._limits
        t0 = time.monotonic()
        asked = lim.call_cpu if timeout is None else float(timeout)
        cpu_limit = min(asked, self.cpu_left)
        by_budget = cpu_limit < asked
        idle_limit = max(self.idle_left, IDLE_GRACE)
        deadline = t0 + min(lim.wall(cpu_limit), self.wall_left)
        self._sample(child)
        cpu_start = child.cpu_seen
        grader_start = time.thread_time()
        meter = accounting.IdleMeter([child.proc] if child.proc is not None else [])

        def charged() -> float:
            # The student's process, and everything the grader does for this call: encoding,
            # decoding its frames, running reference callbacks.
            return child.cpu_seen - cpu_start + time.thread_time() - grader_start

        def watch() -> None:
            self._sample(child)
            if charged() > cpu_limit:
                raise Timeout("cpu")
            if self._idle_metered and meter.idle() > idle_limit:
                raise Timeout("idle")

        call_id = secrets.token_hex(8)
        layout: list = []
        sent_args = args
        if return_args:
            sent_args, layout = host.args.place(args)
        enc = wire.Encoder(limits=host.request_limits)
        message = {"op": "call", "id": call_id, "fn": fn,
                   "args": enc.value(normalize(sent_args, (wire.SharedArray,))),
                   "markers": markers, "subst": sorted(substitute),
                   "ret_args": bool(return_args), "fp_errors": fp_errors}
        request = enc.frame(message)
        host.drain_output(None)   # output of leftover threads between calls is not kept
        bound = _CallBound.of(args)
        callbacks = [0]
        try:
            try:
                host.send(request, deadline, out)
                while True:
                    frame = host.receive(deadline, out, child.fork_id, watch)
                    msg = frame.message
                    if msg.get("id") != call_id:
                        raise BadAnswer("a stale or forged frame arrived instead of the answer")
                    kind = msg.get("kind")
                    if kind == "callback":
                        self._callback(frame, call_id, substitute, deadline, out, bound,
                                       callbacks, cpu_limit, charged)
                        continue
                    if kind == "result":
                        dec = wire.Decoder(frame, host.answer_limits)
                        value = dec.value(msg.get("value"))
                        dec.shared = _name_shared    # the arguments name the shared arrays
                        tname = msg.get("type_name")
                        if type(tname) is not str:
                            raise BadAnswer("answer without a type name")
                        args_after = None
                        if return_args:
                            reported = dec.value(msg.get("args_after"))
                            args_after = arguments_after(reported, args, sent_args, host.args,
                                                         layout, _marker_values(markers))
                        host.drain_output(out)
                        self._sample(child)
                        result = CallResult(value, tname[:200], args_after, out.text(),
                                            time.monotonic() - t0, charged())
                        self._reap_if_exited(child, out)
                        return result
                    if kind == "error":
                        raise self._error(fn, msg)
                    raise BadAnswer(f"unexpected message {str(kind)[:40]!r} from the worker")
            except Timeout as t:
                if t.kind == "cpu" and by_budget:
                    what = f"the submission used up its time ({lim.total_cpu:g} s of CPU in all)"
                elif t.kind == "cpu":
                    what = (f"{fn} used more than {cpu_limit:g} s of CPU time: make it faster "
                            "(vectorize with NumPy instead of looping over examples in Python) "
                            "or look for an endless loop")
                elif t.kind == "idle":
                    what = f"{fn} {_idle_what(lim, idle_limit)}"
                else:
                    what = (f"{fn} did not return within {lim.wall(cpu_limit):g} s while hardly "
                            "using the CPU: is it waiting or sleeping?")
                raise CallTimedOut(what) from None
            except ChildExited as e:
                self._fail_child(out, exited=True)
                raise _death(e.status, e.signal, f"during {fn}") from None
            except ChannelClosed:
                self._drop_host(out)
                raise Crashed(f"the sandbox stopped during {fn}") from None
            except wire.WireError as e:
                raise BadAnswer(f"malformed answer from the worker: {e}") from None
        except CallFailed as e:
            if isinstance(e, (CallTimedOut, OutOfMemory, Crashed, BadAnswer)):
                if self._child is child:
                    self._fail_child(out)
            elif self._host is host:
                host.drain_output(out)
            e.output = out.text()
            raise
        except BaseException:
            # A bug or an interrupt on our side: the child is mid-call, so it cannot be reused.
            if self._child is child:
                self._fail_child(out)
            raise
        finally:
            self._idle_used += meter.idle()
            self._cpu_used += time.thread_time() - grader_start

    def _callback(self, frame: wire.Frame, call_id: str, substitute: dict[str, Callable],
                  deadline: float, out: Output, bound: _CallBound, count: list[int],
                  cpu_limit: float, charged: Callable[[], float]) -> None:
        """Run a substituted reference function for the student's code (in the grader: its time
        is part of the call's, see charged())."""
        host = self._host
        assert host is not None
        msg = frame.message
        name = msg.get("name")
        if type(name) is not str or name not in substitute:
            raise BadAnswer(f"the worker asked the grader to run {str(name)[:60]!r}, which this "
                            "call does not substitute")
        cb = msg.get("cb")
        if type(cb) is not int:
            raise BadAnswer("callback without a sequence number")
        dec = wire.Decoder(frame, host.answer_limits)
        args = dec.value(msg.get("args"))
        kwargs = dec.value(msg.get("kwargs", {"d": []}))
        if type(args) is not tuple or type(kwargs) is not dict:
            raise BadAnswer("malformed callback arguments")
        enc = wire.Encoder(limits=host.request_limits)
        refused = bound.refuse((args, kwargs))  # positional and keyword arguments
        count[0] += 1   # counted here: the worker's sequence numbers are its own word
        if count[0] > self._limits.callbacks:
            refused = (f"the grader's reference refuses more than {self._limits.callbacks} calls "
                       "from one call of yours")
        if refused is None and charged() > cpu_limit:
            raise Timeout("cpu")
        if refused is not None:
            reply = {"op": "reply", "id": call_id, "cb": cb, "ok": False,
                     "exc_type": "ValueError", "message": refused}
        else:
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
        # Random generators passed to the reference are shared with the student, as in one
        # process: send back how far the reference advanced them.
        reply["rng_args"] = {str(i): enc.value(a.bit_generator.state)
                             for i, a in enumerate(args) if type(a) is np.random.Generator}
        reply["rng_kwargs"] = {k: enc.value(a.bit_generator.state)
                               for k, a in kwargs.items() if type(a) is np.random.Generator}
        host.send(enc.frame(reply), deadline, out)

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
