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

The parts: calls.py (limits, reports, failures), template.py (the sandbox of an assignment),
protocol.py (one call), processes.py, accounting.py, arguments.py, storage.py.

Not thread-safe: use one session from one thread at a time. With bubblewrap, the sandbox is killed
when the thread that started it exits (``--die-with-parent`` follows the starting thread).
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.sandbox import accounting, protocol, wire
from grader.sandbox.arguments import ArgMemory
from grader.sandbox.calls import (
    _FP_ERRORS,
    _IDENTIFIER,
    IDLE_GRACE,
    CallResult,
    Limits,
    LoadReport,
    _death,
    _idle_what,
    _labelled,
    _split_markers,
    _str_list,
)
from grader.sandbox.errors import SandboxUnavailable
from grader.sandbox.processes import (
    END_WAIT,
    ChannelClosed,
    ChildExited,
    Host,
    Output,
    Timeout,
    close_fd,
    pidfd,
    rmtree,
    signal_kill,
)
from grader.sandbox.template import SandboxTemplate, _copy_files
from nnkit_contract.outcomes import BadAnswer, CallFailed, CallTimedOut, Crashed
from nnkit_contract.values import Unrepresentable

__all__ = ["CallResult", "Limits", "LoadReport", "SandboxTemplate", "SubmissionSession",
           "Unrepresentable"]


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
            return protocol.call(self, fn, args, markers, substitute, return_args, timeout, fp_errors, out)
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
